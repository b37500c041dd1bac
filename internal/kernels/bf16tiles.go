package kernels

// bf16Tiles are a family's f32-FMA kernels for bf16 weights (AVX2, NEON):
// the weights widened to f32, every dot accumulated in the same fixed
// order whatever the tile (so results are batch invariant), over the
// columns up to a multiple of step; the rest of a row is added in Go.
type bf16Tiles struct {
	step int // columns a kernel step takes
	// t1x1 is one activation row against one weight row.
	t1x1 func(x *float32, w *uint16, n int) float32
	// t4x1 is activation rows x + r·stride (floats) against one weight
	// row; out[r].
	t4x1 func(x *float32, stride int, w *uint16, n int, out *float32)
	// q1x4 is decode: one activation row against a range's q tiles of
	// four weight rows in one call, tile i rows i, q+i, 2q+i, 3q+i of w
	// (rows of k elements) into out[i + c·q], n columns of each (the four
	// streams each run on through a quarter's consecutive rows).
	q1x4 func(x *float32, w *uint16, k int, n int, q int, out *float32)
	// t4x3 is activation rows x + r·xs against weight rows w + c·ws;
	// out[3r+c]. Prefill.
	t4x3 func(x *float32, xs int, w *uint16, ws int, n int, out *float32)
	// t2x4, t3x4 (optional) are two and three activation rows x + i·xs
	// against weight rows w + c·ws; out[4i+c]. Batched decode of two or
	// three sequences: one pass over the weights for all of them.
	t2x4, t3x4 func(x *float32, xs int, w *uint16, ws int, n int, out *float32)
}

// rowsX4 is the tile for r (2 or 3) activation rows against four weight
// rows, or nil where the family has none.
func (b *bf16Tiles) rowsX4(r int) func(x *float32, xs int, w *uint16, ws int, n int, out *float32) {
	switch r {
	case 2:
		return b.t2x4
	case 3:
		return b.t3x4
	}
	return nil
}

// dot is Σ x[i]·w[i] with w in bf16.
func (b *bf16Tiles) dot(x []float32, w []uint16) float32 {
	n := len(w)
	x = x[:n]
	m := n / b.step * b.step
	if m == 0 {
		return dotBF16Go(x, w)
	}
	s := b.t1x1(&x[0], &w[0], m)
	if m < n {
		s += dotBF16Go(x[m:], w[m:])
	}
	return s
}

// q4 writes into out[n] the dot of x with row n of w (4q rows of width
// k) with q1x4: one call for the range, tile i taking rows i, q+i, 2q+i,
// 3q+i. Each equals dot of that row bit for bit.
func (b *bf16Tiles) q4(out []float32, x []float32, w []uint16, q, k int) {
	m := k / b.step * b.step
	_, _, _ = out[4*q-1], x[k-1], w[4*q*k-1]
	if m == 0 {
		for n := range out[:4*q] {
			out[n] = b.dot(x, w[n*k:(n+1)*k])
		}
		return
	}
	b.q1x4(&x[0], &w[0], k, m, q, &out[0])
	for n := 0; m < k && n < 4*q; n++ {
		out[n] += dotBF16Go(x[m:k], w[n*k+m:(n+1)*k])
	}
}

// rx4 writes into out[4i+c] the dots of r activation rows of x (row i at
// i·xs) with four weight rows of width k in w (row c at c·ws), with
// rowsX4(r), which must be set. Each equals dot of that pair bit for bit.
func (b *bf16Tiles) rx4(out *[12]float32, r int, x []float32, xs int, w []uint16, ws, k int) {
	m := k / b.step * b.step
	if m == 0 {
		for i := 0; i < r; i++ {
			for c := 0; c < 4; c++ {
				out[4*i+c] = b.dot(x[i*xs:i*xs+k], w[c*ws:c*ws+k])
			}
		}
		return
	}
	_, _ = x[(r-1)*xs+k-1], w[3*ws+k-1]
	b.rowsX4(r)(&x[0], xs, &w[0], ws, m, &out[0])
	if m < k {
		for i := 0; i < r; i++ {
			for c := 0; c < 4; c++ {
				out[4*i+c] += dotBF16Go(x[i*xs+m:i*xs+k], w[c*ws+m:c*ws+k])
			}
		}
	}
}

// x4 writes into out the dots of the weight row w with four rows of x
// (row r starts at r·stride). Each equals dot of that row bit for bit.
func (b *bf16Tiles) x4(out *[4]float32, x []float32, stride int, w []uint16) {
	n := len(w)
	m := n / b.step * b.step
	if m == 0 {
		for r := range out {
			out[r] = b.dot(x[r*stride:r*stride+n], w)
		}
		return
	}
	_ = x[3*stride+n-1]
	b.t4x1(&x[0], stride, &w[0], m, &out[0])
	if m < n {
		for r := range out {
			out[r] += dotBF16Go(x[r*stride+m:r*stride+n], w[m:])
		}
	}
}

// t4x3Dots writes into out[3r+c] the dot of activation row r of x (at
// r·xs) with weight row c of w (at c·k), rows of width k. Each equals dot
// of that pair bit for bit.
func (b *bf16Tiles) t4x3Dots(out *[12]float32, x []float32, xs int, w []uint16, k int) {
	m := k / b.step * b.step
	if m == 0 {
		for r := 0; r < 4; r++ {
			for c := 0; c < 3; c++ {
				out[3*r+c] = b.dot(x[r*xs:r*xs+k], w[c*k:(c+1)*k])
			}
		}
		return
	}
	_, _ = x[3*xs+k-1], w[3*k-1]
	b.t4x3(&x[0], xs, &w[0], k, m, &out[0])
	if m < k {
		for r := 0; r < 4; r++ {
			for c := 0; c < 3; c++ {
				out[3*r+c] += dotBF16Go(x[r*xs+m:r*xs+k], w[c*k+m:(c+1)*k])
			}
		}
	}
}

// runBF16Tiles computes rows [lo, hi) of a bf16 matrix with the family's
// tiles (m.bf16):
// 4×3 tiles (four activation rows, three weight rows) and 4×1 for the
// weight rows left over while four activation rows remain, then one
// activation row against four weight rows (decode), and one against one.
func (m *matmulTask) runBF16Tiles(_, lo, hi int) {
	w, b := m.w, m.bf16
	K, N, T := w.Cols, w.Rows, m.T
	// The kernels are called through function values, so their outputs
	// escape: they go to the worker's view of the task, not the stack.
	o12, o := &m.out12, &m.out4
	eachTile(T, K, lo, hi, 3, func(t, n int) {
		b.t4x3Dots(o12, m.x[t*K:], K, w.BF16[n*K:], K)
		for r := 0; r < 4; r++ {
			d := m.dst[(t+r)*N+n : (t+r)*N+n+3]
			d[0], d[1], d[2] = o12[3*r], o12[3*r+1], o12[3*r+2]
		}
	})
	eachTile(T, K, lo+(hi-lo)/3*3, hi, 1, func(t, n int) {
		b.x4(o, m.x[t*K:], K, w.BF16[n*K:(n+1)*K])
		m.dst[t*N+n], m.dst[(t+1)*N+n], m.dst[(t+2)*N+n], m.dst[(t+3)*N+n] = o[0], o[1], o[2], o[3]
	})
	n4 := lo + (hi-lo)&^3
	q := (n4 - lo) / 4 // rows i, q+i, 2q+i, 3q+i share a tile (see run512)
	for t := T &^ 3; t < T; {
		// Two or three rows left take one pass over the weights together
		// where the family has such tiles; one row takes q4 (the range in
		// one call).
		r := T - t
		if b.rowsX4(r) == nil {
			r = 1
		}
		switch {
		case r == 1:
			if q > 0 {
				b.q4(m.dst[t*N+lo:t*N+n4], m.x[t*K:(t+1)*K], w.BF16[lo*K:n4*K], q, K)
			}
		default:
			for i := 0; i < q; i++ {
				b.rx4(o12, r, m.x[t*K:(t+r)*K], K, w.BF16[(lo+i)*K:], q*K, K)
				for j := 0; j < r; j++ {
					for c := 0; c < 4; c++ {
						m.dst[(t+j)*N+lo+c*q+i] = o12[4*j+c]
					}
				}
			}
		}
		for j := t; j < t+r; j++ {
			x := m.x[j*K : (j+1)*K]
			for n := n4; n < hi; n++ {
				m.dst[j*N+n] = b.dot(x, w.BF16[n*K:(n+1)*K])
			}
		}
		t += r
	}
}
