package kernels

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

// TestAct16Rounding: each value comes back within half a step of its
// block's scale, the block's largest exactly ±32767, and the correction
// is 128·Σq.
func TestAct16Rounding(t *testing.T) {
	rng := rand.New(rand.NewPCG(16, 17))
	x := randF32(rng, 4*Q8Block)
	x[5] = 0
	copy(x[2*Q8Block:3*Q8Block], make([]float32, Q8Block)) // an all-zero block
	var a act16
	a.prepare(x, 1, len(x))
	for b := 0; b < 4; b++ {
		var sum, peak int32
		for j := 0; j < Q8Block; j++ {
			i := b*Q8Block + j
			q := int32(a.q[i])
			sum += q
			peak = max(peak, q, -q)
			if d := math.Abs(float64(x[i]) - float64(q)*float64(a.scale[b])); d > 0.5001*float64(a.scale[b]) {
				t.Fatalf("x[%d] = %v rounds to %d × %v", i, x[i], q, a.scale[b])
			}
		}
		if a.corr[b] != 128*sum {
			t.Fatalf("block %d: correction %d, want %d", b, a.corr[b], 128*sum)
		}
		if want := int32(32767); b != 2 && peak != want || b == 2 && peak != 0 {
			t.Fatalf("block %d: largest |q| %d", b, peak)
		}
	}
}

// TestRoundAct16MatchesSpecification: every family rounds int16
// activations exactly as roundAct16Go (values, bytes, scales, sums):
// random blocks of several magnitudes, a block of zeros, a block whose
// values are halfway cases (amax 32767, so that x·32767/amax is x itself:
// 2.5 → 2, −0.5 → 0, 1.5 → 2), and a block with a negative largest value.
func TestRoundAct16MatchesSpecification(t *testing.T) {
	const blocks = 40
	n := blocks * Q8Block
	x := roundingBlocks(rand.New(rand.NewPCG(161, 162)), blocks)
	half := x[7*Q8Block : 8*Q8Block]
	for i := range half {
		half[i] = float32(i%8) - 3.5
	}
	half[0], half[1], half[2], half[3] = 32767, 2.5, -0.5, 1.5
	x[9*Q8Block+3] = -1e4 // the block's largest, negative
	type rounded struct {
		q           []int16
		hi          []int8
		lo          []uint8
		scale, sum  []float32
		corr, off16 []int32
	}
	round := func(f func(x []float32, q []int16, hi []int8, lo []uint8, scale []float32, corr []int32, sum []float32, off16 []int32)) rounded {
		r := rounded{make([]int16, n), make([]int8, n), make([]uint8, n), make([]float32, blocks), make([]float32, blocks), make([]int32, blocks), make([]int32, 2*blocks)}
		f(x, r.q, r.hi, r.lo, r.scale, r.corr, r.sum, r.off16)
		return r
	}
	want := round(roundAct16Go)
	if h := want.q[7*Q8Block : 8*Q8Block]; h[1] != 2 || h[2] != 0 || h[3] != 2 {
		t.Fatalf("specification: halfway cases 2.5, -0.5, 1.5 gave %d, %d, %d", h[1], h[2], h[3])
	}
	for _, impl := range Available() {
		got := round(familyOf(impl, false).roundAct16)
		if !slices.Equal(got.q, want.q) || !slices.Equal(got.hi, want.hi) || !slices.Equal(got.lo, want.lo) ||
			!slices.Equal(got.scale, want.scale) || !slices.Equal(got.sum, want.sum) ||
			!slices.Equal(got.corr, want.corr) || !slices.Equal(got.off16, want.off16) {
			t.Errorf("%s: int16 rounding differs from the specification", impl)
		}
	}
}

// TestAct16SpecificationsAreNearExact: the int16 specifications (Q8_0,
// Q4_K, Q6_K) stay within their rounding bound of the exact dot of the
// dequantized weights (float64): half an activation step per product,
// plus float32 accumulation.
func TestAct16SpecificationsAreNearExact(t *testing.T) {
	rng := rand.New(rand.NewPCG(18, 19))
	const N, K = 20, 1024
	x := randF32(rng, 2*K)
	var a act16
	a.prepare(x, 2, K)
	for _, c := range []struct {
		w    Mat
		row  func([]float32, *Mat, int)
		spec func(*act16, int, *Mat, int) float32
	}{
		{randQ8Panels(rng, N, K), dequantRowQ8Panels, dotQ8PanelsI16Go},
		{randKQuant(rng, FormatQ4K, N, K), dequantRowKQuant, dotQ4KI16Go},
		{randKQuant(rng, FormatQ6K, N, K), dequantRowKQuant, dotQ6KI16Go},
	} {
		checkNearExact16(t, &a, x, &c.w, c.row, c.spec)
	}
}

// checkNearExact16 holds spec's dots of both rows of a with every row of w
// to the float64 dot of x with the dequantized row.
func checkNearExact16(t *testing.T, a *act16, x []float32, w *Mat, dequant func([]float32, *Mat, int), spec func(*act16, int, *Mat, int) float32) {
	t.Helper()
	N, K := w.Rows, w.Cols
	row := make([]float32, K)
	for r := 0; r < 2; r++ {
		for n := 0; n < N; n++ {
			dequant(row, w, n)
			var exact, bound, mag float64
			for i := 0; i < K; i++ {
				exact += float64(row[i]) * float64(x[r*K+i])
				bound += math.Abs(float64(row[i])) * 0.5 * float64(a.scale[r*K/Q8Block+i/Q8Block])
				mag += math.Abs(float64(row[i]) * float64(x[r*K+i]))
			}
			got := float64(spec(a, r, w, n))
			// Q6_K's specification accumulates per 16 weights.
			steps := K / 16
			if d := math.Abs(got - exact); d > bound*1.001+mag*float64(steps)*0x1p-23 {
				t.Fatalf("%s row %d, weight row %d: %v, exact %v (bound %.3g)", w.PanelFormat, r, n, got, exact, bound)
			}
		}
	}
}

// act16Format reports whether the AVX2 family without AVX-VNNI computes
// format f on int16 activations.
func act16Format(f Format) bool {
	return f == FormatQ8Panels || f == FormatQ4K || f == FormatQ6K
}

// act16Spec is the specification of format f's kernels on int16
// activations.
func act16Spec(f Format) func(a *act16, t int, w *Mat, n int) float32 {
	switch f {
	case FormatQ4K:
		return dotQ4KI16Go
	case FormatQ6K:
		return dotQ6KI16Go
	}
	return dotQ8PanelsI16Go
}
