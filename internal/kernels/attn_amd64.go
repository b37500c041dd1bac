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

//go:noescape
func attnAccumN256(ot, p, v, scale *float32, d, vstride int)

//go:noescape
func attnScoresQ256(s, qt, k *float32, d, kstride int)

//go:noescape
func attnScoresQH256(s, qt *float32, k *uint16, d, kstride int)

//go:noescape
func attnScoresP256(s, qt, k *float32, d, kstride int)

//go:noescape
func attnAccumP256(ot, p, v, scale *float32, d, vstride int)

//go:noescape
func attnScoresPH256(s, qt *float32, k *uint16, d, kstride int)

//go:noescape
func attnAccumPH256(ot, p *float32, v *uint16, scale *float32, d, vstride int)

//go:noescape
func attnAccumNH256(ot, p *float32, v *uint16, scale *float32, d, vstride int)

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

//go:noescape
func attnScoresN512(s, qt, k *float32, d, kstride int)

//go:noescape
func attnAccumN512(ot, p, v, scale *float32, d, vstride int)

//go:noescape
func attnSoftmaxN512(s, m, l, mult *float32, masks *uint16)

//go:noescape
func attnScoresNH512(s, qt *float32, k *uint16, d, kstride int)

//go:noescape
func attnAccumNH512(ot, p *float32, v *uint16, scale *float32, d, vstride int)

//go:noescape
func attnScoresP512(s, qt, k *float32, d, kstride int)

//go:noescape
func attnAccumP512(ot, p, v, scale *float32, d, vstride int)

//go:noescape
func attnScoresPH512(s, qt *float32, k *uint16, d, kstride int)

//go:noescape
func attnAccumPH512(ot, p *float32, v *uint16, scale *float32, d, vstride int)

// attnAVX2 puts the AVX2 attention tiles in f: 16 lanes of ymm pairs, and
// for decode keys in the lanes (scores), the softmax step on lanes 0–7,
// and head dimensions in the lanes (accumulation).
func attnAVX2(f *family) {
	f.attnScores = scoreTile(attnScores256, 8, attnScoresGo)
	f.attnSoftmax = softmaxStep(func(s, m, l, mult *float32, masks *uint16) { attnSoftmax256(s, m, l, mult, masks, 64) })
	f.attnAccum = accumTile(attnAccum256, 8, lanes, attnAccumGo)
	f.attnSoftmaxNarrow = softmaxStep(func(s, m, l, mult *float32, masks *uint16) { attnSoftmax256(s, m, l, mult, masks, 32) })
	f.attnNarrow = []narrowTiles{
		narrowSet(2, 8, 32, attnScoresP256, attnAccumP256, attnScoresPH256, attnAccumPH256),
		narrowSet(narrowLanes, 8, 32, attnScoresQ256, attnAccumN256, attnScoresQH256, attnAccumNH256),
	}
}

// attnAVX512 puts the AVX-512 attention tiles in f: a query a lane, and
// for decode keys (scores, softmax) or head dimensions (accumulation) in
// the lanes.
func attnAVX512(f *family) {
	f.attnScores = scoreTile(attnScores512, 8, attnScoresGo)
	f.attnSoftmax = softmaxStep(attnSoftmax512)
	f.attnAccum = accumTile(attnAccum512, 8, lanes, attnAccumGo)
	// LFM2-350M's two query heads a kv head take the pair tiles, which
	// leave out the products of two empty lanes: on Zen 4 BenchmarkAttendDecode
	// 12.0–13.4 → 10.1–10.7 µs, the cold step (…Cold, heads4) 5–15% less.
	// The pair's score tile is bound by its two chains of FMAs in order j
	// (the 16-lane tile's order), not by the products left out.
	f.attnSoftmaxNarrow = softmaxStep(attnSoftmaxN512)
	f.attnNarrow = []narrowTiles{
		narrowSet(2, 16, 32, attnScoresP512, attnAccumP512, attnScoresPH512, attnAccumPH512),
		narrowSet(narrowLanes, 16, 32, attnScoresN512, attnAccumN512, attnScoresNH512, attnAccumNH512),
	}
}
