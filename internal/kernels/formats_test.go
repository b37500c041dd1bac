package kernels

import (
	"math"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas32"
)

// weightFormat describes a quantized weight format for formatTests.
type weightFormat struct {
	name   string
	seed   [2]uint64
	ts     []int    // activation row counts
	shapes [][2]int // K, N
	make   func(rng *rand.Rand, rows, cols int) Mat
	// want is the expected x·Wᵀ [T×N]; wantIn, if set, instead, where it
	// depends on the kernel family.
	want   func(w *Mat, x []float32, T int) []float64
	wantIn func(fam *family, w *Mat, x []float32, T int) []float64
}

// gemmDequantized is x·Wᵀ on W's dequantized rows with gonum's float32 gemm.
func gemmDequantized(w *Mat, x []float32, T int) []float64 {
	K, N := w.Cols, w.Rows
	deq := make([]float32, N*K)
	for r := 0; r < N; r++ {
		w.Row(deq[r*K:(r+1)*K], r)
	}
	out := blas32.General{Rows: T, Cols: N, Stride: N, Data: make([]float32, T*N)}
	blas32.Gemm(blas.NoTrans, blas.Trans, 1, blas32.General{Rows: T, Cols: K, Stride: K, Data: x},
		blas32.General{Rows: N, Cols: K, Stride: K, Data: deq}, 0, out)
	res := make([]float64, len(out.Data))
	for i, v := range out.Data {
		res[i] = float64(v)
	}
	return res
}

// formatTests runs what every weight format's kernels must pass, in every
// kernel family: MatMul equals the format's reference on ragged shapes; a
// row alone equals the same row in a batch; a call allocates nothing.
func formatTests(t *testing.T, f weightFormat) {
	for _, impl := range Available() {
		t.Run(string(impl), func(t *testing.T) {
			rng := rand.New(rand.NewPCG(f.seed[0], f.seed[1]))
			p := NewPoolImpl(2, impl)
			defer p.Close()
			for _, T := range f.ts {
				for _, kn := range f.shapes {
					K, N := kn[0], kn[1]
					w := f.make(rng, N, K)
					x := randF32(rng, T*K)
					got := make([]float32, T*N)
					p.MatMul(got, x, T, &w)
					var want []float64
					if f.wantIn != nil {
						want = f.wantIn(&p.fam, &w, x, T)
					} else {
						want = f.want(&w, x, T)
					}
					for i := range got {
						if d := math.Abs(float64(got[i]) - want[i]); d > tol(K, 0.05) {
							t.Fatalf("%s T=%d K=%d N=%d: element %d = %v, want %v", f.name, T, K, N, i, got[i], want[i])
						}
					}
				}
			}
			w := f.make(rng, 37, 256)
			x := randF32(rng, 16*256)
			all, one := make([]float32, 16*37), make([]float32, 37)
			p.MatMul(all, x, 16, &w)
			p.MatMul(one, x[9*256:10*256], 1, &w)
			for n := range one {
				if one[n] != all[9*37+n] {
					t.Fatalf("%s row 9 col %d: alone %v, batched %v", f.name, n, one[n], all[9*37+n])
				}
			}
			if a := testing.AllocsPerRun(20, func() { p.MatMul(all, x, 16, &w) }); a != 0 {
				t.Fatalf("%s MatMul allocates %v times", f.name, a)
			}
		})
	}
}
