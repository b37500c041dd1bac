//go:build (amd64 || arm64) && !purego

package kernels

// kqKernels are a family's K-quant × int8 kernels of one format over
// panels (kquant.go); they take the activation planes (xq, xl), the
// blocks' floats (kf) and integers (ki) as roundActKGo lays them out,
// and a panel's first super-block.
type kqKernels struct {
	// t4 (optional): four activation rows (k int8 apart) against a panel;
	// row t's sixteen outputs at out + t·ostride.
	t4 func(xq, xl *int8, kf *float32, ki *int32, k int, panel *byte, nsb int, out *float32, ostride int)
	// t1x4 (optional): one activation row against four panels ps bytes
	// apart; panel j's outputs at out + j·ostride.
	t1x4 func(xq, xl *int8, kf *float32, ki *int32, panel *byte, ps int, nsb int, out *float32, ostride int)
	// t1: one activation row against a panel, sixteen outputs at out.
	t1 func(xq, xl *int8, kf *float32, ki *int32, panel *byte, nsb int, out *float32)
	// t1cold (optional): t1 for a panel that is not in cache (the first
	// activation row to meet it), walking it in an order memory serves
	// faster; the same arithmetic.
	t1cold func(xq, xl *int8, kf *float32, ki *int32, panel *byte, nsb int, out *float32)
}

func (k kqKernels) tileRows() int {
	if k.t4 == nil {
		return 0
	}
	return 4
}
func (k kqKernels) has1x4() bool { return k.t1x4 != nil }

// actRowBytes: two int8 planes, four floats and four integers per block.
func (k kqKernels) actRowBytes(K int) int { return 2*K + K/Q8Block*32 }

// kqPanel is the first byte of panel p of m.
func kqPanel(m *matmulTask, p int) (*byte, int) {
	w := m.w
	ps := w.Cols / KQuantBlock * kqSuperBytes(w.PanelFormat)
	return &w.Panels[p*ps], ps
}

func (k kqKernels) tile(m *matmulTask, t, p int, out *float32, ostride int) {
	a, K := m.act, m.w.Cols
	panel, _ := kqPanel(m, p)
	k.t4(&a.q[t*K], &a.kq[t*K], &a.kf[t*K/8], &a.ki[t*K/8], K, panel, K/KQuantBlock, out, ostride)
}

func (k kqKernels) tile1x4(m *matmulTask, t, p, q int, out *float32, ostride int) {
	a, K := m.act, m.w.Cols
	panel, ps := kqPanel(m, p)
	k.t1x4(&a.q[t*K], &a.kq[t*K], &a.kf[t*K/8], &a.ki[t*K/8], panel, q*ps, K/KQuantBlock, out, ostride)
}

func (k kqKernels) tile1(m *matmulTask, t, p int, out *float32, cold bool) {
	a, K := m.act, m.w.Cols
	panel, _ := kqPanel(m, p)
	t1 := k.t1
	if cold && k.t1cold != nil {
		t1 = k.t1cold
	}
	t1(&a.q[t*K], &a.kq[t*K], &a.kf[t*K/8], &a.ki[t*K/8], panel, K/KQuantBlock, out)
}
