package jinja

import (
	"fmt"
	"html"
	"math"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// globals are the names every template sees (Jinja2's, plus the two
// transformers adds).
func globals(r *renderer) map[string]Value {
	return map[string]Value{
		"raise_exception": Func(func(args []Value, _ *Dict) (Value, error) {
			msg := ""
			if len(args) > 0 {
				msg = pyStr(args[0])
			}
			return nil, fmt.Errorf("%w: %s", ErrRaised, msg)
		}),
		"strftime_now": Func(func(args []Value, _ *Dict) (Value, error) {
			if len(args) != 1 {
				return nil, fmt.Errorf("strftime_now takes one format string")
			}
			f, ok := args[0].(string)
			if !ok {
				return nil, fmt.Errorf("strftime_now: the format must be a string")
			}
			return strftime(time.Now(), f), nil
		}),
		"namespace": Func(func(args []Value, kwargs *Dict) (Value, error) {
			ns := &Namespace{attrs: NewDict()}
			for _, a := range args {
				d, ok := a.(*Dict)
				if !ok {
					return nil, fmt.Errorf("namespace() takes a dict or keyword arguments")
				}
				for _, k := range d.keys {
					ns.attrs.Set(k, d.m[k])
				}
			}
			if kwargs != nil {
				for _, k := range kwargs.keys {
					ns.attrs.Set(k, kwargs.m[k])
				}
			}
			return ns, nil
		}),
		"range": Func(func(args []Value, _ *Dict) (Value, error) {
			var b [3]int64
			b[2] = 1
			for i, a := range args {
				n, ok := intOf(a)
				if !ok || len(args) > 3 {
					return nil, fmt.Errorf("range() takes up to three integers")
				}
				b[i] = n
			}
			lo, hi, step := b[0], b[1], b[2]
			if len(args) == 1 {
				lo, hi = 0, b[0]
			}
			if step == 0 {
				return nil, fmt.Errorf("range() arg 3 must not be zero")
			}
			// The count in float64: hi − lo can wrap in int64.
			if n := (float64(hi) - float64(lo)) / float64(step); n > 1_000_000 {
				return nil, fmt.Errorf("range() of %.0f items is too large", n)
			}
			var out []Value
			for i := lo; (step > 0 && i < hi) || (step < 0 && i > hi); i += step {
				out = append(out, i)
				if (step > 0 && i > math.MaxInt64-step) || (step < 0 && i < math.MinInt64-step) {
					break // the next value is past int64, so past hi too
				}
			}
			return out, nil
		}),
		"dict": Func(func(args []Value, kwargs *Dict) (Value, error) {
			d := NewDict()
			for _, a := range args {
				src, ok := a.(*Dict)
				if !ok {
					return nil, fmt.Errorf("dict() takes a dict or keyword arguments")
				}
				for _, k := range src.keys {
					d.Set(k, src.m[k])
				}
			}
			if kwargs != nil {
				for _, k := range kwargs.keys {
					d.Set(k, kwargs.m[k])
				}
			}
			return d, nil
		}),
	}
}

// lookupMethod returns a bound method of a str, dict or list, or an
// Undefined that says the attribute does not exist. Methods that would
// mutate a value are absent, as in Jinja2's immutable sandbox.
func lookupMethod(obj Value, name string, line int) (Value, error) {
	missing := Undefined{Hint: fmt.Sprintf("'%s object' has no attribute '%s'", typeName(obj), name)}
	var m Func
	switch o := obj.(type) {
	case string:
		m = stringMethod(o, name)
	case *Dict:
		m = dictMethod(o, name)
	}
	if m == nil {
		return missing, nil
	}
	return m, nil
}

func argStr(args []Value, i int, def string) (string, bool, error) {
	if i >= len(args) || args[i] == nil {
		return def, false, nil
	}
	s, ok := args[i].(string)
	if !ok {
		return "", false, fmt.Errorf("expected a string argument, got %s", typeName(args[i]))
	}
	return s, true, nil
}

func stringMethod(s, name string) Func {
	switch name {
	case "strip", "lstrip", "rstrip":
		return func(args []Value, _ *Dict) (Value, error) {
			chars, given, err := argStr(args, 0, "")
			if err != nil {
				return nil, err
			}
			cut := func(r rune) bool { return unicode.IsSpace(r) }
			if given {
				cut = func(r rune) bool { return strings.ContainsRune(chars, r) }
			}
			switch name {
			case "strip":
				return strings.TrimFunc(s, cut), nil
			case "lstrip":
				return strings.TrimLeftFunc(s, cut), nil
			}
			return strings.TrimRightFunc(s, cut), nil
		}
	case "split", "rsplit":
		return func(args []Value, kwargs *Dict) (Value, error) {
			sep, given, err := argStr(args, 0, "")
			if err != nil {
				return nil, err
			}
			if kwargs != nil {
				if v, ok := kwargs.Get("sep"); ok && v != nil {
					sep, given = pyStr(v), true
				}
			}
			maxSplit := int64(-1)
			if len(args) > 1 {
				n, ok := intOf(args[1])
				if !ok {
					return nil, fmt.Errorf("maxsplit must be an integer")
				}
				maxSplit = n
			}
			var parts []string
			switch {
			case given && sep == "":
				return nil, fmt.Errorf("empty separator")
			case given && name == "split":
				parts = strings.SplitN(s, sep, splitN(maxSplit))
			case given:
				parts = rsplitN(s, sep, maxSplit)
			default:
				parts = strings.Fields(s)
				if maxSplit >= 0 && int64(len(parts)) > maxSplit+1 {
					if name == "split" {
						parts = fieldsN(s, int(maxSplit))
					} else {
						parts = rfieldsN(s, int(maxSplit))
					}
				}
			}
			out := make([]Value, len(parts))
			for i, p := range parts {
				out[i] = p
			}
			return out, nil
		}
	case "splitlines":
		return func([]Value, *Dict) (Value, error) {
			var out []Value
			for _, l := range strings.SplitAfter(s, "\n") {
				if l == "" {
					continue
				}
				out = append(out, strings.TrimRight(l, "\r\n"))
			}
			return out, nil
		}
	case "startswith", "endswith":
		return func(args []Value, _ *Dict) (Value, error) {
			if len(args) < 1 {
				return nil, fmt.Errorf("%s takes a prefix", name)
			}
			cands := seqOf(args[0])
			if cands == nil {
				cands = []Value{args[0]}
			}
			for _, c := range cands {
				p, ok := c.(string)
				if !ok {
					return nil, fmt.Errorf("%s first arg must be str or a tuple of str, not %s", name, typeName(c))
				}
				if name == "startswith" && strings.HasPrefix(s, p) || name == "endswith" && strings.HasSuffix(s, p) {
					return true, nil
				}
			}
			return false, nil
		}
	case "upper":
		return func([]Value, *Dict) (Value, error) { return strings.ToUpper(s), nil }
	case "lower":
		return func([]Value, *Dict) (Value, error) { return strings.ToLower(s), nil }
	case "title":
		return func([]Value, *Dict) (Value, error) { return pyTitle(s), nil }
	case "capitalize":
		return func([]Value, *Dict) (Value, error) { return pyCapitalize(s), nil }
	case "replace":
		return func(args []Value, _ *Dict) (Value, error) {
			return strReplace(s, args)
		}
	case "find", "rfind", "index", "rindex", "count":
		return func(args []Value, _ *Dict) (Value, error) {
			sub, _, err := argStr(args, 0, "")
			if err != nil || len(args) < 1 {
				return nil, fmt.Errorf("%s takes a substring", name)
			}
			var i int
			switch name {
			case "count":
				return int64(strings.Count(s, sub)), nil
			case "find", "index":
				i = strings.Index(s, sub)
			default:
				i = strings.LastIndex(s, sub)
			}
			if i < 0 {
				if name == "index" || name == "rindex" {
					return nil, fmt.Errorf("substring not found")
				}
				return int64(-1), nil
			}
			return int64(utf8.RuneCountInString(s[:i])), nil
		}
	case "join":
		return func(args []Value, _ *Dict) (Value, error) {
			if len(args) != 1 {
				return nil, fmt.Errorf("join takes one iterable")
			}
			items, err := iterate(args[0])
			if err != nil {
				return nil, err
			}
			parts := make([]string, len(items))
			for i, it := range items {
				p, ok := it.(string)
				if !ok {
					return nil, fmt.Errorf("sequence item %d: expected str instance, %s found", i, typeName(it))
				}
				parts[i] = p
			}
			if err := checkJoin(parts, s); err != nil {
				return nil, err
			}
			return strings.Join(parts, s), nil
		}
	case "isdigit", "isalpha", "isalnum", "isspace", "isupper", "islower":
		return func([]Value, *Dict) (Value, error) { return strPredicate(s, name), nil }
	case "format":
		return func(args []Value, kwargs *Dict) (Value, error) { return strFormat(s, args, kwargs) }
	}
	return nil
}

func splitN(maxSplit int64) int {
	if maxSplit < 0 {
		return -1
	}
	return int(maxSplit) + 1
}

func rsplitN(s, sep string, maxSplit int64) []string {
	if maxSplit < 0 {
		return strings.Split(s, sep)
	}
	var out []string
	for int64(len(out)) < maxSplit {
		i := strings.LastIndex(s, sep)
		if i < 0 {
			break
		}
		out = append([]string{s[i+len(sep):]}, out...)
		s = s[:i]
	}
	return append([]string{s}, out...)
}

// fieldsN splits on whitespace at most n times, leaving the rest (with its
// leading whitespace removed) as the last element, as str.split(None, n).
func fieldsN(s string, n int) []string {
	var out []string
	s = strings.TrimLeftFunc(s, unicode.IsSpace)
	for len(out) < n && s != "" {
		i := strings.IndexFunc(s, unicode.IsSpace)
		if i < 0 {
			break
		}
		out = append(out, s[:i])
		s = strings.TrimLeftFunc(s[i:], unicode.IsSpace)
	}
	if s != "" {
		out = append(out, s)
	}
	return out
}

func rfieldsN(s string, n int) []string {
	var out []string
	s = strings.TrimRightFunc(s, unicode.IsSpace)
	for len(out) < n && s != "" {
		i := strings.LastIndexFunc(s, unicode.IsSpace)
		if i < 0 {
			break
		}
		_, size := utf8.DecodeRuneInString(s[i:])
		out = append([]string{s[i+size:]}, out...)
		s = strings.TrimRightFunc(s[:i], unicode.IsSpace)
	}
	if s != "" {
		out = append([]string{s}, out...)
	}
	return out
}

func strReplace(s string, args []Value) (Value, error) {
	if len(args) < 2 {
		return nil, fmt.Errorf("replace takes old and new strings")
	}
	old, new := pyStr(args[0]), pyStr(args[1])
	n := -1
	if len(args) > 2 {
		c, ok := intOf(args[2])
		if !ok {
			return nil, fmt.Errorf("replace count must be an integer")
		}
		n = int(c)
	}
	// The result's length, before building it: replacing each of many
	// matches by a long string multiplies it. (count and the growth are
	// each under 2²⁷ here, so their product does not wrap.)
	if grow := int64(len(new)) - int64(len(old)); grow > 0 {
		count := int64(strings.Count(s, old))
		if n >= 0 {
			count = min(count, int64(n))
		}
		if err := checkLen("replace", int64(len(s))+count*grow); err != nil {
			return nil, err
		}
	}
	return strings.Replace(s, old, new, n), nil
}

// checkJoin refuses a join longer than a string may be.
func checkJoin(parts []string, sep string) error {
	total := int64(len(sep)) * int64(max(len(parts)-1, 0))
	for _, p := range parts {
		total += int64(len(p))
		if total > maxOutput {
			break
		}
	}
	return checkLen("join", total)
}

func strPredicate(s, name string) bool {
	if s == "" {
		return false
	}
	cased := false
	for _, r := range s {
		switch name {
		case "isdigit":
			if !unicode.IsDigit(r) {
				return false
			}
		case "isalpha":
			if !unicode.IsLetter(r) {
				return false
			}
		case "isalnum":
			if !unicode.IsLetter(r) && !unicode.IsDigit(r) {
				return false
			}
		case "isspace":
			if !unicode.IsSpace(r) {
				return false
			}
		case "isupper":
			if unicode.IsLower(r) {
				return false
			}
			cased = cased || unicode.IsUpper(r)
		case "islower":
			if unicode.IsUpper(r) {
				return false
			}
			cased = cased || unicode.IsLower(r)
		}
	}
	if name == "isupper" || name == "islower" {
		return cased
	}
	return true
}

func pyTitle(s string) string {
	var b strings.Builder
	prevCased := false
	for _, r := range s {
		if unicode.IsLetter(r) {
			if prevCased {
				b.WriteRune(unicode.ToLower(r))
			} else {
				b.WriteRune(unicode.ToTitle(r))
			}
			prevCased = true
		} else {
			b.WriteRune(r)
			prevCased = false
		}
	}
	return b.String()
}

func pyCapitalize(s string) string {
	r, size := utf8.DecodeRuneInString(s)
	if size == 0 {
		return s
	}
	return string(unicode.ToTitle(r)) + strings.ToLower(s[size:])
}

// strFormat is str.format with {} / {0} / {name} fields (no format specs).
func strFormat(s string, args []Value, kwargs *Dict) (Value, error) {
	var b strings.Builder
	auto := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '{' && i+1 < len(s) && s[i+1] == '{':
			b.WriteByte('{')
			i++
		case c == '}' && i+1 < len(s) && s[i+1] == '}':
			b.WriteByte('}')
			i++
		case c == '{':
			j := strings.IndexByte(s[i:], '}')
			if j < 0 {
				return nil, fmt.Errorf("format: single '{' encountered")
			}
			field := s[i+1 : i+j]
			if strings.ContainsAny(field, ":!") {
				return nil, fmt.Errorf("format: format specs are not supported")
			}
			var v Value
			switch n, err := strconv.Atoi(field); {
			case field == "":
				if auto >= len(args) {
					return nil, fmt.Errorf("format: not enough arguments")
				}
				v = args[auto]
				auto++
			case err == nil:
				if n >= len(args) {
					return nil, fmt.Errorf("format: index %d out of range", n)
				}
				v = args[n]
			default:
				var ok bool
				if kwargs != nil {
					v, ok = kwargs.Get(field)
				}
				if !ok {
					return nil, fmt.Errorf("format: no argument %q", field)
				}
			}
			b.WriteString(pyStr(v))
			i += j
		default:
			b.WriteByte(c)
		}
	}
	return b.String(), nil
}

// percentFormat is Python's "fmt % args" for %s, %r, %d, %i, %f and %%.
func percentFormat(f string, arg Value) (Value, error) {
	args := seqOf(arg)
	if _, isTuple := arg.(Tuple); !isTuple {
		args = []Value{arg}
	}
	var b strings.Builder
	n := 0
	for i := 0; i < len(f); i++ {
		if f[i] != '%' {
			b.WriteByte(f[i])
			continue
		}
		j := i + 1
		for j < len(f) && strings.IndexByte("0123456789.-+ ", f[j]) >= 0 {
			j++
		}
		if j >= len(f) {
			return nil, fmt.Errorf("incomplete format")
		}
		spec, verb := f[i+1:j], f[j]
		i = j
		if verb == '%' {
			b.WriteByte('%')
			continue
		}
		if n >= len(args) {
			return nil, fmt.Errorf("not enough arguments for format string")
		}
		v := args[n]
		n++
		switch verb {
		case 's':
			fmt.Fprintf(&b, "%"+spec+"s", pyStr(v))
		case 'r':
			fmt.Fprintf(&b, "%"+spec+"s", pyRepr(v))
		case 'd', 'i':
			x, ok := number(v)
			if !ok {
				return nil, fmt.Errorf("%%d format: a number is required, not %s", typeName(v))
			}
			fmt.Fprintf(&b, "%"+spec+"d", int64(x))
		case 'f', 'e', 'g':
			x, ok := number(v)
			if !ok {
				return nil, fmt.Errorf("%%%c format: a number is required, not %s", verb, typeName(v))
			}
			if spec == "" && verb == 'f' {
				spec = ".6"
			}
			fmt.Fprintf(&b, "%"+spec+string(verb), x)
		default:
			return nil, fmt.Errorf("unsupported format character %q", verb)
		}
	}
	if n < len(args) {
		return nil, fmt.Errorf("not all arguments converted during string formatting")
	}
	return b.String(), nil
}

func dictMethod(d *Dict, name string) Func {
	switch name {
	case "get":
		return func(args []Value, _ *Dict) (Value, error) {
			if len(args) < 1 || len(args) > 2 {
				return nil, fmt.Errorf("get takes a key and an optional default")
			}
			if k, ok := args[0].(string); ok {
				if v, ok := d.Get(k); ok {
					return v, nil
				}
			}
			if len(args) == 2 {
				return args[1], nil
			}
			return nil, nil // Python's default is None, not undefined
		}
	case "items":
		return func([]Value, *Dict) (Value, error) {
			out := make([]Value, d.Len())
			for i, k := range d.keys {
				out[i] = Tuple{k, d.m[k]}
			}
			return out, nil
		}
	case "keys":
		return func([]Value, *Dict) (Value, error) {
			out := make([]Value, d.Len())
			for i, k := range d.keys {
				out[i] = k
			}
			return out, nil
		}
	case "values":
		return func([]Value, *Dict) (Value, error) {
			out := make([]Value, d.Len())
			for i, k := range d.keys {
				out[i] = d.m[k]
			}
			return out, nil
		}
	}
	return nil
}

// kwarg returns a keyword argument or the positional one at i, or def.
func kwarg(args []Value, kwargs *Dict, i int, name string, def Value) Value {
	if kwargs != nil {
		if v, ok := kwargs.Get(name); ok {
			return v
		}
	}
	if i < len(args) {
		return args[i]
	}
	return def
}

func (r *renderer) applyFilter(name string, in Value, args []Value, kwargs *Dict, line int) (Value, error) {
	if err := r.read(line, in); err != nil {
		return nil, err
	}
	v, err := r.filter(name, in, args, kwargs, line)
	if err != nil {
		var le *lineError
		if _, ok := err.(*lineError); ok || asLineError(err, &le) {
			return nil, err
		}
		return nil, errAt(line, "filter %s: %v", name, err)
	}
	return v, nil
}

func asLineError(err error, target **lineError) bool {
	le, ok := err.(*lineError)
	if ok {
		*target = le
	}
	return ok
}

func (r *renderer) filter(name string, in Value, args []Value, kwargs *Dict, line int) (Value, error) {
	if u, ok := in.(Undefined); ok {
		switch name {
		case "default", "d", "string", "length", "count", "list", "join", "trim", "lower", "upper", "first", "last", "items", "safe":
		default:
			return nil, u.err()
		}
	}
	switch name {
	case "tojson":
		indent := int64(-1)
		if v := kwarg(args, kwargs, 0, "indent", nil); v != nil {
			n, ok := intOf(v)
			if !ok {
				return nil, fmt.Errorf("indent must be an integer")
			}
			if err := checkLen("tojson's indent", n); err != nil {
				return nil, err
			}
			indent = n
		}
		sortKeys := truthy(kwarg(nil, kwargs, 0, "sort_keys", false))
		itemSep, keySep := ", ", ": "
		if indent >= 0 {
			itemSep = ","
		}
		if sep := seqOf(kwarg(nil, kwargs, 0, "separators", nil)); len(sep) == 2 {
			itemSep, keySep = pyStr(sep[0]), pyStr(sep[1])
		}
		return toJSON(in, int(indent), sortKeys, itemSep, keySep)
	case "string":
		return pyStr(in), nil
	case "safe":
		return in, nil
	case "trim":
		s := pyStr(in)
		if chars, given, err := argStr(args, 0, ""); err != nil {
			return nil, err
		} else if given {
			return strings.Trim(s, chars), nil
		}
		return strings.TrimFunc(s, unicode.IsSpace), nil
	case "length", "count":
		n, err := length(in)
		return int64(n), err
	case "join":
		items, err := iterate(in)
		if err != nil {
			return nil, err
		}
		sep := pyStr(kwarg(args, kwargs, 0, "d", ""))
		attr := kwarg(args, kwargs, 1, "attribute", nil)
		parts := make([]string, len(items))
		for i, it := range items {
			if attr != nil {
				if it, err = getItem(it, attr, line); err != nil {
					return nil, err
				}
			}
			parts[i] = pyStr(it)
		}
		if err := checkJoin(parts, sep); err != nil {
			return nil, err
		}
		return strings.Join(parts, sep), nil
	case "replace":
		s, ok := in.(string)
		if !ok {
			s = pyStr(in)
		}
		return strReplace(s, args)
	case "default", "d":
		def := kwarg(args, kwargs, 0, "default_value", "")
		boolean := truthy(kwarg(args, kwargs, 1, "boolean", false))
		if _, undef := in.(Undefined); undef || (boolean && !truthy(in)) {
			return def, nil
		}
		return in, nil
	case "upper":
		return strings.ToUpper(pyStr(in)), nil
	case "lower":
		return strings.ToLower(pyStr(in)), nil
	case "capitalize":
		return pyCapitalize(pyStr(in)), nil
	case "title":
		return pyTitle(pyStr(in)), nil
	case "first", "last":
		items, err := iterate(in)
		if err != nil {
			return nil, err
		}
		if len(items) == 0 {
			return Undefined{Hint: "No first item, sequence was empty."}, nil
		}
		if name == "first" {
			return items[0], nil
		}
		return items[len(items)-1], nil
	case "list":
		items, err := iterate(in)
		if err != nil {
			return nil, err
		}
		return append([]Value{}, items...), nil
	case "items":
		if _, undef := in.(Undefined); undef {
			return []Value{}, nil
		}
		d, ok := in.(*Dict)
		if !ok {
			return nil, fmt.Errorf("can only get item pairs from a mapping")
		}
		return dictMethod(d, "items")(nil, nil)
	case "reverse":
		if s, ok := in.(string); ok {
			runes := []rune(s)
			for i, j := 0, len(runes)-1; i < j; i, j = i+1, j-1 {
				runes[i], runes[j] = runes[j], runes[i]
			}
			return string(runes), nil
		}
		items, err := iterate(in)
		if err != nil {
			return nil, err
		}
		out := make([]Value, len(items))
		for i, it := range items {
			out[len(items)-1-i] = it
		}
		return out, nil
	case "int":
		return toInt(in, kwarg(args, kwargs, 0, "default", int64(0)))
	case "float":
		return toFloat(in, kwarg(args, kwargs, 0, "default", 0.0))
	case "abs":
		switch x := in.(type) {
		case int64:
			if x < 0 {
				return -x, nil
			}
			return x, nil
		case float64:
			return math.Abs(x), nil
		}
		return nil, fmt.Errorf("bad operand type for abs(): '%s'", typeName(in))
	case "round":
		x, ok := number(in)
		if !ok {
			return nil, fmt.Errorf("round needs a number")
		}
		prec, _ := intOf(kwarg(args, kwargs, 0, "precision", int64(0)))
		method := pyStr(kwarg(args, kwargs, 1, "method", "common"))
		p := math.Pow(10, float64(prec))
		switch method {
		case "ceil":
			return math.Ceil(x*p) / p, nil
		case "floor":
			return math.Floor(x*p) / p, nil
		}
		return math.RoundToEven(x*p) / p, nil // Python's round: half to even
	case "escape", "e":
		return html.EscapeString(pyStr(in)), nil
	case "indent":
		width := kwarg(args, kwargs, 0, "width", int64(4))
		pad := pyStr(width)
		if n, ok := intOf(width); ok {
			if err := checkLen("indent", n); err != nil {
				return nil, err
			}
			pad = strings.Repeat(" ", int(max(n, 0)))
		}
		first := truthy(kwarg(args, kwargs, 1, "first", false))
		blank := truthy(kwarg(args, kwargs, 2, "blank", false))
		lines := strings.Split(pyStr(in), "\n")
		if err := checkLen("indent", int64(len(pyStr(in)))+int64(len(lines))*int64(len(pad))); err != nil {
			return nil, err
		}
		for i, l := range lines {
			if (i > 0 || first) && (blank || strings.TrimSpace(l) != "") {
				lines[i] = pad + l
			}
		}
		return strings.Join(lines, "\n"), nil
	case "wordcount":
		return int64(len(strings.Fields(pyStr(in)))), nil
	case "sum":
		items, err := iterate(in)
		if err != nil {
			return nil, err
		}
		total := kwarg(args, kwargs, 1, "start", int64(0))
		attr := kwarg(args, kwargs, 0, "attribute", nil)
		for _, it := range items {
			if attr != nil {
				if it, err = getItem(it, attr, line); err != nil {
					return nil, err
				}
			}
			if total, err = binary("+", total, it); err != nil {
				return nil, err
			}
		}
		return total, nil
	case "min", "max":
		items, err := iterate(in)
		if err != nil {
			return nil, err
		}
		if len(items) == 0 {
			return Undefined{Hint: "no items"}, nil
		}
		best := items[0]
		for _, it := range items[1:] {
			c, err := compare(it, best)
			if err != nil {
				return nil, err
			}
			if (name == "min" && c < 0) || (name == "max" && c > 0) {
				best = it
			}
		}
		return best, nil
	case "unique":
		items, err := iterate(in)
		if err != nil {
			return nil, err
		}
		var out []Value
		for _, it := range items {
			dup := false
			for _, o := range out {
				dup = dup || equal(o, it)
			}
			if !dup {
				out = append(out, it)
			}
		}
		return out, nil
	case "sort":
		items, err := iterate(in)
		if err != nil {
			return nil, err
		}
		reverse := truthy(kwarg(args, kwargs, 0, "reverse", false))
		attr := kwarg(args, kwargs, 2, "attribute", nil)
		out := append([]Value{}, items...)
		key := func(v Value) Value {
			if attr != nil {
				if k, err := getItem(v, attr, line); err == nil {
					return k
				}
			}
			return v
		}
		var sortErr error
		sort.SliceStable(out, func(i, j int) bool {
			c, err := compare(key(out[i]), key(out[j]))
			if err != nil {
				sortErr = err
			}
			if reverse {
				return c > 0
			}
			return c < 0
		})
		return out, sortErr
	case "dictsort":
		d, ok := in.(*Dict)
		if !ok {
			return nil, fmt.Errorf("dictsort needs a mapping")
		}
		keys := append([]string{}, d.keys...)
		sort.Strings(keys)
		out := make([]Value, len(keys))
		for i, k := range keys {
			out[i] = Tuple{k, d.m[k]}
		}
		return out, nil
	case "map":
		items, err := iterate(in)
		if err != nil {
			return nil, err
		}
		out := make([]Value, 0, len(items))
		if attr := kwarg(nil, kwargs, 0, "attribute", nil); attr != nil {
			def := kwarg(nil, kwargs, 0, "default", nil)
			for _, it := range items {
				v, err := getItem(it, attr, line)
				if err != nil {
					return nil, err
				}
				if _, undef := v.(Undefined); undef && def != nil {
					v = def
				}
				out = append(out, v)
			}
			return out, nil
		}
		if len(args) == 0 {
			return nil, fmt.Errorf("map needs a filter name or attribute=")
		}
		fname := pyStr(args[0])
		for _, it := range items {
			v, err := r.filter(fname, it, args[1:], kwargs, line)
			if err != nil {
				return nil, err
			}
			out = append(out, v)
		}
		return out, nil
	case "select", "reject", "selectattr", "rejectattr":
		items, err := iterate(in)
		if err != nil {
			return nil, err
		}
		byAttr := strings.HasSuffix(name, "attr")
		want := strings.HasPrefix(name, "select")
		rest := args
		var attr Value
		if byAttr {
			if len(rest) == 0 {
				return nil, fmt.Errorf("%s needs an attribute name", name)
			}
			attr, rest = rest[0], rest[1:]
		}
		var out []Value
		for _, it := range items {
			subject := it
			if byAttr {
				if subject, err = getItem(it, attr, line); err != nil {
					return nil, err
				}
			}
			ok := truthy(subject)
			if len(rest) > 0 {
				if ok, err = applyTest(pyStr(rest[0]), subject, rest[1:], line); err != nil {
					return nil, err
				}
			}
			if ok == want {
				out = append(out, it)
			}
		}
		return out, nil
	case "attr":
		if len(args) != 1 {
			return nil, fmt.Errorf("attr takes an attribute name")
		}
		return getAttr(in, pyStr(args[0]), line)
	case "batch":
		items, err := iterate(in)
		if err != nil {
			return nil, err
		}
		n, ok := intOf(kwarg(args, kwargs, 0, "linecount", nil))
		if !ok || n < 1 {
			return nil, fmt.Errorf("batch needs a positive size")
		}
		var out []Value
		for i := 0; i < len(items); i += int(n) {
			out = append(out, append([]Value{}, items[i:min(len(items), i+int(n))]...))
		}
		return out, nil
	case "center":
		s := pyStr(in)
		w, _ := intOf(kwarg(args, kwargs, 0, "width", int64(80)))
		if err := checkLen("center", w); err != nil {
			return nil, err
		}
		pad := int(w) - utf8.RuneCountInString(s)
		if pad <= 0 {
			return s, nil
		}
		left := pad / 2
		return strings.Repeat(" ", left) + s + strings.Repeat(" ", pad-left), nil
	case "truncate":
		runes := []rune(pyStr(in))
		n, _ := intOf(kwarg(args, kwargs, 0, "length", int64(255)))
		killWords := truthy(kwarg(args, kwargs, 1, "killwords", false))
		end := pyStr(kwarg(args, kwargs, 2, "end", "..."))
		leeway, _ := intOf(kwarg(args, kwargs, 3, "leeway", int64(5)))
		if int64(len(runes)) <= n+leeway {
			return string(runes), nil
		}
		cut := string(runes[:max(0, int(n)-utf8.RuneCountInString(end))])
		if !killWords {
			if i := strings.LastIndexByte(cut, ' '); i >= 0 {
				cut = cut[:i]
			}
		}
		return cut + end, nil
	case "format":
		if len(args) == 1 {
			return percentFormat(pyStr(in), args[0])
		}
		return percentFormat(pyStr(in), Tuple(args))
	}
	return nil, errAt(line, "no filter named %q", name)
}

func toInt(v Value, def Value) (Value, error) {
	switch x := v.(type) {
	case int64:
		return x, nil
	case bool:
		if x {
			return int64(1), nil
		}
		return int64(0), nil
	case float64:
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return def, nil
		}
		return int64(x), nil
	case string:
		s := strings.ReplaceAll(strings.TrimSpace(x), "_", "")
		if n, err := strconv.ParseInt(s, 10, 64); err == nil {
			return n, nil
		}
		if f, err := strconv.ParseFloat(s, 64); err == nil && !math.IsInf(f, 0) && !math.IsNaN(f) {
			return int64(f), nil
		}
	}
	return def, nil
}

func toFloat(v Value, def Value) (Value, error) {
	switch x := v.(type) {
	case int64:
		return float64(x), nil
	case float64:
		return x, nil
	case bool:
		if x {
			return 1.0, nil
		}
		return 0.0, nil
	case string:
		if f, err := strconv.ParseFloat(strings.TrimSpace(x), 64); err == nil {
			return f, nil
		}
	}
	return def, nil
}

// applyTest runs an "is" test.
func applyTest(name string, v Value, args []Value, line int) (bool, error) {
	arg := func() (Value, error) {
		if len(args) < 1 {
			return nil, errAt(line, "test %s needs an argument", name)
		}
		return args[0], nil
	}
	switch name {
	case "defined":
		_, undef := v.(Undefined)
		return !undef, nil
	case "undefined":
		_, undef := v.(Undefined)
		return undef, nil
	case "none":
		return v == nil, nil
	case "string":
		_, ok := v.(string)
		return ok, nil
	case "mapping":
		_, ok := v.(*Dict)
		return ok, nil
	case "iterable":
		switch v.(type) {
		case string, []Value, Tuple, *Dict:
			return true, nil
		}
		return false, nil
	case "sequence":
		switch v.(type) {
		case string, []Value, Tuple, *Dict:
			return true, nil
		}
		return false, nil
	case "number":
		_, ok := number(v)
		return ok, nil
	case "integer":
		_, ok := v.(int64)
		return ok, nil
	case "float":
		_, ok := v.(float64)
		return ok, nil
	case "boolean":
		_, ok := v.(bool)
		return ok, nil
	case "true":
		return v == true, nil
	case "false":
		return v == false, nil
	case "callable":
		switch v.(type) {
		case Func, *Macro:
			return true, nil
		}
		return false, nil
	case "odd", "even":
		n, ok := intOf(v)
		if !ok {
			return false, errAt(line, "test %s needs an integer", name)
		}
		return (n%2 != 0) == (name == "odd"), nil
	case "divisibleby":
		a, err := arg()
		if err != nil {
			return false, err
		}
		n, ok1 := intOf(v)
		d, ok2 := intOf(a)
		if !ok1 || !ok2 || d == 0 {
			return false, errAt(line, "divisibleby needs non-zero integers")
		}
		return n%d == 0, nil
	case "eq", "equalto", "==", "ne", "!=", "lt", "<", "le", "<=", "gt", ">", "ge", ">=", "sameas":
		a, err := arg()
		if err != nil {
			return false, err
		}
		switch name {
		case "eq", "equalto", "==":
			return equal(v, a), nil
		case "ne", "!=":
			return !equal(v, a), nil
		case "sameas":
			return v == a || (v == nil && a == nil), nil
		}
		c, err := compare(v, a)
		if err != nil {
			return false, errAt(line, "%v", err)
		}
		return map[string]bool{"lt": c < 0, "<": c < 0, "le": c <= 0, "<=": c <= 0, "gt": c > 0, ">": c > 0, "ge": c >= 0, ">=": c >= 0}[name], nil
	case "in":
		a, err := arg()
		if err != nil {
			return false, err
		}
		ok, err := contains(a, v)
		if err != nil {
			return false, errAt(line, "%v", err)
		}
		return ok, nil
	case "lower", "upper":
		s, ok := v.(string)
		return ok && strPredicate(s, "is"+name), nil
	}
	return false, errAt(line, "no test named %q", name)
}

// strftime formats t with Python's strftime directives.
func strftime(t time.Time, f string) string {
	var b strings.Builder
	for i := 0; i < len(f); i++ {
		if f[i] != '%' || i+1 >= len(f) {
			b.WriteByte(f[i])
			continue
		}
		i++
		switch f[i] {
		case 'Y':
			fmt.Fprintf(&b, "%04d", t.Year())
		case 'y':
			fmt.Fprintf(&b, "%02d", t.Year()%100)
		case 'm':
			fmt.Fprintf(&b, "%02d", int(t.Month()))
		case 'd':
			fmt.Fprintf(&b, "%02d", t.Day())
		case 'e':
			fmt.Fprintf(&b, "%2d", t.Day())
		case 'H':
			fmt.Fprintf(&b, "%02d", t.Hour())
		case 'I':
			h := t.Hour() % 12
			if h == 0 {
				h = 12
			}
			fmt.Fprintf(&b, "%02d", h)
		case 'M':
			fmt.Fprintf(&b, "%02d", t.Minute())
		case 'S':
			fmt.Fprintf(&b, "%02d", t.Second())
		case 'p':
			if t.Hour() < 12 {
				b.WriteString("AM")
			} else {
				b.WriteString("PM")
			}
		case 'B':
			b.WriteString(t.Month().String())
		case 'b', 'h':
			b.WriteString(t.Month().String()[:3])
		case 'A':
			b.WriteString(t.Weekday().String())
		case 'a':
			b.WriteString(t.Weekday().String()[:3])
		case 'j':
			fmt.Fprintf(&b, "%03d", t.YearDay())
		case 'w':
			fmt.Fprintf(&b, "%d", int(t.Weekday()))
		case 'Z':
			z, _ := t.Zone()
			b.WriteString(z)
		case 'z':
			b.WriteString(t.Format("-0700"))
		case '%':
			b.WriteByte('%')
		default:
			b.WriteByte('%')
			b.WriteByte(f[i])
		}
	}
	return b.String()
}
