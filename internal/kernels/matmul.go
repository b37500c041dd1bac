package kernels

// rowBlock is how many weight rows a matmul work chunk covers. Chunks are
// large enough to amortise the hand-out and small enough to balance two busy cores.
const rowBlock = 16

// matmulTask is kept inside the Pool's caller (see MatMul) so that a call
// allocates nothing.
type matmulTask struct {
	dst, x []float32
	T      int
	w      *Mat
}

// MatMul computes dst[T×N] = x[T×K] · Wᵀ for a weight W [N × K]
// (y = W·x per row, PyTorch's Linear). Rows of W are split across the pool.
// Each output element is one Dot over K in a fixed order, so a row's result
// does not depend on T or on the other rows.
func (p *Pool) MatMul(dst, x []float32, T int, w *Mat) {
	if T == 0 {
		return
	}
	K, N := w.Cols, w.Rows
	if len(x) < T*K || len(dst) < T*N {
		panic("kernels.MatMul: buffer too small")
	}
	p.mm = matmulTask{dst: dst, x: x, T: T, w: w}
	p.Run(&p.mm, N, rowBlock)
	p.mm = matmulTask{}
}

func (m *matmulTask) Run(worker, lo, hi int) {
	w := m.w
	K, N := w.Cols, w.Rows
	for n := lo; n < hi; n++ {
		if w.F32 != nil {
			wr := w.F32[n*K : (n+1)*K]
			for t := 0; t < m.T; t++ {
				m.dst[t*N+n] = dotF32(m.x[t*K:(t+1)*K], wr)
			}
			continue
		}
		wr := w.BF16[n*K : (n+1)*K]
		t := 0
		// Four activation rows share each widened weight chunk.
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
