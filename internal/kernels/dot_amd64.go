//go:build amd64 && !purego

package kernels

import "golang.org/x/sys/cpu"

//go:noescape
func dotBF16AVX2(x *float32, w *uint16, n int) float32

//go:noescape
func dotF32AVX2(x, w *float32, n int) float32

//go:noescape
func dotBF16x4AVX2(x *float32, stride int, w *uint16, n int, out *float32)

// hasAVX2 is read once at start-up; the choice never changes afterwards.
var hasAVX2 = cpu.X86.HasAVX2 && cpu.X86.HasFMA

// dotBF16 is Σ x[i]·w[i] with w in bf16. The vector part covers the largest
// multiple of 16 and the rest is added in Go, in the same order for every
// row, so results are batch invariant.
func dotBF16(x []float32, w []uint16) float32 {
	n := len(w)
	if !hasAVX2 || n < 16 {
		return dotBF16Go(x, w)
	}
	x = x[:n]
	m := n &^ 15
	s := dotBF16AVX2(&x[0], &w[0], m)
	if m < n {
		s += dotBF16Go(x[m:], w[m:])
	}
	return s
}

// dotF32 is Σ x[i]·w[i].
func dotF32(x, w []float32) float32 {
	n := len(w)
	if !hasAVX2 || n < 16 {
		return dotGo(x, w)
	}
	x = x[:n]
	m := n &^ 15
	s := dotF32AVX2(&x[0], &w[0], m)
	if m < n {
		s += dotGo(x[m:], w[m:])
	}
	return s
}

//go:noescape
func q8DotAVX2(x *float32, q *int8, sc *float32, k int) float32

//go:noescape
func q8Dotx4AVX2(x *float32, stride int, q *int8, sc *float32, k int, out *float32)

//go:noescape
func affineDotAVX2(x *float32, q *int8, a *float32, k int) float32

//go:noescape
func affineDotx4AVX2(x *float32, stride int, q *int8, a *float32, k int, out *float32)

// runAVX2Q8 is the AVX2 family's MatMul for int8 and affine int8 matrices,
// on the deinterleaved activations: four activation rows share each widened
// weight block; leftover rows use the one-row kernel, which gives a row the
// same arithmetic.
func (m *matmulTask) runAVX2Q8(_, lo, hi int) {
	w := m.w
	K, N := w.Cols, w.Rows
	spr := K / Q8Block
	affine := w.Affine != nil
	if affine {
		spr *= AffineFloats
	}
	var o [4]float32
	for n := lo; n < hi; n++ {
		q := &w.Q8[n*K]
		var s *float32
		if affine {
			s = &w.Affine[n*spr]
		} else {
			s = &w.Scales[n*spr]
		}
		t := 0
		for ; t+4 <= m.T; t += 4 {
			if affine {
				affineDotx4AVX2(&m.xp[t*K], K, q, s, K, &o[0])
			} else {
				q8Dotx4AVX2(&m.xp[t*K], K, q, s, K, &o[0])
			}
			m.dst[t*N+n], m.dst[(t+1)*N+n], m.dst[(t+2)*N+n], m.dst[(t+3)*N+n] = o[0], o[1], o[2], o[3]
		}
		for ; t < m.T; t++ {
			if affine {
				m.dst[t*N+n] = affineDotAVX2(&m.xp[t*K], q, s, K)
			} else {
				m.dst[t*N+n] = q8DotAVX2(&m.xp[t*K], q, s, K)
			}
		}
	}
}

// runAVX2 is MatMul with the AVX2 family: four activation rows share each
// widened weight chunk; leftover rows use the one-row kernel.
func (m *matmulTask) runAVX2(_, lo, hi int) {
	w := m.w
	K, N := w.Cols, w.Rows
	for n := lo; n < hi; n++ {
		wr := w.BF16[n*K : (n+1)*K]
		t := 0
		for ; t+4 <= m.T; t += 4 {
			var o [4]float32
			dotBF16x4(&o, m.x[t*K:], K, wr)
			m.dst[t*N+n], m.dst[(t+1)*N+n], m.dst[(t+2)*N+n], m.dst[(t+3)*N+n] = o[0], o[1], o[2], o[3]
		}
		for ; t < m.T; t++ {
			m.dst[t*N+n] = dotBF16(m.x[t*K:(t+1)*K], wr)
		}
	}
}

// dotBF16x4 writes into out the dots of the weight row w with four rows of
// x (row r starts at r·stride). Each equals dotBF16 of that row bit for bit.
func dotBF16x4(out *[4]float32, x []float32, stride int, w []uint16) {
	n := len(w)
	if !hasAVX2 || n < 16 {
		for r := range out {
			out[r] = dotBF16Go(x[r*stride:r*stride+n], w)
		}
		return
	}
	_ = x[3*stride+n-1]
	m := n &^ 15
	dotBF16x4AVX2(&x[0], stride, &w[0], m, &out[0])
	if m < n {
		for r := range out {
			out[r] += dotBF16Go(x[r*stride+m:r*stride+n], w[m:])
		}
	}
}
