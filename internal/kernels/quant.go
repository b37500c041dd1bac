package kernels

import (
	"fmt"
	"math"
)

// Q8Block is the number of weights that share one int8 scale.
const Q8Block = 32

// QuantizeQ8 converts a bf16 or f32 matrix to int8 with one float32 scale
// per block of 32 weights of a row (scale = max|w|/127, q = round(w/scale)),
// like llama.cpp's Q8_0. Within a block the int8 values are stored
// even-indexed first, then odd-indexed, the layout the AVX-512 kernels read.
// Cols must be a multiple of 32.
func QuantizeQ8(m *Mat) (Mat, error) {
	if m.Cols%Q8Block != 0 {
		return Mat{}, fmt.Errorf("int8: %d columns is not a multiple of %d", m.Cols, Q8Block)
	}
	if m.Format() == FormatInt8 {
		return *m, nil
	}
	out := Mat{Rows: m.Rows, Cols: m.Cols, Q8: backed[int8](m.Rows * m.Cols), Scales: backed[float32](m.Rows * m.Cols / Q8Block)}
	row := make([]float32, m.Cols)
	for r := 0; r < m.Rows; r++ {
		m.Row(row, r)
		for b := 0; b < m.Cols/Q8Block; b++ {
			blk := row[b*Q8Block : (b+1)*Q8Block]
			var amax float32
			for _, v := range blk {
				amax = max(amax, float32(math.Abs(float64(v))))
			}
			scale := amax / 127
			inv := float32(0)
			if scale > 0 {
				inv = 1 / scale
			}
			q := out.Q8[r*m.Cols+b*Q8Block:]
			for j := 0; j < Q8Block/2; j++ {
				q[j] = int8(math.Round(float64(blk[2*j] * inv)))
				q[Q8Block/2+j] = int8(math.Round(float64(blk[2*j+1] * inv)))
			}
			out.Scales[r*m.Cols/Q8Block+b] = scale
		}
	}
	return out, nil
}

// dequantRowQ8 writes row r of an int8 matrix as float32 in natural order.
func dequantRowQ8(dst []float32, m *Mat, r int) {
	q := m.Q8[r*m.Cols : (r+1)*m.Cols]
	sc := m.Scales[r*m.Cols/Q8Block : (r+1)*m.Cols/Q8Block]
	for b, s := range sc {
		blk := q[b*Q8Block : (b+1)*Q8Block]
		d := dst[b*Q8Block : (b+1)*Q8Block]
		for j := 0; j < Q8Block/2; j++ {
			d[2*j] = float32(blk[j]) * s
			d[2*j+1] = float32(blk[Q8Block/2+j]) * s
		}
	}
}

// dotQ8Go is Σ x[i]·w[i] for an int8 row (dequantized weight by weight:
// q·scale, then multiplied by x): the specification of the vector kernels.
func dotQ8Go(x []float32, q []int8, scales []float32) float32 {
	var s0, s1, s2, s3 float32
	for b, sc := range scales {
		blk := q[b*Q8Block : (b+1)*Q8Block]
		xb := x[b*Q8Block : (b+1)*Q8Block]
		for j := 0; j < Q8Block/2; j += 2 {
			s0 += float32(blk[j]) * sc * xb[2*j]
			s1 += float32(blk[Q8Block/2+j]) * sc * xb[2*j+1]
			s2 += float32(blk[j+1]) * sc * xb[2*j+2]
			s3 += float32(blk[Q8Block/2+j+1]) * sc * xb[2*j+3]
		}
	}
	return (s0 + s2) + (s1 + s3)
}

// NewMatQ8 makes an int8 matrix from values in natural order with one scale
// per 32 of a row (value = q × scale): the layout the kernels read is made
// here, so callers need not know it.
func NewMatQ8(rows, cols int, q []int8, scales []float32) (Mat, error) {
	if cols%Q8Block != 0 || len(q) != rows*cols || len(scales) != rows*cols/Q8Block {
		return Mat{}, fmt.Errorf("int8 matrix %dx%d: %d values and %d scales", rows, cols, len(q), len(scales))
	}
	out := Mat{Rows: rows, Cols: cols, Q8: backed[int8](len(q)), Scales: scales}
	for b := 0; b < len(q)/Q8Block; b++ {
		src, dst := q[b*Q8Block:(b+1)*Q8Block], out.Q8[b*Q8Block:(b+1)*Q8Block]
		for j := 0; j < Q8Block/2; j++ {
			dst[j], dst[Q8Block/2+j] = src[2*j], src[2*j+1]
		}
	}
	return out, nil
}
