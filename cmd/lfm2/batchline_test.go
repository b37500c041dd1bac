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
