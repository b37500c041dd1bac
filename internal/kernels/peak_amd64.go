//go:build amd64 && !purego

package kernels

// The loops of peak_amd64.s (see multiplyAddLoop).

//go:noescape
func peakDP512(iters int)

//go:noescape
func peakFMA512(iters int)

//go:noescape
func peakFMA256(iters int)

func fma256Loop() multiplyAddLoop {
	return multiplyAddLoop{name: "VFMADD231PS (256-bit)", run: peakFMA256, macs: 12 * 8, perProduct: 1}
}

func fma512Loop() multiplyAddLoop {
	return multiplyAddLoop{name: "VFMADD231PS (512-bit)", run: peakFMA512, macs: 12 * 16, perProduct: 1}
}

// avx2Peak: every float format's products are 256-bit FMAs in the AVX2
// family (bf16 and f16 widened to f32 first).
func avx2Peak(f Format) (multiplyAddLoop, bool) {
	switch f {
	case FormatBF16, FormatF16, FormatF32:
		return fma256Loop(), true
	}
	return multiplyAddLoop{}, false
}

// avx512Peak: the AVX-512 family's bf16 and f16 tiles are 512-bit FMAs;
// f32 weights take the AVX2 dot (avx512MatKernel).
func avx512Peak(f Format) (multiplyAddLoop, bool) {
	switch f {
	case FormatBF16, FormatF16:
		return fma512Loop(), true
	case FormatF32:
		return fma256Loop(), true
	}
	return multiplyAddLoop{}, false
}

// avx512bf16Peak: bf16 weights on VDPBF16PS, two of its multiply-adds a
// product in the exact tier; the rest as in the AVX-512 family.
func avx512bf16Peak(fast bool) func(Format) (multiplyAddLoop, bool) {
	dp := multiplyAddLoop{name: "VDPBF16PS (512-bit)", run: peakDP512, macs: 12 * 32, perProduct: 1}
	if !fast {
		dp.name, dp.perProduct = "VDPBF16PS (512-bit), two a product (exact: an activation's high and low halves)", 2
	}
	return func(f Format) (multiplyAddLoop, bool) {
		if f == FormatBF16 {
			return dp, true
		}
		return avx512Peak(f)
	}
}

// amxPeak: the AMX tiles (TDPBF16PS) have no loop here (no AMX machine to
// calibrate it on); the rest as in the AVX-512 family.
func amxPeak(f Format) (multiplyAddLoop, bool) {
	if f == FormatBF16 {
		return multiplyAddLoop{}, false
	}
	return avx512Peak(f)
}
