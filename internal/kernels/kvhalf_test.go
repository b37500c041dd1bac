package kernels

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/lfm2go/lfm2/internal/half"
)

// f16Edges are values a stored row must round right: the clamp's edges
// and beyond, the largest and smallest halves, ties to even, subnormals
// and what rounds to zero, signed zeros, infinities.
var f16Edges = []float32{0, float32(math.Copysign(0, -1)), 1, -1, 65504, -65504, 65519, 65520, 65536, 1e6, -1e30,
	float32(math.Inf(1)), float32(math.Inf(-1)), 6.103515625e-05, 5.9604645e-08, 2.9802322e-08, 2.98023259e-08, 1e-9, -1e-9,
	1.00048828125, 1.00146484375, 2049, 2051, 4097, 0.1, -3.14159}

// TestF16RowKernels: each family stores and reads f16 cache rows exactly
// as f32ToF16Go and f16ToF32Go do, over every length up to 40 (the vector
// bodies and their tails), random values over the whole half range and
// the edges; the specification itself agrees with half.FromF32 within
// range and clamps outside it, and a stored row reads back as the
// nearest half (within half an ulp of 2⁻¹¹ relative).
func TestF16RowKernels(t *testing.T) {
	rng := rand.New(rand.NewPCG(51, 52))
	src := make([]float32, 0, 4096)
	src = append(src, f16Edges...)
	for len(src) < cap(src) {
		src = append(src, float32(rng.NormFloat64()*math.Pow(2, float64(rng.IntN(40)-24))))
	}
	want := make([]uint16, len(src))
	f32ToF16Go(want, src)
	for i, v := range src {
		c := float32(math.Max(-f16Max, math.Min(f16Max, float64(v))))
		if want[i] != half.FromF32(c) {
			t.Fatalf("spec: %v stored as %#04x, want %#04x", v, want[i], half.FromF32(c))
		}
		if h := want[i]; h&0x7c00 == 0x7c00 {
			t.Fatalf("spec: %v stored as an infinity or NaN %#04x", v, h)
		}
		back := half.ToF32(want[i])
		if math.Abs(float64(back-c)) > math.Abs(float64(c))/2048+3e-8 {
			t.Fatalf("spec: %v reads back as %v", v, back)
		}
	}
	nan := []float32{float32(math.NaN())}
	var h [1]uint16
	f32ToF16Go(h[:], nan)
	if h[0]&0x7c00 != 0x7c00 || h[0]&0x3ff == 0 {
		t.Fatalf("spec: NaN stored as %#04x", h[0])
	}
	for _, impl := range Available() {
		f := familyOf(impl, false)
		for n := 1; n <= 40; n++ {
			for start := 0; start+n <= len(src); start += 97 {
				got := make([]uint16, n+1)
				got[n] = 0xbeef
				f.toF16(got[:n], src[start:start+n])
				for i := 0; i < n; i++ {
					if got[i] != want[start+i] {
						t.Fatalf("%s n=%d: %v stored as %#04x, want %#04x", impl, n, src[start+i], got[i], want[start+i])
					}
				}
				if got[n] != 0xbeef {
					t.Fatalf("%s n=%d: wrote past the row", impl, n)
				}
				wide, ref := make([]float32, n+1), make([]float32, n)
				f.toF32(wide[:n], want[start:start+n])
				f16ToF32Go(ref, want[start:start+n])
				for i := 0; i < n; i++ {
					if math.Float32bits(wide[i]) != math.Float32bits(ref[i]) {
						t.Fatalf("%s n=%d: %#04x read as %v, want %v", impl, n, want[start+i], wide[i], ref[i])
					}
				}
				if wide[n] != 0 {
					t.Fatalf("%s n=%d: read past the row", impl, n)
				}
			}
		}
		var nh [8]uint16
		f.toF16(nh[:], []float32{1, 2, 3, float32(math.NaN()), 5, 6, 7, 8})
		if nh[3]&0x7c00 != 0x7c00 || nh[3]&0x3ff == 0 {
			t.Fatalf("%s: NaN stored as %#04x", impl, nh[3])
		}
	}
}

// halfCache is an f16 copy of an f32 cache, and the f32 cache holding
// exactly the values the f16 one holds.
func halfCache(s *KVSpan) (h, rounded *KVSpan) {
	h = &KVSpan{BlockSize: s.BlockSize, Stride: s.Stride}
	rounded = &KVSpan{BlockSize: s.BlockSize, Stride: s.Stride}
	for _, b := range s.Blocks {
		hb, rb := make([]uint16, len(b)), make([]float32, len(b))
		f32ToF16Go(hb, b)
		f16ToF32Go(rb, hb)
		h.Half, rounded.Blocks = append(h.Half, hb), append(rounded.Blocks, rb)
	}
	return h, rounded
}

// TestAttendOnF16Cache: attention over an f16 cache is bit-identical to
// attention over an f32 cache holding the same (rounded) values, in every
// family, for decode-sized blocks (narrow tiles) and full ones, with
// blocks of 16 (read in place when f32) and of 4 (copied), after
// whatever an earlier op left in the scratch; and a query's result does
// not depend on its block mates.
func TestAttendOnF16Cache(t *testing.T) {
	for _, impl := range Available() {
		p := NewPoolImpl(1, impl)
		rng := rand.New(rand.NewPCG(53, 54))
		for _, d := range []int{64, 32, 12} {
			for _, bs := range []int{16, 4, 32} {
				const n = 90
				k32, v32 := kvCache(rng, n, bs, 3*d), kvCache(rng, n, bs, 3*d)
				for _, b := range k32.Blocks {
					for i := range b {
						b[i] *= 4 // scores of a few units: a softmax far from flat
					}
				}
				kh, kr := halfCache(k32)
				vh, vr := halfCache(v32)
				for _, pos := range [][]int32{{89}, {9}, {40, 41}, {2, 5}, {0, 15, 16, 17}, {3, 89, 30, 31, 47, 48, 60, 61, 62, 63, 64, 65, 77, 78, 79, 88}} {
					var a, b QueryBlock
					a.N, b.N = len(pos), len(pos)
					for i, ps := range pos {
						q := randF32(rng, d)
						a.Q[i], a.Out[i], a.Pos[i] = q, make([]float32, d), ps
						b.Q[i], b.Out[i], b.Pos[i] = q, make([]float32, d), ps
					}
					// Scratch left as NaN by an earlier op: the rows past
					// a chunk's last position must be zeroed, not kept.
					for i, s := 0, p.Scratch(0, 8*lanes*d); i < len(s); i++ {
						s[i] = float32(math.NaN())
					}
					p.Attend(0, &a, kh, vh, d, d, 0.125)
					p.Attend(0, &b, kr, vr, d, d, 0.125)
					for i := range a.N {
						for j := range d {
							if math.Float32bits(a.Out[i][j]) != math.Float32bits(b.Out[i][j]) {
								t.Fatalf("%s d=%d block=%d query at %d dim %d: %v on the f16 cache, %v on its values in f32",
									impl, d, bs, pos[i], j, a.Out[i][j], b.Out[i][j])
							}
						}
					}
					var alone QueryBlock
					alone.N, alone.Q[0], alone.Out[0], alone.Pos[0] = 1, a.Q[a.N-1], make([]float32, d), a.Pos[a.N-1]
					p.Attend(0, &alone, kh, vh, d, d, 0.125)
					for j := range d {
						if alone.Out[0][j] != a.Out[a.N-1][j] {
							t.Fatalf("%s d=%d block=%d: query at %d alone %v, among %d %v", impl, d, bs, alone.Pos[0], alone.Out[0][j], a.N, a.Out[a.N-1][j])
						}
					}
				}
			}
		}
		p.Close()
	}
}
