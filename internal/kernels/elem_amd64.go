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

func elems512() elemKernels {
	return elemKernels{sumSquares8AVX512, scaleMul512, mul512, mulAdd512, add512, rope512}
}

// sumSquares8AVX512 is sumSquares8Go in AVX-512.
func sumSquares8AVX512(x []float32) (s [8]float64, n int) {
	n = len(x) &^ 7
	if n > 0 {
		sumSquares512(&s, &x[0], n)
	}
	return s, n
}

// sumSquares8AVX2 is sumSquares8Go in AVX2.
func sumSquares8AVX2(x []float32) (s [8]float64, n int) {
	n = len(x) &^ 7
	if n > 0 {
		sumSquares256(&s, &x[0], n)
	}
	return s, n
}

func elems256() elemKernels {
	return elemKernels{sumSquares8AVX2, scaleMul256, mul256, mulAdd256, add256, rope256}
}

//go:noescape
func roundAct8_512(x *float32, q *int8, corr *int32, scale *float32, blocks int)

// roundAct8AVX512 is roundAct8Go with AVX-512 (act8_amd64.s).
func roundAct8AVX512(x []float32, q []int8, corr []int32, scale []float32) {
	if n := len(x) / Q8Block; n > 0 {
		roundAct8_512(&x[0], &q[0], &corr[0], &scale[0], n)
	}
}

//go:noescape
func roundActK_512(x *float32, q *int8, scale *float32, kq *int8, kf *float32, ki *int32, blocks int)

// roundActKAVX512 is roundActKGo with AVX-512 (act8_amd64.s).
func roundActKAVX512(x []float32, q []int8, scale []float32, kq []int8, kf []float32, ki []int32) {
	if n := len(x) / Q8Block; n > 0 {
		roundActK_512(&x[0], &q[0], &scale[0], &kq[0], &kf[0], &ki[0], n)
	}
}

//go:noescape
func roundAct8_256(x *float32, q *int8, corr *int32, scale *float32, blocks int)

// roundAct8AVX2 is roundAct8Go with AVX2 (act8avx2_amd64.s).
func roundAct8AVX2(x []float32, q []int8, corr []int32, scale []float32) {
	if n := len(x) / Q8Block; n > 0 {
		roundAct8_256(&x[0], &q[0], &corr[0], &scale[0], n)
	}
}

//go:noescape
func roundActK_256(x *float32, q *int8, scale *float32, kq *int8, kf *float32, ki *int32, blocks int)

// roundActKAVX2 is roundActKGo with AVX2 (act8avx2_amd64.s).
func roundActKAVX2(x []float32, q []int8, scale []float32, kq []int8, kf []float32, ki []int32) {
	if n := len(x) / Q8Block; n > 0 {
		roundActK_256(&x[0], &q[0], &scale[0], &kq[0], &kf[0], &ki[0], n)
	}
}

//go:noescape
func roundAct16_256(x *float32, q *int16, hi *int8, lo *uint8, scale *float32, corr *int32, sum *float32, off16 *int32, blocks int)

// roundAct16AVX2 is roundAct16Go with AVX2 (act8avx2_amd64.s).
func roundAct16AVX2(x []float32, q []int16, hi []int8, lo []uint8, scale []float32, corr []int32, sum []float32, off16 []int32) {
	if n := len(x) / Q8Block; n > 0 {
		_, _, _, _ = q[n*Q8Block-1], hi[n*Q8Block-1], lo[n*Q8Block-1], off16[2*n-1]
		_, _, _ = scale[n-1], corr[n-1], sum[n-1]
		roundAct16_256(&x[0], &q[0], &hi[0], &lo[0], &scale[0], &corr[0], &sum[0], &off16[0], n)
	}
}
