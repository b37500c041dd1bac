//go:build amd64 && !purego

package kernels

import "golang.org/x/sys/cpu"

//go:noescape
func packPairs512(dst *uint32, x *float32, chunks int, exact bool)

//go:noescape
func dpExact1x1(x *uint32, w *uint16, chunks int) float32

//go:noescape
func dpExact1x4(x *uint32, w *uint16, k int, chunks int, q int, out *float32)

//go:noescape
func dpExact4x4(x *uint32, xs int, w *uint16, ws int, chunks int, out *float32, os int)

//go:noescape
func dpFast1x1(x *uint32, w *uint16, chunks int) float32

//go:noescape
func dpFast1x4(x *uint32, w *uint16, k int, chunks int, q int, out *float32)

//go:noescape
func dpFast4x4(x *uint32, xs int, w *uint16, ws int, chunks int, out *float32, os int)

//go:noescape
func dpExact8x3(x *uint32, xs int, w *uint16, ws int, chunks int, out *float32, os int)

//go:noescape
func dpFast8x3(x *uint32, xs int, w *uint16, ws int, chunks int, out *float32, os int)

//go:noescape
func dpExact8x1(x *uint32, xs int, w *uint16, chunks int, out *float32, os int)

//go:noescape
func dpFast8x1(x *uint32, xs int, w *uint16, chunks int, out *float32, os int)

// hasAVX512BF16 reports whether this CPU has VDPBF16PS and VCVTNE2PS2BF16
// beside the AVX-512 the rest of the family uses.
func hasAVX512BF16() bool {
	return cpu.X86.HasAVX512F && cpu.X86.HasAVX512VL && cpu.X86.HasAVX512BW && cpu.X86.HasAVX512BF16
}

// avx512bf16Family is the AVX-512 family with bf16 matmuls on VDPBF16PS
// (activations packed as bf16 pairs, see pairs.go): exact by default, or
// fast (activations rounded once to bf16).
func avx512bf16Family(fast bool) family {
	f := avx512Family()
	f.impl = ImplAVX512BF16
	f.features = append(f.features, "AVX512_BF16")
	f.fast = fast
	vnni := f.nativeQ4
	needs := actPairs
	if fast {
		needs = actPairsHigh
	}
	f.matKernel = func(w *Mat) matKernel {
		if w.BF16 == nil {
			return avx512MatKernel(w, vnni)
		}
		return matKernel{rows: (*matmulTask).runPairs, needs: needs}
	}
	return f
}

// packPairs packs rows [lo, hi) of x (width k) into dst, stride pairsPerRow.
func packPairs(dst []uint32, x []float32, k, lo, hi int, exact bool) {
	chunks, stride := k/pairChunk, pairsPerRow(k, exact)
	if chunks == 0 {
		return
	}
	for r := lo; r < hi; r++ {
		_, _ = dst[(r+1)*stride-1], x[r*k+chunks*pairChunk-1]
		packPairs512(&dst[r*stride], &x[r*k], chunks, exact)
	}
}

// pairTiles are one tier's VDPBF16PS kernels.
type pairTiles struct {
	t8x3, t4x4 func(x *uint32, xs int, w *uint16, ws int, chunks int, out *float32, os int)
	t8x1       func(x *uint32, xs int, w *uint16, chunks int, out *float32, os int)
	t1x4       func(x *uint32, w *uint16, k int, chunks int, q int, out *float32)
	t1x1       func(x *uint32, w *uint16, chunks int) float32
}

func pairTilesFor(exact bool) pairTiles {
	if exact {
		return pairTiles{dpExact8x3, dpExact4x4, dpExact8x1, dpExact1x4, dpExact1x1}
	}
	return pairTiles{dpFast8x3, dpFast4x4, dpFast8x1, dpFast1x4, dpFast1x1}
}

// runPairs is MatMul with the VDPBF16PS kernels over weight rows [lo, hi)
// of a bf16 matrix, on the packed activations m.xb: 8×3 tiles (eight
// activation rows, three weight rows) while eight activation rows remain
// (prefill: 24 accumulators, a weight load per eight products; 8×1 for
// the weight rows left over), then 4×4, then 1×4 (decode), and 1×1 for
// weight rows left over. Every kernel gives a dot the same arithmetic (see
// dotPairsGo), so which tile computes an output never changes it. The
// tiles write their outputs in place (row r of a tile N floats after row
// r−1). Columns past the last whole chunk are added in Go from the f32
// activations.
func (m *matmulTask) runPairs(_, lo, hi int) {
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
		n3 := lo + (hi-lo)/3*3
		for ; t+8 <= T; t += 8 {
			for n := lo; n < n3; n += 3 {
				k.t8x3(x(t), xs, wr(n), K, chunks, &m.dst[t*N+n], N)
			}
			for n := n3; n < hi; n++ {
				k.t8x1(x(t), xs, wr(n), chunks, &m.dst[t*N+n], N)
			}
		}
		n4 := lo + (hi-lo)&^3
		for ; t+4 <= T; t += 4 {
			for n := lo; n < n4; n += 4 {
				k.t4x4(x(t), xs, wr(n), K, chunks, &m.dst[t*N+n], N)
			}
			for n := n4; n < hi; n++ {
				for r := 0; r < 4; r++ {
					m.dst[(t+r)*N+n] = k.t1x1(x(t+r), wr(n), chunks)
				}
			}
		}
		// One activation row (decode): the range in four quarters, a tile
		// taking one row of each, so that the kernel's four streams each
		// run through a quarter's consecutive rows.
		q := (hi - lo) / 4
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
