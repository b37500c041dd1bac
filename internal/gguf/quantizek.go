package gguf

import (
	"encoding/binary"
	"math"

	"github.com/lfm2go/lfm2/internal/half"
)

// quantizeQ4K writes 256 values as a Q4_K block the way llama-quantize
// does without an importance matrix (ggml's quantize_row_q4_K_ref), so
// that the bytes are the same: per 32 values a scale and a min found by a
// weighted least-squares search over 21 candidate scales (weights
// mean-square + |x|), both rounded to 6 bits against the block's largest,
// and the quants recomputed from the rounded ones. Every float32 step is
// written as its own rounding (explicit float32 conversions), as ggml's
// portable C computes it, so that no compiler fuses a multiply and an add.
func quantizeQ4K(x []float32, out []byte) {
	var L [256]uint8
	var scales, mins [8]float32
	var maxScale, maxMin float32
	for j := 0; j < 8; j++ {
		xs := x[32*j : 32*j+32]
		var sumX2 float32
		for _, v := range xs {
			sumX2 += float32(v * v)
		}
		av := float32(math.Sqrt(float64(sumX2 / 32)))
		var w [32]float32
		for l, v := range xs {
			w[l] = av + float32(math.Abs(float64(v)))
		}
		scales[j], mins[j] = qkx2Quants(xs, w[:], L[32*j:32*j+32])
		maxScale, maxMin = max(maxScale, scales[j]), max(maxMin, mins[j])
	}
	invScale, invMin := float32(0), float32(0)
	if maxScale > 0 {
		invScale = 63 / maxScale
	}
	if maxMin > 0 {
		invMin = 63 / maxMin
	}
	sc := out[4:16]
	clear(sc)
	for j := 0; j < 8; j++ {
		ls := min(63, uint8(nearestInt(float32(invScale*scales[j]))))
		lm := min(63, uint8(nearestInt(float32(invMin*mins[j]))))
		if j < 4 {
			sc[j], sc[j+4] = ls, lm
		} else {
			sc[j+4] = ls&0xf | (lm&0xf)<<4
			sc[j-4] |= (ls >> 4) << 6
			sc[j] |= (lm >> 4) << 6
		}
	}
	d, dmin := half.FromF32(maxScale/63), half.FromF32(maxMin/63)
	binary.LittleEndian.PutUint16(out, d)
	binary.LittleEndian.PutUint16(out[2:], dmin)
	for j := 0; j < 8; j++ {
		s, m := scaleMinK4(j, sc)
		dj := float32(half.ToF32(d) * float32(s))
		if dj == 0 {
			continue
		}
		dm := float32(half.ToF32(dmin) * float32(m))
		for l, v := range x[32*j : 32*j+32] {
			L[32*j+l] = uint8(max(0, min(15, nearestInt(float32(v+dm)/dj))))
		}
	}
	q := out[16:]
	for j := 0; j < 256; j += 64 {
		for l := 0; l < 32; l++ {
			q[j/2+l] = L[j+l] | L[j+l+32]<<4
		}
	}
}

// qkx2Quants finds a scale and a (non-negative, subtracted) min for 32
// values with weights, and their quants 0–15 in L: ggml's
// make_qkx2_quants(32, 15, …, rmin −1, rdelta 0.1, nstep 20, squared
// error), step for step.
func qkx2Quants(x, w []float32, L []uint8) (scale, theMin float32) {
	const nmax = 15
	lo, hi := x[0], x[0]
	sumW := w[0]
	sumX := float32(sumW * x[0])
	for i := 1; i < len(x); i++ {
		lo, hi = min(lo, x[i]), max(hi, x[i])
		sumW += w[i]
		sumX += float32(w[i] * x[i])
	}
	lo = min(lo, 0)
	if hi == lo {
		clear(L)
		return 0, -lo
	}
	iscale := nmax / float32(hi-lo)
	scale = 1 / iscale
	var best float32
	for i, v := range x {
		L[i] = uint8(max(0, min(nmax, nearestInt(float32(iscale*float32(v-lo))))))
		diff := float32(float32(scale*float32(L[i]))+lo) - v
		best += float32(w[i] * float32(diff*diff))
	}
	var aux [32]uint8
	for is := 0; is <= 20; is++ {
		iscale = float32(float32(-1+float32(0.1*float32(is)))+nmax) / float32(hi-lo)
		var sumL, sumL2, sumXL float32
		for i, v := range x {
			l := max(0, min(nmax, nearestInt(float32(iscale*float32(v-lo)))))
			aux[i] = uint8(l)
			fl := float32(l)
			sumL += float32(w[i] * fl)
			sumL2 += float32(float32(w[i]*fl) * fl)
			sumXL += float32(float32(w[i]*fl) * v)
		}
		D := float32(sumW*sumL2) - float32(sumL*sumL)
		if D <= 0 {
			continue
		}
		thisScale := float32(float32(sumW*sumXL)-float32(sumX*sumL)) / D
		thisMin := float32(float32(sumL2*sumX)-float32(sumL*sumXL)) / D
		if thisMin > 0 {
			thisMin, thisScale = 0, sumXL/sumL2
		}
		var cur float32
		for i, v := range x {
			diff := float32(float32(thisScale*float32(aux[i]))+thisMin) - v
			cur += float32(w[i] * float32(diff*diff))
		}
		if cur < best {
			copy(L, aux[:len(x)])
			best, scale, lo = cur, thisScale, thisMin
		}
	}
	return scale, -lo
}

// nearestInt is ggml's nearest_int: round half to even (the float32 sum
// with 1.5·2²³ rounds to an integer in the current, nearest-even, mode).
func nearestInt(f float32) int {
	return int(math.RoundToEven(float64(f)))
}
