//go:build (amd64 || arm64) && !purego

package kernels

// q4Kernels are a family's 4-bit × int8 kernels over one panel (q4.go).
type q4Kernels struct {
	// t4 (optional): four activation rows (k int8 apart) against a panel;
	// row t's sixteen outputs at out + t·ostride.
	t4 func(xq *int8, corr *int32, xs *float32, k int, nib *byte, sc *uint16, nb int, out *float32, ostride int)
	// t1: one activation row against a panel, sixteen outputs at out.
	t1 func(xq *int8, corr *int32, xs *float32, nib *byte, sc *uint16, nb int, out *float32)
}

// q4ActBlock bounds the prepared activations (int8, correction, scale) a
// pass over the panels keeps in cache: a quarter of a Zen 4/5 core's L2.
const q4ActBlock = 256 << 10

// runQ4Panels computes rows [lo, hi) of a 4-bit matrix (lo a multiple of
// Q4Panel, as the pool's ranges are) with the kernels k, panel by panel:
// blocks of activation rows small enough to stay in cache, and under each
// block every panel of the range, four activation rows at a time where k
// has a four-row kernel, then one. A panel (8 KiB at K = 1024) stays in L1
// while the block's rows pass; in decode the panels are one stream.
func (m *matmulTask) runQ4Panels(k q4Kernels, lo, hi int) {
	w, a, T := m.w, m.act, m.T
	K, N, nb := w.Cols, w.Rows, w.Cols/Q8Block
	tb := max(4, q4ActBlock/(K+nb*8)&^3)
	out := &m.q4out // the kernels are called through function values: their output escapes
	for t0 := 0; t0 < T; t0 += tb {
		t1 := min(t0+tb, T)
		for n := lo; n < hi; n += Q4Panel {
			p := n / Q4Panel
			nib, sc := &w.Q4[p*nb*q4PanelBlock], &w.Q4Scales[p*nb*Q4Panel]
			rows := min(Q4Panel, hi-n) // the last panel of a matrix may be partial
			t := t0
			for ; k.t4 != nil && t+4 <= t1; t += 4 {
				if rows == Q4Panel {
					k.t4(&a.q[t*K], &a.corr[t*nb], &a.scale[t*nb], K, nib, sc, nb, &m.dst[t*N+n], N)
					continue
				}
				k.t4(&a.q[t*K], &a.corr[t*nb], &a.scale[t*nb], K, nib, sc, nb, &out[0], Q4Panel)
				for r := 0; r < 4; r++ {
					copy(m.dst[(t+r)*N+n:(t+r)*N+N], out[r*Q4Panel:r*Q4Panel+rows])
				}
			}
			for ; t < t1; t++ {
				if rows == Q4Panel {
					k.t1(&a.q[t*K], &a.corr[t*nb], &a.scale[t*nb], nib, sc, nb, &m.dst[t*N+n])
					continue
				}
				k.t1(&a.q[t*K], &a.corr[t*nb], &a.scale[t*nb], nib, sc, nb, &out[0])
				copy(m.dst[t*N+n:t*N+N], out[:rows])
			}
		}
	}
}
