//go:build !purego

package kernels

// The panel kernels on int16 activations for AVX2 without AVX-VNNI
// (act16avx2_amd64.s): Q8_0 specified by dotQ8PanelsI16Go, Q4_K by
// dotQ4KI16Go, Q6_K by dotQ6KI16Go.

// act16Panels is what the int16 panel kernels share: their activations'
// bytes, and no one-row, four-panel tile.
type act16Panels struct{}

func (act16Panels) has1x4() bool { return false }

// actRowBytes: an int16 and its two bytes per value, three words a block
// and one per 16 values.
func (act16Panels) actRowBytes(K int) int { return 4*K + K/Q8Block*12 + K/16*4 }

func (act16Panels) tile1x4(*matmulTask, int, int, int, *float32, int) {
	panic("kernels: the int16 panel kernels have no one-row, four-panel tile")
}

//go:noescape
func q8i16Panel1AVX2(x *int16, xs *float32, xc *int32, panel *byte, nsb int, out *float32)

//go:noescape
func q8i16Panel4AVX2(x *int16, xs *float32, xc *int32, k int, panel *byte, nsb int, out *float32, ostride int)

// q8i16Kernels drive the int16 kernels through runPanels: four activation
// rows against a panel (prefill), or one (decode, and the rows left over).
type q8i16Kernels struct{ act16Panels }

func (q8i16Kernels) tileRows() int { return 4 }

func (q8i16Kernels) tile(m *matmulTask, t, p int, out *float32, ostride int) {
	a, K := m.act16, m.w.Cols
	nb := K / Q8Block
	panel, _ := kqPanel(m, p)
	q8i16Panel4AVX2(&a.q[t*K], &a.scale[t*nb], &a.corr[t*nb], K, panel, K/KQuantBlock, out, ostride)
}

func (q8i16Kernels) tile1(m *matmulTask, t, p int, out *float32, _ bool) {
	a, K := m.act16, m.w.Cols
	nb := K / Q8Block
	panel, _ := kqPanel(m, p)
	q8i16Panel1AVX2(&a.q[t*K], &a.scale[t*nb], &a.corr[t*nb], panel, K/KQuantBlock, out)
}

// runQ8I16AVX2 computes rows [lo, hi) of a Q8_0 panel matrix on int16
// activations.
func (m *matmulTask) runQ8I16AVX2(_, lo, hi int) {
	runPanels(m, q8i16Kernels{}, lo, hi)
}

//go:noescape
func kq4i16Panel1AVX2(xh *int8, xl *uint8, xs, bsum *float32, panel *byte, nsb int, out *float32)

//go:noescape
func kq4i16Panel3AVX2(x *int16, xs, bsum *float32, k int, panel *byte, nsb int, out *float32, ostride int)

// kq4i16Kernels drive the int16 Q4_K kernels through runPanels: three
// activation rows against a panel (sixteen registers hold no more), or one.
type kq4i16Kernels struct{ act16Panels }

func (kq4i16Kernels) tileRows() int { return 3 }

func (kq4i16Kernels) tile(m *matmulTask, t, p int, out *float32, ostride int) {
	a, K := m.act16, m.w.Cols
	nb := K / Q8Block
	panel, _ := kqPanel(m, p)
	kq4i16Panel3AVX2(&a.q[t*K], &a.scale[t*nb], &a.sum[t*nb], K, panel, K/KQuantBlock, out, ostride)
}

func (kq4i16Kernels) tile1(m *matmulTask, t, p int, out *float32, _ bool) {
	a, K := m.act16, m.w.Cols
	nb := K / Q8Block
	panel, _ := kqPanel(m, p)
	kq4i16Panel1AVX2(&a.hi[t*K], &a.lo[t*K], &a.scale[t*nb], &a.sum[t*nb], panel, K/KQuantBlock, out)
}

// runKQ4I16AVX2 computes rows [lo, hi) of a Q4_K matrix on int16
// activations.
func (m *matmulTask) runKQ4I16AVX2(_, lo, hi int) {
	runPanels(m, kq4i16Kernels{}, lo, hi)
}

//go:noescape
func kq6i16Panel1AVX2(x *int16, xs *float32, off *int32, panel *byte, nsb int, out *float32)

//go:noescape
func kq6i16Panel3AVX2(x *int16, xs *float32, off *int32, k int, panel *byte, nsb int, out *float32, ostride int)

// kq6i16Kernels drive the int16 Q6_K kernels through runPanels: three
// activation rows against a panel, or one.
type kq6i16Kernels struct{ act16Panels }

func (kq6i16Kernels) tileRows() int { return 3 }

func (kq6i16Kernels) tile(m *matmulTask, t, p int, out *float32, ostride int) {
	a, K := m.act16, m.w.Cols
	panel, _ := kqPanel(m, p)
	kq6i16Panel3AVX2(&a.q[t*K], &a.scale[t*(K/Q8Block)], &a.off16[t*(K/16)], K, panel, K/KQuantBlock, out, ostride)
}

func (kq6i16Kernels) tile1(m *matmulTask, t, p int, out *float32, _ bool) {
	a, K := m.act16, m.w.Cols
	panel, _ := kqPanel(m, p)
	kq6i16Panel1AVX2(&a.q[t*K], &a.scale[t*(K/Q8Block)], &a.off16[t*(K/16)], panel, K/KQuantBlock, out)
}

// runKQ6I16AVX2 computes rows [lo, hi) of a Q6_K matrix on int16
// activations.
func (m *matmulTask) runKQ6I16AVX2(_, lo, hi int) {
	runPanels(m, kq6i16Kernels{}, lo, hi)
}
