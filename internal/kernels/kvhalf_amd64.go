//go:build amd64 && !purego

package kernels

import "golang.org/x/sys/cpu"

//go:noescape
func f32ToF16F16C(dst *uint16, src *float32, n int)

//go:noescape
func widenRowsF16C(dst *float32, src *uint16, stride, rows, d int)

// useF16C gives an x86 family the F16C kernels of f16 KV cache rows,
// where the CPU has F16C (every AVX2 CPU this project knows of; checked
// all the same, since the two are separate CPUID bits).
func useF16C(f *family) {
	if !cpu.X86.HasF16C {
		return
	}
	f.features = append(f.features, "F16C")
	f.toF16 = f32ToF16AVX2
	f.toF32, f.widenRows = widenKernels(widenRowsF16C)
}

// f32ToF16AVX2 is f32ToF16Go, eight values at a time.
func f32ToF16AVX2(dst []uint16, src []float32) {
	n := len(src) &^ 7
	if n > 0 {
		_ = dst[n-1]
		f32ToF16F16C(&dst[0], &src[0], n)
	}
	if n < len(src) {
		f32ToF16Go(dst[n:], src[n:])
	}
}
