package kernels

import (
	"fmt"
	"math"
)

// The 4-bit format is llama.cpp's Q4_0 as stored: per 32 weights, 16 bytes
// of nibbles (byte j holds weight j in its low half and weight j+16 in its
// high half) and one float32 scale; a weight is (nibble − 8) × scale. It is
// computed in the *fast* tier only: each activation row is rounded to int8
// per 32 values first (scale amax/127, as llama.cpp's Q8_0), so the dot of
// a block is an exact integer sum, scaled once. That halves the bytes a
// decode step reads against int8 weights; the price is the activations'
// rounding, which is what llama.cpp does on every quantized type.

// Q4Pair is the number of weights the 4-bit kernels take per step: two
// blocks. A 4-bit matrix's width must be a multiple of it.
const Q4Pair = 64

// NewMatQ4 makes a 4-bit matrix from nibbles in Q4_0's order (16 bytes per
// 32 weights) and one scale per 32.
func NewMatQ4(rows, cols int, nibbles []byte, scales []float32) (Mat, error) {
	if cols%Q4Pair != 0 || len(nibbles) != rows*cols/2 || len(scales) != rows*cols/Q8Block {
		return Mat{}, fmt.Errorf("4-bit matrix %dx%d: %d nibble bytes and %d scales (width must be a multiple of %d)", rows, cols, len(nibbles), len(scales), Q4Pair)
	}
	return Mat{Rows: rows, Cols: cols, Q4: nibbles, Scales: scales}, nil
}

// dequantRowQ4 writes row r of a 4-bit matrix as float32.
func dequantRowQ4(dst []float32, m *Mat, r int) {
	spr := m.Cols / Q8Block
	for b := 0; b < spr; b++ {
		nib := m.Q4[(r*spr+b)*16 : (r*spr+b+1)*16]
		s := m.Scales[r*spr+b]
		for j := 0; j < 16; j++ {
			dst[b*32+j] = float32(int(nib[j]&0xf)-8) * s
			dst[b*32+16+j] = float32(int(nib[j]>>4)-8) * s
		}
	}
}

// act8 is a matmul call's activations rounded to int8, in the layout the
// 4-bit kernels read. For every pair of blocks A, B of a row: 64 int8 as
// A0–15, B0–15, A16–31, B16–31 (the order a pair's nibbles unpack in);
// 16 int32, lane l holding 8 × the sum of the four int8 a dot lane l
// multiplies (so subtracting it turns unsigned nibbles into nibble − 8);
// and 16 float32, each lane's block scale.
type act8 struct {
	q     []int8
	corr  []int32
	scale []float32
	k     int // row width
}

// prepare rounds T rows of x (width K, a multiple of Q4Pair) into a.
func (a *act8) prepare(x []float32, T, K int) {
	n := T * K
	if cap(a.q) < n {
		a.q, a.corr, a.scale = make([]int8, n), make([]int32, n/4), make([]float32, n/4)
	}
	a.q, a.corr, a.scale, a.k = a.q[:n], a.corr[:n/4], a.scale[:n/4], K
	var ds [2]float32
	for t := 0; t < T; t++ {
		for p := 0; p < K/Q4Pair; p++ {
			base := t*K + p*Q4Pair
			xs := x[base : base+Q4Pair]
			// Round each block as llama.cpp's x86 code rounds activations for
			// Q4_0 weights (quantize_row_q8_0): q = round-half-even(x·127/amax),
			// the scale amax/127 kept in half precision.
			var qs [Q4Pair]int8
			for b := 0; b < 2; b++ {
				var amax float32
				for _, v := range xs[b*32 : b*32+32] {
					amax = max(amax, float32(math.Abs(float64(v))))
				}
				ds[b] = F16ToF32(F32ToF16(amax / 127))
				id := float32(0)
				if amax != 0 {
					id = 127 / amax
				}
				for j := 0; j < 32; j++ {
					qs[b*32+j] = int8(math.RoundToEven(float64(xs[b*32+j] * id)))
				}
			}
			// Lay out A0–15, B0–15, A16–31, B16–31.
			out := a.q[base : base+Q4Pair]
			copy(out[0:16], qs[0:16])
			copy(out[16:32], qs[32:48])
			copy(out[32:48], qs[16:32])
			copy(out[48:64], qs[48:64])
			corr := a.corr[base/4 : base/4+16]
			sc := a.scale[base/4 : base/4+16]
			for l := 0; l < 16; l++ {
				var s int32
				for j := 0; j < 4; j++ {
					s += int32(out[4*l+j])
				}
				corr[l] = 8 * s
				sc[l] = ds[(l/4)%2] // lanes 0–3 and 8–11 are A's, 4–7 and 12–15 B's
			}
		}
	}
}

// pairNibbles unpacks a pair of Q4_0 blocks' nibbles (32 bytes) into the
// activation layout: A0–15, B0–15 (low halves), A16–31, B16–31 (high).
func pairNibbles(dst *[Q4Pair]uint8, nib []byte) {
	for j := 0; j < 32; j++ {
		dst[j] = nib[j] & 0xf
		dst[32+j] = nib[j] >> 4
	}
}

// dotQ4Go is the dot of activation row t (prepared) with 4-bit row w (its
// nibbles and scales): per pair of blocks, sixteen lane sums of four
// unsigned-nibble × int8 products minus the lane's correction (exact
// integers), each converted to float32 and multiplied by the block's
// combined scale (activation scale × weight scale) into the lane's
// accumulator; the lanes summed in REDUCE512's order. The specification of
// the vector kernels, which fuse the last multiply and add.
func dotQ4Go(a *act8, t int, nib []byte, scales []float32) float32 {
	var acc [16]float32
	var u [Q4Pair]uint8
	K := a.k
	for p := 0; p < K/Q4Pair; p++ {
		base := t*K + p*Q4Pair
		pairNibbles(&u, nib[p*32:p*32+32])
		xq := a.q[base : base+Q4Pair]
		for l := 0; l < 16; l++ {
			var s int32
			for j := 0; j < 4; j++ {
				s += int32(u[4*l+j]) * int32(xq[4*l+j])
			}
			s -= a.corr[base/4+l]
			d := float32(a.scale[base/4+l] * scales[2*p+(l/4)%2]) // as llama.cpp: one scale per block
			acc[l] = float32(float32(s)*d) + acc[l]
		}
	}
	return reduce16(&acc)
}

// reduce16 sums 16 lanes in REDUCE512's order: halves, then quarters, then
// pairs, then the last two.
func reduce16(a *[16]float32) float32 {
	var h [8]float32
	for i := range h {
		h[i] = a[i] + a[i+8]
	}
	var q [4]float32
	for i := range q {
		q[i] = h[i] + h[i+4]
	}
	return (q[0] + q[1]) + (q[2] + q[3])
}
