package kernels

import (
	"fmt"
	"math/rand/v2"
	"testing"
)

// TestBatchedDecodeBlocksAreInvariant: batched decode's matmuls hand the
// kernels their range in blocks (batchBlockRows), the fast tier's
// bf16-pair tiles take five to seven rows left past the eights as one
// padded 8×3 tile (pairRows), and two eights or more take the weights in
// spans of tiles (runPairs8x3). With blocks made small here, so that a
// range is many blocks and a last partial one, every row of a batch of
// 2–24 still equals, bit for bit, the same row computed alone (one block
// per range, one row), in every format, family and tier; K = 1100 also
// has columns past the last whole chunk, and takes the 8×3 tiles over two
// blocks of chunks where the L1 size is unknown and in one pass where it
// is too small for blocks (pairBlockFor).
func TestBatchedDecodeBlocksAreInvariant(t *testing.T) {
	const N, maxT = 200, 24
	rng := rand.New(rand.NewPCG(41, 42))
	for _, K := range []int{512, 1100} {
		mats := map[string]Mat{}
		if K%KQuantBlock == 0 {
			mats = randFormats(rng, N, K)
		} else {
			mats["bf16"], _ = NewMatBF16(N, K, randBF16(rng, N*K))
		}
		mats["f32"], _ = NewMatF32(N, K, randF32(rng, N*K))
		x := randF32(rng, maxT*K)
		for _, ft := range familyTiers() {
			for _, l1d := range []int{0, 1} { // the 8×3 tiles' rows in blocks, and whole
				p := NewPoolTier(2, ft.impl, ft.fast)
				p.batchBlock = 1 // 48 rows a block
				p.l1d = l1d
				for name, w := range mats {
					alone := make([]float32, maxT*N)
					for r := 0; r < maxT; r++ {
						p.MatMul(alone[r*N:(r+1)*N], x[r*K:(r+1)*K], 1, &w)
					}
					for _, T := range []int{2, 3, 5, 6, 7, 9, 13, 15, 16, 17, 21, 23, maxT} {
						got := make([]float32, T*N)
						p.MatMul(got, x[:T*K], T, &w)
						for i, v := range got {
							if v != alone[i] {
								t.Fatalf("%s %s K=%d (L1 %d), %d rows: row %d element %d is %v, alone %v", ft.name, name, K, l1d, T, i/N, i%N, v, alone[i])
							}
						}
					}
				}
				p.Close()
			}
		}
	}
}

// BenchmarkMatMulBatchedCold: batched decode's matmuls (T = 1…16
// activation rows, one per sequence) over 128 M weights of each storage
// format (more than any cache holds), in each tier of the best family (or
// $LFM2_KERNELS'). GFLOP/s says how near a call is to the kernel's
// arithmetic peak (BenchmarkMatMulPrefill*), MB/s how near to the memory's;
// against T = 1, the time a row more costs.
func BenchmarkMatMulBatchedCold(b *testing.B) {
	const K = 1024
	mats := randFormats(rand.New(rand.NewPCG(1, 1)), 128<<20/K, K)
	benchBatchedCold(b, mats, []string{"bf16", "int8", "q8_0", "q4_k", "q4"}, []int{1, 2, 3, 4, 8, 16})
}

// BenchmarkMatMulBatchedColdDown is BenchmarkMatMulBatchedCold for bf16
// rows as wide as the FFN down projection's (K = 4608), whose activation
// rows are too many for the weights-outer order at 8 and 16 rows.
func BenchmarkMatMulBatchedColdDown(b *testing.B) {
	const K = 4608
	N := 128 << 20 / K / 48 * 48
	w, _ := NewMatBF16(N, K, randBF16(rand.New(rand.NewPCG(1, 1)), N*K))
	benchBatchedCold(b, map[string]Mat{"bf16": w}, []string{"bf16"}, []int{8, 16})
}

// benchBatchedCold times MatMul of T random activation rows by each of
// formats' matrices in mats, in each tier of the best family.
func benchBatchedCold(b *testing.B, mats map[string]Mat, formats []string, Ts []int) {
	impl, err := chooseImpl()
	if err != nil {
		b.Fatal(err)
	}
	for _, fast := range []bool{false, true} {
		if fast && !familyOf(impl, true).fast {
			continue
		}
		tier := map[bool]string{false: "exact", true: "fast"}[fast]
		p := NewPoolTier(0, impl, fast)
		for _, format := range formats {
			w := mats[format]
			N, K := w.Rows, w.Cols
			for _, T := range Ts {
				b.Run(fmt.Sprintf("%s/%s/T%d", format, tier, T), func(b *testing.B) {
					x := randF32(rand.New(rand.NewPCG(2, 2)), T*K)
					dst := make([]float32, T*N)
					b.SetBytes(w.Bytes())
					for i := 0; i < b.N; i++ {
						p.MatMul(dst, x, T, &w)
					}
					b.ReportMetric(float64(2*T*K*N)*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
				})
			}
		}
		p.Close()
	}
}
