package tokenizer

import (
	"runtime"
	"strings"
	"testing"

	"github.com/lfm2go/lfm2/internal/tokenizer/hfcases"
)

// allocatedBy is the bytes f allocates (the heap's running total, which
// nothing else in this package's sequential tests adds to meanwhile).
func allocatedBy(f func()) uint64 {
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	f()
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc
}

// TestEncodeMemoryIsBoundedPerByte: tokenizing holds one piece per
// pre-tokenizer stage, not every piece of the text (which allocated 47
// bytes a byte of ordinary text, 92 of one long word: a few hundred MB of
// input exhausted the machine), and merging a long word packs a candidate
// pair into 8 bytes.
func TestEncodeMemoryIsBoundedPerByte(t *testing.T) {
	tok, err := Load(testdata("tokenizers", "lfm2like", "tokenizer.json"))
	if err != nil {
		t.Fatal(err)
	}
	var sb strings.Builder
	cases := hfcases.Read(t, testdata("tokenizers", "lfm2like", "cases.jsonl"))
	for sb.Len() < 1<<20 {
		for _, c := range cases {
			sb.WriteString(c.Text)
			sb.WriteString(" ")
		}
	}
	for _, tc := range []struct {
		name    string
		text    string
		perByte float64
	}{
		{"mixed text", sb.String(), 16},
		{"one long word", strings.Repeat("QmFzZTY0IGJsb2Ig", (1<<20)/16), 32},
	} {
		var ids []int32
		got := float64(allocatedBy(func() { ids = tok.Encode(tc.text, false) })) / float64(len(tc.text))
		if len(ids) == 0 {
			t.Fatalf("%s: no ids", tc.name)
		}
		t.Logf("%s: %.1f bytes allocated a byte of input", tc.name, got)
		if got > tc.perByte {
			t.Errorf("%s: tokenizing allocated %.1f bytes a byte of input; want at most %v", tc.name, got, tc.perByte)
		}
	}
}
