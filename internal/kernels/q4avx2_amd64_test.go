//go:build amd64 && !purego

package kernels

import (
	"math/rand/v2"
	"slices"
	"testing"
)

// TestQ4AVX2EqualsVNNI: the AVX2 4-bit kernels (VPMADDUBSW) give every
// output bit for bit what the AVX512_VNNI kernels (VPDPBUSD) give: the
// same exact lane sums, then the same float arithmetic in two halves.
func TestQ4AVX2EqualsVNNI(t *testing.T) {
	if !slices.Contains(Available(), ImplAVX512) || !familyOf(ImplAVX512, false).nativeQ4 {
		t.Skip("needs the avx512 family with AVX512_VNNI")
	}
	rng := rand.New(rand.NewPCG(93, 94))
	p512, p256 := NewPoolImpl(2, ImplAVX512), NewPoolImpl(2, ImplAVX2)
	defer p512.Close()
	defer p256.Close()
	for _, T := range []int{1, 2, 5, 16} {
		for _, kn := range [][2]int{{64, 4}, {128, 33}, {1024, 70}, {4608, 9}} {
			K, N := kn[0], kn[1]
			w := randQ4(rng, N, K)
			x := randF32(rng, T*K)
			a, b := make([]float32, T*N), make([]float32, T*N)
			p512.MatMul(a, x, T, &w)
			p256.MatMul(b, x, T, &w)
			for i := range a {
				if a[i] != b[i] {
					t.Fatalf("T=%d K=%d N=%d element %d: avx2 %v, avx512 %v", T, K, N, i, b[i], a[i])
				}
			}
		}
	}
}
