//go:build (amd64 || arm64) && !purego

package kernels

// q4Kernels are a family's 4-bit × int8 kernels over panels (q4.go).
type q4Kernels struct {
	// t4 (optional): four activation rows (k int8 apart) against a panel;
	// row t's sixteen outputs at out + t·ostride.
	t4 func(xq *int8, corr *int32, xs *float32, k int, nib *byte, sc *uint16, nb int, out *float32, ostride int)
	// t1x4 (optional): one activation row against four panels ns bytes
	// apart (scales ss bytes apart); panel j's outputs at out + j·ostride.
	t1x4 func(xq *int8, corr *int32, xs *float32, nib *byte, ns int, sc *uint16, ss int, nb int, out *float32, ostride int)
	// t1: one activation row against a panel, sixteen outputs at out.
	t1 func(xq *int8, corr *int32, xs *float32, nib *byte, sc *uint16, nb int, out *float32)
}

// q4ActBlock bounds the prepared activations (int8, correction, scale) a
// pass over the panels keeps in cache: a quarter of a Zen 4/5 core's L2.
const q4ActBlock = 256 << 10

// runQ4Panels computes rows [lo, hi) of a 4-bit matrix (lo a multiple of
// Q4Panel, as the pool's ranges are) with the kernels k, in blocks of
// activation rows small enough to stay in cache. Under a block of four
// rows or more, panel by panel: four rows at a time, then the rest one by
// one, while the panel (8 KiB at K = 1024) stays in L1. Under fewer rows
// (decode), four panels a quarter of the range apart at a time where k has
// that kernel: four sequential streams, which memory serves faster than
// one (see run512).
func (m *matmulTask) runQ4Panels(k q4Kernels, lo, hi int) {
	T, K := m.T, m.w.Cols
	tb := max(4, q4ActBlock/(K+K/Q8Block*8)&^3)
	for t0 := 0; t0 < T; t0 += tb {
		t1 := min(t0+tb, T)
		if k.t4 == nil || t1-t0 < 4 {
			m.q4Rows(k, t0, t1, lo, hi)
			continue
		}
		for n := lo; n < hi; n += Q4Panel {
			t := t0
			for ; t+4 <= t1; t += 4 {
				m.q4Tile4(k, t, n, hi)
			}
			for ; t < t1; t++ {
				m.q4Tile1(k, t, n, hi)
			}
		}
	}
}

// q4Rows computes activation rows [t0, t1) against the panels of [lo, hi):
// whole panels four at a time (a quarter of them apart) where k has t1x4,
// then the rest one at a time.
func (m *matmulTask) q4Rows(k q4Kernels, t0, t1, lo, hi int) {
	w, a := m.w, m.act
	K, N, nb := w.Cols, w.Rows, w.Cols/Q8Block
	n4 := lo
	if k.t1x4 != nil {
		q := (hi - lo) / Q4Panel / 4 * Q4Panel // rows in a quarter of the whole panels
		n4 = lo + 4*q
		for n := lo; n < lo+q; n += Q4Panel {
			p := n / Q4Panel
			for t := t0; t < t1; t++ {
				k.t1x4(&a.q[t*K], &a.corr[t*nb], &a.scale[t*nb], &w.Q4[p*nb*q4PanelBlock], q*nb*16,
					&w.Q4Scales[p*nb*Q4Panel], q*nb*2, nb, &m.dst[t*N+n], q)
			}
		}
	}
	for n := n4; n < hi; n += Q4Panel {
		for t := t0; t < t1; t++ {
			m.q4Tile1(k, t, n, hi)
		}
	}
}

// q4Tile4 computes activation rows t…t+3 against the panel at row n.
func (m *matmulTask) q4Tile4(k q4Kernels, t, n, hi int) {
	w, a := m.w, m.act
	K, N, nb, p := w.Cols, w.Rows, w.Cols/Q8Block, n/Q4Panel
	nib, sc := &w.Q4[p*nb*q4PanelBlock], &w.Q4Scales[p*nb*Q4Panel]
	if rows := min(Q4Panel, hi-n); rows < Q4Panel { // the last panel of a matrix may be partial
		out := &m.q4out // the kernels are called through function values: their output escapes
		k.t4(&a.q[t*K], &a.corr[t*nb], &a.scale[t*nb], K, nib, sc, nb, &out[0], Q4Panel)
		for r := 0; r < 4; r++ {
			copy(m.dst[(t+r)*N+n:(t+r)*N+hi], out[r*Q4Panel:r*Q4Panel+rows])
		}
		return
	}
	k.t4(&a.q[t*K], &a.corr[t*nb], &a.scale[t*nb], K, nib, sc, nb, &m.dst[t*N+n], N)
}

// q4Tile1 computes activation row t against the panel at row n.
func (m *matmulTask) q4Tile1(k q4Kernels, t, n, hi int) {
	w, a := m.w, m.act
	K, N, nb, p := w.Cols, w.Rows, w.Cols/Q8Block, n/Q4Panel
	nib, sc := &w.Q4[p*nb*q4PanelBlock], &w.Q4Scales[p*nb*Q4Panel]
	if rows := min(Q4Panel, hi-n); rows < Q4Panel {
		out := &m.q4out
		k.t1(&a.q[t*K], &a.corr[t*nb], &a.scale[t*nb], nib, sc, nb, &out[0])
		copy(m.dst[t*N+n:t*N+hi], out[:rows])
		return
	}
	k.t1(&a.q[t*K], &a.corr[t*nb], &a.scale[t*nb], nib, sc, nb, &m.dst[t*N+n])
}
