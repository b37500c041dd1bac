//go:build arm64 && !purego

package kernels

//go:noescape
func q4Panel1SDOT(xq *int8, corr *int32, xs *float32, nib *byte, sc *uint16, nb int, out *float32)

//go:noescape
func q4Panel4SDOT(xq *int8, corr *int32, xs *float32, k int, nib *byte, sc *uint16, nb int, out *float32, ostride int)

// neonDotFamily is the NEON family with 4-bit, K-quant and Q8_0 weights
// as stored on SDOT (FEAT_DotProd: Cortex-A76 and later, Apple M1 and
// later, Graviton2+): the fast tier of the quantized formats, as on x86.
func neonDotFamily() family {
	f := neonFamily()
	f.impl = ImplNEONDot
	f.features = append(f.features, "ASIMDDP")
	f.nativeQ4, f.nativeKQuant, f.nativeQ8Panels = true, true, true
	bf16 := f.matKernel
	f.matKernel = func(w *Mat) matKernel {
		switch w.Format() {
		case FormatQ4:
			return matKernel{rows: (*matmulTask).runQ4SDOT, needs: actInt8}
		case FormatQ4K, FormatQ5K, FormatQ6K, FormatQ8Panels:
			return matKernel{rows: (*matmulTask).runKQuantSDOT, needs: actInt8 | actInt8K}
		}
		return bf16(w)
	}
	return f
}

// runQ4SDOT computes rows [lo, hi) of a 4-bit matrix with the SDOT
// kernels: four activation rows a panel while four remain, then one.
func (m *matmulTask) runQ4SDOT(_, lo, hi int) {
	runPanels(m, q4Kernels{t4: q4Panel4SDOT, t1: q4Panel1SDOT}, lo, hi)
}

//go:noescape
func bfdExact1x1(x *uint32, w *uint16, chunks int) float32

//go:noescape
func bfdExact1x4(x *uint32, w *uint16, k int, chunks int, q int, out *float32)

//go:noescape
func bfdExact4x2(x *uint32, xs int, w *uint16, ws int, chunks int, out *float32, os int)

//go:noescape
func bfdFast1x1(x *uint32, w *uint16, chunks int) float32

//go:noescape
func bfdFast1x4(x *uint32, w *uint16, k int, chunks int, q int, out *float32)

//go:noescape
func bfdFast4x2(x *uint32, xs int, w *uint16, ws int, chunks int, out *float32, os int)

// pairTilesFor are one tier's BFDOT kernels (bfdot_arm64.s).
func pairTilesFor(exact bool) pairTiles {
	if exact {
		return pairTiles{t4xw: bfdExact4x2, wide: 2, t1x4: bfdExact1x4, t1x1: bfdExact1x1}
	}
	return pairTiles{t4xw: bfdFast4x2, wide: 2, t1x4: bfdFast1x4, t1x1: bfdFast1x1}
}

// neonBF16Family is the neon-dotprod family with bf16 matmuls on BFDOT
// (FEAT_BF16: Graviton3/4, Neoverse V1/V2/N2, Apple M2 and later), on
// activations packed as bf16 pairs (pairs.go): exact by default (high and
// low halves), or fast (activations rounded once to bf16).
func neonBF16Family(fast bool) family {
	f := neonDotFamily()
	f.impl, f.fast = ImplNEONBF16, fast
	f.features = append(f.features, "BF16")
	needs := actPairs
	if fast {
		needs = actPairsHigh
	}
	other := f.matKernel
	f.matKernel = func(w *Mat) matKernel {
		if w.Format() != FormatBF16 {
			return other(w)
		}
		return matKernel{rows: (*matmulTask).runPairs, needs: needs, grain: pairGrain}
	}
	return f
}
