//go:build amd64 && !purego

package kernels

import (
	"math/rand/v2"
	"testing"
)

// The AVX-512 scatter of output tiles must equal scatterAMXGo exactly.
func TestScatterAMXMatchesSpecification(t *testing.T) {
	if !amxUsable() {
		t.Skip("no AMX family here")
	}
	rng := rand.New(rand.NewPCG(45, 46))
	const N = 80
	for _, T := range []int{1, 3, 8, 9, 16, 21} {
		for _, rows := range []int{16, 48, 64} {
			for tb := 0; tb*amxBlock < T; tb++ {
				out := randF32(rng, rows*amxRows)
				want, got := make([]float32, T*N), make([]float32, T*N)
				nt := min(T-tb*amxBlock, amxBlock)
				scatterAMXGo(want, N, out, tb*amxBlock, nt, 16, rows)
				m := matmulTask{T: T, dst: got, w: &Mat{Rows: N}}
				m.scatterAMX(out, tb, 16, rows)
				for i := range want {
					if got[i] != want[i] {
						t.Fatalf("T=%d rows=%d block %d: element %d is %v, want %v", T, rows, tb, i, got[i], want[i])
					}
				}
			}
		}
	}
}
