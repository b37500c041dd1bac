package jinja

import (
	"fmt"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// segment is a piece of template source: literal text, or the inside of
// a {{ }}, {% %} or {# #} tag.
type segment struct {
	kind segKind
	text string // literal text, or the tag's inner source
	line int    // 1-based line where it starts
}

type segKind uint8

const (
	segText segKind = iota
	segVar
	segBlock
)

// split cuts a template into segments and applies Jinja2's whitespace
// rules under transformers' settings: "-" inside a tag strips all
// whitespace on that side; trim_blocks drops the first newline after a
// block or comment tag; lstrip_blocks drops spaces and tabs between the
// start of a line and a block or comment tag; "+" turns either off for its
// side; one trailing newline of the template is dropped
// (keep_trailing_newline=False).
func split(src string) ([]segment, error) {
	src = strings.TrimSuffix(strings.ReplaceAll(src, "\r\n", "\n"), "\n")
	var segs []segment
	pos, line := 0, 1
	trimNextNewline, stripNext := false, false
	addText := func(s string, atLine int) {
		if stripNext {
			s = strings.TrimLeft(s, " \t\n\r\f\v")
		} else if trimNextNewline {
			s = strings.TrimPrefix(s, "\n")
		}
		stripNext, trimNextNewline = false, false
		if s != "" {
			segs = append(segs, segment{kind: segText, text: s, line: atLine})
		}
	}
	for pos < len(src) {
		i := indexTagStart(src, pos)
		if i < 0 {
			addText(src[pos:], line)
			break
		}
		open := src[i : i+2]
		text := src[pos:i]
		inner := i + 2
		leftMod := byte(0)
		if inner < len(src) && (src[inner] == '-' || src[inner] == '+') {
			leftMod = src[inner]
			inner++
		}
		isBlockLike := open == "{%" || open == "{#"
		switch {
		case leftMod == '-':
			text = strings.TrimRight(text, " \t\n\r\f\v")
		case isBlockLike && leftMod != '+':
			// lstrip_blocks: only when the tag is the first thing on its line.
			lineStart := strings.LastIndexByte(src[:i], '\n') + 1
			if strings.Trim(src[lineStart:i], " \t") == "" {
				cut := len(text) - (i - lineStart)
				if cut >= 0 {
					text = text[:cut]
				}
			}
		}
		addText(text, line)
		line += strings.Count(src[pos:i], "\n")
		tagLine := line
		closeTok := map[string]string{"{{": "}}", "{%": "%}", "{#": "#}"}[open]
		var end int
		if open == "{#" {
			end = strings.Index(src[inner:], closeTok)
		} else {
			end = findTagEnd(src[inner:], closeTok)
		}
		if end < 0 {
			return nil, fmt.Errorf("line %d: unclosed %s tag", tagLine, open)
		}
		end += inner
		body := src[inner:end]
		rightMod := byte(0)
		if n := len(body); n > 0 && (body[n-1] == '-' || body[n-1] == '+') {
			rightMod = body[n-1]
			body = body[:n-1]
		}
		after := end + 2
		line += strings.Count(src[i:after], "\n")
		stripNext = rightMod == '-'
		trimNextNewline = isBlockLike && rightMod != '+'
		switch open {
		case "{{":
			segs = append(segs, segment{kind: segVar, text: body, line: tagLine})
		case "{%":
			if name := firstWord(body); name == "raw" {
				// Everything up to {% endraw %} is text.
				j, k, ok := findEndRaw(src, after)
				if !ok {
					return nil, fmt.Errorf("line %d: raw block without endraw", tagLine)
				}
				raw := src[after:j]
				if stripNext {
					raw = strings.TrimLeft(raw, " \t\n\r\f\v")
				} else if trimNextNewline {
					raw = strings.TrimPrefix(raw, "\n")
				}
				if rawEndStrips(src[j:k]) {
					raw = strings.TrimRight(raw, " \t\n\r\f\v")
				}
				if raw != "" {
					segs = append(segs, segment{kind: segText, text: raw, line: line})
				}
				line += strings.Count(src[after:k], "\n")
				stripNext = strings.HasSuffix(strings.TrimSuffix(src[j:k], "%}"), "-")
				trimNextNewline = !stripNext
				after = k
			} else {
				segs = append(segs, segment{kind: segBlock, text: body, line: tagLine})
			}
		}
		pos = after
	}
	return segs, nil
}

// indexTagStart finds the next "{{", "{%" or "{#" at or after pos.
func indexTagStart(s string, pos int) int {
	for i := pos; i+1 < len(s); i++ {
		if s[i] == '{' && (s[i+1] == '{' || s[i+1] == '%' || s[i+1] == '#') {
			return i
		}
	}
	return -1
}

// findTagEnd finds the closing delimiter, skipping string literals (a
// "%}" inside quotes does not end the tag).
func findTagEnd(s, closeTok string) int {
	var quote byte
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case quote != 0:
			if c == '\\' {
				i++
			} else if c == quote {
				quote = 0
			}
		case c == '\'' || c == '"':
			quote = c
		case strings.HasPrefix(s[i:], closeTok):
			return i
		}
	}
	return -1
}

func firstWord(s string) string {
	s = strings.TrimSpace(s)
	i := strings.IndexFunc(s, func(r rune) bool { return !(r == '_' || unicode.IsLetter(r) || unicode.IsDigit(r)) })
	if i < 0 {
		return s
	}
	return s[:i]
}

// findEndRaw returns where "{% endraw %}" starts and ends after pos.
func findEndRaw(src string, pos int) (start, end int, ok bool) {
	for {
		i := strings.Index(src[pos:], "{%")
		if i < 0 {
			return 0, 0, false
		}
		i += pos
		j := strings.Index(src[i:], "%}")
		if j < 0 {
			return 0, 0, false
		}
		inner := strings.Trim(src[i+2:i+j], "-+ \t\n")
		if inner == "endraw" {
			return i, i + j + 2, true
		}
		pos = i + 2
	}
}

func rawEndStrips(tag string) bool { return strings.HasPrefix(tag, "{%-") }

// token is a lexeme of an expression.
type token struct {
	kind tokKind
	s    string // name, operator, or the decoded string literal
	num  Value  // int64 or float64 for numbers
}

type tokKind uint8

const (
	tokEOF tokKind = iota
	tokName
	tokString
	tokNumber
	tokOp
)

func (t token) String() string {
	switch t.kind {
	case tokEOF:
		return "end of tag"
	case tokString:
		return strconv.Quote(t.s)
	case tokNumber:
		return pyRepr(t.num)
	}
	return "'" + t.s + "'"
}

// operators, longest first so "//" wins over "/".
var operators = []string{"**", "//", "==", "!=", "<=", ">=", "+", "-", "*", "/", "%", "~", "<", ">", "(", ")", "[", "]", "{", "}", ",", ".", ":", "|", "="}

// lex tokenizes the inside of a tag.
func lex(src string) ([]token, error) {
	var out []token
	for i := 0; i < len(src); {
		c := src[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			i++
		case c == '\'' || c == '"':
			j := i + 1
			for j < len(src) && src[j] != c {
				if src[j] == '\\' {
					j++
				}
				j++
			}
			if j >= len(src) {
				return nil, fmt.Errorf("unterminated string literal")
			}
			out = append(out, token{kind: tokString, s: unescape(src[i+1 : j])})
			i = j + 1
		case c >= '0' && c <= '9':
			j := i
			isFloat := false
			for j < len(src) && (src[j] >= '0' && src[j] <= '9' || src[j] == '_') {
				j++
			}
			if j+1 < len(src) && src[j] == '.' && src[j+1] >= '0' && src[j+1] <= '9' {
				isFloat = true
				j++
				for j < len(src) && (src[j] >= '0' && src[j] <= '9' || src[j] == '_') {
					j++
				}
			}
			if j < len(src) && (src[j] == 'e' || src[j] == 'E') {
				k := j + 1
				if k < len(src) && (src[k] == '+' || src[k] == '-') {
					k++
				}
				if k < len(src) && src[k] >= '0' && src[k] <= '9' {
					isFloat = true
					j = k
					for j < len(src) && src[j] >= '0' && src[j] <= '9' {
						j++
					}
				}
			}
			lit := strings.ReplaceAll(src[i:j], "_", "")
			if isFloat {
				f, err := strconv.ParseFloat(lit, 64)
				if err != nil {
					return nil, fmt.Errorf("bad number %q", src[i:j])
				}
				out = append(out, token{kind: tokNumber, num: f, s: src[i:j]})
			} else {
				n, err := strconv.ParseInt(lit, 10, 64)
				if err != nil {
					return nil, fmt.Errorf("bad number %q", src[i:j])
				}
				out = append(out, token{kind: tokNumber, num: n, s: src[i:j]})
			}
			i = j
		case c == '_' || c < utf8.RuneSelf && unicode.IsLetter(rune(c)):
			j := i
			for j < len(src) && (src[j] == '_' || src[j] < utf8.RuneSelf && (unicode.IsLetter(rune(src[j])) || unicode.IsDigit(rune(src[j])))) {
				j++
			}
			out = append(out, token{kind: tokName, s: src[i:j]})
			i = j
		default:
			matched := false
			for _, op := range operators {
				if strings.HasPrefix(src[i:], op) {
					out = append(out, token{kind: tokOp, s: op})
					i += len(op)
					matched = true
					break
				}
			}
			if !matched {
				r, _ := utf8.DecodeRuneInString(src[i:])
				return nil, fmt.Errorf("unexpected character %q", r)
			}
		}
	}
	return append(out, token{kind: tokEOF}), nil
}

// unescape decodes a string literal's body as Jinja2 does (Python's
// unicode-escape codec): \n \t \r \\ \' \" \a \b \f \v, \xNN, \uNNNN,
// \UNNNNNNNN and octal; an unknown escape keeps its backslash.
func unescape(s string) string {
	if !strings.Contains(s, "\\") {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c != '\\' || i+1 >= len(s) {
			b.WriteByte(c)
			continue
		}
		i++
		switch e := s[i]; e {
		case 'n':
			b.WriteByte('\n')
		case 't':
			b.WriteByte('\t')
		case 'r':
			b.WriteByte('\r')
		case '\\', '\'', '"':
			b.WriteByte(e)
		case 'a':
			b.WriteByte('\a')
		case 'b':
			b.WriteByte('\b')
		case 'f':
			b.WriteByte('\f')
		case 'v':
			b.WriteByte('\v')
		case '\n':
		case 'x', 'u', 'U':
			n := map[byte]int{'x': 2, 'u': 4, 'U': 8}[e]
			if i+1+n <= len(s) {
				if v, err := strconv.ParseUint(s[i+1:i+1+n], 16, 32); err == nil {
					b.WriteRune(rune(v))
					i += n
					continue
				}
			}
			b.WriteByte('\\')
			b.WriteByte(e)
		case '0', '1', '2', '3', '4', '5', '6', '7':
			j := i
			for j < len(s) && j < i+3 && s[j] >= '0' && s[j] <= '7' {
				j++
			}
			v, _ := strconv.ParseUint(s[i:j], 8, 32)
			b.WriteRune(rune(v))
			i = j - 1
		default:
			b.WriteByte('\\')
			b.WriteByte(e)
		}
	}
	return b.String()
}
