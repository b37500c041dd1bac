package kernels

import (
	"math"
	"math/rand/v2"
	"testing"
)

// The split must carry x to within 2⁻¹⁷ of itself, with hi the bf16 that
// PyTorch would round x to.
func TestSplitBF16(t *testing.T) {
	rng := rand.New(rand.NewPCG(41, 42))
	for i := 0; i < 100000; i++ {
		x := float32(rng.NormFloat64() * math.Pow(2, float64(rng.IntN(40)-20)))
		hi, lo := splitBF16(x)
		if hi != F32ToBF16(x) {
			t.Fatalf("%v: hi %#x, want %#x", x, hi, F32ToBF16(x))
		}
		sum := float64(math.Float32frombits(uint32(hi)<<16)) + float64(math.Float32frombits(uint32(lo)<<16))
		if e := math.Abs(sum - float64(x)); e > math.Abs(float64(x))*math.Pow(2, -17) {
			t.Fatalf("%v: hi+lo = %v, error %g", x, sum, e)
		}
	}
}

// packAMXFast (AVX-512 where the AMX family exists) must write exactly what
// packAMX, the specification, writes, for every tile range and row count.
func TestPackAMXFastMatchesSpecification(t *testing.T) {
	rng := rand.New(rand.NewPCG(43, 44))
	special := []float32{0, float32(math.Copysign(0, -1)), 1, -1, 1e-40, -3e-39, float32(math.Inf(1)),
		float32(math.Inf(-1)), math.MaxFloat32, math.Float32frombits(0x3f808000), math.Float32frombits(0x3f818000)}
	for _, shape := range [][2]int{{1, 32}, {3, 64}, {8, 1024}, {9, 96}, {17, 4608 / 16}} {
		T, K := shape[0], shape[1]
		x := randF32(rng, T*K)
		for i := range special {
			x[rng.IntN(len(x))] = special[i]
		}
		ksteps := K / 32
		tiles := (T + amxBlock - 1) / amxBlock * ksteps
		want, got := make([]uint64, tiles*amxStep/4), make([]uint64, tiles*amxStep/4)
		for i := range got {
			got[i] = 0xdeadbeef // rows past T must be cleared
		}
		packAMX(want, x, T, K, 0, tiles)
		for u := 0; u < tiles; {
			n := min(tiles-u, 1+rng.IntN(5))
			packAMXFast(got, x, T, K, u, u+n)
			u += n
		}
		for i := range want {
			if got[i] != want[i] {
				t.Fatalf("T=%d K=%d: qword %d is %#x, want %#x", T, K, i, got[i], want[i])
			}
		}
	}
}
