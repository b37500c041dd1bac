//go:build arm64 && !purego

package kernels

import "golang.org/x/sys/cpu"

// availableImpls lists the arm64 families this CPU runs, best first.
// Advanced SIMD is part of every arm64 CPU Go supports.
func availableImpls() []Impl {
	var out []Impl
	if cpu.ARM64.HasASIMDDP && hasBF16() {
		out = append(out, ImplNEONBF16)
	}
	if cpu.ARM64.HasASIMDDP {
		out = append(out, ImplNEONDot)
	}
	return append(out, ImplNEON, ImplGo)
}

// archFamily builds the table of an arm64 family.
func archFamily(impl Impl, fast bool) (family, bool) {
	switch impl {
	case ImplNEON:
		return neonFamily(), true
	case ImplNEONDot:
		return neonDotFamily(), true
	case ImplNEONBF16:
		return neonBF16Family(fast), true
	}
	return family{}, false
}

// neonFamily: NEON element kernels, bf16/f32 matmuls (f32 FMLA on
// widened bf16, like the AVX2 family) and int8/affine int8 matmuls (f32
// FMLA on dequantized weights), SwiGLU, the attention tiles (products and
// the online-softmax step) and the rounding of activations to int8; 4-bit
// weights kept as int8 here.
func neonFamily() family {
	f := goFamily()
	f.impl, f.features = ImplNEON, []string{"ASIMD"}
	vectorElems(&f, 4, elemsNEON())
	f.attnScores, f.attnAccum = attnScoresNEONTile, attnAccumNEONTile
	f.attnSoftmax = softmaxStep(attnSoftmaxNEON) // e^x by the x86 kernels' polynomial
	// Decode's two to four queries a kv head: one register of lanes
	// instead of four (the softmax step leaves the empty lane groups).
	f.attnSoftmaxNarrow = softmaxStep(attnSoftmaxNEON)
	f.attnNarrow = []narrowTiles{narrowSet(2, 4, 16, attnScoresP2NEON, attnAccumP2NEON, attnScoresP2HNEON, attnAccumP2HNEON),
		{queries: narrowLanes, scores: attnScoresN4NEONTile, accum: attnAccumN4NEONTile,
			scoresF16: scoreTileF16(attnScoresN4HNEON),
			accumF16:  accumTileF16(attnAccumN4HNEON, narrowLanes),
		}}
	f.swiglu = swigluNEONChunk
	f.roundAct8, f.roundActK = roundAct8Vec, roundActKVec
	useNEONHalf(&f)
	f.bf16 = neonBF16()
	f.matKernel = func(w *Mat) matKernel {
		switch w.Format() {
		case FormatBF16:
			return matKernel{rows: (*matmulTask).runBF16Tiles, grain: bf16TileGrain}
		case FormatF32:
			return matKernel{rows: (*matmulTask).rowsF32NEON}
		case FormatF16:
			return matKernel{rows: (*matmulTask).rowsF16NEON}
		case FormatInt8, FormatInt8Affine:
			return matKernel{rows: (*matmulTask).runInt8NEON}
		}
		return goMatKernel(w)
	}
	return f
}
