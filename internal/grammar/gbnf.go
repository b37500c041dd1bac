package grammar

import (
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"
)

// ParseGBNF compiles a grammar in llama.cpp's GBNF format (rules
// "name ::= alternatives", "literals", [character classes], ( groups ),
// the postfix operators * + ? {m} {m,} {m,n}, . for any character, and #
// comments). The start rule is root. Errors name the line and column.
func ParseGBNF(src string) (*Grammar, error) {
	p := &gbnfParser{src: src, rules: newRuleSet()}
	if err := p.parse(); err != nil {
		return nil, err
	}
	return p.rules.compile("root")
}

type gbnfParser struct {
	src   string
	pos   int
	rules *ruleSet
	depth int // parentheses open
}

// maxNesting bounds parentheses, so no grammar can exhaust the stack.
const maxNesting = 200

func (p *gbnfParser) errorf(format string, args ...any) error {
	line := 1 + strings.Count(p.src[:p.pos], "\n")
	col := p.pos - strings.LastIndex(p.src[:p.pos], "\n")
	return fmt.Errorf("grammar: line %d, column %d: %s", line, col, fmt.Sprintf(format, args...))
}

// space skips blanks and comments; newlines too when inside a rule's
// parentheses or right after ::= (a newline at the top level ends a rule).
func (p *gbnfParser) space(newlines bool) {
	for p.pos < len(p.src) {
		switch c := p.src[p.pos]; {
		case c == ' ' || c == '\t' || c == '\r':
			p.pos++
		case c == '\n' && newlines:
			p.pos++
		case c == '#':
			for p.pos < len(p.src) && p.src[p.pos] != '\n' {
				p.pos++
			}
		default:
			return
		}
	}
}

func isNameChar(c byte) bool {
	return c == '-' || c == '_' || '0' <= c && c <= '9' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z'
}

func (p *gbnfParser) name() string {
	start := p.pos
	for p.pos < len(p.src) && isNameChar(p.src[p.pos]) {
		p.pos++
	}
	return p.src[start:p.pos]
}

func (p *gbnfParser) parse() error {
	for {
		p.space(true)
		if p.pos >= len(p.src) {
			break
		}
		name := p.name()
		if name == "" {
			return p.errorf("expected a rule name, found %q", p.src[p.pos:p.pos+1])
		}
		p.space(false)
		if !strings.HasPrefix(p.src[p.pos:], "::=") {
			return p.errorf("expected ::= after %s", name)
		}
		p.pos += 3
		p.space(true)
		n, err := p.alternatives(false)
		if err != nil {
			return err
		}
		if _, dup := p.rules.defs[name]; dup {
			return p.errorf("rule %s is defined twice", name)
		}
		p.rules.define(name, n)
		if p.pos < len(p.src) && p.src[p.pos] != '\n' {
			return p.errorf("unexpected %q", p.src[p.pos:p.pos+1])
		}
	}
	if len(p.rules.order) == 0 {
		return fmt.Errorf("grammar: no rules")
	}
	for _, name := range p.rules.order {
		if err := checkRefs(p.rules.defs[name], p.rules.defs); err != nil {
			return fmt.Errorf("grammar: rule %s: %w", name, err)
		}
	}
	return nil
}

func checkRefs(n *node, defs map[string]*node) error {
	if n.kind == nRef {
		if _, ok := defs[n.name]; !ok {
			return fmt.Errorf("undefined rule %q", n.name)
		}
	}
	for _, k := range n.kids {
		if err := checkRefs(k, defs); err != nil {
			return err
		}
	}
	return nil
}

func (p *gbnfParser) alternatives(nested bool) (*node, error) {
	var alts []*node
	for {
		s, err := p.sequence(nested)
		if err != nil {
			return nil, err
		}
		alts = append(alts, s)
		if p.pos < len(p.src) && p.src[p.pos] == '|' {
			p.pos++
			p.space(true)
			continue
		}
		break
	}
	if len(alts) == 1 {
		return alts[0], nil
	}
	return alt(alts...), nil
}

func (p *gbnfParser) sequence(nested bool) (*node, error) {
	s := seq()
	for p.pos < len(p.src) {
		c := p.src[p.pos]
		var item *node
		switch {
		case c == '"':
			p.pos++
			var b strings.Builder
			for p.pos < len(p.src) && p.src[p.pos] != '"' {
				r, err := p.char()
				if err != nil {
					return nil, err
				}
				b.WriteRune(r)
			}
			if p.pos >= len(p.src) {
				return nil, p.errorf("unterminated string literal")
			}
			p.pos++
			item = lit(b.String())
		case c == '[':
			var err error
			if item, err = p.charClass(); err != nil {
				return nil, err
			}
		case c == '.':
			p.pos++
			item = class(false, 0, utf8.MaxRune)
		case c == '(':
			if p.depth++; p.depth > maxNesting {
				return nil, p.errorf("parentheses nested over %d deep", maxNesting)
			}
			p.pos++
			p.space(true)
			inner, err := p.alternatives(true)
			p.depth--
			if err != nil {
				return nil, err
			}
			p.space(true)
			if p.pos >= len(p.src) || p.src[p.pos] != ')' {
				return nil, p.errorf("expected )")
			}
			p.pos++
			item = inner
		case isNameChar(c):
			start := p.pos
			name := p.name()
			// "name ::=" starts the next rule: this sequence ends here.
			save := p.pos
			p.space(false)
			if strings.HasPrefix(p.src[p.pos:], "::=") {
				p.pos = start
				return s, nil
			}
			p.pos = save
			item = ref(name)
		default:
			return s, nil // | ) newline or end: the caller decides
		}
		p.space(nested)
		item, err := p.postfix(item, nested)
		if err != nil {
			return nil, err
		}
		s.kids = append(s.kids, item)
	}
	return s, nil
}

func (p *gbnfParser) postfix(item *node, nested bool) (*node, error) {
	for p.pos < len(p.src) {
		switch p.src[p.pos] {
		case '*':
			item = rep(item, 0, -1)
		case '+':
			item = rep(item, 1, -1)
		case '?':
			item = opt(item)
		case '{':
			end := strings.IndexByte(p.src[p.pos:], '}')
			if end < 0 {
				return nil, p.errorf("unterminated {")
			}
			body := strings.TrimSpace(p.src[p.pos+1 : p.pos+end])
			lo, hi, found := strings.Cut(body, ",")
			m, err := strconv.Atoi(strings.TrimSpace(lo))
			if err != nil || m < 0 {
				return nil, p.errorf("bad repetition {%s}", body)
			}
			n := m
			if found {
				if hi = strings.TrimSpace(hi); hi == "" {
					n = -1
				} else if n, err = strconv.Atoi(hi); err != nil || n < m {
					return nil, p.errorf("bad repetition {%s}", body)
				}
			}
			if m > maxRepeat || n > maxRepeat {
				return nil, p.errorf("repetition {%s} over %d", body, maxRepeat)
			}
			item = rep(item, m, n)
			p.pos += end
		default:
			return item, nil
		}
		p.pos++
		p.space(nested)
	}
	return item, nil
}

// char reads one character of a literal or class, with escapes.
func (p *gbnfParser) char() (rune, error) {
	if p.src[p.pos] != '\\' {
		r, n := utf8.DecodeRuneInString(p.src[p.pos:])
		p.pos += n
		return r, nil
	}
	if p.pos+1 >= len(p.src) {
		return 0, p.errorf("escape at the end")
	}
	c := p.src[p.pos+1]
	p.pos += 2
	hex := func(n int) (rune, error) {
		if p.pos+n > len(p.src) {
			return 0, p.errorf("short \\%c escape", c)
		}
		v, err := strconv.ParseUint(p.src[p.pos:p.pos+n], 16, 32)
		if err != nil {
			return 0, p.errorf("bad \\%c escape", c)
		}
		p.pos += n
		return rune(v), nil
	}
	switch c {
	case 'n':
		return '\n', nil
	case 'r':
		return '\r', nil
	case 't':
		return '\t', nil
	case 'x':
		return hex(2)
	case 'u':
		return hex(4)
	case 'U':
		return hex(8)
	case '\\', '"', '[', ']', '-', '^':
		return rune(c), nil
	}
	return 0, p.errorf("unknown escape \\%c", c)
}

func (p *gbnfParser) charClass() (*node, error) {
	p.pos++ // [
	c := &node{kind: nClass}
	if p.pos < len(p.src) && p.src[p.pos] == '^' {
		c.negated = true
		p.pos++
	}
	for p.pos < len(p.src) && p.src[p.pos] != ']' {
		lo, err := p.char()
		if err != nil {
			return nil, err
		}
		hi := lo
		if p.pos+1 < len(p.src) && p.src[p.pos] == '-' && p.src[p.pos+1] != ']' {
			p.pos++
			if hi, err = p.char(); err != nil {
				return nil, err
			}
		}
		c.ranges = append(c.ranges, runeSpan{lo, hi})
	}
	if p.pos >= len(p.src) {
		return nil, p.errorf("unterminated character class")
	}
	p.pos++
	return c, nil
}
