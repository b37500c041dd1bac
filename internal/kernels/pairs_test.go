package kernels

import (
	"math"
	"math/rand/v2"
	"testing"
)

// TestPackPairsSplitsExactly: in the exact tier hi + lo of every packed
// activation is within 2⁻¹⁷ of it relatively (16 significant bits), in
// the fast tier hi is bf16(x); the specification dot then equals the f64
// dot of what was packed to f32 rounding.
func TestPackPairsSplitsExactly(t *testing.T) {
	rng := rand.New(rand.NewPCG(61, 62))
	for _, exact := range []bool{true, false} {
		const K = 96
		x := randF32(rng, K)
		w := randBF16(rng, K)
		dst := make([]uint32, pairsPerRow(K, exact))
		packPairsGo(dst, x, exact)
		step := pairsPerRow(pairChunk, exact)
		var want float64
		for k := range x {
			c, j := k/pairChunk, k%pairChunk/2
			half := func(v uint32) float32 { return math.Float32frombits(uint32(uint16(v>>(16*(k%2)))) << 16) }
			got := float64(half(dst[c*step+j]))
			if exact {
				got += float64(half(dst[c*step+16+j]))
				if d := math.Abs(got - float64(x[k])); d > math.Abs(float64(x[k]))*0x1p-17 {
					t.Fatalf("exact k=%d: hi+lo = %v, x = %v", k, got, x[k])
				}
			} else if float32(got) != math.Float32frombits(uint32(F32ToBF16(x[k]))<<16) {
				t.Fatalf("fast k=%d: hi = %v, bf16(x) = %v", k, got, x[k])
			}
			want += got * float64(math.Float32frombits(uint32(w[k])<<16))
		}
		if d := math.Abs(float64(dotPairsGo(dst, w, exact)) - want); d > tol(K, 0.05) {
			t.Fatalf("exact=%v: spec dot off the f64 dot by %g", exact, d)
		}
	}
}
