//go:build !purego

package kernels

import (
	"math/rand/v2"
	"testing"

	"golang.org/x/sys/cpu"
)

// TestAct16Kernels: the AVX2 family without AVX-VNNI computes Q8_0, Q4_K
// and Q6_K panels on int16 activations exactly as their specifications do,
// whatever tile a row meets (four or three rows, one row, a partial last
// panel), and a row's result is the same alone as in any batch.
func TestAct16Kernels(t *testing.T) {
	if !cpu.X86.HasAVX2 || !cpu.X86.HasFMA {
		t.Skip("needs AVX2 and FMA")
	}
	rng := rand.New(rand.NewPCG(103, 104))
	p := newPool(1, avx2FamilyWith(false), true)
	defer p.Close()
	for _, f := range []Format{FormatQ8Panels, FormatQ4K, FormatQ6K} {
		for _, tk := range [][3]int{{1, 256, 16}, {5, 1024, 40}, {9, 4608, 20}, {4, 512, 33}, {7, 256, 48}} {
			T, K, N := tk[0], tk[1], tk[2]
			var w Mat
			if f == FormatQ8Panels {
				w = randQ8Panels(rng, N, K) // every int8, −128 too
			} else {
				w = randKQuant(rng, f, N, K)
			}
			checkAct16(t, p, f, &w, randF32(rng, T*K), T)
		}
	}
}

// checkAct16 runs T rows of x through w in one call and one by one, and
// holds every output to the specification bit for bit.
func checkAct16(t *testing.T, p *Pool, f Format, w *Mat, x []float32, T int) {
	t.Helper()
	N, K := w.Rows, w.Cols
	got := make([]float32, T*N)
	p.MatMul(got, x, T, w)
	var a act16
	a.prepare(x, T, K)
	spec := act16Spec(f)
	alone := make([]float32, N)
	for r := 0; r < T; r++ {
		p.MatMul(alone, x[r*K:(r+1)*K], 1, w)
		for n := 0; n < N; n++ {
			want := spec(&a, r, w, n)
			if got[r*N+n] != want || alone[n] != want {
				t.Fatalf("%s T=%d K=%d row %d output %d: batch %v, alone %v, specification %v", f, T, K, r, n, got[r*N+n], alone[n], want)
			}
		}
	}
}

// TestAct16ExtremeSums: weights at their extremes (Q8_0 all −128 or all
// 127, Q4_K all 15 with the largest scales, Q6_K all 0 or all 63 with
// scales −128 and 127) against activations all at
// ±32767 (every lane sum at its largest): still the specification's.
func TestAct16ExtremeSums(t *testing.T) {
	if !cpu.X86.HasAVX2 || !cpu.X86.HasFMA {
		t.Skip("needs AVX2 and FMA")
	}
	const N, K, T = 16, 512, 5
	p := newPool(1, avx2FamilyWith(false), true)
	defer p.Close()
	var ws []Mat
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
		ws = append(ws, w)
	}
	nsb := N * K / KQuantBlock
	q, d, dmin, scales, mins := make([]uint8, N*K), make([]uint16, nsb), make([]uint16, nsb), make([]int8, nsb*8), make([]uint8, nsb*8)
	for i := range q {
		q[i] = 15
	}
	for i := range d {
		d[i], dmin[i] = F32ToF16(0.001), F32ToF16(0.002)
	}
	for i := range scales {
		scales[i], mins[i] = 63, 63
	}
	w, err := newMatKQuantWhole(FormatQ4K, N, K, q, d, dmin, scales, mins)
	if err != nil {
		t.Fatal(err)
	}
	ws = append(ws, w)
	q6, s6 := make([]uint8, N*K), make([]int8, nsb*16)
	for _, qv := range []uint8{0, 63} {
		for i := range q6 {
			q6[i] = qv
		}
		for i := range s6 {
			s6[i] = int8(127 - 255*(i%2)) // 127, −128 alternately
		}
		w, err := newMatKQuantWhole(FormatQ6K, N, K, q6, d, nil, s6, nil)
		if err != nil {
			t.Fatal(err)
		}
		ws = append(ws, w)
	}
	for i := range ws {
		for _, sign := range []float32{1, -1} {
			x := make([]float32, T*K)
			for j := range x {
				x[j] = sign * 0.75
			}
			checkAct16(t, p, ws[i].PanelFormat, &ws[i], x, T)
		}
	}
}
