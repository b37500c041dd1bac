package tokenizer

import (
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/lfm2go/lfm2/internal/tokenizer/hfcases"
)

// TestFastMatchersEqualRegex compares the hand-written matchers with the
// regex emulation on the reference texts and on random strings built from
// characters that exercise every alternative.
func TestFastMatchersEqualRegex(t *testing.T) {
	pool := []string{"a", "Z", "é", "ß", "λ", "Ж", "中", "ก", "'", "'s", "'S", "'ll", "'LL", "'re", "'Ve", "'d", "'m", "'t", "ſ",
		"0", "7", "٣", "²", "Ⅻ", " ", "  ", "\t", "\n", "\r\n", "\u00a0", "\u3000", "\u2028", "\u200b",
		".", ",", "!", "?", "(", ")", "-", "_", "#", "@", "😀", "\u0301", "\x00", "\x7f", "\u0085", "\v", "\f"}
	var texts []string
	for _, c := range hfcases.Read(t, testdata("tokenizers", "lfm2like", "cases.jsonl")) {
		texts = append(texts, c.Text)
	}
	rng := rand.New(rand.NewPCG(11, 12))
	for i := 0; i < 30000; i++ {
		var b strings.Builder
		for n := rng.IntN(12); n >= 0; n-- {
			b.WriteString(pool[rng.IntN(len(pool))])
		}
		texts = append(texts, b.String())
	}
	for _, pat := range []string{llama3Pattern, gpt2Pattern} {
		re, err := compileSplitRegex(pat)
		if err != nil {
			t.Fatal(err)
		}
		if re.fast == nil {
			t.Fatalf("no fast matcher for %q", pat)
		}
		for _, text := range texts {
			var want, got [][2]int
			re.scanRegex(text, func(start, end int) { want = append(want, [2]int{start, end}) })
			scanAt(text, re.fast, func(start, end int) { got = append(got, [2]int{start, end}) })
			if !slices.Equal(got, want) {
				t.Fatalf("pattern %.20q… text %q:\n fast  %v\n regex %v", pat, text, got, want)
			}
		}
	}
}

// The test tokenizers' patterns must take the fast path, or the speed-up is moot.
func TestTokenizersUseFastMatchers(t *testing.T) {
	for _, name := range []string{"lfm2like", "variant-b"} {
		tok, err := Load(testdata("tokenizers", name, "tokenizer.json"))
		if err != nil {
			t.Fatal(err)
		}
		var found bool
		var walk func(p preTokenizer)
		walk = func(p preTokenizer) {
			switch v := p.(type) {
			case preSeq:
				for _, q := range v {
					walk(q)
				}
			case *splitter:
				found = found || (v.re != nil && v.re.fast != nil)
			case *byteLevel:
				if v.re != nil {
					walk(v.re)
				}
			}
		}
		walk(tok.pre)
		if !found {
			t.Errorf("%s: split pattern does not use a fast matcher", name)
		}
	}
}
