package gguf

import "encoding/binary"

// The 2- and 3-bit K-quants and the IQ4 types. No kernel computes on them
// as stored: they are read into the exact forms (Int8Blocks, AffineBlocks),
// each weight the same float32 ggml's dequantize_row_* makes. Each type is
// unpacked once here, into int8 quants and per-sub-block scales (and Q2_K's
// offsets), for Dequantize and the exact forms alike.

// kvaluesIQ4 is the table IQ4_NL's and IQ4_XS's 4-bit indices select from.
var kvaluesIQ4 = [16]int8{-127, -104, -83, -65, -49, -35, -22, -10, 1, 13, 25, 38, 53, 69, 89, 113}

// q2KParts unpacks a Q2_K block (16 bytes of 4-bit scale and min pairs, 64
// bytes of 2-bit quants, then the f16 d and dmin): weight i is
// float32(scale[i/16]·q[i]) + offset[i/16], with q in 0…3, scale =
// d·(sc&15) and offset = −dmin·(sc>>4).
func q2KParts(blk []byte, q []int8, scale, offset *[16]float32) {
	sc, qs := blk[:16], blk[16:80]
	d, dmin := f16(blk[80:]), f16(blk[82:])
	for i := range 16 {
		scale[i] = d * float32(sc[i]&0xf)
		offset[i] = -(dmin * float32(sc[i]>>4))
	}
	// Per 128 weights, 32 bytes of quants: shift 2j of byte l gives
	// weights 32j+l (l < 32).
	for n := 0; n < 2; n++ {
		for j := 0; j < 4; j++ {
			for l := 0; l < 32; l++ {
				q[128*n+32*j+l] = int8(qs[32*n+l] >> uint(2*j) & 3)
			}
		}
	}
}

// q3KParts unpacks a Q3_K block (32 bytes of high-bit mask, 64 of 2-bit
// quants, 12 of 6-bit scales, the f16 d): weight i is scale[i/16]·q[i],
// with q in −4…3 (the low bits, minus 4 where the mask's bit is clear) and
// scale = d·(sc − 32).
func q3KParts(blk []byte, q []int8, scale *[16]float32) {
	hm, qs, sc := blk[:32], blk[32:96], blk[96:108]
	d := f16(blk[108:])
	for i := range 16 {
		lo := sc[i%8] & 0xf
		if i >= 8 {
			lo = sc[i-8] >> 4
		}
		hi := sc[8+i%4] >> uint(2*(i/4)) & 3
		scale[i] = d * float32(int(lo|hi<<4)-32)
	}
	for n := 0; n < 2; n++ {
		for j := 0; j < 4; j++ {
			bit := byte(1) << uint(4*n+j)
			for l := 0; l < 32; l++ {
				v := int8(qs[32*n+l] >> uint(2*j) & 3)
				if hm[l]&bit == 0 {
					v -= 4
				}
				q[128*n+32*j+l] = v
			}
		}
	}
}

// iq4Parts unpacks an IQ4_NL block (f16 d, 16 bytes of index pairs) or an
// IQ4_XS block (f16 d, 16 bits of high scale bits, 4 bytes of low scale
// bits, 128 bytes of index pairs) into int8 weights and one scale per 32:
// weight i is scale[i/32]·q[i].
func iq4Parts(t Type, blk []byte, q []int8, scale []float32) {
	d := f16(blk)
	qs := blk[2:]
	if t == IQ4_XS {
		high := binary.LittleEndian.Uint16(blk[2:])
		low := blk[4:8]
		qs = blk[8:]
		for ib := range 8 {
			ls := int(low[ib/2]>>uint(4*(ib%2))&0xf) | int(high>>uint(2*ib)&3)<<4
			scale[ib] = d * float32(ls-32)
		}
	} else {
		scale[0] = d
	}
	for b := range len(scale) {
		for j := range 16 {
			x := qs[16*b+j]
			q[32*b+j], q[32*b+j+16] = kvaluesIQ4[x&0xf], kvaluesIQ4[x>>4]
		}
	}
}

// dequantLowBit writes one block of Q2_K, Q3_K, IQ4_NL or IQ4_XS as
// float32, with ggml's roundings (no fused multiply-add).
func dequantLowBit(t Type, blk []byte, y []float32) {
	var q [256]int8
	switch t {
	case Q2_K:
		var scale, offset [16]float32
		q2KParts(blk, q[:], &scale, &offset)
		for i := range 256 {
			y[i] = float32(scale[i/16]*float32(q[i])) + offset[i/16]
		}
	case Q3_K:
		var scale [16]float32
		q3KParts(blk, q[:], &scale)
		for i := range 256 {
			y[i] = scale[i/16] * float32(q[i])
		}
	case IQ4_NL, IQ4_XS:
		var scale [8]float32
		n := len(y) / 32
		iq4Parts(t, blk, q[:len(y)], scale[:n])
		for i := range y {
			y[i] = scale[i/32] * float32(q[i])
		}
	}
}
