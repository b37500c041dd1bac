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

// panelKernels are a panel format's kernels (q4Kernels, kqKernels) bound
// to what the driver runPanels asks of them: tiles of activation rows
// against whole panels (p the panel index, out and ostride in floats).
type panelKernels interface {
	// tileRows is the activation rows tile takes (at most 4), or 0 if k
	// has no such tile.
	tileRows() int
	has1x4() bool // tile1x4 exists
	// tile: rows t…t+tileRows()−1 against panel p.
	tile(m *matmulTask, t, p int, out *float32, ostride int)
	// tile1x4: row t against panels p, p+q, p+2q, p+3q.
	tile1x4(m *matmulTask, t, p, q int, out *float32, ostride int)
	// tile1: row t against panel p; cold if the panel is not in cache
	// (no row of this call has met it yet).
	tile1(m *matmulTask, t, p int, out *float32, cold bool)
	// actRowBytes is the bytes of one prepared activation row of width K.
	actRowBytes(K int) int
}

func (k q4Kernels) has1x4() bool { return k.t1x4 != nil }

func (k q4Kernels) tileRows() int {
	if k.t4 == nil {
		return 0
	}
	return 4
}

func (k q4Kernels) actRowBytes(K int) int { return K + K/Q8Block*8 }

func (k q4Kernels) tile(m *matmulTask, t, p int, out *float32, ostride int) {
	w, a := m.w, m.act
	K, nb := w.Cols, w.Cols/Q8Block
	k.t4(&a.q[t*K], &a.corr[t*nb], &a.scale[t*nb], K, &w.Q4[p*nb*q4PanelBlock], &w.Q4Scales[p*nb*Q4Panel], nb, out, ostride)
}

func (k q4Kernels) tile1x4(m *matmulTask, t, p, q int, out *float32, ostride int) {
	w, a := m.w, m.act
	K, nb := w.Cols, w.Cols/Q8Block
	k.t1x4(&a.q[t*K], &a.corr[t*nb], &a.scale[t*nb], &w.Q4[p*nb*q4PanelBlock], q*nb*q4PanelBlock,
		&w.Q4Scales[p*nb*Q4Panel], q*nb*Q4Panel*2, nb, out, ostride)
}

func (k q4Kernels) tile1(m *matmulTask, t, p int, out *float32, _ bool) {
	w, a := m.w, m.act
	K, nb := w.Cols, w.Cols/Q8Block
	k.t1(&a.q[t*K], &a.corr[t*nb], &a.scale[t*nb], &w.Q4[p*nb*q4PanelBlock], &w.Q4Scales[p*nb*Q4Panel], nb, out)
}

// q4ActBlock bounds the prepared activations a pass over the panels keeps
// in cache: a quarter of a Zen 4/5 core's L2.
const q4ActBlock = 256 << 10

// runPanels computes rows [lo, hi) of a matrix held in panels (lo a
// multiple of Q4Panel, as the pool's ranges are) with the kernels k, in
// blocks of activation rows small enough to stay in cache. Under a block
// of a tile's rows or more, panel by panel: a tile's rows (four, or three)
// at a time, then the rest one by one, while the panel (8 KiB of Q4_0 at
// K = 1024) stays in L1.
// Under fewer rows (decode), four panels a quarter of the range apart at a
// time where k has that kernel: four sequential streams, which memory
// serves faster than one (see run512).
func runPanels[P panelKernels](m *matmulTask, k P, lo, hi int) {
	T := m.T
	R := k.tileRows()
	tb := max(4, q4ActBlock/k.actRowBytes(m.w.Cols)/max(R, 1)*max(R, 1))
	for t0 := 0; t0 < T; t0 += tb {
		t1 := min(t0+tb, T)
		if R == 0 || t1-t0 < R {
			panelRows(m, k, t0, t1, lo, hi)
			continue
		}
		for n := lo; n < hi; n += Q4Panel {
			t := t0
			for ; t+R <= t1; t += R {
				panelTile(m, k, R, t, n, hi)
			}
			for ; t < t1; t++ {
				panelTile1(m, k, t, n, hi, false)
			}
		}
	}
}

// panelRows computes activation rows [t0, t1) against the panels of
// [lo, hi): whole panels four at a time (a quarter of them apart) where k
// has tile1x4, then the rest one at a time.
func panelRows[P panelKernels](m *matmulTask, k P, t0, t1, lo, hi int) {
	N := m.w.Rows
	n4 := lo
	if k.has1x4() {
		q := (hi - lo) / Q4Panel / 4 * Q4Panel // rows in a quarter of the whole panels
		n4 = lo + 4*q
		for n := lo; n < lo+q; n += Q4Panel {
			for t := t0; t < t1; t++ {
				k.tile1x4(m, t, n/Q4Panel, q/Q4Panel, &m.dst[t*N+n], q)
			}
		}
	}
	for n := n4; n < hi; n += Q4Panel {
		for t := t0; t < t1; t++ {
			panelTile1(m, k, t, n, hi, t == t0)
		}
	}
}

// panelTile computes activation rows t…t+R−1 (k's tile) against the panel
// at row n.
func panelTile[P panelKernels](m *matmulTask, k P, R, t, n, hi int) {
	N := m.w.Rows
	if rows := min(Q4Panel, hi-n); rows < Q4Panel { // the last panel of a matrix may be partial
		out := &m.q4out // the kernels are called through function values: their output escapes
		k.tile(m, t, n/Q4Panel, &out[0], Q4Panel)
		for r := 0; r < R; r++ {
			copy(m.dst[(t+r)*N+n:(t+r)*N+hi], out[r*Q4Panel:r*Q4Panel+rows])
		}
		return
	}
	k.tile(m, t, n/Q4Panel, &m.dst[t*N+n], N)
}

// panelTile1 computes activation row t against the panel at row n (cold:
// the first row to meet it).
func panelTile1[P panelKernels](m *matmulTask, k P, t, n, hi int, cold bool) {
	N := m.w.Rows
	if rows := min(Q4Panel, hi-n); rows < Q4Panel {
		out := &m.q4out
		k.tile1(m, t, n/Q4Panel, &out[0], cold)
		copy(m.dst[t*N+n:t*N+hi], out[:rows])
		return
	}
	k.tile1(m, t, n/Q4Panel, &m.dst[t*N+n], cold)
}
