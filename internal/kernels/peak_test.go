package kernels

import (
	"math"
	"testing"
)

// MatMulPeak has a loop for the float formats in every x86 family with
// vector kernels for them, none for the integer formats, none for the AMX
// tiles' bf16 and none in the pure-Go and arm64 families; the exact tier
// of the bf16-pair kernels counts two of its multiply-adds a product.
func TestMatMulPeak(t *testing.T) {
	looped := map[Impl]bool{ImplAVX2: true, ImplAVX512: true, ImplAVX512BF16: true, ImplAMX: true}
	float := map[Format]bool{FormatF32: true, FormatBF16: true, FormatF16: true}
	formats := []Format{FormatF32, FormatBF16, FormatF16, FormatInt8, FormatInt8Affine, FormatQ4,
		FormatQ4Affine, FormatQ4K, FormatQ5K, FormatQ6K, FormatQ8Panels}
	for _, impl := range Available() {
		for _, fast := range []bool{false, true} {
			p := NewPoolTier(2, impl, fast)
			for _, f := range formats {
				flops, name, ok := p.MatMulPeak(f, 1)
				want := looped[impl] && float[f] && !(impl == ImplAMX && f == FormatBF16)
				if ok != want {
					t.Errorf("%s fast=%v %s: loop %v, want %v", impl, fast, f, ok, want)
				}
				if ok && (!(flops > 0) || math.IsInf(flops, 0) || name == "") {
					t.Errorf("%s fast=%v %s: %g FLOP/s of %q", impl, fast, f, flops, name)
				}
			}
			if impl == ImplAVX512BF16 {
				loop, _ := p.fam.peakLoop(FormatBF16)
				if want := map[bool]int{false: 2, true: 1}[fast]; loop.perProduct != want {
					t.Errorf("avx512bf16 fast=%v: %d multiply-adds a product, want %d", fast, loop.perProduct, want)
				}
			}
			p.Close()
		}
	}
}
