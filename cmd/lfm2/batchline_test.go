package main

import (
	"encoding/json"
	"strings"
	"testing"
)

// FuzzBatchLine: any line parses to a prompt or to an error that names the
// problem in the user's terms; it never panics, an accepted line always has
// a valid JSON id, and no message leaks Go type names.
func FuzzBatchLine(f *testing.F) {
	for _, seed := range []string{
		`{"id": "a", "prompt": "Hello"}`,
		`{"id": 7, "messages": [{"role": "user", "content": "Hi"}], "max_tokens": 4, "stop": "x"}`,
		`{"prompt": "p", "temperature": 0.5, "top_k": 3, "top_p": 0.9, "min_p": 0.1, "repetition_penalty": 1.1, "seed": 9, "stop": ["a", "b"]}`,
		`{"id": null, "prompt": null}`,
		`{"id": {"x": 1}}`,
		`{"max_tokens": "ten"}`,
		`{"messages": [{"content": "no role"}]}`,
		`{"prompt": "p", "response_format": {"type": "json_schema", "json_schema": {"schema": {"type": "integer"}}}}`,
		`{"prompt": "p", "grammar": "root ::= \"a\""}`,
		`[1, 2]`, `"text"`, `{`, `{} {}`, `null`, `{"id": 1e999}`, "{\"prompt\": \"\\ud800\"}",
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, line string) {
		ln, _, err := parseInputLine(line, 3)
		if err != nil {
			msg := err.Error()
			for _, leak := range []string{"main.", "Go struct", "of type", "inputLine"} {
				if strings.Contains(msg, leak) {
					t.Fatalf("%q: message %q shows %q", line, msg, leak)
				}
			}
			return
		}
		if !json.Valid(ln.ID) {
			t.Fatalf("%q: id %q is not JSON", line, ln.ID)
		}
	})
}

// TestStructuredLineFields: bad response_format and grammar values are
// refused naming the field, with the line's id kept.
func TestStructuredLineFields(t *testing.T) {
	for line, want := range map[string]string{
		`{"id": 1, "prompt": "p", "response_format": "json"}`:                                               `"response_format": want`,
		`{"id": 1, "prompt": "p", "response_format": {"type": "yaml"}}`:                                     `"response_format": type "yaml"`,
		`{"id": 1, "prompt": "p", "response_format": {"type": "json_schema"}}`:                              `"response_format": json_schema needs`,
		`{"id": 1, "prompt": "p", "grammar": 5}`:                                                            `"grammar": want a GBNF grammar`,
		`{"id": 1, "prompt": "p", "grammar": "root ::= \"a\"", "response_format": {"type": "json_object"}}`: `not both`,
	} {
		_, _, err := parseInputLine(line, 1)
		fe, ok := err.(*lineFieldError)
		if !ok || !strings.Contains(fe.msg, want) || string(fe.id) != "1" {
			t.Errorf("%s: %v, want a message with %q and id 1", line, err, want)
		}
	}
	ln, _, err := parseInputLine(`{"prompt": "p", "response_format": {"type": "json_object"}, "grammar": null}`, 1)
	if err != nil || ln.ResponseFormat == nil || ln.Grammar != nil {
		t.Fatalf("json_object line: %+v %v", ln, err)
	}
}
