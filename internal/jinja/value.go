// Package jinja renders Hugging Face chat templates exactly as transformers'
// apply_chat_template does: Jinja2 with trim_blocks, lstrip_blocks, the
// loopcontrols extension, tojson with ensure_ascii=False, raise_exception,
// strftime_now and {% generation %} rendered as its body, in Jinja2's
// immutable sandbox (no mutating methods). Values follow Python's semantics
// (str(), repr(), +, in, slicing, truthiness, dict order), because the
// rendered text is what a model was trained on, byte for byte.
//
// It implements the language chat templates use, not all of Jinja2: no
// template inheritance, includes or imports, no call blocks, no
// autoescaping. Anything it does not implement is an error naming the
// template line, never a silent difference.
package jinja

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Value is a template value: nil (Python None), Undefined, bool, int64,
// float64, string, []Value (a list), Tuple, *Dict, *Namespace, *Macro,
// Func or *loopState.
type Value = any

// Undefined is a missing variable, key or attribute. Printing it gives "",
// it is falsy and iterates as empty; most other uses are errors that say
// what was missing (Jinja2's default Undefined).
type Undefined struct {
	Hint string // e.g. "'dict object' has no attribute 'x'"
}

func (u Undefined) err() error {
	if u.Hint == "" {
		return fmt.Errorf("a value is undefined")
	}
	return fmt.Errorf("%s", u.Hint)
}

// Tuple is an immutable sequence (Python tuple): dict.items() pairs, tuple literals.
type Tuple []Value

// Dict is an insertion-ordered mapping with string keys, as Python dicts
// built from JSON are: key order shows in tojson and items().
type Dict struct {
	keys []string
	m    map[string]Value
}

// NewDict makes an empty dict.
func NewDict() *Dict { return &Dict{m: map[string]Value{}} }

// Set adds or replaces a key (a new key goes last).
func (d *Dict) Set(k string, v Value) {
	if _, ok := d.m[k]; !ok {
		d.keys = append(d.keys, k)
	}
	d.m[k] = v
}

// Get looks a key up.
func (d *Dict) Get(k string) (Value, bool) {
	v, ok := d.m[k]
	return v, ok
}

// Keys lists the keys in insertion order.
func (d *Dict) Keys() []string { return d.keys }

// Len is the number of keys.
func (d *Dict) Len() int { return len(d.keys) }

// Namespace is Jinja2's namespace(): attributes that can be assigned from
// inside loops with {% set ns.x = ... %}.
type Namespace struct{ attrs *Dict }

// Func is a callable provided by the engine (globals, bound methods).
type Func func(args []Value, kwargs *Dict) (Value, error)

// FromJSON decodes JSON into template values the way Python's json.loads
// does: object key order kept, integers as int64 (floats when written with a
// fraction or exponent, or too large), strings, lists, dicts, None.
func FromJSON(data []byte) (Value, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	v, err := decodeJSON(dec)
	if err != nil {
		return nil, err
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, fmt.Errorf("extra data after the JSON value")
	}
	return v, nil
}

func decodeJSON(dec *json.Decoder) (Value, error) {
	tok, err := dec.Token()
	if err != nil {
		return nil, err
	}
	switch t := tok.(type) {
	case json.Delim:
		switch t {
		case '{':
			d := NewDict()
			for dec.More() {
				k, err := dec.Token()
				if err != nil {
					return nil, err
				}
				v, err := decodeJSON(dec)
				if err != nil {
					return nil, err
				}
				d.Set(k.(string), v)
			}
			_, err := dec.Token()
			return d, err
		case '[':
			l := []Value{}
			for dec.More() {
				v, err := decodeJSON(dec)
				if err != nil {
					return nil, err
				}
				l = append(l, v)
			}
			_, err := dec.Token()
			return l, err
		}
		return nil, fmt.Errorf("unexpected %v", t)
	case json.Number:
		s := t.String()
		if !strings.ContainsAny(s, ".eE") {
			if i, err := strconv.ParseInt(s, 10, 64); err == nil {
				return i, nil
			}
		}
		f, err := strconv.ParseFloat(s, 64)
		if err != nil && !math.IsInf(f, 0) {
			return nil, err
		}
		return f, nil
	case string, bool, nil:
		return t, nil
	}
	return nil, fmt.Errorf("unexpected JSON token %v", tok)
}

// truthy is Python's bool().
func truthy(v Value) bool {
	switch x := v.(type) {
	case nil, Undefined:
		return false
	case bool:
		return x
	case int64:
		return x != 0
	case float64:
		return x != 0
	case string:
		return x != ""
	case []Value:
		return len(x) > 0
	case Tuple:
		return len(x) > 0
	case *Dict:
		return x.Len() > 0
	}
	return true
}

// typeName is the Python type name used in error messages.
func typeName(v Value) string {
	switch v.(type) {
	case nil:
		return "NoneType"
	case Undefined:
		return "Undefined"
	case bool:
		return "bool"
	case int64:
		return "int"
	case float64:
		return "float"
	case string:
		return "str"
	case []Value:
		return "list"
	case Tuple:
		return "tuple"
	case *Dict:
		return "dict"
	case *Namespace:
		return "Namespace"
	case *Macro:
		return "Macro"
	case Func:
		return "function"
	case *loopState:
		return "LoopContext"
	}
	return fmt.Sprintf("%T", v)
}

// pyStr is Python's str() of a value, which is also how {{ }} prints it.
func pyStr(v Value) string {
	switch x := v.(type) {
	case Undefined:
		return ""
	case string:
		return x
	}
	return pyRepr(v)
}

// pyRepr is Python's repr(). Past maxOutput bytes it stops adding items
// (a list may hold the same long string a million times), so the string
// it returns is over the limit, which its users refuse (charge, Render).
func pyRepr(v Value) string {
	var b strings.Builder
	writeRepr(&b, v)
	return b.String()
}

func writeRepr(b *strings.Builder, v Value) {
	switch x := v.(type) {
	case nil:
		b.WriteString("None")
	case Undefined:
		b.WriteString("Undefined")
	case bool:
		if x {
			b.WriteString("True")
		} else {
			b.WriteString("False")
		}
	case int64:
		b.WriteString(strconv.FormatInt(x, 10))
	case float64:
		b.WriteString(pyFloat(x))
	case string:
		writeStrRepr(b, x)
	case []Value:
		b.WriteByte('[')
		for i, e := range x {
			if b.Len() > maxOutput {
				return
			}
			if i > 0 {
				b.WriteString(", ")
			}
			writeRepr(b, e)
		}
		b.WriteByte(']')
	case Tuple:
		b.WriteByte('(')
		for i, e := range x {
			if b.Len() > maxOutput {
				return
			}
			if i > 0 {
				b.WriteString(", ")
			}
			writeRepr(b, e)
		}
		if len(x) == 1 {
			b.WriteByte(',')
		}
		b.WriteByte(')')
	case *Dict:
		b.WriteByte('{')
		for i, k := range x.keys {
			if b.Len() > maxOutput {
				return
			}
			if i > 0 {
				b.WriteString(", ")
			}
			writeStrRepr(b, k)
			b.WriteString(": ")
			writeRepr(b, x.m[k])
		}
		b.WriteByte('}')
	case *Namespace:
		b.WriteString("<Namespace ")
		writeRepr(b, x.attrs)
		b.WriteByte('>')
	case *Macro:
		fmt.Fprintf(b, "<Macro '%s'>", x.name)
	default:
		fmt.Fprintf(b, "<%s>", typeName(v))
	}
}

// writeStrRepr quotes like Python's str.__repr__: single quotes unless the
// text has ' and no ", escapes for backslash, the quote, \n \r \t and
// non-printable characters.
func writeStrRepr(b *strings.Builder, s string) {
	q := byte('\'')
	if strings.ContainsRune(s, '\'') && !strings.ContainsRune(s, '"') {
		q = '"'
	}
	b.WriteByte(q)
	for _, r := range s {
		switch {
		case r == '\\':
			b.WriteString(`\\`)
		case r == rune(q):
			b.WriteByte('\\')
			b.WriteByte(q)
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\r':
			b.WriteString(`\r`)
		case r == '\t':
			b.WriteString(`\t`)
		case r < 0x20 || r == 0x7f:
			fmt.Fprintf(b, `\x%02x`, r)
		case r >= 0x80 && r < 0xa0:
			fmt.Fprintf(b, `\x%02x`, r)
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte(q)
}

// pyFloat is Python's float repr: the shortest round-trip digits, fixed
// notation for exponents in [-4, 16), else d.ddde±XX; always a '.' or 'e'.
func pyFloat(f float64) string {
	switch {
	case math.IsInf(f, 1):
		return "inf"
	case math.IsInf(f, -1):
		return "-inf"
	case math.IsNaN(f):
		return "nan"
	}
	e := strconv.FormatFloat(f, 'e', -1, 64)
	mant, expStr, _ := strings.Cut(e, "e")
	exp, _ := strconv.Atoi(expStr)
	if exp < -4 || exp >= 16 {
		sign := "+"
		if exp < 0 {
			sign, exp = "-", -exp
		}
		return fmt.Sprintf("%se%s%02d", mant, sign, exp)
	}
	p := strconv.FormatFloat(f, 'f', -1, 64)
	if !strings.Contains(p, ".") {
		p += ".0"
	}
	return p
}

// toJSON is transformers' tojson: json.dumps(x, ensure_ascii=False,
// indent=indent, separators=separators, sort_keys=sortKeys).
func toJSON(v Value, indent int, sortKeys bool, itemSep, keySep string) (string, error) {
	var b strings.Builder
	if err := writeJSON(&b, v, indent, 0, sortKeys, itemSep, keySep); err != nil {
		return "", err
	}
	return b.String(), nil
}

func writeJSON(b *strings.Builder, v Value, indent, depth int, sortKeys bool, itemSep, keySep string) error {
	// newline starts a line at depth d; like every item, it first checks
	// that the text stays under maxOutput bytes (indent ≤ maxOutput, from
	// the filter, so indent·d does not wrap).
	newline := func(d int) error {
		if err := checkLen("tojson", int64(b.Len())+1+int64(max(indent, 0))*int64(d)); err != nil {
			return err
		}
		if indent >= 0 {
			b.WriteByte('\n')
			b.WriteString(strings.Repeat(" ", indent*d))
		}
		return nil
	}
	switch x := v.(type) {
	case nil:
		b.WriteString("null")
	case bool:
		b.WriteString(strconv.FormatBool(x))
	case int64:
		b.WriteString(strconv.FormatInt(x, 10))
	case float64:
		switch {
		case math.IsInf(x, 1):
			b.WriteString("Infinity")
		case math.IsInf(x, -1):
			b.WriteString("-Infinity")
		case math.IsNaN(x):
			b.WriteString("NaN")
		default:
			b.WriteString(pyFloat(x))
		}
	case string:
		if err := checkLen("tojson", int64(b.Len())+int64(len(x))); err != nil {
			return err
		}
		writeJSONString(b, x)
	case []Value, Tuple:
		items := seqOf(x)
		if len(items) == 0 {
			b.WriteString("[]")
			return nil
		}
		b.WriteByte('[')
		for i, e := range items {
			if i > 0 {
				b.WriteString(itemSep)
			}
			if err := newline(depth + 1); err != nil {
				return err
			}
			if err := writeJSON(b, e, indent, depth+1, sortKeys, itemSep, keySep); err != nil {
				return err
			}
		}
		if err := newline(depth); err != nil {
			return err
		}
		b.WriteByte(']')
	case *Dict:
		if x.Len() == 0 {
			b.WriteString("{}")
			return nil
		}
		keys := x.keys
		if sortKeys {
			keys = append([]string(nil), keys...)
			sort.Strings(keys)
		}
		b.WriteByte('{')
		for i, k := range keys {
			if i > 0 {
				b.WriteString(itemSep)
			}
			if err := newline(depth + 1); err != nil {
				return err
			}
			writeJSONString(b, k)
			b.WriteString(keySep)
			if err := writeJSON(b, x.m[k], indent, depth+1, sortKeys, itemSep, keySep); err != nil {
				return err
			}
		}
		if err := newline(depth); err != nil {
			return err
		}
		b.WriteByte('}')
	default:
		return fmt.Errorf("object of type %s is not JSON serializable", typeName(v))
	}
	return nil
}

// writeJSONString escapes as json.dumps with ensure_ascii=False does: only
// the quote, backslash and control characters.
func writeJSONString(b *strings.Builder, s string) {
	b.WriteByte('"')
	for _, r := range s {
		switch r {
		case '"':
			b.WriteString(`\"`)
		case '\\':
			b.WriteString(`\\`)
		case '\n':
			b.WriteString(`\n`)
		case '\r':
			b.WriteString(`\r`)
		case '\t':
			b.WriteString(`\t`)
		case '\b':
			b.WriteString(`\b`)
		case '\f':
			b.WriteString(`\f`)
		default:
			if r < 0x20 {
				fmt.Fprintf(b, `\u%04x`, r)
			} else if r == utf8.RuneError {
				b.WriteString(`\ufffd`)
			} else {
				b.WriteRune(r)
			}
		}
	}
	b.WriteByte('"')
}

// seqOf returns the elements of a list or tuple (nil otherwise).
func seqOf(v Value) []Value {
	switch x := v.(type) {
	case []Value:
		return x
	case Tuple:
		return x
	}
	return nil
}

// iterate lists what a for loop over v visits: list and tuple elements,
// dict keys, a string's characters; Undefined iterates as empty.
func iterate(v Value) ([]Value, error) {
	switch x := v.(type) {
	case []Value:
		return x, nil
	case Tuple:
		return x, nil
	case *Dict:
		out := make([]Value, len(x.keys))
		for i, k := range x.keys {
			out[i] = k
		}
		return out, nil
	case string:
		if err := checkItems("iterating a string", int64(utf8.RuneCountInString(x))); err != nil {
			return nil, err
		}
		var out []Value
		for _, r := range x {
			out = append(out, string(r))
		}
		return out, nil
	case Undefined:
		return nil, nil
	}
	return nil, fmt.Errorf("'%s' object is not iterable", typeName(v))
}

// number returns v as a float and whether it is numeric (bool counts, as in Python).
func number(v Value) (float64, bool) {
	switch x := v.(type) {
	case bool:
		if x {
			return 1, true
		}
		return 0, true
	case int64:
		return float64(x), true
	case float64:
		return x, true
	}
	return 0, false
}

// equal is Python's ==.
func equal(a, b Value) bool {
	switch x := a.(type) {
	case nil:
		return b == nil
	case Undefined:
		_, ok := b.(Undefined)
		return ok
	case string:
		y, ok := b.(string)
		return ok && x == y
	case bool, int64, float64:
		if xi, ok := a.(int64); ok {
			if yi, ok := b.(int64); ok {
				return xi == yi
			}
		}
		fx, _ := number(a)
		fy, ok := number(b)
		return ok && fx == fy
	case []Value, Tuple:
		_, aTuple := a.(Tuple)
		_, bTuple := b.(Tuple)
		ys := seqOf(b)
		if aTuple != bTuple || (ys == nil && !isSeq(b)) {
			return false
		}
		xs := seqOf(a)
		if len(xs) != len(ys) {
			return false
		}
		for i := range xs {
			if !equal(xs[i], ys[i]) {
				return false
			}
		}
		return true
	case *Dict:
		y, ok := b.(*Dict)
		if !ok || x.Len() != y.Len() {
			return false
		}
		for _, k := range x.keys {
			yv, ok := y.m[k]
			if !ok || !equal(x.m[k], yv) {
				return false
			}
		}
		return true
	}
	return a == b
}

func isSeq(v Value) bool {
	switch v.(type) {
	case []Value, Tuple:
		return true
	}
	return false
}

// compare orders two values as Python's < does, or says they cannot be.
func compare(a, b Value) (int, error) {
	if fa, ok := number(a); ok {
		if fb, ok := number(b); ok {
			if ia, ok := a.(int64); ok {
				if ib, ok := b.(int64); ok {
					return cmpOrdered(ia, ib), nil
				}
			}
			return cmpOrdered(fa, fb), nil
		}
	}
	if sa, ok := a.(string); ok {
		if sb, ok := b.(string); ok {
			return strings.Compare(sa, sb), nil
		}
	}
	if isSeq(a) && isSeq(b) {
		xs, ys := seqOf(a), seqOf(b)
		for i := 0; i < len(xs) && i < len(ys); i++ {
			if equal(xs[i], ys[i]) {
				continue
			}
			return compare(xs[i], ys[i])
		}
		return cmpOrdered(len(xs), len(ys)), nil
	}
	return 0, fmt.Errorf("'<' not supported between instances of '%s' and '%s'", typeName(a), typeName(b))
}

func cmpOrdered[T int | int64 | float64](a, b T) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// length is Python's len().
func length(v Value) (int, error) {
	switch x := v.(type) {
	case string:
		return utf8.RuneCountInString(x), nil
	case []Value:
		return len(x), nil
	case Tuple:
		return len(x), nil
	case *Dict:
		return x.Len(), nil
	case Undefined:
		return 0, nil
	}
	return 0, fmt.Errorf("object of type '%s' has no len()", typeName(v))
}
