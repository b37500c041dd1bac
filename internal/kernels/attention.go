package kernels

import (
	"math"
	"unsafe"
)

// KVSpan locates the cached keys or values of one sequence for one layer:
// position s lives in Blocks[s/BlockSize] at row s%BlockSize, each row Stride
// floats wide (all kv heads side by side); in an f16 cache (kvhalf.go),
// in Half instead (one of the two is set).
type KVSpan struct {
	Blocks    [][]float32
	Half      [][]uint16
	BlockSize int
	Stride    int
}

func (s *KVSpan) row(pos int) []float32 {
	b := s.Blocks[pos/s.BlockSize]
	r := pos % s.BlockSize
	return b[r*s.Stride : (r+1)*s.Stride]
}

// QueryBlock is up to 16 query vectors that share one kv head: a token's
// query heads of that group, for one or more tokens of one sequence. Lane i
// holds query Q[i] at absolute position Pos[i] and writes Out[i].
type QueryBlock struct {
	N   int
	Q   [lanes][]float32
	Out [lanes][]float32
	Pos [lanes]int32
}

// lanes is the number of queries (and keys) a tile handles.
const lanes = 16

// attnScratch is one worker's space for a query block, carved from the
// pool's per-worker scratch.
type attnScratch struct {
	qt, ot     []float32 // [d][lanes]: queries (scaled) and outputs, transposed
	s          []float32 // [lanes keys][lanes]: scores, then probabilities
	kb, vb     []float32 // [lanes keys][d]: the key chunk's keys and values
	m, l, mult []float32 // per lane: running max, running sum, rescale factor
}

// attnScratchFloats is the scratch one query block's attention takes.
func attnScratchFloats(d int) int { return 4*lanes*d + lanes*lanes + 3*lanes }

// carveAttnScratch carves one query block's scratch from buf.
func carveAttnScratch(buf []float32, d int) attnScratch {
	take := func(n int) []float32 {
		s := buf[:n:n]
		buf = buf[n:]
		return s
	}
	return attnScratch{qt: take(lanes * d), ot: take(lanes * d), kb: take(lanes * d), vb: take(lanes * d),
		s: take(lanes * lanes), m: take(lanes), l: take(lanes), mult: take(lanes)}
}

// MaxAttendHeads is the most query blocks AttendHeads takes at once.
const MaxAttendHeads = 8

// attnRun is one query block's attention in progress: its scratch, its
// tiles and, for the f32 cache, where the next chunk lies.
type attnRun struct {
	b              *QueryBlock
	off            int
	ws             attnScratch
	maxPos, minPos int32
	used           uint16
	narrow         *narrowTiles // the family's tiles this block takes; nil: the 16-lane ones
	halfTiles      bool
	scores         func(s, qt, k []float32, d, kstride int)
	softmaxStep    func(s, m, l, mult []float32, masks *[lanes]uint16)
	accum          func(ot, pr, v, mult []float32, d, vstride int)
	kr, vr         []float32
	rs             int
	inPlace        bool
}

// Attend computes causal attention for the queries of b over the cached
// keys and values of their sequence (kv head at column off, head size d):
// out = Σ_s softmax_s(q·k_s·scale)·v_s over positions s ≤ the query's own.
//
// Keys are taken in chunks of 16 aligned to absolute position, with an
// online softmax: per chunk a 16×16 score tile, a per-lane running max and
// sum, and the outputs rescaled and accumulated. Lanes never mix and chunks
// past a query's position leave it exactly unchanged, so a query's result
// does not depend on the other queries in its block (batch invariance).
func (p *Pool) Attend(worker int, b *QueryBlock, keys, vals *KVSpan, off, d int, scale float32) {
	p.AttendHeads(worker, unsafe.Slice(b, 1), keys, vals, off, 0, d, scale)
}

// AttendHeads is Attend for query blocks of one sequence (at most
// MaxAttendHeads), block i over the kv head at column off + i·step: the
// cache is walked once, a chunk of every block's head at a time, so that
// a core reads the heads of a row together (decode: a token's kv heads)
// rather than one head's column of every row, then the next. Each
// block's arithmetic is Attend's: its result is bit-identical.
func (p *Pool) AttendHeads(worker int, blocks []QueryBlock, keys, vals *KVSpan, off, step, d int, scale float32) {
	n := len(blocks)
	if n > MaxAttendHeads {
		panic("kernels.AttendHeads: more query blocks than MaxAttendHeads")
	}
	per := attnScratchFloats(d)
	buf := p.Scratch(worker, n*per)
	runs := p.attnRuns[worker][:n]
	last := int32(-1)
	for i := range runs {
		p.attnStart(&runs[i], &blocks[i], carveAttnScratch(buf[i*per:(i+1)*per], d), keys, vals, off+i*step, d, scale)
		last = max(last, runs[i].maxPos)
	}
	for c := 0; c <= int(last); c += lanes {
		for i := range runs {
			if c <= int(runs[i].maxPos) {
				p.attnChunk(&runs[i], worker, keys, vals, c, d)
			}
		}
	}
	for i := range runs {
		runs[i].finish(d)
		runs[i] = attnRun{} // drop the references to the caller's slices
	}
}

// attnStart sets up block b's run: the queries scaled and transposed,
// the running sums cleared, the tiles chosen.
func (p *Pool) attnStart(r *attnRun, b *QueryBlock, ws attnScratch, keys, vals *KVSpan, off, d int, scale float32) {
	*r = attnRun{b: b, off: off, ws: ws, maxPos: -1, minPos: math.MaxInt32}
	clear(ws.qt)
	clear(ws.ot)
	for i := 0; i < b.N; i++ {
		for j, v := range b.Q[i][:d] {
			ws.qt[j*lanes+i] = v * scale
		}
		r.maxPos, r.minPos = max(r.maxPos, b.Pos[i]), min(r.minPos, b.Pos[i])
	}
	for i := range ws.m {
		ws.m[i], ws.l[i] = float32(math.Inf(-1)), 0
	}
	r.used = uint16(1<<b.N - 1)
	// Decode's few queries (a token's heads of this kv head) take the
	// narrow tiles where the family has them, the narrowest that holds
	// them: the same arithmetic per query, without computing twelve or
	// more empty lanes.
	r.scores, r.softmaxStep, r.accum = p.fam.attnScores, p.fam.attnSoftmax, p.fam.attnAccum
	if d%32 == 0 {
		for i := range p.fam.attnNarrow {
			if t := &p.fam.attnNarrow[i]; b.N <= t.queries {
				r.narrow = t
				r.scores, r.softmaxStep, r.accum = t.scores, p.fam.attnSoftmaxNarrow, t.accum
				break
			}
		}
	}
	// An f16 cache is read where it lies by the narrow tiles that read
	// halves (decode), else widened into the scratch a chunk at a time.
	r.halfTiles = keys.Half != nil && r.narrow != nil && r.narrow.scoresF16 != nil
	// The first chunk's keys and values where they lie in an f32 cache
	// (found for the next chunk while prefetching it).
	r.kr, r.vr, r.rs, r.inPlace = chunkInPlace(keys, vals, 0, min(lanes, int(r.maxPos)+1), off)
}

// attnChunk takes the run's block over positions [c, c+16).
func (p *Pool) attnChunk(r *attnRun, worker int, keys, vals *KVSpan, c, d int) {
	ws, b, off, maxPos := &r.ws, r.b, r.off, int(r.maxPos)
	masks := &p.attnMasks[worker] // masks[kk] bit i: query i sees key kk of the chunk
	nk := min(lanes, maxPos+1-c)
	next := min(lanes, maxPos+1-c-lanes) // positions in the next chunk
	kt, vt, stride := ws.kb, ws.vb, d
	var kh, vh []uint16 // an f16 chunk read where it lies
	switch {
	case keys.Half != nil:
		var ok bool
		if r.halfTiles {
			kh, vh, stride, ok = halfChunkInPlace(keys, vals, c, nk, off)
		}
		if !ok {
			kh, vh, stride = nil, nil, d
			if next > 0 {
				p.prefetchHalf(keys, c+lanes, next, off, d)
				p.prefetchHalf(vals, c+lanes, next, off, d)
			}
			p.widenChunk(ws.kb, keys, c, nk, off, d)
			p.widenChunk(ws.vb, vals, c, nk, off, d)
		}
	case r.inPlace:
		kt, vt, stride = r.kr, r.vr, r.rs // read the cache where it lies
	default:
		for kk := 0; kk < lanes; kk++ {
			kd, vd := ws.kb[kk*d:(kk+1)*d], ws.vb[kk*d:(kk+1)*d]
			if kk < nk {
				copy(kd, keys.row(c + kk)[off:off+d])
				copy(vd, vals.row(c + kk)[off:off+d])
			} else {
				clear(kd) // finite, so that 0·v is 0
				clear(vd)
			}
		}
	}
	// Decode reads the cache from memory (the weights passed through
	// since the last token): ask for this chunk's values while the
	// scores are computed, and the next chunk's keys before the
	// softmax. The hardware prefetchers do not follow 16 rows of
	// 256 bytes 2 KiB apart (a kv head's column).
	if kh != nil {
		p.prefetchHalf(vals, c, nk, off, d)
		r.narrow.scoresF16(ws.s, ws.qt, kh, d, stride)
		if next > 0 {
			p.prefetchHalf(keys, c+lanes, next, off, d)
		}
	} else {
		p.fam.prefetch(vt, stride, lanes, d)
		r.scores(ws.s, ws.qt, kt, d, stride)
		if next > 0 {
			r.kr, r.vr, r.rs, r.inPlace = chunkInPlace(keys, vals, c+lanes, next, off)
			if r.inPlace {
				p.fam.prefetch(r.kr, r.rs, lanes, d)
			}
		}
	}
	for kk := range masks {
		masks[kk] = 0
		if c+kk <= int(r.minPos) {
			masks[kk] = r.used // every query sees it: the common case
		} else if kk < nk {
			for i := 0; i < b.N; i++ {
				if int32(c+kk) <= b.Pos[i] {
					masks[kk] |= 1 << i
				}
			}
		}
	}
	r.softmaxStep(ws.s, ws.m, ws.l, ws.mult, masks)
	if vh != nil {
		r.narrow.accumF16(ws.ot, ws.s, vh, ws.mult, d, stride)
	} else {
		r.accum(ws.ot, ws.s, vt, ws.mult, d, stride)
	}
}

// finish writes the run's outputs: the accumulated values over the
// running sums.
func (r *attnRun) finish(d int) {
	b, ws := r.b, &r.ws
	for i := 0; i < b.N; i++ {
		inv := 1 / ws.l[i]
		o := b.Out[i][:d]
		if r.narrow != nil { // held query by query
			for j, v := range ws.ot[i*d : (i+1)*d] {
				o[j] = v * inv
			}
			continue
		}
		for j := range o {
			o[j] = ws.ot[j*lanes+i] * inv
		}
	}
}

// chunkInPlace returns the keys and values of positions [c, c+16) of a
// chunk as strided views into the cache (row stride rs floats) when all 16
// are cached positions in one block, sparing the copy.
func chunkInPlace(keys, vals *KVSpan, c, nk, off int) (kr, vr []float32, rs int, ok bool) {
	r := c % keys.BlockSize
	if keys.Half != nil || nk < lanes || r+lanes > keys.BlockSize || keys.Stride != vals.Stride || keys.BlockSize != vals.BlockSize {
		return nil, nil, 0, false
	}
	rs = keys.Stride
	lo, hi := r*rs+off, (r+lanes)*rs
	kb, vb := keys.Blocks[c/keys.BlockSize], vals.Blocks[c/vals.BlockSize]
	return kb[lo:hi], vb[lo:hi], rs, true
}

// attnScoresGo is the specification of the score tile:
// s[16·kk+lane] = Σ_j qt[16·j+lane]·k[kstride·kk+j].
func attnScoresGo(s, qt, k []float32, d, kstride int) {
	for kk := 0; kk < lanes; kk++ {
		kr := k[kk*kstride : kk*kstride+d]
		out := s[kk*lanes : (kk+1)*lanes]
		clear(out)
		for j, kv := range kr {
			q := qt[j*lanes : (j+1)*lanes]
			for i := range out {
				out[i] += q[i] * kv
			}
		}
	}
}

// attnSoftmaxGo is the specification of the online-softmax step over a
// score tile s[16·kk+lane]: for each lane, over the keys kk whose mask
// admits it (bit lane of masks[kk]), the running maximum m grows to cover
// them, mult is e^(old m − new m) where it grew and exactly 1 where not,
// each score becomes its probability e^(s − m) (exactly 0 where masked),
// and l becomes l·mult plus the probabilities added in key order.
func attnSoftmaxGo(s, m, l, mult []float32, masks *[lanes]uint16) {
	for i := 0; i < lanes; i++ {
		bit := uint16(1) << i
		mi := m[i]
		for kk := 0; kk < lanes; kk++ {
			if masks[kk]&bit != 0 && s[kk*lanes+i] > mi {
				mi = s[kk*lanes+i]
			}
		}
		mult[i] = 1
		if mi > m[i] {
			mult[i] = float32(math.Exp(float64(m[i] - mi)))
		}
		m[i] = mi
		sum := l[i] * mult[i]
		for kk := 0; kk < lanes; kk++ {
			p := float32(0)
			if masks[kk]&bit != 0 {
				p = float32(math.Exp(float64(s[kk*lanes+i] - mi)))
			}
			s[kk*lanes+i] = p
			sum += p
		}
		l[i] = sum
	}
}

// attnAccumGo is the specification of the accumulation tile:
// ot[16·j+lane] = ot·mult[lane] + Σ_kk p[16·kk+lane]·v[vstride·kk+j], kk in order.
func attnAccumGo(ot, p, v, mult []float32, d, vstride int) {
	for j := 0; j < d; j++ {
		o := ot[j*lanes : (j+1)*lanes]
		for i := range o {
			o[i] *= mult[i]
		}
		for kk := 0; kk < lanes; kk++ {
			vv := v[kk*vstride+j]
			pk := p[kk*lanes : (kk+1)*lanes]
			for i := range o {
				o[i] += pk[i] * vv
			}
		}
	}
}

// narrowLanes is the most queries the narrow tiles take: a token's query
// heads of one kv head in LFM2's models (two to four).
const narrowLanes = 4

// attnScoresNarrowGo is the specification of the narrow score tile for
// up to queries queries: the score tile's sums for lanes q < queries
// only, each the same chain of products in order j. The other lanes of s
// mean nothing after it (kernels may leave or fill them; the softmax masks
// them).
func attnScoresNarrowGo(queries int) func(s, qt, k []float32, d, kstride int) {
	return func(s, qt, k []float32, d, kstride int) {
		for kk := 0; kk < lanes; kk++ {
			kr := k[kk*kstride : kk*kstride+d]
			var out [narrowLanes]float32
			for j, kv := range kr {
				for i := range out[:queries] {
					out[i] += qt[j*lanes+i] * kv
				}
			}
			copy(s[kk*lanes:], out[:queries])
		}
	}
}

// attnAccumNarrowGo is the specification of the narrow accumulation tile
// for up to queries queries: the accumulation tile's outputs for lanes
// q < queries, held query by query (ot[d·q + j]): ot·mult[q] +
// Σ_kk p[16·kk+q]·v[vstride·kk+j], kk in order.
func attnAccumNarrowGo(queries int) func(ot, p, v, mult []float32, d, vstride int) {
	return func(ot, p, v, mult []float32, d, vstride int) {
		for q := 0; q < queries; q++ {
			o := ot[q*d : (q+1)*d]
			for j := range o {
				o[j] *= mult[q]
				for kk := 0; kk < lanes; kk++ {
					o[j] += p[kk*lanes+q] * v[kk*vstride+j]
				}
			}
		}
	}
}
