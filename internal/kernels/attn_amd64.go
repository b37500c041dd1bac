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

// swiglu is the family's SwiGLU over one chunk.
func (p *Pool) swiglu(dst, gate, up []float32) {
	n := len(dst)
	m := 0
	if p.impl.hasAVX512() && n >= 16 {
		m = n &^ 15
		swiglu512(&dst[0], &gate[0], &up[0], m)
	}
	SwiGLU(dst[m:], gate[m:n], up[m:n])
}

// attnScores is the family's score tile (see attnScoresGo).
func (p *Pool) attnScores(s, qt, k []float32, d, kstride int) {
	if !p.impl.hasAVX512() || d%8 != 0 {
		attnScoresGo(s, qt, k, d, kstride)
		return
	}
	_, _, _ = s[lanes*lanes-1], qt[lanes*d-1], k[(lanes-1)*kstride+d-1]
	attnScores512(&s[0], &qt[0], &k[0], d, kstride)
}

// attnSoftmax is the family's online-softmax step (see attnSoftmaxGo).
func (p *Pool) attnSoftmax(s, m, l, mult []float32, masks *[lanes]uint16) {
	if !p.impl.hasAVX512() {
		attnSoftmaxGo(s, m, l, mult, masks)
		return
	}
	_, _, _, _ = s[lanes*lanes-1], m[lanes-1], l[lanes-1], mult[lanes-1]
	attnSoftmax512(&s[0], &m[0], &l[0], &mult[0], &masks[0])
}

// attnAccum is the family's accumulation tile (see attnAccumGo).
func (p *Pool) attnAccum(ot, pr, v, mult []float32, d, vstride int) {
	if !p.impl.hasAVX512() || d%8 != 0 {
		attnAccumGo(ot, pr, v, mult, d, vstride)
		return
	}
	_, _, _, _ = ot[lanes*d-1], pr[lanes*lanes-1], v[(lanes-1)*vstride+d-1], mult[lanes-1]
	attnAccum512(&ot[0], &pr[0], &v[0], &mult[0], d, vstride)
}
