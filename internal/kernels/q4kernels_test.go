package kernels

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

// TestQ4KernelsMatchSpecification: every family's 4-bit kernels give each
// output of dotQ4Go (to the last bit but for its rare double rounding,
// see fma32), for activation counts that use four-row kernels, one-row
// kernels and several activation blocks, and partial panels; and the
// families' kernels (VPDPBUSD, VPMADDUBSW, SDOT) are bit-identical.
func TestQ4KernelsMatchSpecification(t *testing.T) {
	impls := implsWith(func(f *family) bool { return f.nativeQ4 })
	if len(impls) == 0 {
		t.Skip("no family with 4-bit kernels on this CPU")
	}
	rng := rand.New(rand.NewPCG(93, 94))
	for _, tk := range [][3]int{{1, 64, 4}, {2, 128, 33}, {5, 1024, 70}, {16, 4608, 9}, {9, 32, 48}, {300, 1024, 40}, {1, 256, 200}, {3, 64, 300}, {206, 1024, 140}} {
		T, K, N := tk[0], tk[1], tk[2]
		w := randQ4(rng, N, K)
		checkFamiliesMatchSpec(t, "q4", impls, &w, randF32(rng, T*K), T)
	}
}

// implsWith lists the families this CPU runs, the specification aside,
// that have has.
func implsWith(has func(f *family) bool) []Impl {
	var impls []Impl
	for _, impl := range Available() {
		if f := familyOf(impl, false); impl != ImplGo && has(&f) {
			impls = append(impls, impl)
		}
	}
	return impls
}

// checkFamiliesMatchSpec holds every family of impls computing x·wᵀ (T
// rows of x) to the Go specification — to 4 ulps, for fma32's rare double
// rounding — and to each other bit for bit.
func checkFamiliesMatchSpec(t *testing.T, name string, impls []Impl, w *Mat, x []float32, T int) {
	t.Helper()
	N, K := w.Rows, w.Cols
	spec := NewPoolImpl(2, ImplGo)
	want := make([]float32, T*N)
	spec.MatMul(want, x, T, w)
	spec.Close()
	var first []float32
	for _, impl := range impls {
		p := NewPoolImpl(2, impl)
		got := make([]float32, T*N)
		p.MatMul(got, x, T, w)
		p.Close()
		for i := range got {
			ulp := math.Nextafter32(max(abs32(want[i]), 1e-30), float32(math.Inf(1))) - max(abs32(want[i]), 1e-30)
			if d := abs32(got[i] - want[i]); d > 4*ulp {
				t.Fatalf("%s %s T=%d K=%d N=%d element %d: %v, specification %v", name, impl, T, K, N, i, got[i], want[i])
			}
			if first != nil && got[i] != first[i] {
				t.Fatalf("%s T=%d K=%d N=%d element %d: %s %v, %s %v", name, T, K, N, i, impl, got[i], impls[0], first[i])
			}
		}
		first = got
	}
}

func abs32(v float32) float32 { return float32(math.Abs(float64(v))) }

// roundingBlocks is the activations the rounding tests start from:
// blocks of 32 random values at seven magnitudes (1e-3 … 1e3) in turn,
// block 5 all zeros; each test then writes its own cases into block 7.
func roundingBlocks(rng *rand.Rand, blocks int) []float32 {
	x := make([]float32, blocks*Q8Block)
	for i := range x {
		x[i] = float32(rng.NormFloat64()) * float32(math.Pow(10, float64(i/Q8Block%7-3)))
	}
	clear(x[5*Q8Block : 6*Q8Block])
	return x
}

// TestRoundAct8MatchesSpecification: every family rounds activations for
// the 4-bit kernels exactly as roundAct8Go: random blocks of several
// magnitudes, a block of zeros, and halfway cases (amax 127, so that
// x·127/amax is x itself: 2.5 → 2, 1.5 → 2, 3.5 → 4, −0.5 → 0).
func TestRoundAct8MatchesSpecification(t *testing.T) {
	const blocks = 40
	x := roundingBlocks(rand.New(rand.NewPCG(95, 96)), blocks)
	half := x[7*Q8Block : 8*Q8Block]
	for i := range half {
		half[i] = float32(i%8) - 3.5
	}
	half[0], half[1], half[2] = 127, 2.5, -0.5
	wantQ, wantC, wantS := make([]int8, len(x)), make([]int32, blocks), make([]float32, blocks)
	roundAct8Go(x, wantQ, wantC, wantS)
	if h := wantQ[7*Q8Block : 8*Q8Block]; h[1] != 2 || h[2] != 0 || h[5] != 2 || h[7] != 4 {
		t.Fatalf("specification: halfway cases 2.5, -0.5, 1.5, 3.5 gave %d, %d, %d, %d", h[1], h[2], h[5], h[7])
	}
	for _, impl := range Available() {
		q, c, s := make([]int8, len(x)), make([]int32, blocks), make([]float32, blocks)
		familyOf(impl, false).roundAct8(x, q, c, s)
		if !slices.Equal(q, wantQ) || !slices.Equal(c, wantC) || !slices.Equal(s, wantS) {
			t.Errorf("%s: rounding differs from the specification", impl)
		}
	}
}
