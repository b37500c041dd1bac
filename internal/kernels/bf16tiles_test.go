package kernels

import (
	"math/rand/v2"
	"testing"
)

// TestBF16TilesEqualOneRowDots: every tile of a family's bf16 kernels —
// decode (one activation row, four weight rows, a range's tiles in one
// call; two or three rows, four weight rows, for batched decode) and
// prefill (4×3, 4×1) —
// gives each pair of rows exactly what the one-row dot gives it, with or
// without a tail past the kernels' step.
func TestBF16TilesEqualOneRowDots(t *testing.T) {
	for name, b := range bf16TileSets() {
		rng := rand.New(rand.NewPCG(71, 72))
		for _, k := range []int{1, 7, 8, 9, 15, 16, 17, 100, 1024, 4608} {
			x := randF32(rng, k)
			ws := 3*k + 5 // rows need not be adjacent
			w := randBF16(rng, 4*ws)
			for q := 1; q <= 3; q += 2 {
				wq := randBF16(rng, 4*q*k)
				got := make([]float32, 4*q)
				b.q4(got, x, wq, q, k)
				for n := range got {
					if want := b.dot(x, wq[n*k:(n+1)*k]); got[n] != want {
						t.Fatalf("%s k=%d %d tiles of 1x4, row %d: %v, one row alone %v", name, k, q, n, got[n], want)
					}
				}
			}

			xs := k + 3
			x = randF32(rng, 4*xs)
			for r := 2; r <= 3; r++ {
				if b.rowsX4(r) == nil {
					continue
				}
				var o [12]float32
				b.rx4(&o, r, x, xs, w, ws, k)
				for i := 0; i < r; i++ {
					for c := 0; c < 4; c++ {
						if want := b.dot(x[i*xs:i*xs+k], w[c*ws:c*ws+k]); o[4*i+c] != want {
							t.Fatalf("%s k=%d %dx4 (%d,%d): %v, one pair alone %v", name, k, r, i, c, o[4*i+c], want)
						}
					}
				}
			}

			w = randBF16(rng, 3*k)
			var o12 [12]float32
			var o4 [4]float32
			b.t4x3Dots(&o12, x, xs, w, k)
			b.x4(&o4, x, xs, w[2*k:3*k])
			for r := 0; r < 4; r++ {
				for c := 0; c < 3; c++ {
					if want := b.dot(x[r*xs:r*xs+k], w[c*k:(c+1)*k]); o12[3*r+c] != want {
						t.Fatalf("%s k=%d 4x3 (%d,%d): %v, one pair alone %v", name, k, r, c, o12[3*r+c], want)
					}
				}
				if want := b.dot(x[r*xs:r*xs+k], w[2*k:3*k]); o4[r] != want {
					t.Fatalf("%s k=%d 4x1 row %d: %v, one pair alone %v", name, k, r, o4[r], want)
				}
			}
		}
	}
}
