package grammar

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

const structuredDir = "../../testdata/structured"

// validator compiles a schema with an independent JSON Schema
// implementation, formats asserted.
func validator(t *testing.T, name string, schema []byte) *jsonschema.Schema {
	t.Helper()
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(schema))
	if err != nil {
		t.Fatal(err)
	}
	c := jsonschema.NewCompiler()
	c.AssertFormat()
	if err := c.AddResource(name, doc); err != nil {
		t.Fatal(err)
	}
	s, err := c.Compile(name)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// randomText walks the grammar choosing a random allowed byte at each step
// and stopping at random where the text is complete.
func randomText(g *Grammar, r *rand.Rand, maxLen int) (string, bool) {
	s := g.Start()
	var out []byte
	for len(out) < maxLen {
		if s.Accepting() && (len(s.stacks) == 0 || r.Float64() < 0.2) {
			return string(out), true
		}
		var opts []byte
		for c := range 256 {
			if !g.Advance(s, byte(c)).Dead() {
				opts = append(opts, byte(c))
			}
		}
		if len(opts) == 0 {
			return string(out), false
		}
		c := opts[r.IntN(len(opts))]
		out = append(out, c)
		s = g.Advance(s, c)
	}
	return string(out), false
}

// TestSchemaTextsValidate: random texts of each schema's grammar are JSON
// that an independent validator accepts.
func TestSchemaTextsValidate(t *testing.T) {
	files, _ := filepath.Glob(filepath.Join(structuredDir, "schemas", "*.json"))
	if len(files) < 20 {
		t.Fatalf("%d schemas", len(files))
	}
	r := rand.New(rand.NewPCG(7, 8))
	for _, f := range files {
		schema, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		g, err := CompileSchema(schema)
		if err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		v := validator(t, filepath.Base(f), schema)
		finished := 0
		for range 40 {
			text, ok := randomText(g, r, 4000)
			if !ok {
				continue
			}
			finished++
			inst, err := jsonschema.UnmarshalJSON(strings.NewReader(text))
			if err != nil {
				t.Fatalf("%s: not JSON: %q", filepath.Base(f), text)
			}
			if err := v.Validate(inst); err != nil {
				t.Fatalf("%s: %q does not validate: %v", filepath.Base(f), text, err)
			}
		}
		if finished < 20 {
			t.Errorf("%s: only %d of 40 random walks finished", filepath.Base(f), finished)
		}
	}
}

func TestJSONValueGrammar(t *testing.T) {
	g := JSONValue()
	for _, s := range []string{`{}`, `[]`, `{"a":[1,2.5,-3e2,true,null,"x\"y"]}`, `"é"`, `0`} {
		if !g.Matches(s) {
			t.Errorf("%s should match", s)
		}
	}
	for _, s := range []string{`{`, `[1,]`, `01`, `{"a" :1}`, `"\x"`, "\"a\nb\""} {
		if g.Matches(s) {
			t.Errorf("%s should not match", s)
		}
	}
	r := rand.New(rand.NewPCG(1, 1))
	for range 50 {
		if text, ok := randomText(g, r, 2000); ok && !json.Valid([]byte(text)) {
			t.Fatalf("not JSON: %q", text)
		}
	}
}

// TestSchemaRefusals: what is not supported is refused, naming it.
func TestSchemaRefusals(t *testing.T) {
	for schema, want := range map[string]string{
		`{"type": "object", "patternProperties": {}}`:                    "patternProperties",
		`{"type": "object", "additionalProperties": {"type": "string"}}`: "additionalProperties",
		`{"$ref": "https://example.com/s.json"}`:                         "only references inside",
		`{"type": "string", "format": "hostname"}`:                       `format "hostname"`,
		`{"type": "string", "pattern": "(a)\\1"}`:                        "backreferences",
		`{"type": "object", "properties": {"a": {}}, "required": ["b"]}`: `"b" is not among`,
		`{"type": "strin"}`:                               `unknown type "strin"`,
		`{"allOf": [{"type": "string"}]}`:                 "allOf",
		`{"enum": []}`:                                    "non-empty",
		`{"type": "integer", "multipleOf": 3}`:            "multipleOf",
		`{"type": "number", "minimum": 0.5}`:              "whole-number bounds",
		`{"type": "number", "minimum": -3}`:               "below 0",
		`{"type": "integer", "minimum": 5, "maximum": 4}`: "no integer",
		`false`: "admits no value",
	} {
		_, err := CompileSchema([]byte(schema))
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: error %v, want one naming %q", schema, err, want)
		}
	}
}

// TestSchemaNestingIsBounded: nesting costs quadratic time to compile (a
// 9,000-deep request compiled for 7 s); past maxSchemaDepth it is refused at
// once, and a schema at the bound still compiles and matches.
func TestSchemaNestingIsBounded(t *testing.T) {
	nested := func(n int) string {
		return strings.Repeat(`{"type": "array", "items": `, n-1) + `{"type": "integer"}` + strings.Repeat(`}`, n-1)
	}
	g, err := CompileSchema([]byte(nested(maxSchemaDepth)))
	if err != nil {
		t.Fatalf("%d levels: %v", maxSchemaDepth, err)
	}
	if text := strings.Repeat("[", maxSchemaDepth-1) + "7" + strings.Repeat("]", maxSchemaDepth-1); !g.Matches(text) {
		t.Errorf("%d levels: %q not matched", maxSchemaDepth, text)
	}
	for _, n := range []int{maxSchemaDepth + 1, 9000} {
		if _, err := CompileSchema([]byte(nested(n))); err == nil || !strings.Contains(err.Error(), "nested over") {
			t.Errorf("%d levels: error %v, want nesting refused", n, err)
		}
	}
}

// TestIntRange checks the decimal range grammar against arithmetic.
func TestIntRange(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 3))
	check := func(lo, hi int64) {
		rules := newRuleSet()
		rules.define("root", intRange(lo, hi))
		g, err := rules.compile("root")
		if err != nil {
			t.Fatal(err)
		}
		for v := lo - 40; v <= hi+40; v++ {
			if got := g.Matches(strconv.FormatInt(v, 10)); got != (v >= lo && v <= hi) {
				t.Fatalf("[%d, %d]: %d matched=%v", lo, hi, v, got)
			}
		}
		for _, s := range []string{"-0", "007", "01", "+1", ""} {
			if g.Matches(s) {
				t.Fatalf("[%d, %d] matched %q", lo, hi, s)
			}
		}
	}
	for _, c := range [][2]int64{{0, 0}, {0, 9}, {1, 10}, {7, 123}, {100, 999}, {-5, 5}, {-120, -7}, {18, 65}, {0, 1000}, {99, 101}} {
		check(c[0], c[1])
	}
	for range 100 {
		lo := r.Int64N(2000) - 1000
		check(lo, lo+r.Int64N(1500))
	}
}

// TestSchemaCompileReadsTheDocumentOnce: subschemas are looked up in the
// document read once, not decoded again per level or per $ref (which made
// compiling quadratic: 5,000 $refs in 300 KB took 28 s, 63 levels over a
// 15 MB annotation 6.7 s). Held by the bytes allocated, a multiple of the
// schema's size (before: 10,000 and 67 bytes a byte).
func TestSchemaCompileReadsTheDocumentOnce(t *testing.T) {
	var defs, props []string
	for i := range 2000 {
		defs = append(defs, fmt.Sprintf(`"d%d": {"type": "integer"}`, i))
		props = append(props, fmt.Sprintf(`"p%d": {"$ref": "#/$defs/d%d"}`, i, i))
	}
	refs := `{"type": "object", "properties": {` + strings.Join(props, ",") + `}, "$defs": {` + strings.Join(defs, ",") + `}}`
	deep := strings.Repeat(`{"type": "array", "items": `, maxSchemaDepth-1) +
		`{"description": "` + strings.Repeat("x", 1<<20) + `", "type": "integer"}` + strings.Repeat(`}`, maxSchemaDepth-1)
	for _, tc := range []struct {
		name, schema string
		perByte      float64 // small properties make many grammar nodes a byte
	}{{"2,000 $refs", refs, 1000}, {"63 levels over 1 MB", deep, 32}} {
		name, schema := tc.name, tc.schema
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		if _, err := CompileSchema([]byte(schema)); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		runtime.ReadMemStats(&after)
		perByte := float64(after.TotalAlloc-before.TotalAlloc) / float64(len(schema))
		t.Logf("%s: %.0f bytes allocated a byte of schema", name, perByte)
		if perByte > tc.perByte {
			t.Errorf("%s: compiling allocated %.0f bytes a byte of the schema; want at most %v", name, perByte, tc.perByte)
		}
	}
}
