package kernels

import (
	"math/rand/v2"
	"testing"
)

// randF16 makes an f16 matrix of random weights of a model's size (a
// twentieth of a unit, as formatTests' tolerance expects), some of them
// subnormal.
func randF16(rng *rand.Rand, rows, cols int) Mat {
	f := randF32(rng, rows*cols)
	for i := range f {
		f[i] *= 0.05
		if i%97 == 0 {
			f[i] *= 1e-4 // below f16's normal range
		}
	}
	h := make([]uint16, len(f))
	f32ToF16Go(h, f)
	m, _ := NewMatF16(rows, cols, h)
	return m
}

func TestF16Format(t *testing.T) {
	formatTests(t, weightFormat{name: "f16", seed: [2]uint64{81, 82}, ts: []int{1, 3, 4, 5, 9},
		shapes: [][2]int{{32, 4}, {96, 33}, {1024, 20}, {100, 7}}, make: randF16, want: gemmDequantized})
}

// TestF16IsF32Widened: in every family an f16 matrix gives, bit for bit,
// what the f32 kernels give on its weights widened to float32 — what f16
// files computed as when they were widened at load.
func TestF16IsF32Widened(t *testing.T) {
	for _, impl := range Available() {
		rng := rand.New(rand.NewPCG(83, 84))
		p := NewPoolImpl(2, impl)
		for _, T := range []int{1, 2, 3, 17, 100} { // decode, tiles, a pass's last rows, two passes
			const K, N = 330, 45 // K: 20 chunks of 16 and a tail
			w16 := randF16(rng, N, K)
			wide := make([]float32, N*K)
			for r := range N {
				w16.Row(wide[r*K:(r+1)*K], r)
			}
			w32, _ := NewMatF32(N, K, wide)
			x := randF32(rng, T*K)
			got, want := make([]float32, T*N), make([]float32, T*N)
			p.MatMul(got, x, T, &w16)
			p.MatMul(want, x, T, &w32)
			for i := range got {
				if got[i] != want[i] {
					t.Fatalf("%s T=%d: element %d = %v, the f32 kernels give %v", impl, T, i, got[i], want[i])
				}
			}
		}
		if w := randF16(rng, 3, 64); w.Format() != FormatF16 || w.Bytes() != 3*64*2 || w.DType() != "f16" {
			t.Fatalf("an f16 matrix reports format %v, %d bytes, dtype %q", w.Format(), w.Bytes(), w.DType())
		}
		p.Close()
	}
}
