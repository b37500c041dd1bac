package kernels

// Element-wise ops spread over the pool. Each element (or row) is computed
// exactly as the serial op computes it, so splitting changes no result.

type elemOp uint8

const (
	opSwiGLU elemOp = iota
	opAdd
	opRMSNorm
	opDeinterleave
	opPackAMX
	opPackPairs
	opRoundAct16
	opRoundAct8
)

// elemTask is kept in the Pool so these calls allocate nothing.
type elemTask struct {
	pool       *Pool
	op         elemOp
	dst, a, b  []float32
	width      int // row width for row-wise ops
	eps        float32
	normWeight []float32
	packed     []uint64 // opPackAMX's destination
	pairs      []uint32 // opPackPairs' destination
	exact      bool     // opPackPairs: high and low halves
	rows       int      // opPackAMX: rows of x
	act16      *act16   // opRoundAct16's destination
	act8       *act8    // opRoundAct8's destination
	kquant     bool     // opRoundAct8: the K-quants' planes too
}

// elemGrain is how many floats an element-wise chunk covers: small inputs
// (decode) stay on the calling goroutine.
const elemGrain = 1 << 14

func (e *elemTask) Run(worker, lo, hi int) {
	switch e.op {
	case opSwiGLU:
		e.pool.fam.swiglu(e.dst[lo:hi], e.a[lo:hi], e.b[lo:hi])
	case opAdd:
		e.pool.fam.add(e.dst[lo:hi], e.a[lo:hi])
	case opRMSNorm:
		for r := lo; r < hi; r++ {
			e.pool.RMSNorm(e.dst[r*e.width:(r+1)*e.width], e.a[r*e.width:(r+1)*e.width], e.normWeight, e.eps)
		}
	case opPackAMX:
		packAMXFast(e.packed, e.a, e.rows, e.width, lo, hi)
	case opPackPairs:
		packPairs(e.pairs, e.a, e.width, lo, hi, e.exact)
	case opRoundAct16:
		e.act16.roundRows(e.a, e.width, lo, hi, e.pool.fam.roundAct16)
	case opRoundAct8:
		var roundK func(x []float32, q []int8, scale []float32, kq []int8, kf []float32, ki []int32)
		if e.kquant {
			roundK = e.pool.fam.roundActK
		}
		e.act8.roundBlocks(e.a, lo, hi, e.pool.fam.roundAct8, roundK)
	case opDeinterleave:
		for r := lo; r < hi; r++ {
			deinterleave32(e.dst[r*e.width:(r+1)*e.width], e.a[r*e.width:(r+1)*e.width])
		}
	}
}

func (p *Pool) runElem(n, grain int) {
	p.Run(&p.elem, n, grain)
	p.elem = elemTask{}
}

// SwiGLU is the parallel form of the package-level SwiGLU, vectorised in
// the AVX-512 family (its exp is accurate to 3e-7, not bit-equal to Go's).
func (p *Pool) SwiGLU(dst, gate, up []float32) {
	p.elem = elemTask{pool: p, op: opSwiGLU, dst: dst, a: gate, b: up}
	p.runElem(len(dst), elemGrain)
}

// Add does dst += src in parallel.
func (p *Pool) Add(dst, src []float32) {
	p.elem = elemTask{pool: p, op: opAdd, dst: dst, a: src}
	p.runElem(len(dst), elemGrain)
}

// RMSNormRows normalises rows rows of width floats from x into dst.
func (p *Pool) RMSNormRows(dst, x, w []float32, rows, width int, eps float32) {
	p.elem = elemTask{pool: p, op: opRMSNorm, dst: dst, a: x, width: width, normWeight: w, eps: eps}
	p.runElem(rows, max(1, elemGrain/width))
}

func (p *Pool) deinterleaveRows(dst, x []float32, rows, width int) {
	p.elem = elemTask{op: opDeinterleave, dst: dst, a: x, width: width}
	p.runElem(rows, max(1, elemGrain/width))
}

// roundAct16Rows rounds x [T×K] into a (act16.go), rows spread over the
// pool.
func (p *Pool) roundAct16Rows(a *act16, x []float32, T, K int) {
	a.resize(T * K)
	p.elem = elemTask{pool: p, op: opRoundAct16, act16: a, a: x, width: K}
	p.runElem(T, max(1, elemGrain/K))
}

// roundAct8 rounds the n activations of x (a whole number of 32-value
// blocks) into a, as act8.prepare and (kquant) the family's roundActK do, blocks
// spread over the pool: a prefill chunk's rounding was serial, and in the
// Go specification (arm64) it took longer than some of its matmuls.
func (p *Pool) roundAct8(a *act8, x []float32, n int, kquant bool) {
	a.resize(n, kquant)
	p.elem = elemTask{pool: p, op: opRoundAct8, act8: a, a: x, kquant: kquant}
	p.runElem(n/Q8Block, elemGrain/Q8Block)
}

// packPairRows packs x [T×K] as bf16 pairs (see packPairs), rows spread
// over the pool.
func (p *Pool) packPairRows(dst []uint32, x []float32, T, K int, exact bool) {
	p.elem = elemTask{op: opPackPairs, pairs: dst, a: x, width: K, exact: exact}
	p.runElem(T, max(1, elemGrain/K))
}

// packAMXRows packs x [T×K] for the AMX kernel (see packAMX), padding the
// last block of rows with zeros. Tiles are spread over the pool.
func (p *Pool) packAMXRows(dst []uint64, x []float32, T, K int) {
	p.elem = elemTask{op: opPackAMX, packed: dst, a: x, rows: T, width: K}
	tiles := (T + amxBlock - 1) / amxBlock * K / 32
	p.runElem(tiles, 16)
}
