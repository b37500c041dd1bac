package kernels

import "testing"

func TestParseCacheSize(t *testing.T) {
	for s, want := range map[string]int{"32K": 32 << 10, "48K\n": 48 << 10, "2M": 2 << 20, "65536": 65536, "": 0, "K": 0, "-4K": 0, "big": 0} {
		if got := parseCacheSize(s); got != want {
			t.Errorf("parseCacheSize(%q) = %d, want %d", s, got, want)
		}
	}
}

// TestPairBlockFor: the 8×3 tiles take rows in blocks where eight rows of
// a block leave room in L1 (or its size is unknown), whole otherwise.
func TestPairBlockFor(t *testing.T) {
	exact, fast := pairsPerRow(pairChunk, true), pairsPerRow(pairChunk, false)
	for _, c := range []struct {
		perChunk, l1d, want int
	}{
		{exact, 0, pairBlockChunks},        // unknown
		{exact, 32 << 10, 144},             // Zen 4: eight exact rows' block fills L1
		{exact, 48 << 10, pairBlockChunks}, // Zen 5
		{fast, 32 << 10, pairBlockChunks},
		{fast, 16 << 10, 144},
	} {
		if got := pairBlockFor(144, c.perChunk, c.l1d); got != c.want {
			t.Errorf("pairBlockFor(144, %d, %d) = %d, want %d", c.perChunk, c.l1d, got, c.want)
		}
	}
}
