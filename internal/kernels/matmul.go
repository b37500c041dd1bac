package kernels

// rowBlock is how many weight rows a matmul work chunk covers. Chunks are
// large enough to amortise the hand-out and small enough to balance two busy
// cores; a multiple of 4 so tiles never straddle chunks.
const rowBlock = 64

// maxFused is how many weight matrices one MatMul call can take.
const maxFused = 3

// matmulTask is kept inside the Pool (see MatMul) so a call allocates nothing.
type matmulTask struct {
	x    []float32
	xp   []float32 // x rearranged for the AVX-512 kernels
	xa   []uint64  // x split and packed for the AMX kernel (see packAMX)
	act  *act8     // x rounded to int8, for 4-bit weights
	T    int
	impl Impl
	// The AMX family's tile configuration and per-worker output tiles.
	amxCfg *[64]byte
	amxOut [][]float32
	// The weights and outputs of the call, and where each starts in the
	// concatenated row range [0, Σ rows) that the pool splits.
	n     int
	ws    [maxFused]*Mat
	dsts  [maxFused][]float32
	first [maxFused + 1]int
	// The matrix a Run range is in.
	w   *Mat
	dst []float32
}

// MatMul computes dst[T×N] = x[T×K] · Wᵀ for a weight W [N × K]
// (y = W·x per row, PyTorch's Linear). Rows of W are split across the pool.
// Whatever tile computes it, an output element is one dot product over K in
// the fixed order of the pool's kernel family, so a row's result does not
// depend on T or on the other rows.
func (p *Pool) MatMul(dst, x []float32, T int, w *Mat) {
	p.MatMuls(x, T, []*Mat{w}, [][]float32{dst})
}

// MatMuls applies up to three weight matrices with the same input width
// to x in one pass over the pool (q, k, v; gate and up): one synchronisation
// instead of several, and x prepared once. Each result is exactly what
// MatMul would give. The slices are only read during the call.
func (p *Pool) MatMuls(x []float32, T int, ws []*Mat, dsts [][]float32) {
	if T == 0 || len(ws) == 0 {
		return
	}
	if len(ws) > maxFused || len(dsts) != len(ws) {
		panic("kernels.MatMuls: one output per weight, at most three")
	}
	K := ws[0].Cols
	p.mm = matmulTask{x: x, T: T, impl: p.impl, n: len(ws), amxCfg: &p.amxCfg, amxOut: p.amxOut}
	// The row ranges handed out start at multiples of 16 within each
	// matrix (every matrix starts at a multiple of 16 in the concatenated
	// range), so a row meets the same kernel whichever matrices share the call.
	packed := false // bf16 or int8: read by the AVX-512 kernels deinterleaved
	amx := false    // some matrix goes through the AMX tile unit
	q4 := false     // some matrix is 4-bit: x is rounded to int8 once
	q8 := false     // some matrix is int8: the AVX2 family reads x deinterleaved too
	for i, w := range ws {
		if w.Cols != K || len(x) < T*K || len(dsts[i]) < T*w.Rows {
			panic("kernels.MatMuls: shapes do not fit")
		}
		p.mm.ws[i], p.mm.dsts[i] = w, dsts[i]
		p.mm.first[i+1] = p.mm.first[i] + (w.Rows+amxRows-1)/amxRows*amxRows
		covered := p.impl == ImplAMX && amxCovers(w)
		amx = amx || covered
		packed = packed || (w.BF16 != nil || w.Q8 != nil) && !(covered && w.Rows%amxRows == 0)
		q4 = q4 || w.Q4 != nil
		q8 = q8 || w.Q8 != nil
	}
	if q4 {
		p.act.prepare(x, T, K)
		p.mm.act = &p.act
	}
	if amx {
		n := (T + amxBlock - 1) / amxBlock * K / 32 * amxStep / 4
		if cap(p.xa) < n {
			p.xa = make([]uint64, n)
		}
		p.mm.xa = p.xa[:n]
		p.packAMXRows(p.mm.xa, x, T, K)
	}
	if packed && p.impl.hasAVX512() || q8 && p.impl == ImplAVX2 {
		if cap(p.xp) < T*K {
			p.xp = make([]float32, T*K)
		}
		xp := p.xp[:T*K]
		p.deinterleaveRows(xp, x, T, K)
		p.mm.xp = xp
	}
	p.Run(&p.mm, p.mm.first[p.mm.n], rowBlock)
	p.mm = matmulTask{}
}

// Run computes the concatenated rows [lo, hi), matrix by matrix.
func (m *matmulTask) Run(worker, lo, hi int) {
	for i := 0; i < m.n && lo < hi; i++ {
		a, b := max(lo, m.first[i]), min(hi, m.first[i]+m.ws[i].Rows)
		if a >= b {
			continue
		}
		mm := *m // a per-range copy: Run may execute on several goroutines
		mm.w, mm.dst = m.ws[i], m.dsts[i]
		mm.rows(worker, a-m.first[i], b-m.first[i])
	}
}

// rows computes rows [lo, hi) of the matrix m.w into m.dst.
func (m *matmulTask) rows(worker, lo, hi int) {
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
	if w.Q4 != nil {
		m.runQ4(lo, hi)
		return
	}
	if w.Affine != nil && m.impl == ImplGo {
		spr := K / Q8Block * AffineFloats
		for n := lo; n < hi; n++ {
			q, a := w.Q8[n*K:(n+1)*K], w.Affine[n*spr:(n+1)*spr]
			for t := 0; t < m.T; t++ {
				m.dst[t*N+n] = dotQ8AffineGo(m.x[t*K:(t+1)*K], q, a)
			}
		}
		return
	}
	if w.Q8 != nil && m.impl == ImplGo {
		spr := K / Q8Block
		for n := lo; n < hi; n++ {
			q, sc := w.Q8[n*K:(n+1)*K], w.Scales[n*spr:(n+1)*spr]
			for t := 0; t < m.T; t++ {
				m.dst[t*N+n] = dotQ8Go(m.x[t*K:(t+1)*K], q, sc)
			}
		}
		return
	}
	switch {
	case m.impl == ImplAMX && amxCovers(w):
		m.runAMX(worker, lo, hi)
	case m.impl.hasAVX512():
		m.run512(lo, hi)
	case m.impl == ImplAVX2:
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

// runQ4Go computes rows [lo, hi) of a 4-bit matrix with the Go kernel.
func (m *matmulTask) runQ4Go(lo, hi int) {
	w := m.w
	K, N, spr := w.Cols, w.Rows, w.Cols/Q8Block
	for n := lo; n < hi; n++ {
		nib, sc := w.Q4[n*K/2:(n+1)*K/2], w.Scales[n*spr:(n+1)*spr]
		for t := 0; t < m.T; t++ {
			m.dst[t*N+n] = dotQ4Go(m.act, t, nib, sc)
		}
	}
}
