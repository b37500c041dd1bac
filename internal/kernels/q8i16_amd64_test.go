//go:build !purego

package kernels

import (
	"math/rand/v2"
	"testing"

	"golang.org/x/sys/cpu"
)

// TestQ8PanelsInt16Kernels: the AVX2 family without AVX-VNNI computes Q8_0
// panels on int16 activations exactly as dotQ8PanelsI16Go does, whatever
// tile a row meets (four rows, one row, a partial last panel), and a row's
// result is the same alone as in any batch.
func TestQ8PanelsInt16Kernels(t *testing.T) {
	if !cpu.X86.HasAVX2 || !cpu.X86.HasFMA {
		t.Skip("needs AVX2 and FMA")
	}
	rng := rand.New(rand.NewPCG(103, 104))
	p := newPool(1, avx2FamilyWith(false), true)
	defer p.Close()
	for _, tk := range [][3]int{{1, 256, 16}, {5, 1024, 40}, {9, 4608, 20}, {4, 512, 33}} {
		T, K, N := tk[0], tk[1], tk[2]
		w := randQ8Panels(rng, N, K) // every int8, −128 too
		x := randF32(rng, T*K)
		got := make([]float32, T*N)
		p.MatMul(got, x, T, &w)
		var a act16
		a.prepare(x, T, K)
		alone := make([]float32, N)
		for r := 0; r < T; r++ {
			p.MatMul(alone, x[r*K:(r+1)*K], 1, &w)
			for n := 0; n < N; n++ {
				want := dotQ8PanelsI16Go(&a, r, &w, n)
				if got[r*N+n] != want || alone[n] != want {
					t.Fatalf("T=%d K=%d row %d output %d: batch %v, alone %v, specification %v", T, K, r, n, got[r*N+n], alone[n], want)
				}
			}
		}
	}
}

// TestQ8PanelsInt16ExtremeSums: weights all −128 or all 127 against
// activations all at ±32767 (every lane sum at its largest): still the
// specification's integers.
func TestQ8PanelsInt16ExtremeSums(t *testing.T) {
	if !cpu.X86.HasAVX2 || !cpu.X86.HasFMA {
		t.Skip("needs AVX2 and FMA")
	}
	const N, K = 16, 512
	p := newPool(1, avx2FamilyWith(false), true)
	defer p.Close()
	for _, q := range []byte{0x80, 0x7f} {
		blocks := make([]byte, N*K/Q8Block*Q8Block0)
		for b := 0; b < len(blocks); b += Q8Block0 {
			s := F32ToF16(0.01)
			blocks[b], blocks[b+1] = byte(s), byte(s>>8)
			for j := 2; j < Q8Block0; j++ {
				blocks[b+j] = q
			}
		}
		w, err := NewMatQ8Panels(N, K, blocks)
		if err != nil {
			t.Fatal(err)
		}
		for _, sign := range []float32{1, -1} {
			x := make([]float32, 5*K)
			for i := range x {
				x[i] = sign * 0.75
			}
			got := make([]float32, 5*N)
			p.MatMul(got, x, 5, &w)
			var a act16
			a.prepare(x, 5, K)
			for i := range got {
				want := dotQ8PanelsI16Go(&a, i/N, &w, i%N)
				if want == 0 || got[i] != want {
					t.Fatalf("weights %#x, sign %v, output %d: %v, specification %v", q, sign, i, got[i], want)
				}
			}
		}
	}
}
