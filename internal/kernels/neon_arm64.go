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
func bf16Dot1x4NEON(x *float32, w *uint16, ws int, n int, out *float32)

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
	return bf16Tiles{step: 8, t1x1: bf16Dot1x1NEON, t4x1: bf16Dot4x1NEON, t1x4: bf16Dot1x4NEON, t4x3: bf16Dot4x3NEON}
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
