package kernels

import (
	"fmt"
	"math"
)

// The 4-bit format is llama.cpp's Q4_0: per 32 weights of a row, 16 bytes
// of nibbles (byte j holds weight j in its low half and weight j+16 in its
// high half) and a half-precision scale; a weight is (nibble − 8) × scale.
// It is computed in the *fast* tier only: each activation row is rounded
// to int8 per 32 values first (scale amax/127, as llama.cpp's Q8_0), so a
// block's dot is an exact integer, scaled once.
//
// Rows are held in panels of Q4Panel, interleaved so that the kernels'
// vector lanes are weight rows: for each 32-weight block of a panel, four
// 64-byte chunks, chunk c holding bytes 4c…4c+3 of each row's 16 (row l at
// 4l). A chunk's low nibbles are weights 4c…4c+3 of every row, its high
// nibbles weights 16+4c…: one integer dot-product instruction multiplies
// four weights of sixteen rows by the same four activations (broadcast),
// and a block's sixteen row sums are one vector — converted, scaled and
// accumulated once, with no reduction across lanes at the end. A panel's
// bytes are one sequential stream; its scales (16 per block, f16) another.
// The last panel of a matrix whose rows are not a multiple of Q4Panel is
// padded with zero rows.

// Q4Panel is the number of weight rows a 4-bit panel interleaves.
const Q4Panel = 16

// q4PanelBlock is the bytes of one 32-weight block of a panel.
const q4PanelBlock = Q4Panel * 16

// Q4Block is the bytes of one Q4_0 block as files store it: an f16 scale
// (little-endian), then 16 bytes of nibbles.
const Q4Block = 18

// NewMatQ4 makes a 4-bit matrix from Q4_0 blocks as a file stores them
// (rows one after another, Q4Block bytes per 32 weights), rearranging them
// into panels.
func NewMatQ4(rows, cols int, blocks []byte) (Mat, error) {
	if rows <= 0 || cols <= 0 || cols%Q8Block != 0 || len(blocks) != rows*cols/Q8Block*Q4Block {
		return Mat{}, fmt.Errorf("4-bit matrix %dx%d: %d bytes of Q4_0 blocks (width must be a multiple of %d)", rows, cols, len(blocks), Q8Block)
	}
	nb, panels := cols/Q8Block, (rows+Q4Panel-1)/Q4Panel
	m := Mat{Rows: rows, Cols: cols, Q4: backed[byte](panels * nb * q4PanelBlock), Q4Scales: backed[uint16](panels * nb * Q4Panel)}
	for r := 0; r < rows; r++ {
		p, l := r/Q4Panel, r%Q4Panel
		for b := 0; b < nb; b++ {
			src := blocks[(r*nb+b)*Q4Block : (r*nb+b+1)*Q4Block]
			dst := m.Q4[(p*nb+b)*q4PanelBlock:]
			for c := 0; c < 4; c++ {
				copy(dst[c*64+4*l:c*64+4*l+4], src[2+4*c:2+4*c+4])
			}
			m.Q4Scales[(p*nb+b)*Q4Panel+l] = uint16(src[0]) | uint16(src[1])<<8
		}
	}
	return m, nil
}

// q4Byte is byte j (0–15) of block b of row r of a 4-bit matrix.
func q4Byte(m *Mat, r, b, j int) byte {
	nb := m.Cols / Q8Block
	return m.Q4[(r/Q4Panel*nb+b)*q4PanelBlock+j/4*64+4*(r%Q4Panel)+j%4]
}

// q4Scale is the scale of block b of row r of a 4-bit matrix.
func q4Scale(m *Mat, r, b int) float32 {
	nb := m.Cols / Q8Block
	return F16ToF32(m.Q4Scales[(r/Q4Panel*nb+b)*Q4Panel+r%Q4Panel])
}

// dequantRowQ4 writes row r of a 4-bit matrix as float32.
func dequantRowQ4(dst []float32, m *Mat, r int) {
	for b := 0; b < m.Cols/Q8Block; b++ {
		s := q4Scale(m, r, b)
		for j := 0; j < 16; j++ {
			v := q4Byte(m, r, b, j)
			dst[b*32+j] = float32(int(v&0xf)-8) * s
			dst[b*32+16+j] = float32(int(v>>4)-8) * s
		}
	}
}

// act8 is a matmul call's activations rounded to int8, as the 4-bit
// kernels read them: per row, the int8 values in order; per row and
// 32-value block, the correction −8 × (the block's sum of int8), which
// turns a sum of unsigned nibble × int8 products into one of
// (nibble − 8) × int8, and the block's scale.
type act8 struct {
	q     []int8
	corr  []int32
	scale []float32
	// For K-quant weights (roundActK): the residual plane, per block
	// four floats and four integers.
	kq []int8
	kf []float32
	ki []int32
}

// prepare rounds T rows of x (width K, a multiple of 32) into a with
// round, a family's roundAct8 (roundAct8Go or a vector kernel equal to it).
func (a *act8) prepare(x []float32, T, K int, round func(x []float32, q []int8, corr []int32, scale []float32)) {
	a.resize(T*K, false)
	a.roundBlocks(x, 0, T*K/Q8Block, round, nil)
}

// resize makes a hold n activations (a whole number of blocks), and the
// K-quant kernels' residual plane, floats and integers if kquant.
func (a *act8) resize(n int, kquant bool) {
	if cap(a.q) < n {
		a.q, a.corr, a.scale = backed[int8](n), backed[int32](n/Q8Block), backed[float32](n/Q8Block)
	}
	a.q, a.corr, a.scale = a.q[:n], a.corr[:n/Q8Block], a.scale[:n/Q8Block]
	if !kquant {
		return
	}
	if cap(a.kq) < n {
		a.kq, a.kf, a.ki = backed[int8](n), backed[float32](n/Q8Block*4), backed[int32](n/Q8Block*4)
	}
	a.kq, a.kf, a.ki = a.kq[:n], a.kf[:n/Q8Block*4], a.ki[:n/Q8Block*4]
}

// roundBlocks rounds blocks [lo, hi) of x into a (sized by resize) with
// round, a family's roundAct8, and then, unless roundK is nil, with
// roundK, its roundActK. Blocks are rounded independently,
// so the pool may split them (Pool.roundAct8).
func (a *act8) roundBlocks(x []float32, lo, hi int,
	round func(x []float32, q []int8, corr []int32, scale []float32),
	roundK func(x []float32, q []int8, scale []float32, kq []int8, kf []float32, ki []int32)) {
	v, s := lo*Q8Block, hi*Q8Block
	round(x[v:s], a.q[v:s], a.corr[lo:hi], a.scale[lo:hi])
	if roundK != nil {
		roundK(x[v:s], a.q[v:s], a.scale[lo:hi], a.kq[v:s], a.kf[4*lo:4*hi], a.ki[4*lo:4*hi])
	}
}

// roundAct8Go rounds x (a whole number of 32-value blocks) into act8's
// form: as llama.cpp's x86 code rounds activations for Q4_0 weights
// (quantize_row_q8_0), q = round-half-even(x·(127/amax)) in float32, the
// block's scale amax/127 kept in half precision; and the correction
// −8 × Σq. The specification of the vector kernels.
func roundAct8Go(x []float32, q []int8, corr []int32, scale []float32) {
	for b := range len(x) / Q8Block {
		xs, qs := x[b*Q8Block:(b+1)*Q8Block], q[b*Q8Block:(b+1)*Q8Block]
		amax := absMax(xs)
		id := float32(0)
		if amax != 0 {
			id = 127 / amax
		}
		var sum int32
		for j, v := range xs {
			qs[j] = int8(math.RoundToEven(float64(v * id)))
			sum += int32(qs[j])
		}
		corr[b] = -8 * sum
		scale[b] = F16ToF32(F32ToF16(amax / 127))
	}
}

// absMax is the largest |v| of xs (NaN if one is NaN).
func absMax(xs []float32) float32 {
	var amax float32
	for _, v := range xs {
		amax = max(amax, float32(math.Abs(float64(v))))
	}
	return amax
}

// dotQ4Go is the dot of activation row t (prepared) with row n of the 4-bit
// matrix w: per block, the exact integer Σ nibble × int8 + correction,
// converted to float32, times the block's combined scale (activation scale
// × weight scale, rounded to float32), fused-multiply-added into the
// accumulator, block after block. The specification of the vector kernels.
func dotQ4Go(a *act8, t int, w *Mat, n int) float32 {
	nb := w.Cols / Q8Block
	var acc float32
	for b := 0; b < nb; b++ {
		xq := a.q[(t*nb+b)*Q8Block : (t*nb+b+1)*Q8Block]
		s := a.corr[t*nb+b]
		for j := 0; j < 16; j++ {
			v := q4Byte(w, n, b, j)
			s += int32(v&0xf)*int32(xq[j]) + int32(v>>4)*int32(xq[16+j])
		}
		d := a.scale[t*nb+b] * q4Scale(w, n, b)
		acc = fma32(float32(s), d, acc)
	}
	return acc
}

// fma32 is x·y + z as the vector kernels' fused multiply-add computes it:
// the product is exact in float64 and the sum is rounded to float64 then
// to float32; the two roundings differ from one only when the first lands
// exactly halfway between two float32 values — possible, rare, and why the
// tests compare kernels with the specification to a tolerance.
func fma32(x, y, z float32) float32 {
	return float32(math.FMA(float64(x), float64(y), float64(z)))
}
