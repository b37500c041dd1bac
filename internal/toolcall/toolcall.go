// Package toolcall reads the function calls an LFM2 model writes between
// <|tool_call_start|> and <|tool_call_end|>: the Pythonic list its chat
// templates teach ([get_weather(city='Paris'), add(a=2, b=3)]) and the
// JSON form it uses when a system prompt asks for JSON
// ([{"name": "add", "arguments": {"a": 2}}]). Arguments come out as JSON
// objects with the model's key order.
package toolcall

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Call is one parsed function call.
type Call struct {
	Name      string          `json:"name"`
	Arguments json.RawMessage `json:"arguments"` // a JSON object
}

// Markers around a model's calls.
const (
	StartMarker = "<|tool_call_start|>"
	EndMarker   = "<|tool_call_end|>"
)

// Parse reads the text between the markers: a Pythonic call list (or one
// call without brackets), or JSON (a list of {"name", "arguments"} objects,
// or one). An error says where the text stops making sense.
func Parse(text string) ([]Call, error) {
	s := strings.TrimSpace(text)
	if s == "" {
		return nil, fmt.Errorf("empty tool call")
	}
	if s[0] == '{' || s[0] == '[' && strings.HasPrefix(strings.TrimSpace(s[1:]), "{") {
		if calls, err := parseJSON(s); err == nil {
			return calls, nil
		}
	}
	p := &pyParser{s: s}
	calls, err := p.callList()
	if err != nil {
		return nil, err
	}
	return calls, nil
}

// parseJSON reads [{"name": ..., "arguments": {...}}, ...] or one such
// object; "arguments" may be a JSON-encoded string, and "parameters" is
// accepted for it.
func parseJSON(s string) ([]Call, error) {
	var raw []json.RawMessage
	if strings.HasPrefix(s, "{") {
		raw = []json.RawMessage{json.RawMessage(s)}
	} else if err := json.Unmarshal([]byte(s), &raw); err != nil {
		return nil, err
	}
	var calls []Call
	for _, r := range raw {
		var obj struct {
			Name       *string         `json:"name"`
			Arguments  json.RawMessage `json:"arguments"`
			Parameters json.RawMessage `json:"parameters"`
		}
		if err := json.Unmarshal(r, &obj); err != nil {
			return nil, err
		}
		if obj.Name == nil || *obj.Name == "" {
			return nil, fmt.Errorf(`a JSON tool call needs a "name"`)
		}
		args := obj.Arguments
		if args == nil {
			args = obj.Parameters
		}
		args = bytes.TrimSpace(args)
		var str string
		if json.Unmarshal(args, &str) == nil { // arguments as a JSON-encoded string
			args = json.RawMessage(strings.TrimSpace(str))
			if len(args) == 0 {
				args = json.RawMessage("{}")
			}
		}
		if len(args) == 0 || string(args) == "null" {
			args = json.RawMessage("{}")
		}
		if args[0] != '{' || !json.Valid(args) {
			return nil, fmt.Errorf("the arguments of %s are not a JSON object", *obj.Name)
		}
		var buf bytes.Buffer
		json.Compact(&buf, args)
		calls = append(calls, Call{Name: *obj.Name, Arguments: buf.Bytes()})
	}
	if len(calls) == 0 {
		return nil, fmt.Errorf("empty tool call list")
	}
	return calls, nil
}

// pyParser reads Python call syntax with literal arguments (what
// ast.literal_eval accepts, plus JSON's true/false/null and keywords that
// Python reserves, like class=, which models write).
type pyParser struct {
	s string
	i int
}

func (p *pyParser) errf(format string, args ...any) error {
	return fmt.Errorf("tool call at byte %d: %s", p.i, fmt.Sprintf(format, args...))
}

func (p *pyParser) space() {
	for p.i < len(p.s) {
		r, n := utf8.DecodeRuneInString(p.s[p.i:])
		if !unicode.IsSpace(r) {
			return
		}
		p.i += n
	}
}

func (p *pyParser) accept(c byte) bool {
	p.space()
	if p.i < len(p.s) && p.s[p.i] == c {
		p.i++
		return true
	}
	return false
}

func (p *pyParser) callList() ([]Call, error) {
	bracketed := p.accept('[')
	var calls []Call
	for {
		if bracketed && p.accept(']') {
			break
		}
		c, err := p.call()
		if err != nil {
			return nil, err
		}
		calls = append(calls, c)
		if p.accept(',') {
			continue
		}
		if bracketed {
			if !p.accept(']') {
				return nil, p.errf("expected ',' or ']'")
			}
		}
		break
	}
	p.space()
	if p.i != len(p.s) {
		return nil, p.errf("unexpected text after the calls: %q", p.s[p.i:])
	}
	if len(calls) == 0 {
		return nil, p.errf("empty tool call list")
	}
	return calls, nil
}

func (p *pyParser) ident() string {
	p.space()
	start := p.i
	for p.i < len(p.s) {
		r, n := utf8.DecodeRuneInString(p.s[p.i:])
		if !(r == '_' || unicode.IsLetter(r) || (p.i > start && (unicode.IsDigit(r) || r == '.' || r == '-'))) {
			break
		}
		p.i += n
	}
	return p.s[start:p.i]
}

func (p *pyParser) call() (Call, error) {
	name := p.ident()
	if name == "" {
		return Call{}, p.errf("expected a function name")
	}
	if !p.accept('(') {
		return Call{}, p.errf("expected '(' after %s", name)
	}
	var args bytes.Buffer
	args.WriteByte('{')
	seen := map[string]bool{}
	for !p.accept(')') {
		if len(seen) > 0 && !p.accept(',') {
			return Call{}, p.errf("expected ',' or ')' in the arguments of %s", name)
		}
		if p.accept(')') { // trailing comma
			break
		}
		key := p.ident()
		if key == "" || !p.accept('=') {
			return Call{}, p.errf("%s: arguments must be keyword=value", name)
		}
		if seen[key] {
			return Call{}, p.errf("%s: argument %s given twice", name, key)
		}
		v, err := p.value(0)
		if err != nil {
			return Call{}, err
		}
		if len(seen) > 0 {
			args.WriteByte(',')
		}
		seen[key] = true
		kb, _ := json.Marshal(key)
		args.Write(kb)
		args.WriteByte(':')
		args.Write(v)
	}
	args.WriteByte('}')
	return Call{Name: name, Arguments: args.Bytes()}, nil
}

const maxDepth = 64

// value reads one literal and returns it as JSON.
func (p *pyParser) value(depth int) (json.RawMessage, error) {
	if depth > maxDepth {
		return nil, p.errf("values nested too deep")
	}
	p.space()
	if p.i >= len(p.s) {
		return nil, p.errf("the call ends inside a value")
	}
	switch c := p.s[p.i]; {
	case c == '\'' || c == '"':
		s, err := p.str()
		if err != nil {
			return nil, err
		}
		return jsonString(s), nil
	case c == '[' || c == '(':
		p.i++
		closing := map[byte]byte{'[': ']', '(': ')'}[c]
		var b bytes.Buffer
		b.WriteByte('[')
		n := 0
		for !p.accept(closing) {
			if n > 0 {
				if !p.accept(',') {
					return nil, p.errf("expected ',' or '%c'", closing)
				}
				if p.accept(closing) {
					break
				}
				b.WriteByte(',')
			}
			v, err := p.value(depth + 1)
			if err != nil {
				return nil, err
			}
			b.Write(v)
			n++
		}
		b.WriteByte(']')
		return b.Bytes(), nil
	case c == '{':
		p.i++
		var b bytes.Buffer
		b.WriteByte('{')
		n := 0
		for !p.accept('}') {
			if n > 0 {
				if !p.accept(',') {
					return nil, p.errf("expected ',' or '}'")
				}
				if p.accept('}') {
					break
				}
				b.WriteByte(',')
			}
			p.space()
			var key string
			if p.i < len(p.s) && (p.s[p.i] == '\'' || p.s[p.i] == '"') {
				k, err := p.str()
				if err != nil {
					return nil, err
				}
				key = k
			} else {
				kv, err := p.value(depth + 1)
				if err != nil {
					return nil, err
				}
				key = strings.Trim(string(kv), `"`) // a number or constant as a key
			}
			if !p.accept(':') {
				return nil, p.errf("expected ':' in a dict")
			}
			v, err := p.value(depth + 1)
			if err != nil {
				return nil, err
			}
			b.Write(jsonString(key))
			b.WriteByte(':')
			b.Write(v)
			n++
		}
		b.WriteByte('}')
		return b.Bytes(), nil
	case c == '-' || c == '+' || c == '.' || (c >= '0' && c <= '9'):
		return p.number()
	default:
		word := p.ident()
		switch word {
		case "True", "true":
			return json.RawMessage("true"), nil
		case "False", "false":
			return json.RawMessage("false"), nil
		case "None", "null", "none":
			return json.RawMessage("null"), nil
		}
		if word == "" {
			return nil, p.errf("unexpected %q", p.s[p.i:min(len(p.s), p.i+10)])
		}
		return nil, p.errf("%s is not a literal value", word)
	}
}

func jsonString(s string) json.RawMessage {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.Encode(s)
	return bytes.TrimRight(b.Bytes(), "\n")
}

// number reads a Python number. A leading-zero integer (a zip code like
// 02134, which Python refuses) is kept as a string so no digit is lost.
func (p *pyParser) number() (json.RawMessage, error) {
	start := p.i
	if p.s[p.i] == '-' || p.s[p.i] == '+' {
		p.i++
	}
	for p.i < len(p.s) && strings.IndexByte("0123456789._eExXabcdefABCDEF+-", p.s[p.i]) >= 0 {
		// Stop a sign that is not part of an exponent.
		if (p.s[p.i] == '+' || p.s[p.i] == '-') && !(p.s[p.i-1] == 'e' || p.s[p.i-1] == 'E') {
			break
		}
		p.i++
	}
	lit := p.s[start:p.i]
	clean := strings.ReplaceAll(strings.TrimPrefix(lit, "+"), "_", "")
	digits := strings.TrimPrefix(clean, "-")
	if len(digits) > 1 && digits[0] == '0' && !strings.ContainsAny(digits, ".eExXbBoO") {
		return jsonString(lit), nil
	}
	if i, err := strconv.ParseInt(clean, 0, 64); err == nil {
		return json.RawMessage(strconv.FormatInt(i, 10)), nil
	}
	if f, err := strconv.ParseFloat(clean, 64); err == nil && !math.IsInf(f, 0) && !math.IsNaN(f) {
		b, _ := json.Marshal(f)
		if !bytes.ContainsAny(b, ".eE") {
			b = append(b, ".0"...)
		}
		return b, nil
	}
	if isDigits(strings.TrimPrefix(clean, "-")) { // huge integers keep their digits
		return json.RawMessage(clean), nil
	}
	return nil, p.errf("bad number %q", lit)
}

func isDigits(s string) bool {
	if s == "" {
		return false
	}
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// str reads a Python string literal (single, double or triple quoted,
// with an optional r/u prefix handled by the caller's text) and decodes its
// escapes.
func (p *pyParser) str() (string, error) {
	q := p.s[p.i]
	triple := strings.HasPrefix(p.s[p.i:], strings.Repeat(string(q), 3))
	delim := string(q)
	if triple {
		delim = strings.Repeat(string(q), 3)
	}
	p.i += len(delim)
	var b strings.Builder
	for {
		if p.i >= len(p.s) {
			return "", p.errf("unterminated string")
		}
		if strings.HasPrefix(p.s[p.i:], delim) {
			p.i += len(delim)
			return b.String(), nil
		}
		c := p.s[p.i]
		if c != '\\' {
			r, n := utf8.DecodeRuneInString(p.s[p.i:])
			b.WriteRune(r)
			p.i += n
			continue
		}
		p.i++
		if p.i >= len(p.s) {
			return "", p.errf("unterminated string")
		}
		e := p.s[p.i]
		p.i++
		switch e {
		case 'n':
			b.WriteByte('\n')
		case 't':
			b.WriteByte('\t')
		case 'r':
			b.WriteByte('\r')
		case '0':
			b.WriteByte(0)
		case 'b':
			b.WriteByte('\b')
		case 'f':
			b.WriteByte('\f')
		case '\\', '\'', '"':
			b.WriteByte(e)
		case '\n':
		case 'x', 'u', 'U':
			n := map[byte]int{'x': 2, 'u': 4, 'U': 8}[e]
			if p.i+n > len(p.s) {
				return "", p.errf("truncated \\%c escape", e)
			}
			v, err := strconv.ParseUint(p.s[p.i:p.i+n], 16, 32)
			if err != nil {
				return "", p.errf("bad \\%c escape", e)
			}
			r := rune(v)
			p.i += n
			// A JSON-style surrogate pair (\ud83d\ude00) makes one character.
			if e == 'u' && r >= 0xd800 && r < 0xdc00 && strings.HasPrefix(p.s[p.i:], "\\u") && p.i+6 <= len(p.s) {
				if lo, err := strconv.ParseUint(p.s[p.i+2:p.i+6], 16, 32); err == nil && lo >= 0xdc00 && lo < 0xe000 {
					r = 0x10000 + (r-0xd800)<<10 + (rune(lo) - 0xdc00)
					p.i += 6
				}
			}
			b.WriteRune(r)
		default:
			b.WriteByte('\\')
			b.WriteByte(e)
		}
	}
}
