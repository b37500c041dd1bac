package tokenizer

import (
	"math/rand/v2"
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
		if !equalIDs(got, want) {
			t.Fatalf("word %q: mergeAll %v, naive %v", word, got, want)
		}
	}
}

func equalIDs(a, b []int32) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
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
