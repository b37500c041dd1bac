// Package half converts IEEE half-precision (f16) values, as weight files
// store scales and weights in them.
package half

import "math"

// ToF32 widens a half to float32 (exact).
func ToF32(h uint16) float32 {
	sign := uint32(h>>15) << 31
	exp := int32(h>>10) & 0x1f
	mant := uint32(h & 0x3ff)
	switch {
	case exp == 0x1f: // inf or NaN
		return math.Float32frombits(sign | 0x7f800000 | mant<<13)
	case exp == 0 && mant == 0:
		return math.Float32frombits(sign)
	case exp == 0: // subnormal: normalise
		for mant&0x400 == 0 {
			mant <<= 1
			exp--
		}
		exp++
		mant &= 0x3ff
	}
	return math.Float32frombits(sign | uint32(exp+112)<<23 | mant<<13)
}

// FromF32 rounds to half precision, to nearest even, as F16C's VCVTPS2PH
// (and ggml's GGML_FP32_TO_FP16) does: overflow to infinity, gradual
// underflow to subnormals, NaN kept NaN.
func FromF32(f float32) uint16 {
	b := math.Float32bits(f)
	sign := uint16(b>>16) & 0x8000
	exp := int32(b>>23) & 0xff
	mant := b & 0x7fffff
	switch {
	case exp == 0xff: // inf or NaN
		if mant != 0 {
			return sign | 0x7e00
		}
		return sign | 0x7c00
	case exp-127 > 15: // too large
		return sign | 0x7c00
	}
	e := exp - 127 + 15
	if e >= 1 {
		// Normal: keep 10 mantissa bits, round the 13 dropped to nearest even.
		m := mant >> 13
		rest := mant & 0x1fff
		h := uint32(e)<<10 | m
		if rest > 0x1000 || rest == 0x1000 && m&1 == 1 {
			h++ // may carry into the exponent, up to infinity: correct
		}
		return sign | uint16(h)
	}
	// Subnormal (or zero) in half precision: value = m × 2^-24.
	if e < -10 {
		return sign // rounds to zero
	}
	full := mant | 0x800000 // implicit bit
	shift := uint32(14 - e) // 13 + (1 - e)
	m := full >> shift
	rest := full & (1<<shift - 1)
	halfway := uint32(1) << (shift - 1)
	if rest > halfway || rest == halfway && m&1 == 1 {
		m++
	}
	return sign | uint16(m)
}
