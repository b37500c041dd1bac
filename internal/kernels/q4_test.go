package kernels

import (
	"math"
	"math/rand/v2"
	"testing"
)

// randQ4 makes a 4-bit matrix with random nibbles and scales.
func randQ4(rng *rand.Rand, rows, cols int) Mat {
	nib := make([]byte, rows*cols/2)
	for i := range nib {
		nib[i] = byte(rng.IntN(256))
	}
	sc := make([]float32, rows*cols/32)
	for i := range sc {
		sc[i] = rng.Float32() * 0.02
	}
	m, err := NewMatQ4(rows, cols, nib, sc)
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
	for _, impl := range Available() {
		t.Run(string(impl), func(t *testing.T) {
			rng := rand.New(rand.NewPCG(71, 72))
			p := NewPoolImpl(2, impl)
			defer p.Close()
			for _, T := range []int{1, 3, 4, 5, 9} {
				for _, kn := range [][2]int{{64, 4}, {192, 33}, {1024, 20}, {256, 7}} {
					K, N := kn[0], kn[1]
					w := randQ4(rng, N, K)
					deq := make([]float32, K)
					x := randF32(rng, T*K)
					got := make([]float32, T*N)
					p.MatMul(got, x, T, &w)
					for tt := 0; tt < T; tt++ {
						xr := roundQ8(x[tt*K : (tt+1)*K])
						for n := 0; n < N; n++ {
							w.Row(deq, n)
							var want float64
							for k := range deq {
								want += float64(deq[k]) * xr[k]
							}
							if d := math.Abs(float64(got[tt*N+n]) - want); d > tol(K, 0.05) {
								t.Fatalf("T=%d K=%d N=%d: (%d,%d) = %v, want %v", T, K, N, tt, n, got[tt*N+n], want)
							}
						}
					}
				}
			}
			w := randQ4(rng, 37, 256)
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
				t.Fatalf("4-bit MatMul allocates %v times", a)
			}
		})
	}
}
