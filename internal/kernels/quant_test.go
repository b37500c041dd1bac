package kernels

import (
	"math"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas32"
)

func TestQuantizeQ8ErrorBound(t *testing.T) {
	rng := rand.New(rand.NewPCG(51, 52))
	w, _ := NewMatF32(7, 96, randF32(rng, 7*96))
	q, err := QuantizeQ8(&w)
	if err != nil {
		t.Fatal(err)
	}
	row := make([]float32, 96)
	for r := 0; r < 7; r++ {
		q.Row(row, r)
		for c, v := range row {
			scale := float64(q.Scales[r*3+c/32])
			if d := math.Abs(float64(v - w.F32[r*96+c])); d > scale/2+1e-7 {
				t.Fatalf("row %d col %d: |dequant − w| = %g > scale/2 = %g", r, c, d, scale/2)
			}
		}
	}
	if _, err := QuantizeQ8(&Mat{Rows: 1, Cols: 33, F32: make([]float32, 33)}); err == nil {
		t.Fatal("quantized a row that is not a whole number of blocks")
	}
	if got := q.Bytes(); got != 7*96+7*3*4 {
		t.Fatalf("Bytes = %d", got)
	}
}

func TestQ8MatMul(t *testing.T) {
	for _, impl := range Available() {
		t.Run(string(impl), func(t *testing.T) {
			rng := rand.New(rand.NewPCG(53, 54))
			p := NewPoolImpl(2, impl)
			defer p.Close()
			for _, T := range []int{1, 3, 4, 9} {
				for _, kn := range [][2]int{{32, 4}, {96, 33}, {1024, 20}} {
					K, N := kn[0], kn[1]
					src, _ := NewMatBF16(N, K, randBF16(rng, N*K))
					w, _ := QuantizeQ8(&src)
					deq := make([]float32, N*K)
					for r := 0; r < N; r++ {
						w.Row(deq[r*K:(r+1)*K], r)
					}
					x := randF32(rng, T*K)
					got := make([]float32, T*N)
					p.MatMul(got, x, T, &w)
					want := blas32.General{Rows: T, Cols: N, Stride: N, Data: make([]float32, T*N)}
					blas32.Gemm(blas.NoTrans, blas.Trans, 1, blas32.General{Rows: T, Cols: K, Stride: K, Data: x},
						blas32.General{Rows: N, Cols: K, Stride: K, Data: deq}, 0, want)
					for i := range got {
						if d := math.Abs(float64(got[i] - want.Data[i])); d > tol(K, 0.05) {
							t.Fatalf("T=%d K=%d N=%d: element %d off by %g", T, K, N, i, d)
						}
					}
				}
			}
			// Batch invariance: a row alone equals the same row in a batch.
			src, _ := NewMatBF16(37, 256, randBF16(rng, 37*256))
			w, _ := QuantizeQ8(&src)
			x := randF32(rng, 16*256)
			all, one := make([]float32, 16*37), make([]float32, 37)
			p.MatMul(all, x, 16, &w)
			p.MatMul(one, x[9*256:10*256], 1, &w)
			for n := range one {
				if one[n] != all[9*37+n] {
					t.Fatalf("row 9 col %d: alone %v, batched %v", n, one[n], all[9*37+n])
				}
			}
			if a := testing.AllocsPerRun(20, func() { p.MatMul(all, x, 16, &w) }); a != 0 {
				t.Fatalf("int8 MatMul allocates %v times", a)
			}
		})
	}
}
