package kernels

import (
	"math"
	"math/rand/v2"
	"testing"
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
	formatTests(t, weightFormat{name: "int8", seed: [2]uint64{53, 54}, ts: []int{1, 3, 4, 9},
		shapes: [][2]int{{32, 4}, {96, 33}, {1024, 20}},
		make: func(rng *rand.Rand, rows, cols int) Mat {
			src, _ := NewMatBF16(rows, cols, randBF16(rng, rows*cols))
			w, _ := QuantizeQ8(&src)
			return w
		},
		want: gemmDequantized})
}
