//go:build arm64 && !purego

package kernels

// The NEON kernels (elem_arm64.s, bf16_arm64.s); instructions Go's
// assembler lacks come from neon_arm64.h (package neonenc).

//go:noescape
func sumSquaresNEON(s *[8]float64, x *float32, n int)

//go:noescape
func scaleMulNEON(dst, x, w *float32, inv float32, n int)

//go:noescape
func mulNEON(dst, a, b *float32, n int)

//go:noescape
func mulAddNEON(dst, a, b *float32, n int)

//go:noescape
func addNEON(dst, src *float32, n int)

//go:noescape
func ropeNEON(lo, hi, cos, sin *float32, n int)

//go:noescape
func bf16Dot1x1NEON(x *float32, w *uint16, n int) float32

//go:noescape
func f32Dot1x1NEON(x, w *float32, n int) float32

//go:noescape
func bf16Dot4x1NEON(x *float32, stride int, w *uint16, n int, out *float32)

//go:noescape
func bf16Dot1x4qNEON(x *float32, w *uint16, k int, n int, q int, out *float32)

//go:noescape
func bf16Dot4x3NEON(x *float32, xs int, w *uint16, ws int, n int, out *float32)

// sumSquares8NEON is sumSquares8Go in NEON.
func sumSquares8NEON(x []float32) (s [8]float64, n int) {
	n = len(x) &^ 7
	if n > 0 {
		sumSquaresNEON(&s, &x[0], n)
	}
	return s, n
}

func elemsNEON() elemKernels {
	return elemKernels{sumSquares8NEON, scaleMulNEON, mulNEON, mulAddNEON, addNEON, ropeNEON}
}

// neonBF16 are the NEON family's bf16 tiles.
func neonBF16() bf16Tiles {
	return bf16Tiles{step: 8, t1x1: bf16Dot1x1NEON, t4x1: bf16Dot4x1NEON, q1x4: bf16Dot1x4qNEON, t4x3: bf16Dot4x3NEON}
}

// dotF32NEON is Σ x[i]·w[i]: dotGo's partial sums in NEON over the whole
// multiples of 8, the rest in Go.
func dotF32NEON(x, w []float32) float32 {
	n := len(w)
	x = x[:n]
	m := n &^ 7
	if m == 0 {
		return dotGo(x, w)
	}
	s := f32Dot1x1NEON(&x[0], &w[0], m)
	if m < n {
		s += dotGo(x[m:], w[m:])
	}
	return s
}

// rowsF32NEON computes rows of an f32 matrix with the NEON dot.
func (m *matmulTask) rowsF32NEON(_, lo, hi int) { m.rowsF32(lo, hi, dotF32NEON) }

func (m *matmulTask) rowsF16NEON(worker, lo, hi int) { m.rowsF16(worker, lo, hi, dotF32NEON) }

//go:noescape
func q8Dot1x1NEON(x *float32, q *int8, sc *float32, k int) float32

//go:noescape
func q8Dot1x4NEON(x *float32, q *int8, qs int, sc *float32, scs int, k int, out *float32, os int)

//go:noescape
func q8Dot4x1NEON(x *float32, xs int, q *int8, sc *float32, k int, out *float32, os int)

//go:noescape
func affineDot1x1NEON(x *float32, q *int8, sc *float32, k int) float32

//go:noescape
func affineDot1x4NEON(x *float32, q *int8, qs int, sc *float32, scs int, k int, out *float32, os int)

//go:noescape
func affineDot4x1NEON(x *float32, xs int, q *int8, sc *float32, k int, out *float32, os int)

// runInt8NEON computes rows [lo, hi) of an int8 or affine int8 matrix
// (q8_arm64.s): 4×1 tiles while four activation rows remain (each weight
// block dequantized once for four rows), then one activation row against
// four weight rows, the range walked in quarters (decode, see run512), and
// one against one. Every kernel gives an output the same arithmetic.
func (m *matmulTask) runInt8NEON(_, lo, hi int) {
	w := m.w
	K, N, T := w.Cols, w.Rows, m.T
	spr := K / Q8Block
	k41, k14, k11 := q8Dot4x1NEON, q8Dot1x4NEON, q8Dot1x1NEON
	sc := w.Scales
	if w.Format() == FormatInt8Affine {
		spr *= AffineFloats
		k41, k14, k11 = affineDot4x1NEON, affineDot1x4NEON, affineDot1x1NEON
		sc = w.Affine
	}
	eachTile(T, K, lo, hi, 1, func(t, n int) {
		k41(&m.x[t*K], K, &w.Q8[n*K], &sc[n*spr], K, &m.dst[t*N+n], N)
	})
	n4 := lo + (hi-lo)&^3
	q := (n4 - lo) / 4
	for t := T &^ 3; t < T; t++ {
		for i := 0; i < q; i++ {
			n := lo + i
			k14(&m.x[t*K], &w.Q8[n*K], q*K, &sc[n*spr], q*spr, K, &m.dst[t*N+n], q)
		}
		for n := n4; n < hi; n++ {
			m.dst[t*N+n] = k11(&m.x[t*K], &w.Q8[n*K], &sc[n*spr], K)
		}
	}
}

//go:noescape
func attnScoresNEON(s, qt, k *float32, d, kstride int)

//go:noescape
func attnAccumNEON(ot, p, v, mult *float32, d, vstride int)

// attnScoresNEONTile is the score tile (see attnScoresGo) in NEON.
func attnScoresNEONTile(s, qt, k []float32, d, kstride int) {
	if d == 0 {
		attnScoresGo(s, qt, k, d, kstride)
		return
	}
	_, _, _ = s[lanes*lanes-1], qt[lanes*d-1], k[(lanes-1)*kstride+d-1]
	attnScoresNEON(&s[0], &qt[0], &k[0], d, kstride)
}

//go:noescape
func attnScoresN4NEON(s, qt, k *float32, d, kstride int)

//go:noescape
func attnAccumN4NEON(ot, p, v, mult *float32, d, vstride int)

//go:noescape
func attnScoresN4HNEON(s, qt *float32, k *uint16, d, kstride int)

//go:noescape
func attnAccumN4HNEON(ot, p *float32, v *uint16, mult *float32, d, vstride int)

//go:noescape
func attnScoresP2NEON(s, qt, k *float32, d, kstride int)

//go:noescape
func attnAccumP2NEON(ot, p, v, mult *float32, d, vstride int)

//go:noescape
func attnScoresP2HNEON(s, qt *float32, k *uint16, d, kstride int)

//go:noescape
func attnAccumP2HNEON(ot, p *float32, v *uint16, mult *float32, d, vstride int)

// attnScoresN4NEONTile is the narrow score tile for up to four queries
// (see attnScoresNarrowGo) in NEON.
func attnScoresN4NEONTile(s, qt, k []float32, d, kstride int) {
	if d == 0 {
		return
	}
	_, _, _ = s[lanes*lanes-1], qt[lanes*d-1], k[(lanes-1)*kstride+d-1]
	attnScoresN4NEON(&s[0], &qt[0], &k[0], d, kstride)
}

// attnAccumN4NEONTile is the narrow accumulation tile for four queries
// (see attnAccumNarrowGo) in NEON; d a multiple of 16 (attnStart takes
// the narrow tiles for multiples of 32 only), else Go.
func attnAccumN4NEONTile(ot, pr, v, mult []float32, d, vstride int) {
	if d%16 != 0 || d == 0 {
		attnAccumNarrowGo(narrowLanes)(ot, pr, v, mult, d, vstride)
		return
	}
	_, _, _, _ = ot[narrowLanes*d-1], pr[lanes*lanes-1], v[(lanes-1)*vstride+d-1], mult[narrowLanes-1]
	attnAccumN4NEON(&ot[0], &pr[0], &v[0], &mult[0], d, vstride)
}

// attnSoftmaxNEON is the online-softmax step (see attnSoftmaxGo) in NEON.
//
//go:noescape
func attnSoftmaxNEON(s, m, l, mult *float32, masks *uint16)

// attnAccumNEONTile is the accumulation tile (see attnAccumGo) in NEON.
func attnAccumNEONTile(ot, pr, v, mult []float32, d, vstride int) {
	if d == 0 {
		return
	}
	_, _, _, _ = ot[lanes*d-1], pr[lanes*lanes-1], v[(lanes-1)*vstride+d-1], mult[lanes-1]
	attnAccumNEON(&ot[0], &pr[0], &v[0], &mult[0], d, vstride)
}

//go:noescape
func swigluNEON(dst, gate, up *float32, n int)

// swigluNEONChunk is SwiGLU in NEON over the whole multiples of 4, the
// rest in Go.
func swigluNEONChunk(dst, gate, up []float32) {
	n := len(dst)
	m := n &^ 3
	if m > 0 {
		_, _ = gate[m-1], up[m-1]
		swigluNEON(&dst[0], &gate[0], &up[0], m)
	}
	SwiGLU(dst[m:], gate[m:n], up[m:n])
}
