package kernels

// rowBlock is how many weight rows a matmul work chunk covers. Chunks are
// large enough to amortise the hand-out and small enough to balance two busy
// cores; a multiple of 4 so tiles never straddle chunks.
const rowBlock = 64

// matmulTask is kept inside the Pool (see MatMul) so a call allocates nothing.
type matmulTask struct {
	dst, x []float32
	xp     []float32 // x rearranged for the AVX-512 kernels
	T      int
	w      *Mat
	impl   Impl
}

// MatMul computes dst[T×N] = x[T×K] · Wᵀ for a weight W [N × K]
// (y = W·x per row, PyTorch's Linear). Rows of W are split across the pool.
// Whatever tile computes it, an output element is one dot product over K in
// the fixed order of the pool's kernel family, so a row's result does not
// depend on T or on the other rows.
func (p *Pool) MatMul(dst, x []float32, T int, w *Mat) {
	if T == 0 {
		return
	}
	K, N := w.Cols, w.Rows
	if len(x) < T*K || len(dst) < T*N {
		panic("kernels.MatMul: buffer too small")
	}
	p.mm = matmulTask{dst: dst, x: x, T: T, w: w, impl: p.impl}
	if w.BF16 != nil && p.impl == ImplAVX512 {
		if cap(p.xp) < T*K {
			p.xp = make([]float32, T*K)
		}
		xp := p.xp[:T*K]
		p.deinterleaveRows(xp, x, T, K)
		p.mm.xp = xp
	}
	p.Run(&p.mm, N, rowBlock)
	p.mm = matmulTask{}
}

func (m *matmulTask) Run(worker, lo, hi int) {
	w := m.w
	K, N := w.Cols, w.Rows
	if w.F32 != nil {
		dot := dotGo
		if m.impl != ImplGo {
			dot = dotF32
		}
		for n := lo; n < hi; n++ {
			wr := w.F32[n*K : (n+1)*K]
			for t := 0; t < m.T; t++ {
				m.dst[t*N+n] = dot(m.x[t*K:(t+1)*K], wr)
			}
		}
		return
	}
	switch m.impl {
	case ImplAVX512:
		m.run512(lo, hi)
	case ImplAVX2:
		m.runAVX2(lo, hi)
	default:
		for n := lo; n < hi; n++ {
			wr := w.BF16[n*K : (n+1)*K]
			for t := 0; t < m.T; t++ {
				m.dst[t*N+n] = dotBF16Go(m.x[t*K:(t+1)*K], wr)
			}
		}
	}
}

// deinterleave32 writes x in the AVX-512 kernels' layout: each 32-float
// chunk as its 16 even-indexed then 16 odd-indexed elements. Only the part
// up to a multiple of 32 is rearranged; the tail is read from x itself.
func deinterleave32(dst, x []float32) {
	m := len(x) &^ 31
	for c := 0; c < m; c += 32 {
		src, d := x[c:c+32:c+32], dst[c:c+32:c+32]
		for j := 0; j < 16; j++ {
			d[j], d[16+j] = src[2*j], src[2*j+1]
		}
	}
}
