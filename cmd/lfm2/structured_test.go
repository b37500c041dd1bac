package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

// TestStructuredBatchAndRun: batch lines with a JSON Schema response_format
// give records whose "parsed" validates (independent validator) when they
// finished, and none when cut by max_tokens; run --json-schema likewise.
func TestStructuredBatchAndRun(t *testing.T) {
	dir := t.TempDir()
	schemas := []string{"person", "invoice", "sentiment", "entities", "tags-array"}
	validators := map[string]*jsonschema.Schema{}
	var in strings.Builder
	for i, name := range schemas {
		path := filepath.Join("..", "..", "testdata", "structured", "schemas", name+".json")
		src, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		doc, _ := jsonschema.UnmarshalJSON(bytes.NewReader(src))
		c := jsonschema.NewCompiler()
		c.AssertFormat()
		c.AddResource(name, doc)
		if validators[name], err = c.Compile(name); err != nil {
			t.Fatal(err)
		}
		for k := range 3 {
			maxTokens := 200
			if k == 2 && i == 1 {
				maxTokens = 5 // an invoice cannot finish in 5 tokens
			}
			fmt.Fprintf(&in, `{"id": "%s-%d", "prompt": "Extract:", "max_tokens": %d, "seed": %d, "response_format": {"type": "json_schema", "json_schema": {"name": %q, "schema": %s}}}`+"\n",
				name, k, maxTokens, k, name, bytes.TrimSpace(src))
		}
	}
	inPath := filepath.Join(dir, "in.jsonl")
	os.WriteFile(inPath, []byte(in.String()), 0o644)
	out, err := lfm2(t, "batch", "--model", fixture, "-i", inPath, "-o", "-", "--quiet", "--temperature", "1")
	if err != nil {
		t.Fatal(err)
	}
	sc := bufio.NewScanner(strings.NewReader(out))
	n, stopped := 0, 0
	for sc.Scan() {
		var rec struct {
			ID           string
			Parsed       json.RawMessage
			FinishReason string `json:"finish_reason"`
		}
		if err := json.Unmarshal(sc.Bytes(), &rec); err != nil {
			t.Fatal(err)
		}
		n++
		name := rec.ID[:strings.LastIndex(rec.ID, "-")]
		if rec.FinishReason != "stop" {
			if rec.Parsed != nil {
				t.Errorf("%s cut by %s claims parsed %s", rec.ID, rec.FinishReason, rec.Parsed)
			}
			continue
		}
		stopped++
		inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(rec.Parsed))
		if err != nil || validators[name].Validate(inst) != nil {
			t.Errorf("%s: parsed %s invalid: %v", rec.ID, rec.Parsed, err)
		}
	}
	if n != 15 || stopped < 12 {
		t.Fatalf("%d records, %d finished", n, stopped)
	}
	out, err = lfm2(t, "run", "--model", fixture, "--json", "--json-schema", filepath.Join("..", "..", "testdata", "structured", "schemas", "person.json"), "--max-tokens", "200", "Who?")
	if err != nil {
		t.Fatal(err)
	}
	var rec struct {
		Parsed       json.RawMessage
		FinishReason string `json:"finish_reason"`
	}
	json.Unmarshal([]byte(out), &rec)
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(rec.Parsed))
	if rec.FinishReason != "stop" || err != nil || validators["person"].Validate(inst) != nil {
		t.Fatalf("run --json-schema: %s", out)
	}
}

// TestConstraintFlagErrors: a missing or unsupported schema, a bad grammar
// or both flags at once are usage errors (exit 2) naming the file.
func TestConstraintFlagErrors(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.json")
	os.WriteFile(bad, []byte(`{"type": "integer", "multipleOf": 2}`), 0o644)
	gbnf := filepath.Join(dir, "bad.gbnf")
	os.WriteFile(gbnf, []byte(`root ::= "a" missing`), 0o644)
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"--json-schema", filepath.Join(dir, "none.json")}, "none.json"},
		{[]string{"--json-schema", bad}, "multipleOf"},
		{[]string{"--grammar", gbnf}, `undefined rule "missing"`},
		{[]string{"--grammar", gbnf, "--json-schema", bad}, "not both"},
	} {
		cmd := exec.Command(binary, append([]string{"run", "--model", "synthetic:tiny", "hi"}, c.args...)...)
		out, err := cmd.CombinedOutput()
		var ee *exec.ExitError
		if !errors.As(err, &ee) || ee.ExitCode() != exitUsage || !strings.Contains(string(out), c.want) {
			t.Errorf("%v: %v %q", c.args, err, out)
		}
	}
}

// TestBatchBadGrammarLine: a line whose grammar or schema does not compile
// becomes an error record naming the field; the other lines go on.
func TestBatchBadGrammarLine(t *testing.T) {
	in := filepath.Join(t.TempDir(), "in.jsonl")
	os.WriteFile(in, []byte(`{"id": "g", "prompt": "x", "grammar": "root ::= nope"}
{"id": "s", "prompt": "x", "response_format": {"type": "json_schema", "json_schema": {"schema": {"type": "integer", "multipleOf": 2}}}}
{"id": "ok", "prompt": "x", "max_tokens": 3}
`), 0o644)
	out, err := lfm2(t, "batch", "--model", fixture, "-i", in, "-o", "-", "--quiet")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`"id":"g","line":1,"error":"\"grammar\": grammar: rule root: undefined rule \"nope\""`,
		`"id":"s","line":2,"error":"\"response_format\": schema #: unsupported keyword(s) multipleOf"`, `"id":"ok","prompt_tokens"`} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %s:\n%s", want, out)
		}
	}
}
