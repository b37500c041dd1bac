package kernels

import (
	"encoding/binary"
	"math/rand/v2"
	"testing"
	"unsafe"
)

// TestStreamReadSpans: the checksum of spans at every alignment, in every
// family, is the sum of the whole 8-byte words inside them, found here by
// address arithmetic and decoding; and a matrix's spans cover its bytes.
func TestStreamReadSpans(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	backing := make([]byte, 4<<20)
	for i := range backing {
		backing[i] = byte(rng.Uint32())
	}
	var spans [][]byte
	var want uint64
	for _, c := range [][2]int{{0, 1 << 20}, {1, 17}, {3, 8}, {5, 12}, {13, (1 << 20) + 3}, {7, 7}, {2<<20 + 9, 5*streamGrain*8/3 + 3}} {
		b := backing[c[0] : c[0]+c[1]]
		spans = append(spans, b)
		for i := 0; i+8 <= len(b); i++ {
			if uintptr(unsafe.Pointer(&b[i]))%8 == 0 {
				want += binary.LittleEndian.Uint64(b[i:])
				i += 7
			}
		}
	}
	for _, impl := range Available() {
		p := NewPoolImpl(2, impl)
		if got := p.StreamReadSpans(spans); got != want {
			t.Errorf("%s: checksum %#x, want %#x", impl, got, want)
		}
		p.Close()
	}
	for name, m := range randFormats(rng, 32, 512) {
		var n int64
		for _, b := range m.Spans() {
			n += int64(len(b))
		}
		if n != m.Bytes() {
			t.Errorf("%s: spans of %d bytes, matrix of %d", name, n, m.Bytes())
		}
	}
}
