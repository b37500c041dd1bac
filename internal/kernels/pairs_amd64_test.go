//go:build amd64 && !purego

package kernels

import (
	"math/rand/v2"
	"testing"
)

// TestPairKernelsMatchSpecification: the VDPBF16PS kernels and the packing
// in AVX-512 give bit for bit what their Go specifications give (values in
// the normal range: the instruction flushes subnormals, see dotPairsGo),
// in every tile shape and both tiers.
func TestPairKernelsMatchSpecification(t *testing.T) {
	if !hasAVX512BF16() {
		t.Skip("no AVX512_BF16 here")
	}
	rng := rand.New(rand.NewPCG(63, 64))
	for _, exact := range []bool{true, false} {
		for _, K := range []int{32, 64, 1024, 4608} {
			x := randF32(rng, 8*K)
			w := randBF16(rng, 8*K)
			stride := pairsPerRow(K, exact)
			want, got := make([]uint32, 8*stride), make([]uint32, 8*stride)
			for r := 0; r < 8; r++ {
				packPairsGo(want[r*stride:(r+1)*stride], x[r*K:(r+1)*K], exact)
			}
			packPairs(got, x, K, 0, 8, exact)
			for i := range want {
				if got[i] != want[i] {
					t.Fatalf("exact=%v K=%d: packed dword %d is %#x, want %#x", exact, K, i, got[i], want[i])
				}
			}
			spec := func(r, c int) float32 {
				return dotPairsGo(want[r*stride:(r+1)*stride], w[c*K:(c+1)*K], exact)
			}
			chunks := K / pairChunk
			var o48 [48]float32 // two 8×3 tiles side by side: weight rows 0–5
			var o16 [16]float32
			var o8, o4 [8]float32
			var o1 float32
			if exact {
				dpExact8x3(&got[0], stride, &w[0], K, chunks, &o48[0], 6, nil, 0, 2, 6*K)
				dpExact8x1(&got[0], stride, &w[3*K], chunks, &o8[0], 1)
				dpExact4x4(&got[0], stride, &w[0], K, chunks, &o16[0], 4)
				dpExact1x4(&got[stride], &w[0], K, chunks, 2, &o4[0])
				o1 = dpExact1x1(&got[3*stride], &w[2*K], chunks)
			} else {
				dpFast8x3(&got[0], stride, &w[0], K, chunks, &o48[0], 6, nil, 0, 2, 6*K)
				dpFast8x1(&got[0], stride, &w[3*K], chunks, &o8[0], 1)
				dpFast4x4(&got[0], stride, &w[0], K, chunks, &o16[0], 4)
				dpFast1x4(&got[stride], &w[0], K, chunks, 2, &o4[0])
				o1 = dpFast1x1(&got[3*stride], &w[2*K], chunks)
			}
			for r := 0; r < 8; r++ {
				for c := 0; c < 6; c++ {
					if o48[6*r+c] != spec(r, c) {
						t.Fatalf("exact=%v K=%d 8x3 (%d,%d): %v, want %v", exact, K, r, c, o48[6*r+c], spec(r, c))
					}
				}
				if o8[r] != spec(r, 3) {
					t.Fatalf("exact=%v K=%d 8x1 %d: %v, want %v", exact, K, r, o8[r], spec(r, 3))
				}
			}
			// The 8×3 tile over blocks of chunks (one chunk, then the rest
			// in two), its accumulators parked between them, as runPairs
			// calls it on wide rows: the same dot.
			var b48 [48]float32
			var parked [2 * pairTileAcc]float32
			t8x3 := pairTilesFor(exact).t8x3
			perChunk := pairsPerRow(pairChunk, exact)
			for _, blk := range [][2]int{{0, 1}, {1, 1 + (chunks-1)/2}, {1 + (chunks-1)/2, chunks}} {
				mode := 0
				if blk[0] > 0 {
					mode |= accLoad
				}
				if blk[1] < chunks {
					mode |= accKeep
				}
				if blk[1] > blk[0] {
					t8x3(&got[blk[0]*perChunk], stride, &w[blk[0]*pairChunk], K, blk[1]-blk[0], &b48[0], 6, &parked[0], mode, 2, 6*K)
				}
			}
			if b48 != o48 {
				t.Fatalf("exact=%v K=%d: 8x3 over blocks of chunks gives %v, in one pass %v", exact, K, b48, o48)
			}
			for r := 0; r < 4; r++ {
				for c := 0; c < 4; c++ {
					if o16[4*r+c] != spec(r, c) {
						t.Fatalf("exact=%v K=%d 4x4 (%d,%d): %v, want %v", exact, K, r, c, o16[4*r+c], spec(r, c))
					}
				}
			}
			for c := 0; c < 8; c++ { // two tiles of rows {0,2,4,6}, {1,3,5,7} in one call
				if o4[c] != spec(1, c) {
					t.Fatalf("exact=%v K=%d 1x4 %d: %v, want %v", exact, K, c, o4[c], spec(1, c))
				}
			}
			if o1 != spec(3, 2) {
				t.Fatalf("exact=%v K=%d 1x1: %v, want %v", exact, K, o1, spec(3, 2))
			}
		}
	}
}
