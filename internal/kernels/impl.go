package kernels

import (
	"fmt"
	"os"
	"strings"
)

// Impl names a family of matmul kernels. Every kernel of one family gives a
// dot product the same accumulation order, so results are batch invariant
// within a family; families differ from each other by float rounding only.
type Impl string

const (
	ImplGo     Impl = "purego" // the specification, on any CPU
	ImplAVX2   Impl = "avx2"   // AVX2 + FMA
	ImplAVX512 Impl = "avx512" // AVX-512F
	ImplAMX    Impl = "amx"    // AVX-512F, with bf16 matmuls on the AMX tile unit
	// ImplAVX512BF16 is AVX-512F with bf16 matmuls on VDPBF16PS (AVX512_BF16).
	ImplAVX512BF16 Impl = "avx512bf16"

	// ImplNEON is arm64 Advanced SIMD: f32 FMLA on widened bf16.
	ImplNEON Impl = "neon"
	// ImplNEONDot is NEON with 4-bit weights on SDOT (FEAT_DotProd).
	ImplNEONDot Impl = "neon-dotprod"
	// ImplNEONBF16 is NEON with SDOT, and bf16 matmuls on BFDOT (FEAT_BF16).
	ImplNEONBF16 Impl = "neon-bf16"
)

// Available lists the families this CPU and build can run, best first.
func Available() []Impl { return availableImpls() }

// chooseImpl picks the family $LFM2_KERNELS names, or the best one: when
// the name is not a family this CPU and build can run, the best one and
// an error saying so (front ends warn with it; the work goes on).
func chooseImpl() (Impl, error) {
	avail := Available()
	want := Impl(os.Getenv("LFM2_KERNELS"))
	if want == "" {
		return avail[0], nil
	}
	for _, a := range avail {
		if a == want {
			return a, nil
		}
	}
	return avail[0], fmt.Errorf("LFM2_KERNELS=%s is not available here (have %s); using %s", want, joinImpls(avail), avail[0])
}

// CheckRequested reports, as an error, a family $LFM2_KERNELS names that
// this CPU or build cannot run (NewPool then uses the best one); nil when
// the variable is unset or names an available family.
func CheckRequested() error {
	_, err := chooseImpl()
	return err
}

func joinImpls(impls []Impl) string {
	names := make([]string, len(impls))
	for i, im := range impls {
		names[i] = string(im)
	}
	return strings.Join(names, ", ")
}
