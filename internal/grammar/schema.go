package grammar

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
)

// CompileSchema compiles a JSON Schema into the grammar of the compact JSON
// texts (no whitespace) that validate against it. Supported: type (one or
// a list), properties with required and additionalProperties true or false
// (properties come in the schema's order; none beyond them is generated),
// items, minItems, maxItems, enum, const, anyOf, oneOf (generated as
// anyOf), minimum/maximum (and exclusive ones) for integers, whole-number
// minimum ≥ 0 and maximum for numbers, minLength, maxLength, pattern (simple regular expressions),
// format date, time, date-time, uuid, email and ipv4, $ref to #, #/$defs/…
// and #/definitions/…, and annotations. Anything else is refused with an
// error naming the keyword and where it is, never silently ignored.
func CompileSchema(schema []byte) (*Grammar, error) {
	c := &schemaCompiler{rules: newRuleSet(), refs: map[string]string{}}
	if err := json.Unmarshal(schema, &c.root); err != nil {
		return nil, fmt.Errorf("schema: not JSON: %w", err)
	}
	doc, err := readJSONDoc(c.root)
	if err != nil {
		return nil, fmt.Errorf("schema: not JSON: %w", err)
	}
	c.doc = doc
	defineJSON(c.rules)
	n, err := c.value(c.root, "#")
	if err != nil {
		return nil, err
	}
	c.rules.define("root", n)
	return c.rules.compile("root")
}

// JSONValue is the grammar of any compact JSON value.
func JSONValue() *Grammar {
	r := newRuleSet()
	defineJSON(r)
	r.define("root", ref("json-value"))
	g, err := r.compile("root")
	if err != nil {
		panic(err) // the rules are fixed: tested
	}
	return g
}

// defineJSON adds the rules of generic compact JSON.
func defineJSON(r *ruleSet) {
	r.define("json-value", alt(ref("json-object"), ref("json-array"), ref("json-string"), ref("json-number"), lit("true"), lit("false"), lit("null")))
	member := seq(ref("json-string"), lit(":"), ref("json-value"))
	r.define("json-object", seq(lit("{"), opt(seq(member, rep(seq(lit(","), member), 0, -1))), lit("}")))
	r.define("json-array", seq(lit("["), opt(seq(ref("json-value"), rep(seq(lit(","), ref("json-value")), 0, -1))), lit("]")))
	r.define("json-char", stringChar())
	r.define("json-string", seq(lit(`"`), rep(ref("json-char"), 0, -1), lit(`"`)))
	r.define("json-number", seq(ref("json-integer"), opt(seq(lit("."), rep(class(false, '0', '9'), 1, 15))),
		opt(seq(class(false, 'e', 'e', 'E', 'E'), opt(class(false, '-', '-', '+', '+')), rep(class(false, '0', '9'), 1, 2)))))
	r.define("json-integer", seq(opt(lit("-")), alt(lit("0"), seq(class(false, '1', '9'), rep(class(false, '0', '9'), 0, 15)))))
}

// stringChar is one character of a JSON string: raw (not " \ or a control
// character) or one of the short escapes that Python writes the same way,
// so the strings are also Python literals (tool-call arguments). (\u
// escapes are not generated: they could encode a lone surrogate.)
func stringChar() *node {
	return alt(class(true, '"', '"', '\\', '\\', 0, 0x1F), seq(lit(`\`), class(false, '"', '"', '\\', '\\', 'b', 'b', 'f', 'f', 'n', 'n', 'r', 'r', 't', 't')))
}

type schemaCompiler struct {
	rules *ruleSet
	root  json.RawMessage
	doc   *jsonDoc          // root, read once
	refs  map[string]string // $ref → its rule
	n     int
	depth int // schemas being compiled, one inside the other
}

// maxSchemaDepth bounds how deep schemas nest: the matcher cuts nesting far
// shallower than JSON allows (maxDepth) whatever the schema says, and each
// level's path (for errors) grows with the depth, so 10,000 levels would
// cost quadratic memory for nothing.
const maxSchemaDepth = 64

// keywords a schema may use; annotations are accepted and have no effect.
var schemaKeywords = map[string]bool{
	"type": true, "properties": true, "required": true, "additionalProperties": true, "items": true,
	"enum": true, "const": true, "anyOf": true, "oneOf": true, "minItems": true, "maxItems": true,
	"minLength": true, "maxLength": true, "pattern": true, "format": true, "$ref": true, "$defs": true,
	"minimum": true, "maximum": true, "exclusiveMinimum": true, "exclusiveMaximum": true,
	"definitions": true, "title": true, "description": true, "default": true, "examples": true,
	"$schema": true, "$id": true, "$comment": true, "deprecated": true, "readOnly": true, "writeOnly": true,
}

func (c *schemaCompiler) value(raw json.RawMessage, path string) (*node, error) {
	if c.depth++; c.depth > maxSchemaDepth {
		return nil, fmt.Errorf("schema %.60s…: subschemas nested over %d deep", path, maxSchemaDepth)
	}
	defer func() { c.depth-- }()
	raw = bytes.TrimSpace(raw)
	switch string(raw) {
	case "true", "{}":
		return ref("json-value"), nil
	case "false":
		return nil, fmt.Errorf("schema %s: false admits no value", path)
	}
	obj, ok := c.doc.object(raw)
	if !ok {
		return nil, fmt.Errorf("schema %s: want an object or a boolean", path)
	}
	s := obj.byKey
	var unknown []string
	for k := range s {
		if !schemaKeywords[k] {
			unknown = append(unknown, k)
		}
	}
	if len(unknown) > 0 {
		slices.Sort(unknown)
		return nil, fmt.Errorf("schema %s: unsupported keyword(s) %s", path, strings.Join(unknown, ", "))
	}
	if r, ok := s["$ref"]; ok {
		return c.ref(r, path)
	}
	if v, ok := s["const"]; ok {
		return literal(v, path+"/const")
	}
	if v, ok := s["enum"]; ok {
		vals, ok := c.doc.array(v)
		if !ok || len(vals) == 0 {
			return nil, fmt.Errorf("schema %s/enum: want a non-empty list", path)
		}
		alts := make([]*node, len(vals))
		for i, x := range vals {
			var err error
			if alts[i], err = literal(x, fmt.Sprintf("%s/enum/%d", path, i)); err != nil {
				return nil, err
			}
		}
		return alt(alts...), nil
	}
	for _, k := range []string{"anyOf", "oneOf"} {
		v, ok := s[k]
		if !ok {
			continue
		}
		if _, typed := s["type"]; typed {
			return nil, fmt.Errorf("schema %s: %s beside type is not supported (put the type in each branch)", path, k)
		}
		branches, ok := c.doc.array(v)
		if !ok || len(branches) == 0 {
			return nil, fmt.Errorf("schema %s/%s: want a non-empty list of schemas", path, k)
		}
		alts := make([]*node, len(branches))
		for i, b := range branches {
			var err error
			if alts[i], err = c.value(b, fmt.Sprintf("%s/%s/%d", path, k, i)); err != nil {
				return nil, err
			}
		}
		return alt(alts...), nil
	}
	var types []string
	if t, ok := s["type"]; ok {
		var one string
		if json.Unmarshal(t, &one) == nil {
			types = []string{one}
		} else if err := json.Unmarshal(t, &types); err != nil || len(types) == 0 {
			return nil, fmt.Errorf("schema %s/type: want a type name or a list of them", path)
		}
	} else {
		switch {
		case s["properties"] != nil || s["required"] != nil || s["additionalProperties"] != nil:
			types = []string{"object"}
		case s["items"] != nil || s["minItems"] != nil || s["maxItems"] != nil:
			types = []string{"array"}
		case s["pattern"] != nil || s["format"] != nil || s["minLength"] != nil || s["maxLength"] != nil:
			types = []string{"string"}
		default:
			return ref("json-value"), nil
		}
	}
	alts := make([]*node, len(types))
	for i, t := range types {
		var err error
		if alts[i], err = c.typed(t, s, path); err != nil {
			return nil, err
		}
	}
	if len(alts) == 1 {
		return alts[0], nil
	}
	return alt(alts...), nil
}

func (c *schemaCompiler) typed(t string, s map[string]json.RawMessage, path string) (*node, error) {
	switch t {
	case "string":
		return c.str(s, path)
	case "integer":
		lo, hi, has, err := bounds(s, path, true)
		if err != nil || !has {
			return ref("json-integer"), err
		}
		return intRange(lo, hi), nil
	case "number":
		lo, hi, has, err := bounds(s, path, false)
		if err != nil || !has {
			return ref("json-number"), err
		}
		return boundedNumber(lo, hi, path)
	case "boolean":
		return alt(lit("true"), lit("false")), nil
	case "null":
		return lit("null"), nil
	case "array":
		return c.array(s, path)
	case "object":
		return c.object(s, path)
	}
	return nil, fmt.Errorf("schema %s/type: unknown type %q", path, t)
}

// formats are the string formats generated, as patterns.
var formats = map[string]string{
	"date":      `\d{4}-(?:(?:0[13578]|1[02])-(?:0[1-9]|[12]\d|3[01])|(?:0[469]|11)-(?:0[1-9]|[12]\d|30)|02-(?:0[1-9]|1\d|2[0-8]))`,
	"time":      `(?:[01]\d|2[0-3]):[0-5]\d:[0-5]\d(?:\.\d{1,6})?(?:Z|[+-](?:[01]\d|2[0-3]):[0-5]\d)`,
	"uuid":      `[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}`,
	"email":     `[a-zA-Z0-9_+-]{1,16}(?:\.[a-zA-Z0-9_+-]{1,16}){0,2}@[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,20}[a-zA-Z0-9])?(?:\.[a-zA-Z]{2,10}){1,2}`,
	"ipv4":      `(?:(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)`,
	"date-time": "",
}

func (c *schemaCompiler) str(s map[string]json.RawMessage, path string) (*node, error) {
	minLen, err := intKeyword(s, "minLength", 0, path)
	if err != nil {
		return nil, err
	}
	maxLen, err := intKeyword(s, "maxLength", -1, path)
	if err != nil {
		return nil, err
	}
	var body *node
	pattern, hasPattern := s["pattern"]
	format, hasFormat := s["format"]
	switch {
	case hasPattern && hasFormat:
		return nil, fmt.Errorf("schema %s: pattern with format is not supported", path)
	case hasPattern || hasFormat:
		if s["minLength"] != nil || s["maxLength"] != nil {
			return nil, fmt.Errorf("schema %s: minLength/maxLength with a pattern or format is not supported", path)
		}
		var expr string
		if hasFormat {
			var f string
			json.Unmarshal(format, &f)
			re, ok := formats[f]
			if !ok {
				return nil, fmt.Errorf("schema %s/format: format %q is not supported (date, time, date-time, uuid, email, ipv4)", path, f)
			}
			if f == "date-time" {
				re = formats["date"] + "T" + formats["time"]
			}
			expr = re
		} else if err := json.Unmarshal(pattern, &expr); err != nil {
			return nil, fmt.Errorf("schema %s/pattern: want a string", path)
		}
		if body, err = regexNode(expr); err != nil {
			return nil, fmt.Errorf("schema %s: %w", path, err)
		}
	default:
		if maxLen >= 0 && maxLen < minLen {
			return nil, fmt.Errorf("schema %s: maxLength %d is below minLength %d", path, maxLen, minLen)
		}
		body = rep(ref("json-char"), minLen, maxLen)
	}
	return seq(lit(`"`), body, lit(`"`)), nil
}

func (c *schemaCompiler) array(s map[string]json.RawMessage, path string) (*node, error) {
	item := ref("json-value")
	if raw, ok := s["items"]; ok {
		var err error
		if item, err = c.value(raw, path+"/items"); err != nil {
			return nil, err
		}
	}
	lo, err := intKeyword(s, "minItems", 0, path)
	if err != nil {
		return nil, err
	}
	hi, err := intKeyword(s, "maxItems", -1, path)
	if err != nil {
		return nil, err
	}
	if hi >= 0 && hi < lo {
		return nil, fmt.Errorf("schema %s: maxItems %d is below minItems %d", path, hi, lo)
	}
	// One rule for the item, so repetitions refer to it.
	c.n++
	name := fmt.Sprintf("item#%d", c.n)
	c.rules.define(name, item)
	more := func(n int) int {
		if n < 0 {
			return -1
		}
		return max(n-1, 0)
	}
	items := seq(ref(name), rep(seq(lit(","), ref(name)), max(lo-1, 0), more(hi)))
	if hi == 0 {
		return lit("[]"), nil
	}
	if lo == 0 {
		return seq(lit("["), opt(items), lit("]")), nil
	}
	return seq(lit("["), items, lit("]")), nil
}

func (c *schemaCompiler) object(s map[string]json.RawMessage, path string) (*node, error) {
	members, err := c.members(s, path, func(name string) string {
		key, _ := json.Marshal(name)
		return string(key) + ":"
	}, ",")
	switch {
	case err != nil:
		return nil, err
	case members == nil:
		return ref("json-object"), nil
	}
	return seq(lit("{"), members, lit("}")), nil
}

// members compiles an object schema's properties into the grammar of its
// members in order, each written as key(name) then the value, separated by
// sep; nil for an object with no properties (any object).
func (c *schemaCompiler) members(s map[string]json.RawMessage, path string, key func(string) string, sep string) (*node, error) {
	if ap, ok := s["additionalProperties"]; ok {
		if v := string(bytes.TrimSpace(ap)); v != "true" && v != "false" {
			return nil, fmt.Errorf("schema %s/additionalProperties: only true or false is supported", path)
		}
	}
	props, ok := s["properties"]
	if !ok {
		if s["required"] != nil {
			return nil, fmt.Errorf("schema %s: required without properties is not supported", path)
		}
		return nil, nil
	}
	propObj, ok := c.doc.object(props)
	if !ok {
		return nil, fmt.Errorf("schema %s/properties: want an object", path)
	}
	names, values := propObj.keys, propObj.values
	var requiredList []string
	if r, ok := s["required"]; ok {
		if err := json.Unmarshal(r, &requiredList); err != nil {
			return nil, fmt.Errorf("schema %s/required: want a list of names", path)
		}
	}
	required := make(map[string]bool, len(requiredList)) // sets: a long list is not searched per name
	for _, r := range requiredList {
		if propObj.byKey[r] == nil {
			return nil, fmt.Errorf("schema %s/required: %q is not among the properties", path, r)
		}
		required[r] = true
	}
	// first_i: no member written yet, from property i on; rest_i: some written.
	c.n++
	base := fmt.Sprintf("obj#%d", c.n)
	first := func(i int) string { return fmt.Sprintf("%s-first-%d", base, i) }
	rest := func(i int) string { return fmt.Sprintf("%s-rest-%d", base, i) }
	c.rules.define(first(len(names)), seq())
	c.rules.define(rest(len(names)), seq())
	for i := len(names) - 1; i >= 0; i-- {
		v, err := c.value(values[i], path+"/properties/"+names[i])
		if err != nil {
			return nil, err
		}
		member := seq(lit(key(names[i])), v)
		if required[names[i]] {
			c.rules.define(first(i), seq(member, ref(rest(i+1))))
			c.rules.define(rest(i), seq(lit(sep), member, ref(rest(i+1))))
		} else {
			c.rules.define(first(i), alt(seq(member, ref(rest(i+1))), ref(first(i+1))))
			c.rules.define(rest(i), alt(seq(lit(sep), member, ref(rest(i+1))), ref(rest(i+1))))
		}
	}
	return ref(first(0)), nil
}

// ref compiles a $ref to the root or to a definition, once.
func (c *schemaCompiler) ref(raw json.RawMessage, path string) (*node, error) {
	var target string
	if err := json.Unmarshal(raw, &target); err != nil {
		return nil, fmt.Errorf("schema %s/$ref: want a string", path)
	}
	if name, ok := c.refs[target]; ok {
		return ref(name), nil
	}
	var def json.RawMessage
	switch {
	case target == "#":
		def = c.root
	case strings.HasPrefix(target, "#/$defs/") || strings.HasPrefix(target, "#/definitions/"):
		section, key, _ := strings.Cut(strings.TrimPrefix(target, "#/"), "/")
		key = strings.ReplaceAll(strings.ReplaceAll(key, "~1", "/"), "~0", "~")
		if root, ok := c.doc.object(c.root); ok {
			if defs, ok := c.doc.object(root.byKey[section]); ok {
				def = defs.byKey[key]
			}
		}
		if def == nil {
			return nil, fmt.Errorf("schema %s/$ref: %s is not defined", path, target)
		}
	default:
		return nil, fmt.Errorf("schema %s/$ref: only references inside the schema (#, #/$defs/…, #/definitions/…) are supported, not %q", path, target)
	}
	c.n++
	name := fmt.Sprintf("ref#%d", c.n)
	c.refs[target] = name
	n, err := c.value(def, target)
	if err != nil {
		return nil, err
	}
	c.rules.define(name, n)
	return ref(name), nil
}

// literal is a JSON value written compactly (enum and const).
func literal(v json.RawMessage, path string) (*node, error) {
	var x any
	if err := json.Unmarshal(v, &x); err != nil {
		return nil, fmt.Errorf("schema %s: %w", path, err)
	}
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(x); err != nil {
		return nil, fmt.Errorf("schema %s: %w", path, err)
	}
	return lit(strings.TrimSuffix(b.String(), "\n")), nil
}

func intKeyword(s map[string]json.RawMessage, key string, def int, path string) (int, error) {
	raw, ok := s[key]
	if !ok {
		return def, nil
	}
	var n int
	if err := json.Unmarshal(raw, &n); err != nil || n < 0 || n > maxRepeat {
		return 0, fmt.Errorf("schema %s/%s: want an integer from 0 to %d", path, key, maxRepeat)
	}
	return n, nil
}
