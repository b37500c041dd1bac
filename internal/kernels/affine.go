package kernels

import "fmt"

// The affine int8 format holds llama.cpp's K-quants (Q4_K, Q5_K, Q6_K)
// exactly: per 32-weight block, int8 values in the Q8 layout (16
// even-indexed, then 16 odd-indexed) and four float32 — the scale of the
// first 16 weights, the scale of the last 16, then their offsets — so a
// weight is float32(q × scale) + offset, the same two roundings as ggml's
// dequantization (Q4_K and Q5_K: a scale and a minimum per 32; Q6_K: a
// scale per 16 and no offset).

// AffineFloats is the number of float32 per 32-weight block.
const AffineFloats = 4

// NewMatQ8Affine makes an affine int8 matrix from values in natural order
// and AffineFloats floats per block of 32 (scale₀, scale₁, offset₀, offset₁).
func NewMatQ8Affine(rows, cols int, q []int8, affine []float32) (Mat, error) {
	if cols%Q8Block != 0 || len(q) != rows*cols || len(affine) != rows*cols/Q8Block*AffineFloats {
		return Mat{}, fmt.Errorf("affine int8 matrix %dx%d: %d values and %d block floats", rows, cols, len(q), len(affine))
	}
	m, err := NewMatQ8(rows, cols, q, make([]float32, rows*cols/Q8Block))
	if err != nil {
		return Mat{}, err
	}
	m.Scales, m.Affine = nil, affine
	return m, nil
}

// affineWeight is the value of weight j (0..31, natural order) of a block
// whose int8 values are blk (Q8 layout) and whose block floats are a.
func affineWeight(blk []int8, a []float32, j int) float32 {
	q := blk[j/2]
	if j%2 == 1 {
		q = blk[Q8Block/2+j/2]
	}
	half := j / 16
	return float32(float32(q)*a[half]) + a[2+half]
}

// dequantRowAffine writes row r of an affine matrix as float32.
func dequantRowAffine(dst []float32, m *Mat, r int) {
	spr := m.Cols / Q8Block
	for b := 0; b < spr; b++ {
		blk := m.Q8[r*m.Cols+b*Q8Block : r*m.Cols+(b+1)*Q8Block]
		a := m.Affine[(r*spr+b)*AffineFloats : (r*spr+b+1)*AffineFloats]
		for j := 0; j < Q8Block; j++ {
			dst[b*Q8Block+j] = affineWeight(blk, a, j)
		}
	}
}

// dotQ8AffineGo is Σ x[i]·w[i] for an affine row, each weight dequantized
// as the format defines: the specification of the vector kernels.
func dotQ8AffineGo(x []float32, q []int8, affine []float32) float32 {
	var s0, s1 float32
	for b := 0; b < len(q)/Q8Block; b++ {
		blk := q[b*Q8Block : (b+1)*Q8Block]
		a := affine[b*AffineFloats : (b+1)*AffineFloats]
		xb := x[b*Q8Block : (b+1)*Q8Block]
		for j := 0; j < Q8Block; j += 2 {
			s0 += affineWeight(blk, a, j) * xb[j]
			s1 += affineWeight(blk, a, j+1) * xb[j+1]
		}
	}
	return s0 + s1
}
