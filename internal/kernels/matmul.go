package kernels

// rowBlock is how many weight rows a matmul work chunk covers. Chunks are
// large enough to amortise the hand-out and small enough to balance two busy
// cores; a multiple of 4 so tiles never straddle chunks.
const rowBlock = 64

// tileGrain is a prefill work chunk (weight rows of width K, bf16) for
// tiles of three weight rows: a multiple of 48, so that a chunk is whole
// tiles (3) at multiples of 16 (see MatMuls), with no one-row tile left
// over — at K = 4608 the bf16-pair family's one row in 64 took 5% of the
// time, and the AVX2 family's 4×1 tile 5.5% of its prefill — and as many
// 48s as fit in bytes, the weight rows that the tile's activation rows
// pass over while they stay in L2.
func tileGrain(K, bytes int) int {
	return 48 * max(1, bytes/(48*2*K))
}

// pairGrain is the bf16-pair tiles' prefill grain (eight activation rows
// and more): on Zen 5, 2 threads, K = 1024 w1, 64-row chunks ran at 720
// GFLOP/s fast, 192-row ones (pairChunkBytes) 755; larger chunks of
// K = 4608 rows, which outgrow L2, were slower.
func pairGrain(T, K int) int {
	if T < 8 {
		return rowBlock
	}
	return tileGrain(K, pairChunkBytes)
}

// pairChunkBytes bounds the weight bytes of a pairGrain chunk.
const pairChunkBytes = 384 << 10

// bf16TileGrain is the f32-FMA bf16 tiles' prefill grain (runBF16Tiles):
// on Zen 4 (LFM2_KERNELS=avx2, 2 threads, 512 rows, K = 1024 and 4608),
// 48-row multiples of 192 KiB against 64-row chunks were faster in seven
// of eight alternating runs, by 3–5%.
func bf16TileGrain(_, K int) int { return tileGrain(K, bf16TileChunkBytes) }

// bf16TileChunkBytes bounds the weight bytes of a bf16TileGrain chunk.
const bf16TileChunkBytes = 192 << 10

// maxFused is how many weight matrices one MatMul call can take.
const maxFused = 3

// matmulTask is kept inside the Pool (see MatMul) so a call allocates nothing.
type matmulTask struct {
	x   []float32
	xp  []float32 // x rearranged for the AVX-512 kernels
	xa  []uint64  // x split and packed for the AMX kernel (see packAMX)
	act *act8     // x rounded to int8, for 4-bit weights
	// x rounded to int16, for Q8_0 weights on VPMADDWD
	act16 *act16
	xb    []uint32 // x as bf16 pairs for the VDPBF16PS kernels (see packPairs)
	// xbExact: xb holds high and low halves (else high halves only).
	xbExact bool
	bf16    *bf16Tiles // the family's bf16 tiles
	// Tile outputs of runBF16Tiles (in the per-worker views).
	out12 [12]float32
	out4  [4]float32
	q4out [4 * Q4Panel]float32 // runPanels' outputs of a last, partial panel
	// f16Tiles' tile outputs (its kernels are function values: a local
	// array would escape).
	f16out [16]float32
	T      int
	// batchBlock: the pool's bound on a batched decode block's weight
	// bytes (batchBlockRows).
	batchBlock int
	l1d        int // the pool's level-1 data cache bytes (pairBlockFor)
	// The AMX family's tile configuration and per-worker output tiles.
	amxCfg *[64]byte
	amxOut [][]float32
	// Per worker: parked accumulators of the 8×3 bf16-pair tiles (runPairs).
	pairAcc [][]float32
	// Per worker: the outputs of a padded 8×3 tile (runPairs).
	padOut [][]float32
	// Per worker: the pool's scratch, where rowsF16 and f16Tiles widen
	// f16 weight rows with toF32.
	scratch [][]float32
	toF32   func(dst []float32, src []uint16)
	// The weights, kernels and outputs of the call, and where each starts
	// in the concatenated row range [0, Σ rows) that the pool splits.
	n     int
	ws    [maxFused]*Mat
	kerns [maxFused]matKernel
	dsts  [maxFused][]float32
	first [maxFused + 1]int
	// The matrix a Run range is in, set in a per-worker copy of the task
	// (views, one per worker, kept by the Pool so Run allocates nothing).
	w     *Mat
	dst   []float32
	views []matmulTask
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
	p.mm = matmulTask{x: x, T: T, n: len(ws), amxCfg: &p.amxCfg, amxOut: p.amxOut, pairAcc: p.pairAcc, padOut: p.padOut, views: p.mmViews, bf16: &p.fam.bf16,
		scratch: p.scratch, toF32: p.fam.toF32, batchBlock: p.batchBlock, l1d: p.l1d}
	// The row ranges handed out start at multiples of 16 within each
	// matrix (every matrix starts at a multiple of 16 in the concatenated
	// range), so a row meets the same kernel whichever matrices share the call.
	var needs actForms
	for i, w := range ws {
		if w.Cols != K || len(x) < T*K || len(dsts[i]) < T*w.Rows {
			panic("kernels.MatMuls: shapes do not fit")
		}
		p.mm.ws[i], p.mm.dsts[i] = w, dsts[i]
		if w.F16 != nil {
			p.growScratch(4 * K) // a tile's weight rows: f16Tiles
		}
		p.mm.kerns[i] = p.fam.matKernel(w)
		needs |= p.mm.kerns[i].needs
		p.mm.first[i+1] = p.mm.first[i] + (w.Rows+amxRows-1)/amxRows*amxRows
	}
	if needs&actInt8 != 0 {
		p.roundAct8(&p.act, x, T*K, needs&actInt8K != 0)
		p.mm.act = &p.act
	}
	if needs&actInt16 != 0 {
		p.roundAct16Rows(&p.act16, x, T, K)
		p.mm.act16 = &p.act16
	}
	if needs&actAMX != 0 {
		n := (T + amxBlock - 1) / amxBlock * K / 32 * amxStep / 4
		if cap(p.xa) < n {
			p.xa = backed[uint64](n)
		}
		p.mm.xa = p.xa[:n]
		p.packAMXRows(p.mm.xa, x, T, K)
	}
	if needs&(actPairs|actPairsHigh) != 0 {
		exact := needs&actPairs != 0
		rows := pairRows(T, K, pairTilesFor(exact).t8x3 != nil, exact)
		n := rows * pairsPerRow(K, exact)
		if cap(p.xb) < n {
			p.xb = backed[uint32](n)
		}
		p.mm.xb, p.mm.xbExact = p.xb[:n], exact
		p.packPairRows(p.mm.xb, x, T, K, exact)
		clear(p.mm.xb[T*pairsPerRow(K, exact):])
	}
	if needs&actDeinterleaved != 0 {
		if cap(p.xp) < T*K {
			p.xp = backed[float32](T * K)
		}
		xp := p.xp[:T*K]
		p.deinterleaveRows(xp, x, T, K)
		p.mm.xp = xp
	}
	if activationsFit(T, K) { // decode: the weights stream once
		p.runGuided(&p.mm, p.mm.first[p.mm.n], rowBlock)
	} else {
		p.Run(&p.mm, p.mm.first[p.mm.n], p.mm.prefillGrain(T, K))
	}
	p.mm = matmulTask{}
}

// prefillGrain is the work chunk (weight rows) of a call whose activation
// rows do not stay in cache: the smallest of its kernels' grains (rowBlock
// where a kernel has none). Every grain is a multiple of 16, so chunks
// start at multiples of 16 within each matrix.
func (m *matmulTask) prefillGrain(T, K int) int {
	g := 0
	for _, k := range m.kerns[:m.n] {
		kg := rowBlock
		if k.grain != nil {
			kg = k.grain(T, K)
		}
		if g == 0 || kg < g {
			g = kg
		}
	}
	return g
}

// Run computes the concatenated rows [lo, hi), matrix by matrix.
func (m *matmulTask) Run(worker, lo, hi int) {
	for i := 0; i < m.n && lo < hi; i++ {
		a, b := max(lo, m.first[i]), min(hi, m.first[i]+m.ws[i].Rows)
		if a >= b {
			continue
		}
		v := &m.views[worker] // Run may execute on several goroutines
		*v = *m
		v.w, v.dst = m.ws[i], m.dsts[i]
		a, b = a-m.first[i], b-m.first[i]
		step := b - a
		if m.T > 1 && activationsFit(m.T, v.w.Cols) {
			step = batchBlockRows(v.w, m.batchBlock)
		}
		for s := a; s < b; s += step {
			m.kerns[i].rows(v, worker, s, min(s+step, b))
		}
	}
}

// batchBlockRows is how many weight rows of w a batched decode matmul
// (two or more activation rows, all of them cache-resident) hands its
// kernels at a time: about blockBytes of weights, whole 16-row groups
// (so a row meets the same kernel whichever block it is in) of whole 8×3
// and 4-row tiles. The kernels read a range once per activation row they
// do not tile (a decode row, and the rows left over past the 4- and 8-row
// tiles); in blocks that fit in L2, only the first of those reads comes
// from memory.
func batchBlockRows(w *Mat, blockBytes int) int {
	rowBytes := max(1, int(w.Bytes()/int64(max(1, w.Rows))))
	return 48 * max(1, blockBytes/(48*rowBytes))
}

// batchBlockBytes is a Pool's bound on the weight bytes of a batched
// decode block (batchBlockRows): half of a 1 MiB L2 (Zen 4 and 5; Intel's
// are larger), the rest for the activations. On Zen 4,
// BenchmarkMatMulBatchedCold at 2 and 3 rows: 128 and 256 KiB blocks were
// 5–10% slower.
const batchBlockBytes = 512 << 10

// smallActivations is the size (bytes) up to which the activation rows of a
// matmul are treated as cache-resident: weights-outer loop order.
const smallActivations = 128 << 10

// activationsFit reports whether T activation rows of width K are few
// enough to stay in cache (smallActivations): batched decode's regime.
func activationsFit(T, K int) bool { return T*K*4 <= smallActivations }

// eachTile calls tile(t, n) for every block of four activation rows t and
// every group of width weight rows n in [lo, hi) (the whole groups only):
// weights outermost while the activations are few enough to stay in cache
// (batched decode: each weight group serves every row block while hot and
// the weights stream from memory once), activations outermost otherwise
// (prefill: four activation rows stay in L1 while the chunk's weight rows,
// in L2, pass under them — weight-outer would stream every activation row
// from memory once per weight group). The order never changes a result.
func eachTile(T, K, lo, hi, width int, tile func(t, n int)) {
	t4, end := T&^3, lo+(hi-lo)/width*width
	if activationsFit(T, K) {
		for n := lo; n < end; n += width {
			for t := 0; t < t4; t += 4 {
				tile(t, n)
			}
		}
		return
	}
	for t := 0; t < t4; t += 4 {
		for n := lo; n < end; n += width {
			tile(t, n)
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
