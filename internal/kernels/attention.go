package kernels

import (
	"math"
)

// KVSpan locates the cached keys or values of one sequence for one layer:
// position s lives in Blocks[s/BlockSize] at row s%BlockSize, each row Stride
// floats wide (all kv heads side by side).
type KVSpan struct {
	Blocks    [][]float32
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

func (p *Pool) attnScratch(worker, d int) attnScratch {
	buf := p.Scratch(worker, 4*lanes*d+lanes*lanes+3*lanes)
	take := func(n int) []float32 {
		s := buf[:n:n]
		buf = buf[n:]
		return s
	}
	return attnScratch{qt: take(lanes * d), ot: take(lanes * d), kb: take(lanes * d), vb: take(lanes * d),
		s: take(lanes * lanes), m: take(lanes), l: take(lanes), mult: take(lanes)}
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
	ws := p.attnScratch(worker, d)
	k := p.attnKernels()
	clear(ws.qt)
	clear(ws.ot)
	maxPos := int32(-1)
	for i := 0; i < b.N; i++ {
		for j, v := range b.Q[i][:d] {
			ws.qt[j*lanes+i] = v * scale
		}
		maxPos = max(maxPos, b.Pos[i])
	}
	for i := range ws.m {
		ws.m[i], ws.l[i] = float32(math.Inf(-1)), 0
	}
	neg := float32(math.Inf(-1))
	for c := 0; c <= int(maxPos); c += lanes {
		nk := min(lanes, int(maxPos)+1-c)
		for kk := 0; kk < lanes; kk++ {
			kr, vr := ws.kb[kk*d:(kk+1)*d], ws.vb[kk*d:(kk+1)*d]
			if kk < nk {
				copy(kr, keys.row(c + kk)[off:off+d])
				copy(vr, vals.row(c + kk)[off:off+d])
			} else {
				clear(kr)
				clear(vr)
			}
		}
		k.scores(ws.s, ws.qt, ws.kb, d)
		// Mask keys after each query's position, find each lane's new max.
		for i := 0; i < lanes; i++ {
			m := ws.m[i]
			for kk := 0; kk < lanes; kk++ {
				if kk >= nk || i >= b.N || int32(c+kk) > b.Pos[i] {
					ws.s[kk*lanes+i] = neg
				} else if v := ws.s[kk*lanes+i]; v > m {
					m = v
				}
			}
			ws.mult[i] = 1
			if m > ws.m[i] {
				ws.mult[i] = float32(math.Exp(float64(ws.m[i] - m)))
				ws.m[i] = m
			}
			for kk := 0; kk < lanes; kk++ {
				ws.s[kk*lanes+i] -= m
			}
		}
		k.exp(ws.s)
		for i := 0; i < lanes; i++ {
			sum := ws.l[i] * ws.mult[i]
			for kk := 0; kk < lanes; kk++ {
				if kk >= nk || i >= b.N || int32(c+kk) > b.Pos[i] {
					ws.s[kk*lanes+i] = 0 // exactly nothing from masked keys
				}
				sum += ws.s[kk*lanes+i]
			}
			ws.l[i] = sum
		}
		k.accum(ws.ot, ws.s, ws.vb, ws.mult, d)
	}
	for i := 0; i < b.N; i++ {
		inv := 1 / ws.l[i]
		o := b.Out[i][:d]
		for j := range o {
			o[j] = ws.ot[j*lanes+i] * inv
		}
	}
}

// attnKernels are the tile operations of one kernel family.
type attnKernels struct {
	scores func(s, qt, k []float32, d int)
	accum  func(ot, p, v, mult []float32, d int)
	exp    func(x []float32)
}

// attnScoresGo is the specification of the score tile:
// s[16·kk+lane] = Σ_j qt[16·j+lane]·k[d·kk+j].
func attnScoresGo(s, qt, k []float32, d int) {
	for kk := 0; kk < lanes; kk++ {
		kr := k[kk*d : (kk+1)*d]
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

// attnAccumGo is the specification of the accumulation tile:
// ot[16·j+lane] = ot·mult[lane] + Σ_kk p[16·kk+lane]·v[d·kk+j], kk in order.
func attnAccumGo(ot, p, v, mult []float32, d int) {
	for j := 0; j < d; j++ {
		o := ot[j*lanes : (j+1)*lanes]
		for i := range o {
			o[i] *= mult[i]
		}
		for kk := 0; kk < lanes; kk++ {
			vv := v[kk*d+j]
			pk := p[kk*lanes : (kk+1)*lanes]
			for i := range o {
				o[i] += pk[i] * vv
			}
		}
	}
}

func expGo(x []float32) {
	for i, v := range x {
		x[i] = float32(math.Exp(float64(v)))
	}
}
