package kernels

// vectorElems sets f's element-wise steps to the kernels given, which take
// width floats a step: the whole multiples of the width go through them
// (bit-identical to the Go loops), the rest through Go.
func vectorElems(f *family, width int, k elemKernels) {
	f.sumSquares8 = k.sumSquares
	f.scaleMul = func(dst, x, w []float32, inv float32) {
		n := len(dst) / width * width
		if n > 0 {
			_, _ = x[n-1], w[n-1]
			k.scaleMul(&dst[0], &x[0], &w[0], inv, n)
		}
		scaleMulGo(dst[n:], x[n:], w[n:], inv)
	}
	f.mul = func(dst, a, b []float32) { binaryOp(dst, a, b, width, k.mul, mulGo) }
	f.mulAdd = func(dst, a, b []float32) { binaryOp(dst, a, b, width, k.mulAdd, mulAddGo) }
	f.add = func(dst, src []float32) {
		n := len(dst) / width * width
		if n > 0 {
			_ = src[n-1]
			k.add(&dst[0], &src[0], n)
		}
		addGo(dst[n:], src[n:])
	}
	f.rope = func(lo, hi, cos, sin []float32) {
		n := len(lo) / width * width
		if n > 0 {
			_, _, _ = hi[n-1], cos[n-1], sin[n-1]
			k.rope(&lo[0], &hi[0], &cos[0], &sin[0], n)
		}
		ropeGo(lo[n:], hi[n:], cos[n:], sin[n:])
	}
}

// elemKernels are one vector width's element-wise kernels.
type elemKernels struct {
	sumSquares func(x []float32) ([8]float64, int)
	scaleMul   func(dst, x, w *float32, inv float32, n int)
	mul        func(dst, a, b *float32, n int)
	mulAdd     func(dst, a, b *float32, n int)
	add        func(dst, src *float32, n int)
	rope       func(lo, hi, cos, sin *float32, n int)
}

// binaryOp runs the kernel over the whole multiples of width and spec over
// the rest.
func binaryOp(dst, a, b []float32, width int, kernel func(dst, a, b *float32, n int), spec func(dst, a, b []float32)) {
	n := len(dst) / width * width
	if n > 0 {
		_, _ = a[n-1], b[n-1]
		kernel(&dst[0], &a[0], &b[0], n)
	}
	spec(dst[n:], a[n:], b[n:])
}
