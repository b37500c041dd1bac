//go:build amd64 && !purego

package kernels

import (
	"math/rand/v2"
	"testing"
)

// TestDotBF16w4EqualsOneRowDots: the AVX2 decode kernel (one activation
// row, four weight rows) gives each row exactly what dotBF16 gives it, with
// or without a tail past the last 16 columns.
func TestDotBF16w4EqualsOneRowDots(t *testing.T) {
	rng := rand.New(rand.NewPCG(71, 72))
	for _, k := range []int{1, 15, 16, 17, 100, 1024, 4608} {
		x := randF32(rng, k)
		ws := 3*k + 5 // rows need not be adjacent
		w := randBF16(rng, 4*ws)
		var got [4]float32
		dotBF16w4(&got, x, w, ws, k)
		for c := range got {
			if want := dotBF16(x, w[c*ws:c*ws+k]); got[c] != want {
				t.Fatalf("k=%d row %d: %v, one row alone %v", k, c, got[c], want)
			}
		}
	}
}
