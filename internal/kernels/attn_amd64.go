//go:build amd64 && !purego

package kernels

//go:noescape
func attnScores512(s, qt, k *float32, d, kstride int)

//go:noescape
func attnAccum512(ot, p, v, scale *float32, d, vstride int)

//go:noescape
func attnSoftmax512(s, m, l, mult *float32, masks *uint16)

//go:noescape
func swiglu512(dst, gate, up *float32, n int)

//go:noescape
func swiglu256(dst, gate, up *float32, n int)

// swigluAVX2 is SwiGLU over one chunk in AVX2.
func swigluAVX2(dst, gate, up []float32) {
	n := len(dst)
	m := 0
	if n >= 8 {
		m = n &^ 7
		_, _ = gate[m-1], up[m-1]
		swiglu256(&dst[0], &gate[0], &up[0], m)
	}
	SwiGLU(dst[m:], gate[m:n], up[m:n])
}

//go:noescape
func attnScores256(s, qt, k *float32, d, kstride int)

//go:noescape
func attnAccum256(ot, p, v, scale *float32, d, vstride int)

//go:noescape
func attnSoftmax256(s, m, l, mult *float32, masks *uint16, end int)

// attnSoftmaxAVX2 is the online-softmax step (see attnSoftmaxGo) in AVX2.
func attnSoftmaxAVX2(s, m, l, mult []float32, masks *[lanes]uint16) {
	_, _, _, _ = s[lanes*lanes-1], m[lanes-1], l[lanes-1], mult[lanes-1]
	attnSoftmax256(&s[0], &m[0], &l[0], &mult[0], &masks[0], 64)
}

// attnSoftmaxNarrowAVX2 is the online-softmax step for lanes 0–7 only
// (decode's few queries), each lane as attnSoftmaxAVX2 computes it.
func attnSoftmaxNarrowAVX2(s, m, l, mult []float32, masks *[lanes]uint16) {
	_, _, _, _ = s[lanes*lanes-1], m[lanes-1], l[lanes-1], mult[lanes-1]
	attnSoftmax256(&s[0], &m[0], &l[0], &mult[0], &masks[0], 32)
}

//go:noescape
func attnScoresHalf256(s, qt, k *float32, d, kstride int)

//go:noescape
func attnAccumN256(ot, p, v, scale *float32, d, vstride int)

// attnScoresNarrowAVX2 is the score tile for lanes 0–7 (see
// attnScoresNarrowGo) in AVX2.
func attnScoresNarrowAVX2(s, qt, k []float32, d, kstride int) {
	_, _, _ = s[lanes*lanes-1], qt[lanes*d-1], k[(lanes-1)*kstride+d-1]
	attnScoresHalf256(&s[0], &qt[0], &k[0], d, kstride)
}

// attnAccumNarrowAVX2 is the narrow accumulation tile (see
// attnAccumNarrowGo) in AVX2; d is a multiple of 16 (Attend checks).
func attnAccumNarrowAVX2(ot, pr, v, mult []float32, d, vstride int) {
	_, _, _, _ = ot[narrowLanes*d-1], pr[lanes*lanes-1], v[(lanes-1)*vstride+d-1], mult[narrowLanes-1]
	attnAccumN256(&ot[0], &pr[0], &v[0], &mult[0], d, vstride)
}

// attnScoresAVX2 is the score tile (see attnScoresGo) in AVX2.
func attnScoresAVX2(s, qt, k []float32, d, kstride int) {
	if d%8 != 0 {
		attnScoresGo(s, qt, k, d, kstride)
		return
	}
	_, _, _ = s[lanes*lanes-1], qt[lanes*d-1], k[(lanes-1)*kstride+d-1]
	attnScores256(&s[0], &qt[0], &k[0], d, kstride)
}

// attnAccumAVX2 is the accumulation tile (see attnAccumGo) in AVX2.
func attnAccumAVX2(ot, pr, v, mult []float32, d, vstride int) {
	if d%8 != 0 {
		attnAccumGo(ot, pr, v, mult, d, vstride)
		return
	}
	_, _, _, _ = ot[lanes*d-1], pr[lanes*lanes-1], v[(lanes-1)*vstride+d-1], mult[lanes-1]
	attnAccum256(&ot[0], &pr[0], &v[0], &mult[0], d, vstride)
}

// swigluAVX512 is SwiGLU over one chunk in AVX-512.
func swigluAVX512(dst, gate, up []float32) {
	n := len(dst)
	m := 0
	if n >= 16 {
		m = n &^ 15
		swiglu512(&dst[0], &gate[0], &up[0], m)
	}
	SwiGLU(dst[m:], gate[m:n], up[m:n])
}

// attnScoresAVX512 is the score tile (see attnScoresGo) in AVX-512.
func attnScoresAVX512(s, qt, k []float32, d, kstride int) {
	if d%8 != 0 {
		attnScoresGo(s, qt, k, d, kstride)
		return
	}
	_, _, _ = s[lanes*lanes-1], qt[lanes*d-1], k[(lanes-1)*kstride+d-1]
	attnScores512(&s[0], &qt[0], &k[0], d, kstride)
}

// attnSoftmaxAVX512 is the online-softmax step (see attnSoftmaxGo) in AVX-512.
func attnSoftmaxAVX512(s, m, l, mult []float32, masks *[lanes]uint16) {
	_, _, _, _ = s[lanes*lanes-1], m[lanes-1], l[lanes-1], mult[lanes-1]
	attnSoftmax512(&s[0], &m[0], &l[0], &mult[0], &masks[0])
}

// attnAccumAVX512 is the accumulation tile (see attnAccumGo) in AVX-512.
func attnAccumAVX512(ot, pr, v, mult []float32, d, vstride int) {
	if d%8 != 0 {
		attnAccumGo(ot, pr, v, mult, d, vstride)
		return
	}
	_, _, _, _ = ot[lanes*d-1], pr[lanes*lanes-1], v[(lanes-1)*vstride+d-1], mult[lanes-1]
	attnAccum512(&ot[0], &pr[0], &v[0], &mult[0], d, vstride)
}

//go:noescape
func attnScoresN512(s, qt, k *float32, d, kstride int)

//go:noescape
func attnAccumN512(ot, p, v, scale *float32, d, vstride int)

//go:noescape
func attnSoftmaxN512(s, m, l, mult *float32, masks *uint16)

// attnSoftmaxNarrowAVX512 is the online-softmax step for lanes 0–3 only
// (decode's few queries), each lane as attnSoftmaxAVX512 computes it.
func attnSoftmaxNarrowAVX512(s, m, l, mult []float32, masks *[lanes]uint16) {
	_, _, _, _ = s[lanes*lanes-1], m[lanes-1], l[lanes-1], mult[lanes-1]
	attnSoftmaxN512(&s[0], &m[0], &l[0], &mult[0], &masks[0])
}

// attnScoresNarrowAVX512 is the narrow score tile (see attnScoresNarrowGo)
// in AVX-512.
func attnScoresNarrowAVX512(s, qt, k []float32, d, kstride int) {
	if d%16 != 0 {
		attnScoresNarrowGo(s, qt, k, d, kstride)
		return
	}
	_, _, _ = s[lanes*lanes-1], qt[lanes*d-1], k[(lanes-1)*kstride+d-1]
	attnScoresN512(&s[0], &qt[0], &k[0], d, kstride)
}

// attnAccumNarrowAVX512 is the narrow accumulation tile (see
// attnAccumNarrowGo) in AVX-512.
func attnAccumNarrowAVX512(ot, pr, v, mult []float32, d, vstride int) {
	if d%32 != 0 {
		attnAccumNarrowGo(ot, pr, v, mult, d, vstride)
		return
	}
	_, _, _, _ = ot[narrowLanes*d-1], pr[lanes*lanes-1], v[(lanes-1)*vstride+d-1], mult[narrowLanes-1]
	attnAccumN512(&ot[0], &pr[0], &v[0], &mult[0], d, vstride)
}
