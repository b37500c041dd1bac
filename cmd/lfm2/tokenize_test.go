package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/lfm2go/lfm2/internal/tokenizer"
	"github.com/lfm2go/lfm2/internal/tokenizer/hfcases"
)

// TestTokenizeOutputFormats: the streamed output of `lfm2 tokenize`, in
// each format, carries Hugging Face's ids for the reference texts, and the
// JSON is what encoding/json prints for {"ids", "tokens"}.
func TestTokenizeOutputFormats(t *testing.T) {
	const dir = "../../testdata/tokenizers/lfm2like"
	tok, err := tokenizer.LoadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range hfcases.Read(t, dir+"/cases.jsonl") {
		ids := tok.Encode(c.Text, true)
		tokens := make([]string, len(ids))
		for i, id := range ids {
			tokens[i] = tok.Token(id)
		}

		var js bytes.Buffer
		if err := writeTokens(&js, tok, ids, true, false); err != nil {
			t.Fatal(err)
		}
		var got struct {
			IDs    []int32  `json:"ids"`
			Tokens []string `json:"tokens"`
		}
		if err := json.Unmarshal(js.Bytes(), &got); err != nil {
			t.Fatalf("%q: --json printed %q: %v", c.Text, js.String(), err)
		}
		if !slices.Equal(got.IDs, c.IDsSpecial) || !slices.Equal(got.Tokens, tokens) {
			t.Fatalf("%q: --json ids %v tokens %q; Hugging Face's ids %v", c.Text, got.IDs, got.Tokens, c.IDsSpecial)
		}
		var want bytes.Buffer
		if err := writeJSON(&want, map[string]any{"ids": ids, "tokens": tokens}); err != nil {
			t.Fatal(err)
		}
		if js.String() != want.String() {
			t.Fatalf("%q: --json printed\n%s\nencoding/json prints\n%s", c.Text, js.String(), want.String())
		}

		var plain bytes.Buffer
		if err := writeTokens(&plain, tok, ids, false, false); err != nil {
			t.Fatal(err)
		}
		var fields []int32
		for _, f := range strings.Fields(plain.String()) {
			n, err := strconv.Atoi(f)
			if err != nil {
				t.Fatalf("%q: plain output %q", c.Text, plain.String())
			}
			fields = append(fields, int32(n))
		}
		if !slices.Equal(fields, c.IDsSpecial) || !strings.HasSuffix(plain.String(), "\n") {
			t.Fatalf("%q: plain output %q; want the ids %v and a newline", c.Text, plain.String(), c.IDsSpecial)
		}

		var verbose bytes.Buffer
		if err := writeTokens(&verbose, tok, ids, false, true); err != nil {
			t.Fatal(err)
		}
		var lines []string
		for i, id := range c.IDsSpecial {
			lines = append(lines, fmt.Sprintf("%d\t%q\n", id, tokens[i]))
		}
		if verbose.String() != strings.Join(lines, "") {
			t.Fatalf("%q: --verbose printed %q; want %q", c.Text, verbose.String(), strings.Join(lines, ""))
		}
	}
}
