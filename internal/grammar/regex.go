package grammar

import (
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"
)

// regexNode compiles a simple regular expression (what JSON Schema
// "pattern" usually holds: literals, escapes \d \w \s and their negations,
// classes, groups, |, and the quantifiers * + ? {m} {m,} {m,n}; ^ and $ at
// the ends) into the grammar of a JSON string's content: the characters a
// JSON string cannot hold raw (" \ and controls) are written escaped or
// left out of classes. Backreferences and lookaround are refused.
func regexNode(pattern string) (*node, error) {
	p := &regexParser{src: strings.TrimSuffix(strings.TrimPrefix(pattern, "^"), "$")}
	n, err := p.alternatives()
	if err != nil {
		return nil, fmt.Errorf("pattern %q: %w", pattern, err)
	}
	if p.pos < len(p.src) {
		return nil, fmt.Errorf("pattern %q: unexpected %q at %d", pattern, p.src[p.pos], p.pos)
	}
	return n, nil
}

type regexParser struct {
	src   string
	pos   int
	depth int
}

func (p *regexParser) alternatives() (*node, error) {
	var alts []*node
	for {
		s, err := p.sequence()
		if err != nil {
			return nil, err
		}
		alts = append(alts, s)
		if p.pos < len(p.src) && p.src[p.pos] == '|' {
			p.pos++
			continue
		}
		if len(alts) == 1 {
			return alts[0], nil
		}
		return alt(alts...), nil
	}
}

func (p *regexParser) sequence() (*node, error) {
	s := seq()
	for p.pos < len(p.src) && p.src[p.pos] != '|' && p.src[p.pos] != ')' {
		var item *node
		var err error
		switch c := p.src[p.pos]; c {
		case '(':
			if p.depth++; p.depth > maxNesting {
				return nil, fmt.Errorf("groups nested over %d deep", maxNesting)
			}
			p.pos++
			if strings.HasPrefix(p.src[p.pos:], "?:") {
				p.pos += 2
			} else if p.pos < len(p.src) && p.src[p.pos] == '?' {
				return nil, fmt.Errorf("lookaround and named groups are not supported")
			}
			if item, err = p.alternatives(); err != nil {
				return nil, err
			}
			if p.pos >= len(p.src) || p.src[p.pos] != ')' {
				return nil, fmt.Errorf("missing )")
			}
			p.pos++
			p.depth--
		case '[':
			if item, err = p.class(); err != nil {
				return nil, err
			}
		case '.':
			p.pos++
			item = jsonChars(class(true, '\n', '\n'))
		case '\\':
			if item, err = p.escape(); err != nil {
				return nil, err
			}
		case '*', '+', '?', '{':
			return nil, fmt.Errorf("nothing to repeat at %d", p.pos)
		case '^', '$':
			return nil, fmt.Errorf("anchors are supported only at the ends")
		default:
			r, n := utf8.DecodeRuneInString(p.src[p.pos:])
			p.pos += n
			item = jsonLiteral(r)
		}
		if item, err = p.quantifier(item); err != nil {
			return nil, err
		}
		s.kids = append(s.kids, item)
	}
	return s, nil
}

func (p *regexParser) quantifier(item *node) (*node, error) {
	if p.pos >= len(p.src) {
		return item, nil
	}
	switch p.src[p.pos] {
	case '*':
		p.pos++
		item = rep(item, 0, -1)
	case '+':
		p.pos++
		item = rep(item, 1, -1)
	case '?':
		p.pos++
		item = opt(item)
	case '{':
		end := strings.IndexByte(p.src[p.pos:], '}')
		if end < 0 {
			return item, nil
		}
		body := p.src[p.pos+1 : p.pos+end]
		lo, hi, found := strings.Cut(body, ",")
		m, err := strconv.Atoi(lo)
		if err != nil {
			return item, nil // a literal {
		}
		n := m
		if found {
			if hi == "" {
				n = -1
			} else if n, err = strconv.Atoi(hi); err != nil || n < m {
				return nil, fmt.Errorf("bad quantifier {%s}", body)
			}
		}
		if m > 1000 || n > 1000 {
			return nil, fmt.Errorf("quantifier {%s} over 1000", body)
		}
		p.pos += end + 1
		item = rep(item, m, n)
	default:
		return item, nil
	}
	if p.pos < len(p.src) && (p.src[p.pos] == '?' || p.src[p.pos] == '+') {
		p.pos++ // lazy or possessive: the same language
	}
	return item, nil
}

// perl classes, as rune pairs.
var (
	digitRanges = []rune{'0', '9'}
	wordRanges  = []rune{'0', '9', 'A', 'Z', '_', '_', 'a', 'z'}
	spaceRanges = []rune{'\t', '\n', '\f', '\r', ' ', ' '}
)

func (p *regexParser) escape() (*node, error) {
	if p.pos+1 >= len(p.src) {
		return nil, fmt.Errorf("trailing backslash")
	}
	c := p.src[p.pos+1]
	p.pos += 2
	switch c {
	case 'd':
		return class(false, digitRanges...), nil
	case 'D':
		return jsonChars(class(true, digitRanges...)), nil
	case 'w':
		return class(false, wordRanges...), nil
	case 'W':
		return jsonChars(class(true, wordRanges...)), nil
	case 's':
		return jsonChars(class(false, spaceRanges...)), nil
	case 'S':
		return jsonChars(class(true, spaceRanges...)), nil
	case 'n':
		return jsonLiteral('\n'), nil
	case 't':
		return jsonLiteral('\t'), nil
	case 'r':
		return jsonLiteral('\r'), nil
	case 'b', 'B', 'A', 'z', 'Z':
		return nil, fmt.Errorf("assertion \\%c is not supported", c)
	}
	if c >= '1' && c <= '9' {
		return nil, fmt.Errorf("backreferences are not supported")
	}
	return jsonLiteral(rune(c)), nil
}

// class reads [...]; members may be ranges, escapes and perl classes.
func (p *regexParser) class() (*node, error) {
	p.pos++
	c := &node{kind: nClass}
	if p.pos < len(p.src) && p.src[p.pos] == '^' {
		c.negated = true
		p.pos++
	}
	first := true
	for p.pos < len(p.src) && (p.src[p.pos] != ']' || first) {
		first = false
		var lo rune
		if p.src[p.pos] == '\\' && p.pos+1 < len(p.src) {
			e := p.src[p.pos+1]
			p.pos += 2
			var pairs []rune
			switch e {
			case 'd':
				pairs = digitRanges
			case 'w':
				pairs = wordRanges
			case 's':
				pairs = spaceRanges
			case 'n':
				lo = '\n'
			case 't':
				lo = '\t'
			case 'r':
				lo = '\r'
			case 'D', 'W', 'S':
				return nil, fmt.Errorf("\\%c inside a class is not supported", e)
			default:
				lo = rune(e)
			}
			if pairs != nil {
				for i := 0; i < len(pairs); i += 2 {
					c.ranges = append(c.ranges, runeSpan{pairs[i], pairs[i+1]})
				}
				continue
			}
		} else {
			r, n := utf8.DecodeRuneInString(p.src[p.pos:])
			p.pos += n
			lo = r
		}
		hi := lo
		if p.pos+1 < len(p.src) && p.src[p.pos] == '-' && p.src[p.pos+1] != ']' {
			p.pos++
			if p.src[p.pos] == '\\' && p.pos+1 < len(p.src) {
				hi = rune(p.src[p.pos+1])
				p.pos += 2
			} else {
				r, n := utf8.DecodeRuneInString(p.src[p.pos:])
				p.pos += n
				hi = r
			}
		}
		c.ranges = append(c.ranges, runeSpan{lo, hi})
	}
	if p.pos >= len(p.src) {
		return nil, fmt.Errorf("missing ]")
	}
	p.pos++
	return jsonChars(c), nil
}

// jsonLiteral is one character as a JSON string writes it.
func jsonLiteral(r rune) *node {
	switch {
	case r == '"':
		return lit(`\"`)
	case r == '\\':
		return lit(`\\`)
	case r == '\n':
		return lit(`\n`)
	case r == '\t':
		return lit(`\t`)
	case r == '\r':
		return lit(`\r`)
	case r < 0x20:
		return lit(fmt.Sprintf(`\u%04x`, r))
	}
	return lit(string(r))
}

// jsonChars limits a class to the characters a JSON string holds raw, plus
// the whitespace escapes it may contain.
func jsonChars(c *node) *node {
	spans := normalize(c.ranges)
	if c.negated {
		spans = complement(spans)
	}
	raw := &node{kind: nClass}
	var escaped []*node
	for _, s := range spans {
		for _, w := range []rune{'\t', '\n', '\r'} {
			if s.lo <= w && w <= s.hi {
				escaped = append(escaped, jsonLiteral(w))
			}
		}
		lo := max(s.lo, 0x20)
		for _, cut := range []rune{'"', '\\'} {
			if lo <= cut && cut <= s.hi {
				escaped = append(escaped, jsonLiteral(cut))
				if lo < cut {
					raw.ranges = append(raw.ranges, runeSpan{lo, cut - 1})
				}
				lo = cut + 1
			}
		}
		if lo <= s.hi {
			raw.ranges = append(raw.ranges, runeSpan{lo, s.hi})
		}
	}
	if len(escaped) == 0 {
		return raw
	}
	if len(raw.ranges) == 0 {
		return alt(escaped...)
	}
	return alt(append([]*node{raw}, escaped...)...)
}
