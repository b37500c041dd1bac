// Package hfcases reads the reference tokenizations that Hugging Face's own
// tokenizers made for the test tokenizers (testdata/tokenizers: the
// hand-picked cases.jsonl, the generated variants' and the random texts')
// and checks a tokenizer against them. For tests: the tokenizer package's
// and every other that builds a tokenizer (from a GGUF file's metadata).
package hfcases

import (
	"bufio"
	"encoding/json"
	"os"
	"slices"
	"testing"
)

// Case is a text and what Hugging Face makes of it: ids without and with
// special tokens, and the ids decoded without and with skipping them.
type Case struct {
	Text               string  `json:"text"`
	IDs                []int32 `json:"ids"`
	IDsSpecial         []int32 `json:"ids_special"`
	Decoded            string  `json:"decoded"`
	DecodedSkipSpecial string  `json:"decoded_skip_special"`
}

// Codec is what Check checks (tokenizer.Tokenizer is one).
type Codec interface {
	Encode(text string, addSpecial bool) []int32
	Decode(ids []int32, skipSpecial bool) string
}

// Read reads the cases of a JSON-lines file.
func Read(t testing.TB, path string) []Case { return ReadLines[Case](t, path) }

// ReadLines reads a JSON-lines file, one T a line; t fails on a file that
// cannot be read or a line that is not a T.
func ReadLines[T any](t testing.TB, path string) []T {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []T
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<24)
	for line := 1; sc.Scan(); line++ {
		var v T
		if err := json.Unmarshal(sc.Bytes(), &v); err != nil {
			t.Fatalf("%s:%d: %v", path, line, err)
		}
		out = append(out, v)
	}
	if err := sc.Err(); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return out
}

// Check fails t for every case whose ids (with and without special
// tokens) or decodings (with and without skipping them) differ from
// Hugging Face's, showing the first ten.
func Check(t testing.TB, tok Codec, cases []Case) {
	t.Helper()
	bad := 0
	for i, c := range cases {
		got, gotS := tok.Encode(c.Text, false), tok.Encode(c.Text, true)
		dec, decSkip := tok.Decode(c.IDs, false), tok.Decode(c.IDs, true)
		if !slices.Equal(got, c.IDs) || !slices.Equal(gotS, c.IDsSpecial) || dec != c.Decoded || decSkip != c.DecodedSkipSpecial {
			bad++
			if bad <= 10 {
				t.Errorf("case %d %q:\n ids      %v\n want     %v\n special  %v\n want     %v\n decoded  %q / %q\n want     %q / %q",
					i, c.Text, got, c.IDs, gotS, c.IDsSpecial, dec, decSkip, c.Decoded, c.DecodedSkipSpecial)
			}
		}
	}
	if bad > 0 {
		t.Errorf("%d of %d cases differ", bad, len(cases))
	}
}
