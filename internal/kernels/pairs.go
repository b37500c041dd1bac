package kernels

import "math"

// The avx512bf16 family multiplies bf16 weights by activations that are
// bf16 too, pairs of them in a dword as VDPBF16PS takes them (element 2j
// in the low half, 2j+1 in the high half: the weights' own order, so the
// weights are read as stored). Per 32-element chunk of a row, packPairs
// writes 16 dwords of high halves hi = bf16(x) and, in the exact tier, 16
// of low halves lo = bf16(x − hi): hi + lo carries 16 significant bits of x
// (an error below 2⁻¹⁸ of it), as in the AMX family. The fast tier keeps hi
// only: x rounded once to bf16, as llama.cpp and PyTorch's bf16 inference
// compute.

// pairChunk is the number of activations one packed chunk covers.
const pairChunk = 32

// pairsPerRow is how many dwords packPairs writes for a row of width k: the
// whole chunks only (the rest of a row is computed from the f32 row).
func pairsPerRow(k int, exact bool) int {
	n := k / pairChunk * 16
	if exact {
		n *= 2
	}
	return n
}

// packPairsGo packs the whole chunks of one row x into dst (the
// specification of packPairs512).
func packPairsGo(dst []uint32, x []float32, exact bool) {
	for c := 0; c+pairChunk <= len(x); c += pairChunk {
		hi := dst[:16]
		var lo []uint32
		if exact {
			lo = dst[16:32]
		}
		for j := 0; j < 16; j++ {
			h0, l0 := splitBF16(x[c+2*j])
			h1, l1 := splitBF16(x[c+2*j+1])
			hi[j] = uint32(h0) | uint32(h1)<<16
			if exact {
				lo[j] = uint32(l0) | uint32(l1)<<16
			}
		}
		dst = dst[pairsPerRow(pairChunk, exact):]
	}
}

// dotPairsGo is the specification of the VDPBF16PS kernels: the dot of a
// packed activation row with a bf16 weight row over whole chunks. Lane j
// of the accumulator takes pair j of each 16-dword group: the odd
// product, then the even one, each added and rounded to f32 (products of
// two bf16 are exact), the high group before the low one; the 16 lanes
// are then summed as REDUCE512 sums them. Subnormal inputs and results are
// flushed to zero, as the instruction does.
func dotPairsGo(x []uint32, w []uint16, exact bool) float32 {
	var acc [16]float32
	step := pairsPerRow(pairChunk, exact)
	for c := 0; c*pairChunk < len(w)&^(pairChunk-1); c++ {
		wc := w[c*pairChunk : (c+1)*pairChunk]
		for g := 0; g < step/16; g++ {
			xg := x[c*step+g*16 : c*step+g*16+16]
			for j := range acc {
				acc[j] = dpStep(acc[j], xg[j], wc[2*j], wc[2*j+1])
			}
		}
	}
	return reduce16(&acc)
}

// dpStep is one lane of VDPBF16PS: acc + odd product, then + even product.
func dpStep(acc float32, x uint32, w0, w1 uint16) float32 {
	bf := func(h uint16) float32 { return flushSubnormal(math.Float32frombits(uint32(h) << 16)) }
	acc = flushSubnormal(acc + bf(uint16(x>>16))*bf(w1))
	return flushSubnormal(acc + bf(uint16(x))*bf(w0))
}

func flushSubnormal(v float32) float32 {
	if math.Abs(float64(v)) < 0x1p-126 {
		return float32(math.Copysign(0, float64(v)))
	}
	return v
}

// pairTiles are one tier's kernels of a bf16-pair family. Every kernel
// gives a dot the same arithmetic.
type pairTiles struct {
	// t8x3 (optional) may run over a block of a row's chunks: mode
	// accLoad starts its 24 accumulators from acc (24×16 floats), accKeep
	// parks them there instead of reducing them into out. It computes
	// tiles tiles side by side: weight rows, outputs and parked
	// accumulators of each three rows, three floats and 24×16 floats on.
	// It prefetches the weight rows pf bytes past each tile's into L2.
	t8x3 func(x *uint32, xs int, w *uint16, ws int, chunks int, out *float32, os int, acc *float32, mode int, tiles int, pf int)
	t8x1 func(x *uint32, xs int, w *uint16, chunks int, out *float32, os int) // with t8x3
	// t4xw is four activation rows by wide weight rows.
	t4xw func(x *uint32, xs int, w *uint16, ws int, chunks int, out *float32, os int)
	wide int
	t1x4 func(x *uint32, w *uint16, k int, chunks int, q int, out *float32)
	// t2x4, t3x4 (optional) are t1x4 for two and three activation rows
	// (x + r·xs), row r's outputs os floats on: the weights read once for
	// all of them.
	t2x4, t3x4 func(x *uint32, xs int, w *uint16, k int, chunks int, q int, out *float32, os int)
	t1x1       func(x *uint32, w *uint16, chunks int) float32
}

// The modes of a t8x3 call over a block of chunks.
const (
	accLoad = 1 << iota // continue the accumulators parked in acc
	accKeep             // park the accumulators in acc: more blocks follow
)

// pairTileAcc is the size (floats) of one 8×3 tile's parked accumulators.
const pairTileAcc = 24 * 16

// pairBlockChunks is how many chunks of a row an 8×3 tile takes in one
// block (1024 activations) where rows go in blocks (pairBlockFor): eight
// rows of them (32 KiB packed in the exact tier, 16 KiB in the fast one)
// stay in L1 while the block's weight rows pass under them. On Zen 5
// (48 KiB L1) whole rows of FFN down projection width (K = 4608: 147 KiB
// exact) did not, and the tile ran at two thirds of its K = 1024 rate
// reading them from L2; there blocks of 512 and 2048 activations were
// slower in one tier or the other.
const pairBlockChunks = 32

// pairBlockFor is how many chunks of a row the 8×3 tiles take in one
// block, for a row of chunks chunks packed perChunk dwords a chunk, on a
// CPU whose L1 data cache holds l1d bytes (0: unknown): pairBlockChunks
// where eight rows of such a block leave room in L1, else whole rows. On
// Zen 4 (32 KiB L1) the exact tier's 32 KiB block filled L1, and blocks
// only cost: K = 4608, 2 threads, whole rows against blocks in two
// alternating runs were 4% faster in prefill (512 rows, weights in
// cache: 174 → 181 GFLOP/s) and 7–20% in batched decode (8 to 64 rows,
// 128 MB of weights: 8 rows 163–169 → 197–203, 16 rows 183–196 → 209–214),
// where a block's parked accumulators and the weights' short runs stood
// in the memory stream's way; blocks of 8 or 16 chunks were slower still.
// The fast tier's 16 KiB block fits: at 8 rows blocks were 12% faster.
func pairBlockFor(chunks, perChunk, l1d int) int {
	if l1d > 0 && 8*pairBlockChunks*perChunk*4 >= l1d {
		return chunks
	}
	return pairBlockChunks
}

// runPairs is MatMul with a family's bf16-pair kernels (VDPBF16PS,
// BFDOT) over weight rows [lo, hi) of a bf16 matrix, on the packed
// activations m.xb: 8×3 tiles (eight activation rows, three weight rows)
// while eight activation rows remain, where the family has them (prefill:
// 24 accumulators, a weight load per eight products; 8×1 for the weight
// rows left over; and the rows MatMul padded to eight, see pairRows),
// then 4×4 (or 4×2), then 1×4 (decode), and 1×1 for weight rows left
// over. Every kernel gives a dot the same arithmetic (see dotPairsGo), so
// which tile computes an output never changes it. The tiles write their
// outputs in place (row r of a tile N floats after row r−1). Columns past
// the last whole chunk are added in Go from the f32 activations.
func (m *matmulTask) runPairs(worker, lo, hi int) {
	w, K, N, T := m.w, m.w.Cols, m.w.Rows, m.T
	chunks, xs := K/pairChunk, pairsPerRow(K, m.xbExact)
	k := pairTilesFor(m.xbExact)
	x := func(t int) *uint32 { return &m.xb[t*xs] }
	wr := func(n int) *uint16 { return &w.BF16[n*K] }
	if chunks == 0 {
		for t := 0; t < T; t++ {
			clear(m.dst[t*N+lo : t*N+hi])
		}
	} else {
		t := 0
		// The rows packed past T (pairRows) are zeros, taken by the 8×3
		// tiles with the rest.
		if T8 := len(m.xb) / xs; k.t8x3 != nil && T8 >= 8 {
			m.runPairs8x3(&k, worker, lo, hi, T8)
			t = T8 &^ 7
		}
		t = min(t, T)
		n4 := lo + (hi-lo)/k.wide*k.wide
		for ; t+4 <= T; t += 4 {
			for n := lo; n < n4; n += k.wide {
				k.t4xw(x(t), xs, wr(n), K, chunks, &m.dst[t*N+n], N)
			}
			for n := n4; n < hi; n++ {
				for r := 0; r < 4; r++ {
					m.dst[(t+r)*N+n] = k.t1x1(x(t+r), wr(n), chunks)
				}
			}
		}
		// One activation row (decode): the range in four quarters, a tile
		// taking one row of each, so that the kernel's four streams each
		// run through a quarter's consecutive rows; two or three rows at
		// once where the family has such tiles.
		q := (hi - lo) / 4
		if r := T - t; q > 0 && (r == 2 && k.t2x4 != nil || r == 3 && k.t3x4 != nil) {
			tile := k.t2x4
			if r == 3 {
				tile = k.t3x4
			}
			tile(x(t), xs, wr(lo), K, chunks, q, &m.dst[t*N+lo], N)
			for ; t < T; t++ {
				for n := lo + 4*q; n < hi; n++ {
					m.dst[t*N+n] = k.t1x1(x(t), wr(n), chunks)
				}
			}
		}
		for ; t < T; t++ {
			if q > 0 {
				k.t1x4(x(t), wr(lo), K, chunks, q, &m.dst[t*N+lo])
			}
			for n := lo + 4*q; n < hi; n++ {
				m.dst[t*N+n] = k.t1x1(x(t), wr(n), chunks)
			}
		}
	}
	if k32 := chunks * pairChunk; k32 != K {
		for t := 0; t < T; t++ {
			for n := lo; n < hi; n++ {
				m.dst[t*N+n] += dotBF16Go(m.x[t*K+k32:(t+1)*K], w.BF16[n*K+k32:(n+1)*K])
			}
		}
	}
}

// pairSpanTiles is how many 8×3 tiles (weight rows in threes) the
// eights of activation rows take in turn while the rows stay in cache
// (runPairs8x3): 48 KiB of weights at K = 1024.
const pairSpanTiles = 8

// pairSpanActBytes bounds the packed activations (T8 rows) for which
// runPairs8x3 takes the weights in spans: batched decode and short
// prompts, whose rows stay in L2 beside a span's weight rows.
const pairSpanActBytes = 512 << 10

// runPairs8x3 computes the first T8 activation rows (whole eights: T and
// the zero rows pairRows padded, whose eight outputs go to the worker's
// padOut and the first T−t are copied out) against weight rows [lo, hi)
// with the 8×3 tiles, and 8×1 for the one or two rows past the threes.
// Wide rows may go a block of chunks at a time (pairBlockFor), each
// tile's accumulators parked between blocks: the same dot, lane by lane
// and chunk by chunk, as one pass over the row.
//
// With two eights or more whose rows stay in cache (batched decode), the
// weights go in spans of pairSpanTiles tiles, every eight over a span
// before the next span, and the last eight's tiles prefetch the next
// span's rows instead of their own next tile's: the next span comes from
// memory while the last eight computes, instead of all at once under the
// first eight (Zen 4, 16 sequences of synthetic:350m, exact: aggregate
// decode +5% in the median of twelve alternating rounds; the fast tier's
// kernel +6–15% at 16 rows). Otherwise (one eight,
// or prefill) the span is the whole range: each eight of activation rows
// stays in L1 while all the weight rows pass under it.
func (m *matmulTask) runPairs8x3(k *pairTiles, worker, lo, hi, T8 int) {
	w, K, N, T := m.w, m.w.Cols, m.w.Rows, m.T
	chunks, xs := K/pairChunk, pairsPerRow(K, m.xbExact)
	perChunk := pairsPerRow(pairChunk, m.xbExact)
	block := pairBlockFor(chunks, perChunk, m.l1d)
	n3 := lo + (hi-lo)/3*3
	all := (n3 - lo) / 3
	span := all
	if T8 >= 16 && T8*xs*4 <= pairSpanActBytes {
		span = min(all, pairSpanTiles)
	}
	var acc []float32
	if chunks > block {
		acc = m.pairAccFor(worker, span*pairTileAcc)
	}
	// outFor is where eight t's outputs go, and their row stride.
	outFor := func(t int) ([]float32, int) {
		if t+8 > T {
			return m.padOutFor(worker, 8*(hi-lo)), hi - lo
		}
		return m.dst[t*N+lo:], N
	}
	for n := lo; n < n3; n += 3 * span {
		tiles := min(span, (n3-n)/3)
		for t := 0; t+8 <= T8; t += 8 {
			out, ostride := outFor(t)
			pf := 3 * K * 2 // bytes: the next tile's rows
			if t+16 > T8 && span < all {
				pf *= span // the next span's
			}
			if acc == nil {
				k.t8x3(&m.xb[t*xs], xs, &w.BF16[n*K], K, chunks, &out[n-lo], ostride, nil, 0, tiles, pf)
				continue
			}
			for c := 0; c < chunks; c += block {
				nc, mode := min(block, chunks-c), 0
				if c > 0 {
					mode |= accLoad
				}
				if c+nc < chunks {
					mode |= accKeep
				}
				k.t8x3(&m.xb[t*xs+c*perChunk], xs, &w.BF16[n*K+c*pairChunk], K, nc,
					&out[n-lo], ostride, &acc[0], mode, tiles, pf)
			}
		}
	}
	for t := 0; t+8 <= T8; t += 8 {
		out, ostride := outFor(t)
		for n := n3; n < hi; n++ {
			k.t8x1(&m.xb[t*xs], xs, &w.BF16[n*K], chunks, &out[n-lo], ostride)
		}
		for r := 0; t+8 > T && t+r < T; r++ {
			copy(m.dst[(t+r)*N+lo:(t+r)*N+hi], out[r*ostride:r*ostride+hi-lo])
		}
	}
}

// reduce16 sums 16 lanes in REDUCE512's order: halves, then quarters, then
// pairs, then the last two.
func reduce16(a *[16]float32) float32 {
	var h [8]float32
	for i := range h {
		h[i] = a[i] + a[i+8]
	}
	var q [4]float32
	for i := range q {
		q[i] = h[i] + h[i+4]
	}
	return (q[0] + q[1]) + (q[2] + q[3])
}

// pairRows is how many activation rows MatMul packs for the bf16-pair
// tiles: T, or, in the fast tier when the tiles have 8×3 and batched
// decode leaves five to seven rows past its eights, T rounded up to a
// whole 8×3 tile (the added rows zeros), which those rows then take as one
// padded tile. There eight rows of 8×3 tiles cost what four rows of 4×4
// tiles do (memory bounds both), and each row past four costs a pass of
// the 1×4 tile over the weights in L2 (BenchmarkMatMulBatchedCold on Zen 4,
// 256 MB: 5–7 rows 9.7–13.8 → 7.8–8.6 ms; the model's batched decode of 6
// and 7 sequences +25–30%). Not in the exact tier, whose tiles are bound
// by their arithmetic: padded, 5 rows were slower and 15 sequences 7%.
func pairRows(T, K int, has8x3, exact bool) int {
	if r := T % 8; has8x3 && !exact && r >= 5 && activationsFit(T, K) {
		return T + 8 - r
	}
	return T
}

// padOutFor is worker's room for the n outputs of a padded 8×3 tile
// (runPairs), grown on first use and kept by the pool.
func (m *matmulTask) padOutFor(worker, n int) []float32 { return grown(&m.padOut[worker], n) }

// pairAccFor is worker's room for n floats of parked 8×3 accumulators,
// grown on first use and kept by the pool.
func (m *matmulTask) pairAccFor(worker, n int) []float32 { return grown(&m.pairAcc[worker], n) }

// grown is *a with room for n floats, reallocated when it has less: a
// worker's buffer kept by the pool.
func grown(a *[]float32, n int) []float32 {
	if cap(*a) < n {
		*a = make([]float32, n)
	}
	return (*a)[:n]
}
