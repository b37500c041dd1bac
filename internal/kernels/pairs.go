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
