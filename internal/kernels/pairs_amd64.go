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
func dpExact2x4(x *uint32, xs int, w *uint16, k int, chunks int, q int, out *float32, os int)

//go:noescape
func dpExact3x4(x *uint32, xs int, w *uint16, k int, chunks int, q int, out *float32, os int)

//go:noescape
func dpFast2x4(x *uint32, xs int, w *uint16, k int, chunks int, q int, out *float32, os int)

//go:noescape
func dpFast3x4(x *uint32, xs int, w *uint16, k int, chunks int, q int, out *float32, os int)

//go:noescape
func dpFast1x1(x *uint32, w *uint16, chunks int) float32

//go:noescape
func dpFast1x4(x *uint32, w *uint16, k int, chunks int, q int, out *float32)

//go:noescape
func dpFast4x4(x *uint32, xs int, w *uint16, ws int, chunks int, out *float32, os int)

//go:noescape
func dpExact8x3(x *uint32, xs int, w *uint16, ws int, chunks int, out *float32, os int, acc *float32, mode int, tiles int, pf int)

//go:noescape
func dpFast8x3(x *uint32, xs int, w *uint16, ws int, chunks int, out *float32, os int, acc *float32, mode int, tiles int, pf int)

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
	f.peakLoop = avx512bf16Peak(fast)
	vnni := f.nativeQ4
	needs := actPairs
	if fast {
		needs = actPairsHigh
	}
	f.matKernel = func(w *Mat) matKernel {
		if w.BF16 == nil {
			return avx512MatKernel(w, vnni)
		}
		return matKernel{rows: (*matmulTask).runPairs, needs: needs, grain: pairGrain}
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

// pairTilesFor are one tier's VDPBF16PS kernels.
func pairTilesFor(exact bool) pairTiles {
	if exact {
		return pairTiles{dpExact8x3, dpExact8x1, dpExact4x4, 4, dpExact1x4, dpExact2x4, dpExact3x4, dpExact1x1}
	}
	return pairTiles{dpFast8x3, dpFast8x1, dpFast4x4, 4, dpFast1x4, dpFast2x4, dpFast3x4, dpFast1x1}
}
