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

// The element-wise steps of ops.go: with vec, the whole multiples of the
// vector width go through AVX-512 (bit-identical to the Go loops) and the
// rest through Go.

func sumSquares8(s *[8]float64, x []float32, vec bool) int {
	if !vec || len(x) < 8 {
		return sumSquares8Go(s, x)
	}
	n := len(x) &^ 7
	sumSquares512(s, &x[0], n)
	return n
}

func scaleMul(dst, x, w []float32, inv float32, vec bool) {
	n := 0
	if vec && len(dst) >= 16 {
		n = len(dst) &^ 15
		_, _ = x[n-1], w[n-1]
		scaleMul512(&dst[0], &x[0], &w[0], inv, n)
	}
	scaleMulGo(dst[n:], x[n:], w[n:], inv)
}

func mul(dst, a, b []float32, vec bool) { binaryOp(dst, a, b, vec, mul512, mulGo) }

func mulAdd(dst, a, b []float32, vec bool) { binaryOp(dst, a, b, vec, mulAdd512, mulAddGo) }

// binaryOp runs kernel over the whole multiples of 16 and spec over the rest.
func binaryOp(dst, a, b []float32, vec bool, kernel func(dst, a, b *float32, n int), spec func(dst, a, b []float32)) {
	n := 0
	if vec && len(dst) >= 16 {
		n = len(dst) &^ 15
		_, _ = a[n-1], b[n-1]
		kernel(&dst[0], &a[0], &b[0], n)
	}
	spec(dst[n:], a[n:], b[n:])
}

func add(dst, src []float32, vec bool) {
	n := 0
	if vec && len(dst) >= 16 {
		n = len(dst) &^ 15
		_ = src[n-1]
		add512(&dst[0], &src[0], n)
	}
	addGo(dst[n:], src[n:])
}

func rope(lo, hi, cos, sin []float32, vec bool) {
	n := 0
	if vec && len(lo) >= 16 {
		n = len(lo) &^ 15
		_, _, _ = hi[n-1], cos[n-1], sin[n-1]
		rope512(&lo[0], &hi[0], &cos[0], &sin[0], n)
	}
	ropeGo(lo[n:], hi[n:], cos[n:], sin[n:])
}
