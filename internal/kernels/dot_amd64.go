//go:build amd64 && !purego

package kernels

import "golang.org/x/sys/cpu"

//go:noescape
func dotBF16AVX2(x *float32, w *uint16, n int) float32

//go:noescape
func dotF32AVX2(x, w *float32, n int) float32

//go:noescape
func dotBF16x4AVX2(x *float32, stride int, w *uint16, n int, out *float32)

//go:noescape
func dotBF16w4AVX2(x *float32, w *uint16, ws int, n int, out *float32)

//go:noescape
func dotBF16t4x3AVX2(x *float32, xs int, w *uint16, ws int, n int, out *float32)

// hasAVX2 is read once at start-up; the choice never changes afterwards.
var hasAVX2 = cpu.X86.HasAVX2 && cpu.X86.HasFMA

// dotBF16 is Σ x[i]·w[i] with w in bf16. The vector part covers the largest
// multiple of 8 and the rest is added in Go, in the same order for every
// row, so results are batch invariant.
func dotBF16(x []float32, w []uint16) float32 {
	n := len(w)
	if !hasAVX2 || n < 8 {
		return dotBF16Go(x, w)
	}
	x = x[:n]
	m := n &^ 7
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

// runAVX2 is MatMul with the AVX2 family: 4×3 tiles (four activation rows,
// three weight rows) and 4×1 for the weight rows left over while four
// activation rows remain, then one activation row against four weight rows
// (decode), and one against one.
func (m *matmulTask) runAVX2(_, lo, hi int) {
	w := m.w
	K, N, T := w.Cols, w.Rows, m.T
	var o12 [12]float32
	eachTile(T, K, lo, hi, 3, func(t, n int) {
		dotBF16t4x3(&o12, m.x[t*K:], K, w.BF16[n*K:], K)
		for r := 0; r < 4; r++ {
			d := m.dst[(t+r)*N+n : (t+r)*N+n+3]
			d[0], d[1], d[2] = o12[3*r], o12[3*r+1], o12[3*r+2]
		}
	})
	var o [4]float32
	eachTile(T, K, lo+(hi-lo)/3*3, hi, 1, func(t, n int) {
		dotBF16x4(&o, m.x[t*K:], K, w.BF16[n*K:(n+1)*K])
		m.dst[t*N+n], m.dst[(t+1)*N+n], m.dst[(t+2)*N+n], m.dst[(t+3)*N+n] = o[0], o[1], o[2], o[3]
	})
	n4 := lo + (hi-lo)&^3
	q := (n4 - lo) / 4 // rows i, q+i, 2q+i, 3q+i share a tile (see run512)
	for t := T &^ 3; t < T; t++ {
		x := m.x[t*K : (t+1)*K]
		for i := 0; i < q; i++ {
			dotBF16w4(&o, x, w.BF16[(lo+i)*K:], q*K, K)
			for c := 0; c < 4; c++ {
				m.dst[t*N+lo+c*q+i] = o[c]
			}
		}
		for n := n4; n < hi; n++ {
			m.dst[t*N+n] = dotBF16(x, w.BF16[n*K:(n+1)*K])
		}
	}
}

// dotBF16w4 writes into out the dots of x with four weight rows of width
// k in w, row c at c·ws. Each equals dotBF16 of that row bit for bit.
func dotBF16w4(out *[4]float32, x []float32, w []uint16, ws, k int) {
	if !hasAVX2 || k < 8 {
		for c := range out {
			out[c] = dotBF16(x, w[c*ws:c*ws+k])
		}
		return
	}
	_, _ = x[k-1], w[3*ws+k-1]
	m := k &^ 7
	dotBF16w4AVX2(&x[0], &w[0], ws, m, &out[0])
	if m < k {
		for c := range out {
			out[c] += dotBF16Go(x[m:k], w[c*ws+m:c*ws+k])
		}
	}
}

// dotBF16x4 writes into out the dots of the weight row w with four rows of
// x (row r starts at r·stride). Each equals dotBF16 of that row bit for bit.
func dotBF16x4(out *[4]float32, x []float32, stride int, w []uint16) {
	n := len(w)
	if !hasAVX2 || n < 8 {
		for r := range out {
			out[r] = dotBF16(x[r*stride:r*stride+n], w)
		}
		return
	}
	_ = x[3*stride+n-1]
	m := n &^ 7
	dotBF16x4AVX2(&x[0], stride, &w[0], m, &out[0])
	if m < n {
		for r := range out {
			out[r] += dotBF16Go(x[r*stride+m:r*stride+n], w[m:])
		}
	}
}

// dotBF16t4x3 writes into out[3r+c] the dot of activation row r of x (at
// r·xs) with weight row c of w (at c·k), rows of width k. Each equals
// dotBF16 of that pair bit for bit.
func dotBF16t4x3(out *[12]float32, x []float32, xs int, w []uint16, k int) {
	if !hasAVX2 || k < 8 {
		for r := 0; r < 4; r++ {
			for c := 0; c < 3; c++ {
				out[3*r+c] = dotBF16(x[r*xs:r*xs+k], w[c*k:(c+1)*k])
			}
		}
		return
	}
	_, _ = x[3*xs+k-1], w[3*k-1]
	m := k &^ 7
	dotBF16t4x3AVX2(&x[0], xs, &w[0], k, m, &out[0])
	if m < k {
		for r := 0; r < 4; r++ {
			for c := 0; c < 3; c++ {
				out[3*r+c] += dotBF16Go(x[r*xs+m:r*xs+k], w[c*k+m:(c+1)*k])
			}
		}
	}
}
