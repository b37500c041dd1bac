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
func q8DotAVX2(x *float32, q *int8, sc *float32, k int) float32

//go:noescape
func q8Dotx4AVX2(x *float32, stride int, q *int8, sc *float32, k int, out *float32)

//go:noescape
func affineDotAVX2(x *float32, q *int8, a *float32, k int) float32

//go:noescape
func q8Dotw4AVX2(x *float32, q *int8, qs int, sc *float32, scs int, k int, out *float32)

//go:noescape
func affineDotw4AVX2(x *float32, q *int8, qs int, a *float32, as int, k int, out *float32)

//go:noescape
func affineDotx4AVX2(x *float32, stride int, q *int8, a *float32, k int, out *float32)

// runAVX2Q8 is the AVX2 family's MatMul for int8 and affine int8 matrices,
// on the deinterleaved activations: four activation rows share each widened
// weight block; leftover rows use the one-row kernel, which gives a row the
// same arithmetic. The loop order is run512's (see smallActivations).
func (m *matmulTask) runAVX2Q8(_, lo, hi int) {
	w := m.w
	K, N, T := w.Cols, w.Rows, m.T
	spr := K / Q8Block
	affine := w.Affine != nil
	if affine {
		spr *= AffineFloats
	}
	scales := func(n int) *float32 {
		if affine {
			return &w.Affine[n*spr]
		}
		return &w.Scales[n*spr]
	}
	var o [4]float32
	four := func(t, n int) {
		if affine {
			affineDotx4AVX2(&m.xp[t*K], K, &w.Q8[n*K], scales(n), K, &o[0])
		} else {
			q8Dotx4AVX2(&m.xp[t*K], K, &w.Q8[n*K], scales(n), K, &o[0])
		}
		m.dst[t*N+n], m.dst[(t+1)*N+n], m.dst[(t+2)*N+n], m.dst[(t+3)*N+n] = o[0], o[1], o[2], o[3]
	}
	t4 := T &^ 3
	avx2Tiles(T, K, lo, hi, 1, four)
	// Leftover activation rows (decode): four weight rows a call, the
	// range walked in quarters (see run512).
	n4 := lo + (hi-lo)&^3
	q := (n4 - lo) / 4
	for t := t4; t < T; t++ {
		for i := 0; i < q; i++ {
			n := lo + i
			if affine {
				affineDotw4AVX2(&m.xp[t*K], &w.Q8[n*K], q*K, scales(n), q*spr, K, &o[0])
			} else {
				q8Dotw4AVX2(&m.xp[t*K], &w.Q8[n*K], q*K, scales(n), q*spr, K, &o[0])
			}
			for c := 0; c < 4; c++ {
				m.dst[t*N+n+c*q] = o[c]
			}
		}
		for n := n4; n < hi; n++ {
			if affine {
				m.dst[t*N+n] = affineDotAVX2(&m.xp[t*K], &w.Q8[n*K], scales(n), K)
			} else {
				m.dst[t*N+n] = q8DotAVX2(&m.xp[t*K], &w.Q8[n*K], scales(n), K)
			}
		}
	}
}

// avx2Tiles calls tile(t, n) for every block of four activation rows t and
// every group of width weight rows n in [lo, hi) (the whole groups only):
// weights outermost while the activations are few enough to stay in cache
// (batched decode: the weights stream from memory once), activations
// outermost otherwise (prefill: four activation rows stay in L1 while the
// chunk's weight rows, in L2, pass under them — weight-outer would stream
// every activation row from memory once per weight row). The order never
// changes a result.
func avx2Tiles(T, K, lo, hi, width int, tile func(t, n int)) {
	t4, end := T&^3, lo+(hi-lo)/width*width
	if T*K*4 <= smallActivations {
		for n := lo; n < end; n += width {
			for t := 0; t < t4; t += 4 {
				tile(t, n)
			}
		}
		return
	}
	for t := 0; t < t4; t += 4 {
		for n := lo; n < end; n += width {
			tile(t, n)
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
	avx2Tiles(T, K, lo, hi, 3, func(t, n int) {
		dotBF16t4x3(&o12, m.x[t*K:], K, w.BF16[n*K:], K)
		for r := 0; r < 4; r++ {
			d := m.dst[(t+r)*N+n : (t+r)*N+n+3]
			d[0], d[1], d[2] = o12[3*r], o12[3*r+1], o12[3*r+2]
		}
	})
	var o [4]float32
	avx2Tiles(T, K, lo+(hi-lo)/3*3, hi, 1, func(t, n int) {
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
