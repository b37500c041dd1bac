package kernels

import "fmt"

// The 4-bit affine format holds llama.cpp's Q4_K and Q4_1 weights exactly
// in half the bytes of affine int8: per 32-weight block, 16 bytes of 4-bit
// values — byte j holds even-indexed weight 2j in its low half and
// odd-indexed weight 2j+1 in its high half, the order in which the
// deinterleaved activations meet them — and Q4AffineFloats float32, a
// scale and an offset: a weight is float32(q × scale) + offset, ggml's two
// roundings. Decode reads 0.75 bytes a weight instead of 1.5. Signed
// (Q4_0, held exactly): a nibble n stands for n − 8 and the offset is 0.

// Q4AffineFloats is the number of float32 per 32-weight block.
const Q4AffineFloats = 2

// NewMatQ4Affine makes a 4-bit affine matrix from nibbles in this format's
// order and Q4AffineFloats floats per block (scale, offset).
func NewMatQ4Affine(rows, cols int, nibbles []byte, affine []float32) (Mat, error) {
	if cols%Q8Block != 0 || len(nibbles) != rows*cols/2 || len(affine) != rows*cols/Q8Block*Q4AffineFloats {
		return Mat{}, fmt.Errorf("4-bit affine matrix %dx%d: %d nibble bytes and %d block floats", rows, cols, len(nibbles), len(affine))
	}
	return Mat{Rows: rows, Cols: cols, Q4: nibbles, Affine: affine}, nil
}

// PackQ4Affine returns the 4-bit form of an int8 matrix that has one:
// affine int8 whose every block has one scale and one offset for all 32
// weights and values in [0, 15] (Q4_K, Q4_1), or int8 with a scale per
// block and values in [−8, 7] (Q4_0), computing exactly the same weights;
// ok is false for any other matrix (Q5_K, Q6_K, Q8_0), which stays as it is.
func PackQ4Affine(m *Mat) (Mat, bool) {
	if m.Q8 == nil {
		return Mat{}, false
	}
	signed := m.Affine == nil
	lo, hi := int8(0), int8(15)
	if signed {
		lo, hi = -8, 7
	}
	blocks := m.Rows * m.Cols / Q8Block
	for b := 0; b < blocks; b++ {
		if !signed {
			a := m.Affine[b*AffineFloats : (b+1)*AffineFloats]
			if a[0] != a[1] || a[2] != a[3] {
				return Mat{}, false
			}
		}
		for _, q := range m.Q8[b*Q8Block : (b+1)*Q8Block] {
			if q < lo || q > hi {
				return Mat{}, false
			}
		}
	}
	nib := backed[byte](blocks * Q8Block / 2)
	aff := make([]float32, blocks*Q4AffineFloats)
	for b := 0; b < blocks; b++ {
		blk := m.Q8[b*Q8Block : (b+1)*Q8Block] // 16 even-indexed, then 16 odd
		for j := 0; j < Q8Block/2; j++ {
			nib[b*16+j] = byte(blk[j]-lo) | byte(blk[Q8Block/2+j]-lo)<<4
		}
		if signed {
			aff[2*b] = m.Scales[b]
		} else {
			aff[2*b], aff[2*b+1] = m.Affine[b*AffineFloats], m.Affine[b*AffineFloats+2]
		}
	}
	return Mat{Rows: m.Rows, Cols: m.Cols, Q4: nib, Affine: aff, Q4Signed: signed}, true
}

// q4AffineWeight is the value of weight j (0..31, natural order) of a block
// with nibbles blk and block floats a.
func q4AffineWeight(blk []byte, a []float32, j int, signed bool) float32 {
	q := int(blk[j/2] & 0xf)
	if j%2 == 1 {
		q = int(blk[j/2] >> 4)
	}
	if signed {
		q -= 8
	}
	return float32(float32(q)*a[0]) + a[1]
}

// dequantRowQ4Affine writes row r of a 4-bit affine matrix as float32.
func dequantRowQ4Affine(dst []float32, m *Mat, r int) {
	spr := m.Cols / Q8Block
	for b := 0; b < spr; b++ {
		blk := m.Q4[(r*spr+b)*16 : (r*spr+b+1)*16]
		a := m.Affine[(r*spr+b)*Q4AffineFloats : (r*spr+b+1)*Q4AffineFloats]
		for j := 0; j < Q8Block; j++ {
			dst[b*Q8Block+j] = q4AffineWeight(blk, a, j, m.Q4Signed)
		}
	}
}

// dotQ4AffineGo is Σ x[i]·w[i] for a 4-bit affine row, each weight
// dequantized as the format defines: the Go family's kernel.
func dotQ4AffineGo(x []float32, nib []byte, affine []float32, signed bool) float32 {
	var s0, s1 float32
	for b := 0; b < len(nib)/16; b++ {
		blk := nib[b*16 : (b+1)*16]
		a := affine[b*Q4AffineFloats : (b+1)*Q4AffineFloats]
		xb := x[b*Q8Block : (b+1)*Q8Block]
		for j := 0; j < Q8Block; j += 2 {
			s0 += q4AffineWeight(blk, a, j, signed) * xb[j]
			s1 += q4AffineWeight(blk, a, j+1, signed) * xb[j+1]
		}
	}
	return s0 + s1
}

// rowsQ4AffineGo computes rows of a 4-bit affine matrix with the Go dot.
func (m *matmulTask) rowsQ4AffineGo(_, lo, hi int) {
	K, apr := m.w.Cols, m.w.Cols/Q8Block*Q4AffineFloats
	m.rowsEach(lo, hi, func(t, n int) float32 {
		return dotQ4AffineGo(m.xRow(t), m.w.Q4[n*K/2:(n+1)*K/2], m.w.Affine[n*apr:(n+1)*apr], m.w.Q4Signed)
	})
}
