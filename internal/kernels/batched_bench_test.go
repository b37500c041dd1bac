package kernels

import (
	"fmt"
	"math/rand/v2"
	"testing"
)

// BenchmarkMatMulBatchedCold: batched decode's matmuls (T = 4…16
// activation rows, one per sequence) over 128 M weights of each storage
// format (more than any cache holds), in each tier of the best family (or
// $LFM2_KERNELS'). GFLOP/s says how near a call is to the kernel's
// arithmetic peak (BenchmarkMatMulPrefill*), MB/s how near to the memory's.
func BenchmarkMatMulBatchedCold(b *testing.B) {
	impl, err := chooseImpl()
	if err != nil {
		b.Fatal(err)
	}
	const K = 1024
	N := 128 << 20 / K
	mats := randFormats(rand.New(rand.NewPCG(1, 1)), N, K)
	for _, fast := range []bool{false, true} {
		if fast && !familyOf(impl, true).fast {
			continue
		}
		tier := map[bool]string{false: "exact", true: "fast"}[fast]
		p := NewPoolTier(0, impl, fast)
		for _, format := range []string{"bf16", "int8", "q8_0", "q4_k", "q4"} {
			w := mats[format]
			for _, T := range []int{4, 8, 16} {
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
