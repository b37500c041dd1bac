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

// TestDotBF16TilesEqualOneRowDots: the AVX2 prefill tiles (4×3, 4×1) give
// each activation and weight row pair exactly what dotBF16 gives it.
func TestDotBF16TilesEqualOneRowDots(t *testing.T) {
	rng := rand.New(rand.NewPCG(73, 74))
	for _, k := range []int{1, 7, 8, 9, 100, 1024} {
		xs := k + 3
		x := randF32(rng, 4*xs)
		w := randBF16(rng, 3*k)
		var o12 [12]float32
		var o4 [4]float32
		dotBF16t4x3(&o12, x, xs, w, k)
		dotBF16x4(&o4, x, xs, w[2*k:3*k])
		for r := 0; r < 4; r++ {
			for c := 0; c < 3; c++ {
				if want := dotBF16(x[r*xs:r*xs+k], w[c*k:(c+1)*k]); o12[3*r+c] != want {
					t.Fatalf("k=%d 4x3 (%d,%d): %v, one pair alone %v", k, r, c, o12[3*r+c], want)
				}
			}
			if want := dotBF16(x[r*xs:r*xs+k], w[2*k:3*k]); o4[r] != want {
				t.Fatalf("k=%d 4x1 row %d: %v, one pair alone %v", k, r, o4[r], want)
			}
		}
	}
}
