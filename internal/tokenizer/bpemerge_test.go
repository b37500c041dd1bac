package tokenizer

import (
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
)

// naiveMerge is the textbook definition of BPE merging (rescan for the
// lowest-ranked, leftmost pair after every merge): quadratic, kept here as
// the specification the heap-based mergeAll must reproduce.
func naiveMerge(b *bpe, syms []int32) []int32 {
	syms = append([]int32(nil), syms...)
	for len(syms) > 1 {
		best, at := merge{rank: -1}, -1
		for j := 0; j+1 < len(syms); j++ {
			if m, ok := b.ranks[[2]int32{syms[j], syms[j+1]}]; ok && (best.rank < 0 || m.rank < best.rank) {
				best, at = m, j
			}
		}
		if at < 0 {
			break
		}
		syms[at] = best.id
		syms = append(syms[:at+1], syms[at+2:]...)
	}
	return syms
}

func TestMergeAllEqualsNaiveMerge(t *testing.T) {
	tok, err := Load(testdata("tokenizers", "lfm2like", "tokenizer.json"))
	if err != nil {
		t.Fatal(err)
	}
	b := tok.model
	// Alphabets that make long merge chains: repeated letters, a few letters,
	// byte-level symbols of multi-byte characters.
	alphabets := []string{"a", "ab", "abc ", "the", "etaoinshrdlu", "ĠaĠb", "Ã©Ã¨", "0123456789", "ÄłaÄ"}
	rng := rand.New(rand.NewPCG(1, 2))
	for i := 0; i < 3000; i++ {
		alpha := []rune(alphabets[i%len(alphabets)])
		n := 1 + rng.IntN(300)
		var sb strings.Builder
		for j := 0; j < n; j++ {
			sb.WriteRune(alpha[rng.IntN(len(alpha))])
		}
		word := sb.String()
		var syms []int32
		for _, r := range word {
			if id, ok := b.vocab[string(r)]; ok {
				syms = append(syms, id)
			}
		}
		want := naiveMerge(b, syms)
		got := b.mergeAll(append([]int32(nil), syms...))
		if !slices.Equal(got, want) {
			t.Fatalf("word %q: mergeAll %v, naive %v", word, got, want)
		}
	}
}

// A 10 MB line of one repeated letter used to hang every command (merging
// was quadratic in the word length). It must now tokenize, and round-trip.
func TestEncodeTenMegabyteWord(t *testing.T) {
	tok, err := Load(testdata("tokenizers", "lfm2like", "tokenizer.json"))
	if err != nil {
		t.Fatal(err)
	}
	for _, unit := range []string{"a", "QmFzZTY0IGJsb2I"} {
		text := strings.Repeat(unit, (10<<20)/len(unit))
		ids := tok.Encode(text, false)
		if len(ids) == 0 || len(ids) >= len(text) {
			t.Fatalf("%q×: %d ids for %d bytes: merges did not apply", unit, len(ids), len(text))
		}
		if got := tok.Decode(ids, false); got != text {
			t.Fatalf("%q×: decoding does not give the text back (%d bytes vs %d)", unit, len(got), len(text))
		}
	}
}

// TestInvalidUTF8IsSpelledByByteFallback: text read from a file may hold
// bytes that are not UTF-8; a tokenizer without ByteLevel meets them in
// BPE, where each is one character of one byte (it sliced three bytes for
// the RuneError it decodes to, and panicked at a string's end).
func TestInvalidUTF8IsSpelledByByteFallback(t *testing.T) {
	tok, err := Parse([]byte(`{"model": {"type": "BPE", "vocab": {"a": 0, "<0xC2>": 1, "<0xFF>": 2, "é": 3, "<unk>": 4},
		"merges": [], "byte_fallback": true, "unk_token": "<unk>"}}`))
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		text string
		want []int32
	}{
		{"\xc2", []int32{1}},
		{"a\xc2a", []int32{0, 1, 0}},
		{"é\xffa\xc2", []int32{3, 2, 0, 1}},
		{"\xe2\x82", []int32{4, 4}}, // no <0xE2>, <0x82>: two unknown characters
	} {
		if got := tok.Encode(tc.text, false); !slices.Equal(got, tc.want) {
			t.Errorf("Encode(%q) = %v; want %v", tc.text, got, tc.want)
		}
	}
}
