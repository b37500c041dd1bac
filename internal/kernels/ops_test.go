package kernels

import (
	"math"
	"math/rand/v2"
	"testing"
)

// specials are values the element-wise kernels must treat exactly as Go does.
var specials = []float32{0, float32(math.Copysign(0, -1)), 1, -1, float32(math.Inf(1)), float32(math.Inf(-1)),
	math.SmallestNonzeroFloat32, -math.SmallestNonzeroFloat32, math.MaxFloat32, 1e-20, -3e18}

// randWithSpecials is n random floats with the special values sprinkled in.
func randWithSpecials(rng *rand.Rand, n int) []float32 {
	x := randF32(rng, n)
	for i := range x {
		if rng.IntN(10) == 0 {
			x[i] = specials[rng.IntN(len(specials))]
		}
	}
	return x
}

func sameBits(a, b []float32) int {
	for i := range a {
		if math.Float32bits(a[i]) != math.Float32bits(b[i]) && !(math.IsNaN(float64(a[i])) && math.IsNaN(float64(b[i]))) {
			return i
		}
	}
	return -1
}

// TestElementwiseFamiliesMatchSpecification: every family's Mul, RMSNorm,
// RoPE, CausalConv and Add give bit for bit what the Go specification
// gives, on lengths below, at and past the vector width.
func TestElementwiseFamiliesMatchSpecification(t *testing.T) {
	rng := rand.New(rand.NewPCG(51, 52))
	for _, impl := range Available() {
		p := NewPoolImpl(2, impl)
		for _, n := range []int{1, 7, 8, 15, 16, 17, 31, 64, 100, 1024, 1029, 40000} {
			a, b := randWithSpecials(rng, n), randWithSpecials(rng, n)

			want, got := make([]float32, n), make([]float32, n)
			Mul(want, a, b)
			p.Mul(got, a, b)
			if i := sameBits(want, got); i >= 0 {
				t.Fatalf("%s Mul n=%d at %d: %v, want %v", impl, n, i, got[i], want[i])
			}

			copy(want, a)
			copy(got, a)
			Add(want, b)
			p.Add(got, b)
			if i := sameBits(want, got); i >= 0 {
				t.Fatalf("%s Add n=%d at %d: %v, want %v", impl, n, i, got[i], want[i])
			}

			x := randF32(rng, n) // finite, so the statistic is
			for i := range x {
				x[i] *= float32(math.Ldexp(1, rng.IntN(40)-20))
			}
			RMSNorm(want, x, b, 1e-5)
			p.RMSNorm(got, x, b, 1e-5)
			if i := sameBits(want, got); i >= 0 {
				t.Fatalf("%s RMSNorm n=%d at %d: %v, want %v", impl, n, i, got[i], want[i])
			}

			if n%2 == 0 {
				cos, sin := randF32(rng, n/2), randF32(rng, n/2)
				copy(want, a)
				copy(got, a)
				RoPE(want, cos, sin)
				p.RoPE(got, cos, sin)
				if i := sameBits(want, got); i >= 0 {
					t.Fatalf("%s RoPE n=%d at %d: %v, want %v", impl, n, i, got[i], want[i])
				}
			}

			if n <= 1029 {
				const L, T = 3, 5
				y, taps := randWithSpecials(rng, T*n), randF32(rng, L*n)
				st0 := randF32(rng, (L-1)*n)
				wantZ, gotZ := make([]float32, T*n), make([]float32, T*n)
				wantSt, gotSt := append([]float32(nil), st0...), append([]float32(nil), st0...)
				CausalConv(wantZ, y, wantSt, taps, T, n, L)
				p.CausalConv(gotZ, y, gotSt, taps, T, n, L)
				if i := sameBits(wantZ, gotZ); i >= 0 {
					t.Fatalf("%s CausalConv n=%d at %d: %v, want %v", impl, n, i, gotZ[i], wantZ[i])
				}
				if i := sameBits(wantSt, gotSt); i >= 0 {
					t.Fatalf("%s CausalConv state n=%d at %d", impl, n, i)
				}
			}
		}
		p.Close()
	}
}

// TestRMSNormAgainstDefinition checks the specification itself against
// the formula in float64.
func TestRMSNormAgainstDefinition(t *testing.T) {
	rng := rand.New(rand.NewPCG(53, 54))
	for _, n := range []int{1, 5, 64, 1024, 1030} {
		x, w := randF32(rng, n), randF32(rng, n)
		got := make([]float32, n)
		RMSNorm(got, x, w, 1e-5)
		var ss float64
		for _, v := range x {
			ss += float64(v) * float64(v)
		}
		inv := 1 / math.Sqrt(ss/float64(n)+1e-5)
		for i := range x {
			want := float64(w[i]) * float64(x[i]) * inv
			if math.Abs(float64(got[i])-want) > 1e-6*(1+math.Abs(want)) {
				t.Fatalf("n=%d i=%d: %v, want %v", n, i, got[i], want)
			}
		}
	}
}

func TestElementwiseAllocatesNothing(t *testing.T) {
	p := NewPool(2)
	defer p.Close()
	a, b, taps := make([]float32, 1024), make([]float32, 1024), make([]float32, 3*1024)
	state := make([]float32, 2*1024)
	if n := testing.AllocsPerRun(20, func() {
		p.Mul(a, a, b)
		p.Add(a, b)
		p.RMSNorm(a, a, b, 1e-5)
		p.RoPE(a[:64], b[:32], b[32:64])
		p.CausalConv(a, b, state, taps, 1, 1024, 3)
	}); n != 0 {
		t.Fatalf("element-wise ops allocate %v times per round", n)
	}
}
