//go:build amd64 && !purego

package kernels

//go:noescape
func sumSquares512(s *[8]float64, x *float32, n int)

//go:noescape
func scaleMul512(dst, x, w *float32, inv float32, n int)

//go:noescape
func mul512(dst, a, b *float32, n int)

//go:noescape
func mulAdd512(dst, a, b *float32, n int)

//go:noescape
func add512(dst, src *float32, n int)

//go:noescape
func rope512(lo, hi, cos, sin *float32, n int)

//go:noescape
func sumSquares256(s *[8]float64, x *float32, n int)

//go:noescape
func scaleMul256(dst, x, w *float32, inv float32, n int)

//go:noescape
func mul256(dst, a, b *float32, n int)

//go:noescape
func mulAdd256(dst, a, b *float32, n int)

//go:noescape
func add256(dst, src *float32, n int)

//go:noescape
func rope256(lo, hi, cos, sin *float32, n int)

// The element-wise steps of ops.go in the family impl: the whole multiples
// of the vector width go through AVX-512 or AVX2 (bit-identical to the Go
// loops), the rest through Go.

// vecWidth is how many floats impl's element kernels take a step, 0 for none.
func vecWidth(impl Impl) int {
	switch {
	case impl.hasAVX512():
		return 16
	case impl == ImplAVX2:
		return 8
	}
	return 0
}

func sumSquares8(s *[8]float64, x []float32, impl Impl) int {
	n := len(x) &^ 7
	switch {
	case n == 0 || vecWidth(impl) == 0:
		return sumSquares8Go(s, x)
	case impl.hasAVX512():
		sumSquares512(s, &x[0], n)
	default:
		sumSquares256(s, &x[0], n)
	}
	return n
}

func scaleMul(dst, x, w []float32, inv float32, impl Impl) {
	n := 0
	if v := vecWidth(impl); v > 0 && len(dst) >= v {
		n = len(dst) / v * v
		_, _ = x[n-1], w[n-1]
		if v == 16 {
			scaleMul512(&dst[0], &x[0], &w[0], inv, n)
		} else {
			scaleMul256(&dst[0], &x[0], &w[0], inv, n)
		}
	}
	scaleMulGo(dst[n:], x[n:], w[n:], inv)
}

func mul(dst, a, b []float32, impl Impl) { binaryOp(dst, a, b, impl, mul512, mul256, mulGo) }

func mulAdd(dst, a, b []float32, impl Impl) {
	binaryOp(dst, a, b, impl, mulAdd512, mulAdd256, mulAddGo)
}

// binaryOp runs the family's kernel over the whole multiples of its width
// and spec over the rest.
func binaryOp(dst, a, b []float32, impl Impl, k512, k256 func(dst, a, b *float32, n int), spec func(dst, a, b []float32)) {
	n := 0
	if v := vecWidth(impl); v > 0 && len(dst) >= v {
		n = len(dst) / v * v
		_, _ = a[n-1], b[n-1]
		if v == 16 {
			k512(&dst[0], &a[0], &b[0], n)
		} else {
			k256(&dst[0], &a[0], &b[0], n)
		}
	}
	spec(dst[n:], a[n:], b[n:])
}

func add(dst, src []float32, impl Impl) {
	n := 0
	if v := vecWidth(impl); v > 0 && len(dst) >= v {
		n = len(dst) / v * v
		_ = src[n-1]
		if v == 16 {
			add512(&dst[0], &src[0], n)
		} else {
			add256(&dst[0], &src[0], n)
		}
	}
	addGo(dst[n:], src[n:])
}

func rope(lo, hi, cos, sin []float32, impl Impl) {
	n := 0
	if v := vecWidth(impl); v > 0 && len(lo) >= v {
		n = len(lo) / v * v
		_, _, _ = hi[n-1], cos[n-1], sin[n-1]
		if v == 16 {
			rope512(&lo[0], &hi[0], &cos[0], &sin[0], n)
		} else {
			rope256(&lo[0], &hi[0], &cos[0], &sin[0], n)
		}
	}
	ropeGo(lo[n:], hi[n:], cos[n:], sin[n:])
}
