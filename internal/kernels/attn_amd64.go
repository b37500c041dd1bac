//go:build amd64 && !purego

package kernels

//go:noescape
func attnScores512(s, qt, k *float32, d int)

//go:noescape
func attnAccum512(ot, p, v, scale *float32, d int)

//go:noescape
func exp512(x *float32, n int)

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

func (p *Pool) attnKernels() attnKernels {
	if !p.impl.hasAVX512() {
		return attnKernels{attnScoresGo, attnAccumGo, expGo}
	}
	return attnKernels{
		scores: func(s, qt, k []float32, d int) {
			if d%8 != 0 {
				attnScoresGo(s, qt, k, d)
				return
			}
			attnScores512(&s[0], &qt[0], &k[0], d)
		},
		accum: func(ot, pr, v, mult []float32, d int) {
			if d%8 != 0 {
				attnAccumGo(ot, pr, v, mult, d)
				return
			}
			attnAccum512(&ot[0], &pr[0], &v[0], &mult[0], d)
		},
		exp: func(x []float32) { exp512(&x[0], len(x)) },
	}
}
