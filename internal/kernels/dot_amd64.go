//go:build amd64 && !purego

package kernels

import "golang.org/x/sys/cpu"

//go:noescape
func dotBF16AVX2(x *float32, w *uint16, n int) float32

//go:noescape
func dotF32AVX2(x, w *float32, n int) float32

//go:noescape
func f16Dot1x4AVX2(x *float32, w *uint16, ws int, n int, out *float32)

//go:noescape
func f16Dot3x2AVX2(x *float32, xs int, w *uint16, ws int, n int, out *float32)

//go:noescape
func f16Dot4x4_512(x *float32, xs int, w *uint16, ws int, n int, out *float32)

//go:noescape
func dotBF16x4AVX2(x *float32, stride int, w *uint16, n int, out *float32)

//go:noescape
func dotBF16q4AVX2(x *float32, w *uint16, k int, n int, q int, out *float32)

//go:noescape
func dotBF16t4x3AVX2(x *float32, xs int, w *uint16, ws int, n int, out *float32)

//go:noescape
func dotBF16t2x4AVX2(x *float32, xs int, w *uint16, ws int, n int, out *float32)

//go:noescape
func dotBF16t3x4AVX2(x *float32, xs int, w *uint16, ws int, n int, out *float32)

// hasAVX2 is read once at start-up; the choice never changes afterwards.
var hasAVX2 = cpu.X86.HasAVX2 && cpu.X86.HasFMA

// dotBF16 is Σ x[i]·w[i] with w in bf16. The vector part covers the largest
// multiple of 8 and the rest is added in Go, in the same order for every
// row, so results are batch invariant.
func dotBF16(x []float32, w []uint16) float32 {
	if !hasAVX2 {
		return dotBF16Go(x, w)
	}
	t := avx2BF16()
	return t.dot(x, w)
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
func q8T1x1AVX2(x *float32, xs int, q *int8, qs int, a *float32, as int, k int, out *float32, os int)

//go:noescape
func q8T1x4AVX2(x *float32, xs int, q *int8, qs int, a *float32, as int, k int, out *float32, os int)

//go:noescape
func q8T4x1AVX2(x *float32, xs int, q *int8, qs int, a *float32, as int, k int, out *float32, os int)

//go:noescape
func q8T4x3AVX2(x *float32, xs int, q *int8, qs int, a *float32, as int, k int, out *float32, os int)

//go:noescape
func affT1x1AVX2(x *float32, xs int, q *int8, qs int, a *float32, as int, k int, out *float32, os int)

//go:noescape
func affT1x4AVX2(x *float32, xs int, q *int8, qs int, a *float32, as int, k int, out *float32, os int)

//go:noescape
func affT4x1AVX2(x *float32, xs int, q *int8, qs int, a *float32, as int, k int, out *float32, os int)

//go:noescape
func affT4x3AVX2(x *float32, xs int, q *int8, qs int, a *float32, as int, k int, out *float32, os int)

// q8TileAVX2 is an AVX2 int8 kernel (see q8avx2_amd64.s for the arguments).
type q8TileAVX2 func(x *float32, xs int, q *int8, qs int, a *float32, as int, k int, out *float32, os int)

// runAVX2Q8 is the AVX2 family's MatMul for int8 and affine int8 matrices,
// on the deinterleaved activations: 4×3 tiles (four activation rows, three
// weight rows) and 4×1 for the weight rows left over while four activation
// rows remain; then one activation row against four weight rows, the range
// walked in quarters (decode, see run512), and one against one. Every
// kernel gives an output the same arithmetic.
func (m *matmulTask) runAVX2Q8(_, lo, hi int) {
	w := m.w
	K, N, T := w.Cols, w.Rows, m.T
	spr := K / Q8Block
	k43, k41, k14, k11 := q8TileAVX2(q8T4x3AVX2), q8TileAVX2(q8T4x1AVX2), q8TileAVX2(q8T1x4AVX2), q8TileAVX2(q8T1x1AVX2)
	sc := w.Scales
	if w.Format() == FormatInt8Affine {
		spr *= AffineFloats
		k43, k41, k14, k11 = affT4x3AVX2, affT4x1AVX2, affT1x4AVX2, affT1x1AVX2
		sc = w.Affine
	}
	n3 := lo + (hi-lo)/3*3
	eachTile(T, K, lo, hi, 3, func(t, n int) {
		k43(&m.xp[t*K], K, &w.Q8[n*K], K, &sc[n*spr], spr, K, &m.dst[t*N+n], N)
	})
	eachTile(T, K, n3, hi, 1, func(t, n int) {
		k41(&m.xp[t*K], K, &w.Q8[n*K], K, &sc[n*spr], spr, K, &m.dst[t*N+n], N)
	})
	n4 := lo + (hi-lo)&^3
	q := (n4 - lo) / 4
	for t := T &^ 3; t < T; t++ {
		for i := 0; i < q; i++ {
			n := lo + i
			k14(&m.xp[t*K], K, &w.Q8[n*K], q*K, &sc[n*spr], q*spr, K, &m.dst[t*N+n], q)
		}
		for n := n4; n < hi; n++ {
			k11(&m.xp[t*K], K, &w.Q8[n*K], K, &sc[n*spr], spr, K, &m.dst[t*N+n], 1)
		}
	}
}

// avx2BF16 are the AVX2 family's bf16 tiles (bf16avx2_amd64.s).
func avx2BF16() bf16Tiles {
	return bf16Tiles{step: 8, t1x1: dotBF16AVX2, t4x1: dotBF16x4AVX2, q1x4: dotBF16q4AVX2, t4x3: dotBF16t4x3AVX2,
		t2x4: dotBF16t2x4AVX2, t3x4: dotBF16t3x4AVX2}
}
