package kernels

import (
	"encoding/binary"
	"fmt"
	"math"
)

// The K-quant formats are llama.cpp's Q4_K, Q5_K and Q6_K as they are in
// the file: per 256-weight super-block of a row an f16 scale d (and, for
// Q4_K and Q5_K, an f16 dmin); per sub-block a small integer scale (Q4_K,
// Q5_K: 6 bits per 32 weights, with a 6-bit min; Q6_K: int8 per 16); per
// weight an unsigned quant q of 4, 5 or 6 bits. A weight is
// d·scale·q − dmin·min (Q4_K, Q5_K) or d·scale·(q − 32) (Q6_K).
//
// They are computed in the fast tier, on activations in two int8 planes
// per 32 values (act8's rounding as for Q4_0, then the residual rounded
// again: roundActKGo), so that a sub-block's dot with each plane is an
// exact integer: the integer sub-block scales multiply it exactly, a
// super-block's blocks are accumulated in float32 times the planes'
// scales, and d and dmin are applied once per super-block (dotKQuantGo).
//
// Rows are held in panels of Q4Panel as Q4_0 is (q4.go), one sequential
// stream per panel: per super-block a 320-byte header, then eight 32-weight
// blocks. The header: d of the 16 rows (f16, 32 bytes), dmin (32 bytes,
// zero for Q6_K), then the sub-block scales, row-minor (Q4_K, Q5_K: eight
// of 16 bytes, then the eight mins; Q6_K: sixteen int8 of 16 bytes). A
// block: the low four bits in Q4_0's panel layout (256 bytes: chunk c holds
// bytes 4c…4c+3 of each row, byte j holding weight j in its low nibble and
// j+16 in its high), then the higher bits in the same lanes: Q5_K 64 bytes
// (byte i of row l's lane holds in bit c the fifth bit of weight 4c+i and
// in bit 4+c that of 16+4c+i), Q6_K two times 64 (bits 2c, 2c+1 of byte i
// hold the top two bits of weight 4c+i; then of 16+4c+i). The kernels
// unpack a chunk's higher bits with one shift and one bit-select.

// KQuantBlock is the weights of a K-quant super-block.
const KQuantBlock = 256

// kqHeader is the bytes of a panel super-block's header.
const kqHeader = 320

// kqHighBytes is the bytes of a panel block's bits above the fourth.
func kqHighBytes(f Format) int {
	switch f {
	case FormatQ5K:
		return 64
	case FormatQ6K:
		return 128
	}
	return 0
}

// kqBlockBytes is the bytes of a 32-weight block of a panel.
func kqBlockBytes(f Format) int {
	if f == FormatQ8Panels {
		return q8PanelBlock
	}
	return q4PanelBlock + kqHighBytes(f)
}

// kqSuperBytes is the bytes of a super-block of a panel.
func kqSuperBytes(f Format) int { return kqHeader + 8*kqBlockBytes(f) }

// KQuantParts fills the parts of rows [r0, r0+n) of a K-quant matrix, as
// gguf.KQuantParts gives them: q per weight, d and dmin per super-block
// (dmin nil for Q6_K), scales per sub-block (8 or 16 per super-block),
// mins per sub-block of 32 (nil for Q6_K); the slices are sized for n rows.
type KQuantParts func(r0, n int, q []uint8, d, dmin []uint16, scales []int8, mins []uint8) error

// NewMatKQuant makes a K-quant matrix (f: FormatQ4K, FormatQ5K or
// FormatQ6K) panel by panel from parts, so that only one panel's parts
// are ever in memory besides the result.
func NewMatKQuant(f Format, rows, cols int, parts KQuantParts) (Mat, error) {
	subs, bits := 8, 4
	switch f {
	case FormatQ4K:
	case FormatQ5K:
		bits = 5
	case FormatQ6K:
		subs, bits = 16, 6
	default:
		return Mat{}, fmt.Errorf("%s is not a K-quant format", f)
	}
	if rows <= 0 || cols <= 0 || cols%KQuantBlock != 0 {
		return Mat{}, fmt.Errorf("%s matrix %dx%d: width must be a multiple of %d", f, rows, cols, KQuantBlock)
	}
	rsb := cols / KQuantBlock // super-blocks per row
	panels, sbBytes := (rows+Q4Panel-1)/Q4Panel, kqSuperBytes(f)
	m := Mat{Rows: rows, Cols: cols, Panels: backed[byte](panels * rsb * sbBytes), PanelFormat: f}
	q, d, scales := make([]uint8, Q4Panel*cols), make([]uint16, Q4Panel*rsb), make([]int8, Q4Panel*rsb*subs)
	var dmin []uint16
	var mins []uint8
	if f != FormatQ6K {
		dmin, mins = make([]uint16, Q4Panel*rsb), make([]uint8, Q4Panel*rsb*8)
	}
	for p := 0; p < panels; p++ {
		n := min(Q4Panel, rows-p*Q4Panel)
		clear(q)
		if f != FormatQ6K {
			dmin, mins = dmin[:n*rsb], mins[:n*rsb*8]
		}
		if err := parts(p*Q4Panel, n, q[:n*cols], d[:n*rsb], dmin, scales[:n*rsb*subs], mins); err != nil {
			return Mat{}, err
		}
		if err := kqCheckBits(f, q, bits); err != nil {
			return Mat{}, err
		}
		panel := m.Panels[p*rsb*sbBytes : (p+1)*rsb*sbBytes]
		for l := 0; l < n; l++ {
			for s := 0; s < rsb; s++ {
				sb := l*rsb + s
				var dm uint16
				if dmin != nil {
					dm = dmin[sb]
				}
				var mn []uint8
				if mins != nil {
					mn = mins[sb*8 : sb*8+8]
				}
				kqPutSuper(f, panel[s*sbBytes:(s+1)*sbBytes], l, q[sb*KQuantBlock:(sb+1)*KQuantBlock], d[sb], dm, scales[sb*subs:(sb+1)*subs], mn)
			}
		}
	}
	return m, nil
}

// kqCheckBits refuses quants q of more than bits bits, eight at a time
// (len(q) is a multiple of 256).
func kqCheckBits(f Format, q []uint8, bits int) error {
	high := uint64(0xff<<bits&0xff) * 0x0101010101010101
	var seen uint64
	for i := 0; i < len(q); i += 8 {
		seen |= binary.LittleEndian.Uint64(q[i:])
	}
	if seen&high == 0 {
		return nil
	}
	for _, v := range q {
		if v>>bits != 0 {
			return fmt.Errorf("%s matrix: quant %d has more than %d bits", f, v, bits)
		}
	}
	panic("kqCheckBits: a high bit seen and not found")
}

// kqPutSuper writes one row's super-block (lane l) into a panel's.
func kqPutSuper(f Format, dst []byte, l int, q []uint8, d, dmin uint16, scales []int8, mins []uint8) {
	dst[2*l], dst[2*l+1] = byte(d), byte(d>>8)
	dst[32+2*l], dst[32+2*l+1] = byte(dmin), byte(dmin>>8)
	for j, m := range mins {
		dst[192+16*j+l] = m
	}
	for j, sc := range scales {
		dst[64+16*j+l] = byte(sc)
	}
	const ones = 0x0101010101010101
	blkBytes := kqBlockBytes(f)
	for k := 0; k < 8; k++ {
		blk := dst[kqHeader+k*blkBytes : kqHeader+(k+1)*blkBytes]
		// Eight quants at a time: lo0, lo1 weights 0–7, 8–15 of the
		// block; hi0, hi1 weights 16–23, 24–31. Byte j of the packed form
		// holds weight j and j+16; chunk c is its bytes 4c…4c+3.
		v := q[32*k : 32*k+32]
		lo0, lo1 := binary.LittleEndian.Uint64(v), binary.LittleEndian.Uint64(v[8:])
		hi0, hi1 := binary.LittleEndian.Uint64(v[16:]), binary.LittleEndian.Uint64(v[24:])
		p0 := lo0&(0xf*ones) | (hi0&(0xf*ones))<<4
		p1 := lo1&(0xf*ones) | (hi1&(0xf*ones))<<4
		binary.LittleEndian.PutUint32(blk[4*l:], uint32(p0))
		binary.LittleEndian.PutUint32(blk[64+4*l:], uint32(p0>>32))
		binary.LittleEndian.PutUint32(blk[128+4*l:], uint32(p1))
		binary.LittleEndian.PutUint32(blk[192+4*l:], uint32(p1>>32))
		// The higher bits of chunk c's weights into bits c (Q5_K: and
		// 4+c for weights 16+…) or 2c, 2c+1 (Q6_K) of the lane's bytes.
		switch f {
		case FormatQ5K:
			l0, l1, h0, h1 := lo0>>4&ones, lo1>>4&ones, hi0>>4&ones, hi1>>4&ones
			lane := uint32(l0) | uint32(l0>>32)<<1 | uint32(l1)<<2 | uint32(l1>>32)<<3
			lane |= (uint32(h0) | uint32(h0>>32)<<1 | uint32(h1)<<2 | uint32(h1>>32)<<3) << 4
			binary.LittleEndian.PutUint32(blk[256+4*l:], lane)
		case FormatQ6K:
			l0, l1, h0, h1 := lo0>>4&(3*ones), lo1>>4&(3*ones), hi0>>4&(3*ones), hi1>>4&(3*ones)
			binary.LittleEndian.PutUint32(blk[256+4*l:], uint32(l0)|uint32(l0>>32)<<2|uint32(l1)<<4|uint32(l1>>32)<<6)
			binary.LittleEndian.PutUint32(blk[320+4*l:], uint32(h0)|uint32(h0>>32)<<2|uint32(h1)<<4|uint32(h1>>32)<<6)
		}
	}
}

// kqSuper is the bytes of row r's panel super-block s and the row's lane.
func kqSuper(m *Mat, r, s int) ([]byte, int) {
	sbBytes := kqSuperBytes(m.PanelFormat)
	i := (r/Q4Panel*(m.Cols/KQuantBlock) + s) * sbBytes
	return m.Panels[i : i+sbBytes], r % Q4Panel
}

// kqQuant is the unsigned quant of weight j (0–31) of block k of a panel
// super-block, in lane l.
func kqQuant(f Format, sb []byte, l, k, j int) int32 {
	blk := sb[kqHeader+k*kqBlockBytes(f):]
	c, i, high := (j%16)/4, j%4, j >= 16
	v := blk[c*64+4*l+i] & 0xf
	if high {
		v = blk[c*64+4*l+i] >> 4
	}
	switch f {
	case FormatQ5K:
		shift := c
		if high {
			shift = 4 + c
		}
		v |= (blk[256+4*l+i] >> shift & 1) << 4
	case FormatQ6K:
		plane := 256
		if high {
			plane = 320
		}
		v |= (blk[plane+4*l+i] >> (2 * c) & 3) << 4
	}
	return int32(v)
}

// kqHalf is the f16 word at byte o of lane l of a panel header.
func kqHalf(sb []byte, o, l int) float32 {
	return F16ToF32(uint16(sb[o+2*l]) | uint16(sb[o+2*l+1])<<8)
}

// dequantRowKQuant writes row r of a K-quant matrix as float32, rounded as
// gguf.Dequantize rounds (so an embedding row is the file's exactly).
func dequantRowKQuant(dst []float32, m *Mat, r int) {
	f := m.PanelFormat
	for s := 0; s < m.Cols/KQuantBlock; s++ {
		sb, l := kqSuper(m, r, s)
		d, dmin := kqHalf(sb, 0, l), kqHalf(sb, 32, l)
		for k := 0; k < 8; k++ {
			out := dst[s*KQuantBlock+32*k:]
			for j := 0; j < 32; j++ {
				q := kqQuant(f, sb, l, k, j)
				if f == FormatQ6K {
					sc := float32(int8(sb[64+16*(2*k+j/16)+l]))
					out[j] = d * sc * float32(q-32)
					continue
				}
				sc, mn := d*float32(sb[64+16*k+l]), dmin*float32(sb[192+16*k+l])
				out[j] = float32(sc*float32(q)) - mn
			}
		}
	}
}

// roundActKGo is the specification of the K-quants' activation rounding
// (a family's roundActK, which Pool.roundAct8 runs after roundAct8): the
// residual x − q·scale of each 32-value block (one fused multiply-add, so
// rounded once) rounded to int8 again with its own scale (amax/127 in
// float32, to nearest even), so that x is held to about 2⁻¹⁵ of its
// block's largest value; per block the floats {scale, the residual's
// scale, bsum, 0}, bsum being x's block sum as the two planes hold it
// (the Q4_K and Q5_K mins multiply it); and per block the integers −32·Σq
// over each 16 values of q, then of the residual (Q6_K's offset of 32).
func roundActKGo(x []float32, q []int8, scale []float32, kq []int8, kf []float32, ki []int32) {
	var r [Q8Block]float32
	for b := 0; b < len(x)/Q8Block; b++ {
		xs, qs, ls := x[b*Q8Block:(b+1)*Q8Block], q[b*Q8Block:(b+1)*Q8Block], kq[b*Q8Block:(b+1)*Q8Block]
		d := scale[b]
		var amax float32
		for j, v := range xs {
			r[j] = fma32(-float32(qs[j]), d, v) // exact in float64: one rounding
			amax = max(amax, float32(math.Abs(float64(r[j]))))
		}
		id, dl := float32(0), amax/127
		if amax != 0 {
			id = 127 / amax
		}
		var sums [4]int32
		for j := range r {
			ls[j] = int8(math.RoundToEven(float64(r[j] * id)))
			sums[j/16] += int32(qs[j])
			sums[2+j/16] += int32(ls[j])
		}
		for i, s := range sums {
			ki[4*b+i] = -32 * s
		}
		kf[4*b], kf[4*b+1], kf[4*b+3] = d, dl, 0
		kf[4*b+2] = fma32(float32(sums[2]+sums[3]), dl, float32(sums[0]+sums[1])*d)
	}
}

// dotKQuantGo is the dot of activation row t (prepared by Pool.roundAct8
// with the K-quants' planes) with row n of a K-quant matrix: per 32-value
// block and activation plane the exact integer S = Σ scale·(Σ q·x), over its one
// (Q4_K, Q5_K) or two (Q6_K, with the offset −32·Σx) sub-blocks,
// fused-multiply-added as float32 times the plane's scale into the
// super-block's accumulator, the plane of q first; for Q4_K and Q5_K the
// min times bsum likewise into a second one; then d times the first (and
// −dmin times the second) into the row's result, super-block after
// super-block. The specification of the vector kernels.
func dotKQuantGo(a *act8, t int, w *Mat, n int) float32 {
	f, nb := w.PanelFormat, w.Cols/Q8Block
	var acc float32
	for s := 0; s < w.Cols/KQuantBlock; s++ {
		sb, l := kqSuper(w, n, s)
		var accD, accM float32
		for k := 0; k < 8; k++ {
			b := t*nb + 8*s + k // the activation block
			for plane, xq := range [2][]int8{a.q[b*Q8Block : (b+1)*Q8Block], a.kq[b*Q8Block : (b+1)*Q8Block]} {
				var half [2]int32
				for j := 0; j < 32; j++ {
					half[j/16] += kqQuant(f, sb, l, k, j) * int32(xq[j])
				}
				var S int32
				if f == FormatQ6K {
					c := a.ki[4*b+2*plane:]
					S = int32(int8(sb[64+16*(2*k)+l]))*(half[0]+c[0]) + int32(int8(sb[64+16*(2*k+1)+l]))*(half[1]+c[1])
				} else {
					S = int32(sb[64+16*k+l]) * (half[0] + half[1])
				}
				accD = fma32(float32(S), a.kf[4*b+plane], accD)
			}
			if f != FormatQ6K {
				accM = fma32(float32(sb[192+16*k+l]), a.kf[4*b+2], accM)
			}
		}
		acc = fma32(kqHalf(sb, 0, l), accD, acc)
		if f != FormatQ6K {
			acc = fma32(-kqHalf(sb, 32, l), accM, acc)
		}
	}
	return acc
}
