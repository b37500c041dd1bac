package gguf

import (
	"encoding/binary"
	"fmt"
)

// AffineBlocks extracts a K-quant (Q2_K … Q6_K) or Q4_1 / Q5_1 tensor
// as int8 values with, per 32 values, four float32: the scale of the first
// 16, of the last 16, and their offsets. Each value is then
// float32(q × scale) + offset — the same two roundings Dequantize makes, so
// nothing changes but the storage.
func AffineBlocks(t Type, src []byte, q []int8, affine []float32) error {
	info, ok := types[t]
	if !ok || !(t == Q2_K || t == Q3_K || t == Q4_K || t == Q5_K || t == Q6_K || t == Q4_1 || t == Q5_1) {
		return fmt.Errorf("%s has no affine int8 form", t)
	}
	if len(q)%info.block != 0 || len(affine) != len(q)/32*4 || len(src) != len(q)/info.block*info.bytes {
		return fmt.Errorf("%s: %d bytes for %d values", t, len(src), len(q))
	}
	for b := 0; b < len(q)/info.block; b++ {
		blk := src[b*info.bytes : (b+1)*info.bytes]
		qb := q[b*info.block : (b+1)*info.block]
		ab := affine[b*info.block/32*4 : (b+1)*info.block/32*4]
		switch t {
		case Q2_K, Q3_K:
			var scale, offset [16]float32
			if t == Q2_K {
				q2KParts(blk, qb, &scale, &offset)
			} else {
				q3KParts(blk, qb, &scale)
			}
			for k := range 8 { // 32-value blocks: two sub-blocks of 16
				ab[4*k], ab[4*k+1], ab[4*k+2], ab[4*k+3] = scale[2*k], scale[2*k+1], offset[2*k], offset[2*k+1]
			}
		case Q4_1, Q5_1:
			d, m := f16(blk), f16(blk[2:])
			qs := blk[4:]
			var qh uint32
			if t == Q5_1 {
				qh, qs = binary.LittleEndian.Uint32(blk[4:]), blk[8:]
			}
			for j := 0; j < 16; j++ {
				lo, hi := qs[j]&0xf, qs[j]>>4
				if t == Q5_1 {
					lo |= byte((qh>>uint(j))<<4) & 0x10
					hi |= byte(qh>>uint(j+12)) & 0x10
				}
				qb[j], qb[j+16] = int8(lo), int8(hi)
			}
			ab[0], ab[1], ab[2], ab[3] = d, d, m, m
		case Q4_K, Q5_K:
			d, dmin := f16(blk), f16(blk[2:])
			scales := blk[4:16]
			ql, qh := blk[16:], []byte(nil)
			if t == Q5_K {
				qh, ql = blk[16:48], blk[48:]
			}
			for c := 0; c < 4; c++ { // 64 values: 32 low nibbles, 32 high
				for half := 0; half < 2; half++ {
					sc, m := scaleMinK4(2*c+half, scales)
					s, o := d*float32(sc), -(dmin * float32(m))
					k := 2*c + half // 32-value block within the super-block
					ab[4*k], ab[4*k+1], ab[4*k+2], ab[4*k+3] = s, s, o, o
					for l := 0; l < 32; l++ {
						v := ql[32*c+l] & 0xf
						if half == 1 {
							v = ql[32*c+l] >> 4
						}
						if qh != nil && qh[l]&(1<<uint(2*c+half)) != 0 {
							v += 16
						}
						qb[32*k+l] = int8(v)
					}
				}
			}
		case Q6_K:
			ql, qh, sc := blk[:128], blk[128:192], blk[192:208]
			d := f16(blk[208:])
			for h := 0; h < 2; h++ { // two halves of 128
				for quarter := 0; quarter < 4; quarter++ {
					k := 4*h + quarter // 32-value block
					for l := 0; l < 32; l++ {
						var v byte
						switch quarter {
						case 0:
							v = ql[64*h+l]&0xf | ((qh[32*h+l]>>0)&3)<<4
						case 1:
							v = ql[64*h+l+32]&0xf | ((qh[32*h+l]>>2)&3)<<4
						case 2:
							v = ql[64*h+l]>>4 | ((qh[32*h+l]>>4)&3)<<4
						case 3:
							v = ql[64*h+l+32]>>4 | ((qh[32*h+l]>>6)&3)<<4
						}
						qb[32*k+l] = int8(v) - 32
					}
					ab[4*k] = d * float32(int8(sc[8*h+2*quarter]))
					ab[4*k+1] = d * float32(int8(sc[8*h+2*quarter+1]))
					ab[4*k+2], ab[4*k+3] = 0, 0
				}
			}
		}
	}
	return nil
}

// Masks of the bytes of a word, for KQuantParts' eight quants at a time.
const (
	ones    = 0x0101010101010101
	pairs   = 3 * ones
	nibbles = 0xf * ones
)

// KQuantParts extracts a K-quant tensor (Q4_K, Q5_K, Q6_K) as its parts,
// unchanged, for kernels that compute on them directly: per weight the
// unsigned quant q (0–15, 0–31, or 0–63 standing for q − 32); per 256-value
// super-block the f16 words d and (Q4_K, Q5_K) dmin; per sub-block its
// scale (Q4_K, Q5_K: eight of 32 values, 6-bit; Q6_K: sixteen of 16, int8)
// and (Q4_K, Q5_K) its 6-bit min. A weight is d·scale·q − dmin·min, or
// d·scale·(q − 32) for Q6_K: what Dequantize computes.
func KQuantParts(t Type, src []byte, q []uint8, d, dmin []uint16, scales []int8, mins []uint8) error {
	info, ok := types[t]
	if !ok || !(t == Q4_K || t == Q5_K || t == Q6_K) {
		return fmt.Errorf("%s is not a K-quant", t)
	}
	nsb := len(q) / 256
	le := binary.LittleEndian
	subs := 8
	if t == Q6_K {
		subs = 16
	}
	if len(q)%256 != 0 || len(src) != nsb*info.bytes || len(d) != nsb || len(scales) != nsb*subs ||
		(t != Q6_K && (len(dmin) != nsb || len(mins) != nsb*8)) {
		return fmt.Errorf("%s: %d bytes for %d values", t, len(src), len(q))
	}
	for b := 0; b < nsb; b++ {
		blk, qb := src[b*info.bytes:(b+1)*info.bytes], q[b*256:(b+1)*256]
		if t == Q6_K {
			ql, qh, sc := blk[:128], blk[128:192], blk[192:208]
			d[b] = binary.LittleEndian.Uint16(blk[208:])
			for j := range 16 {
				scales[b*16+j] = int8(sc[j])
			}
			for h := 0; h < 2; h++ { // two halves of 128, as dequantQ6K
				for l := 0; l < 32; l += 8 { // eight quants a word
					lo, hi := le.Uint64(ql[64*h+l:]), le.Uint64(ql[64*h+l+32:])
					bits := le.Uint64(qh[32*h+l:])
					le.PutUint64(qb[128*h+l:], lo&nibbles|(bits&pairs)<<4)
					le.PutUint64(qb[128*h+l+32:], hi&nibbles|(bits>>2&pairs)<<4)
					le.PutUint64(qb[128*h+l+64:], lo>>4&nibbles|(bits>>4&pairs)<<4)
					le.PutUint64(qb[128*h+l+96:], hi>>4&nibbles|(bits>>6&pairs)<<4)
				}
			}
			continue
		}
		d[b], dmin[b] = binary.LittleEndian.Uint16(blk), binary.LittleEndian.Uint16(blk[2:])
		scs := blk[4:16]
		ql, qh := blk[16:], []byte(nil)
		if t == Q5_K {
			qh, ql = blk[16:48], blk[48:]
		}
		for j := range 8 {
			sc, m := scaleMinK4(j, scs)
			scales[b*8+j], mins[b*8+j] = int8(sc), m
		}
		for c := 0; c < 4; c++ { // 64 values: 32 low nibbles, then 32 high
			for l := 0; l < 32; l += 8 { // eight quants a word
				w := le.Uint64(ql[32*c+l:])
				lo, hi := w&nibbles, w>>4&nibbles
				if qh != nil {
					bits := le.Uint64(qh[l:])
					lo |= (bits >> uint(2*c) & ones) << 4
					hi |= (bits >> uint(2*c+1) & ones) << 4
				}
				le.PutUint64(qb[64*c+l:], lo)
				le.PutUint64(qb[64*c+32+l:], hi)
			}
		}
	}
	return nil
}
