package gguf

import (
	"encoding/binary"
	"fmt"
	"math"

	"github.com/lfm2go/lfm2/internal/half"
)

// Dequantize writes the values of n elements of type t, stored in src, as
// float32: the arithmetic of ggml's dequantize_row_* (and gguf-py's), so a
// model computed on these values is the model the file describes.
func Dequantize(t Type, src []byte, dst []float32) error {
	info, ok := types[t]
	if !ok || !info.decode {
		return fmt.Errorf("dequantizing %s is not supported", t)
	}
	if len(dst)%info.block != 0 || len(src) != len(dst)/info.block*info.bytes {
		return fmt.Errorf("%s: %d bytes for %d values", t, len(src), len(dst))
	}
	nb := len(dst) / info.block
	for i := 0; i < nb; i++ {
		blk := src[i*info.bytes : (i+1)*info.bytes]
		out := dst[i*info.block : (i+1)*info.block]
		switch t {
		case F32:
			out[0] = math.Float32frombits(binary.LittleEndian.Uint32(blk))
		case F16:
			out[0] = f16(blk)
		case BF16:
			out[0] = math.Float32frombits(uint32(binary.LittleEndian.Uint16(blk)) << 16)
		case Q8_0:
			d := f16(blk)
			for j := 0; j < 32; j++ {
				out[j] = float32(int8(blk[2+j])) * d
			}
		case Q4_0:
			d := f16(blk)
			qs := blk[2:]
			for j := 0; j < 16; j++ {
				out[j] = float32(int(qs[j]&0xf)-8) * d
				out[j+16] = float32(int(qs[j]>>4)-8) * d
			}
		case Q4_1:
			d, m := f16(blk), f16(blk[2:])
			qs := blk[4:]
			for j := 0; j < 16; j++ {
				out[j] = float32(float32(qs[j]&0xf)*d) + m
				out[j+16] = float32(float32(qs[j]>>4)*d) + m
			}
		case Q5_0:
			d := f16(blk)
			qh := binary.LittleEndian.Uint32(blk[2:])
			qs := blk[6:]
			for j := 0; j < 16; j++ {
				h0 := byte((qh>>uint(j))<<4) & 0x10
				h1 := byte(qh>>uint(j+12)) & 0x10
				out[j] = float32(int(qs[j]&0xf|h0)-16) * d
				out[j+16] = float32(int(qs[j]>>4|h1)-16) * d
			}
		case Q5_1:
			d, m := f16(blk), f16(blk[2:])
			qh := binary.LittleEndian.Uint32(blk[4:])
			qs := blk[8:]
			for j := 0; j < 16; j++ {
				h0 := byte((qh>>uint(j))<<4) & 0x10
				h1 := byte(qh>>uint(j+12)) & 0x10
				out[j] = float32(float32(qs[j]&0xf|h0)*d) + m
				out[j+16] = float32(float32(qs[j]>>4|h1)*d) + m
			}
		case Q4_K:
			dequantQ4K(blk, out)
		case Q5_K:
			dequantQ5K(blk, out)
		case Q6_K:
			dequantQ6K(blk, out)
		case Q2_K, Q3_K, IQ4_NL, IQ4_XS:
			dequantLowBit(t, blk, out)
		}
	}
	return nil
}

func f16(b []byte) float32 { return half.ToF32(binary.LittleEndian.Uint16(b)) }

// scaleMinK4 unpacks the j-th 6-bit scale and min of a Q4_K/Q5_K block.
func scaleMinK4(j int, q []byte) (sc, m byte) {
	if j < 4 {
		return q[j] & 63, q[j+4] & 63
	}
	return q[j+4]&0xf | (q[j-4]>>6)<<4, q[j+4]>>4 | (q[j]>>6)<<4
}

// Q4_K: d, dmin (f16), 12 bytes of 6-bit scales and mins, 128 bytes of nibbles.
func dequantQ4K(blk []byte, y []float32) {
	d, dmin := f16(blk), f16(blk[2:])
	scales, q := blk[4:16], blk[16:]
	is := 0
	for j := 0; j < 256; j += 64 {
		sc, m := scaleMinK4(is, scales)
		d1, m1 := d*float32(sc), dmin*float32(m)
		sc, m = scaleMinK4(is+1, scales)
		d2, m2 := d*float32(sc), dmin*float32(m)
		for l := 0; l < 32; l++ {
			y[j+l] = float32(d1*float32(q[l]&0xf)) - m1 // no fused multiply-add: as ggml rounds
		}
		for l := 0; l < 32; l++ {
			y[j+32+l] = float32(d2*float32(q[l]>>4)) - m2
		}
		q = q[32:]
		is += 2
	}
}

// Q5_K: d, dmin, 12 bytes of scales and mins, 32 bytes of high bits, 128 of nibbles.
func dequantQ5K(blk []byte, y []float32) {
	d, dmin := f16(blk), f16(blk[2:])
	scales, qh, ql := blk[4:16], blk[16:48], blk[48:]
	is := 0
	u1, u2 := byte(1), byte(2)
	for j := 0; j < 256; j += 64 {
		sc, m := scaleMinK4(is, scales)
		d1, m1 := d*float32(sc), dmin*float32(m)
		sc, m = scaleMinK4(is+1, scales)
		d2, m2 := d*float32(sc), dmin*float32(m)
		for l := 0; l < 32; l++ {
			h := byte(0)
			if qh[l]&u1 != 0 {
				h = 16
			}
			y[j+l] = float32(d1*float32(ql[l]&0xf+h)) - m1
		}
		for l := 0; l < 32; l++ {
			h := byte(0)
			if qh[l]&u2 != 0 {
				h = 16
			}
			y[j+32+l] = float32(d2*float32(ql[l]>>4+h)) - m2
		}
		ql = ql[32:]
		is += 2
		u1 <<= 2
		u2 <<= 2
	}
}

// Q6_K: 128 bytes of low nibbles, 64 of high 2-bit pairs, 16 int8 scales, d.
func dequantQ6K(blk []byte, y []float32) {
	ql, qh, sc := blk[:128], blk[128:192], blk[192:208]
	d := f16(blk[208:])
	for n := 0; n < 256; n += 128 {
		for l := 0; l < 32; l++ {
			is := l / 16
			q1 := int(ql[l]&0xf|((qh[l]>>0)&3)<<4) - 32
			q2 := int(ql[l+32]&0xf|((qh[l]>>2)&3)<<4) - 32
			q3 := int(ql[l]>>4|((qh[l]>>4)&3)<<4) - 32
			q4 := int(ql[l+32]>>4|((qh[l]>>6)&3)<<4) - 32
			y[n+l] = d * float32(int8(sc[is])) * float32(q1)
			y[n+l+32] = d * float32(int8(sc[is+2])) * float32(q2)
			y[n+l+64] = d * float32(int8(sc[is+4])) * float32(q3)
			y[n+l+96] = d * float32(int8(sc[is+6])) * float32(q4)
		}
		ql, qh, sc = ql[64:], qh[32:], sc[8:]
	}
}

// Int8Blocks extracts a Q8_0, Q4_0, Q5_0, IQ4_NL or IQ4_XS tensor as int8
// values (Q4_0's and Q5_0's minus their offsets of 8 and 16, the IQ4 types'
// table values) with one float32 scale per 32: value = q × scale exactly,
// the form the int8 kernels compute on.
func Int8Blocks(t Type, src []byte, q []int8, scales []float32) error {
	if t != Q8_0 && t != Q4_0 && t != Q5_0 && t != IQ4_NL && t != IQ4_XS {
		return fmt.Errorf("%s has no int8 form", t)
	}
	bs, bb := t.BlockSize(), t.BlockBytes()
	if len(q)%bs != 0 || len(scales) != len(q)/32 || len(src) != len(q)/bs*bb {
		return fmt.Errorf("%s: %d bytes for %d values", t, len(src), len(q))
	}
	if t == IQ4_NL || t == IQ4_XS {
		for b := range len(q) / bs {
			iq4Parts(t, src[b*bb:(b+1)*bb], q[b*bs:(b+1)*bs], scales[b*bs/32:(b+1)*bs/32])
		}
		return nil
	}
	for i := range scales {
		blk := src[i*t.BlockBytes():]
		scales[i] = f16(blk)
		out := q[i*32 : (i+1)*32]
		if t == Q8_0 {
			for j := 0; j < 32; j++ {
				out[j] = int8(blk[2+j])
			}
			continue
		}
		if t == Q5_0 {
			qh := binary.LittleEndian.Uint32(blk[2:])
			qs := blk[6:]
			for j := 0; j < 16; j++ {
				h0 := byte((qh>>uint(j))<<4) & 0x10
				h1 := byte(qh>>uint(j+12)) & 0x10
				out[j] = int8(qs[j]&0xf|h0) - 16
				out[j+16] = int8(qs[j]>>4|h1) - 16
			}
			continue
		}
		for j := 0; j < 16; j++ {
			out[j] = int8(blk[2+j]&0xf) - 8
			out[j+16] = int8(blk[2+j]>>4) - 8
		}
	}
	return nil
}
