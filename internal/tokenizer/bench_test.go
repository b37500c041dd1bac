package tokenizer

import (
	"os"
	"strings"
	"testing"

	"github.com/lfm2go/lfm2/internal/tokenizer/hfcases"
)

// mixedText builds ~1 MB of text in several scripts from the reference cases.
func mixedText(b *testing.B) string {
	cases := hfcases.Read(&testing.T{}, testdata("tokenizers", "lfm2like", "cases.jsonl"))
	var sb strings.Builder
	for sb.Len() < 1<<20 {
		for _, c := range cases {
			sb.WriteString(c.Text)
			sb.WriteString(" ")
		}
	}
	return sb.String()
}

func BenchmarkEncode(b *testing.B) {
	tok, err := Load(testdata("tokenizers", "lfm2like", "tokenizer.json"))
	if err != nil {
		b.Fatal(err)
	}
	text := mixedText(b)
	b.SetBytes(int64(len(text)))
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		tok.Encode(text, true)
	}
}

func BenchmarkLoad(b *testing.B) {
	js, err := os.ReadFile(testdata("tokenizers", "lfm2like", "tokenizer.json"))
	if err != nil {
		b.Fatal(err)
	}
	for i := 0; i < b.N; i++ {
		if _, err := Parse(js); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkEncodeLongWord: one 1 MB word (a pasted blob). Must stay far
// under a second per op: merging is O(n log n) in the word length.
func BenchmarkEncodeLongWord(b *testing.B) {
	tok, err := Load(testdata("tokenizers", "lfm2like", "tokenizer.json"))
	if err != nil {
		b.Fatal(err)
	}
	text := strings.Repeat("QmFzZTY0IGJsb2Ig", (1<<20)/16)
	b.SetBytes(int64(len(text)))
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		tok.Encode(text, false)
	}
}
