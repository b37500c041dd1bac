package kernels

import (
	"math"
	"math/rand/v2"
	"testing"
)

// randQ4 makes a 4-bit matrix with random nibbles and scales.
func randQ4(rng *rand.Rand, rows, cols int) Mat {
	blocks := make([]byte, rows*cols/32*Q4Block)
	for i := 0; i < len(blocks); i += Q4Block {
		s := F32ToF16(rng.Float32() * 0.02)
		blocks[i], blocks[i+1] = byte(s), byte(s>>8)
		for j := 2; j < Q4Block; j++ {
			blocks[i+j] = byte(rng.IntN(256))
		}
	}
	m, err := NewMatQ4(rows, cols, blocks)
	if err != nil {
		panic(err)
	}
	return m
}

// roundQ8 is the fast tier's activation rounding, written from its
// definition (llama.cpp's x86 quantize_row_q8_0: per 32, q =
// round-half-even(x·127/amax), scale amax/127 in half precision).
func roundQ8(x []float32) []float64 {
	out := make([]float64, len(x))
	for b := 0; b < len(x)/32; b++ {
		var amax float32
		for _, v := range x[b*32 : b*32+32] {
			amax = max(amax, float32(math.Abs(float64(v))))
		}
		d := F16ToF32(F32ToF16(amax / 127))
		id := float32(0)
		if amax != 0 {
			id = 127 / amax
		}
		for j := b * 32; j < b*32+32; j++ {
			out[j] = math.RoundToEven(float64(x[j]*id)) * float64(d)
		}
	}
	return out
}

// Every family computes, for 4-bit weights, the dot of the dequantized
// weights with the int8-rounded activations; batch invariant, no allocation.
func TestQ4MatMul(t *testing.T) {
	formatTests(t, weightFormat{name: "4-bit", seed: [2]uint64{71, 72}, ts: []int{1, 3, 4, 5, 9},
		shapes: [][2]int{{64, 4}, {192, 33}, {1024, 20}, {256, 7}}, make: randQ4,
		want: func(w *Mat, x []float32, T int) []float64 {
			K, N := w.Cols, w.Rows
			out := make([]float64, T*N)
			deq := make([]float32, K)
			for t := 0; t < T; t++ {
				xr := roundQ8(x[t*K : (t+1)*K])
				for n := 0; n < N; n++ {
					w.Row(deq, n)
					for k := range deq {
						out[t*N+n] += float64(deq[k]) * xr[k]
					}
				}
			}
			return out
		}})
}
