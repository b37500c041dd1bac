package kernels

import (
	"encoding/binary"
	"fmt"
)

// Q8_0 in panels is llama.cpp's Q8_0 (per 32 weights an f16 scale and 32
// int8) held as the fast tier computes it, in the K-quants' panels
// (kquant.go): per 256-weight super-block of 16 rows a 320-byte header
// holding the eight blocks' f16 scales (16 rows each, then padding), then
// eight 512-byte blocks of eight 64-byte chunks, chunk c holding weights
// 4c…4c+3 of each row (row l at 4l) as q + 128 — the integer dot-product
// instructions take one operand unsigned, so the kernels start each sum
// from −128·Σx. The activations are the K-quants' two int8 planes:
// llama.cpp's one plane (its Q8_0 activations) put the fixtures' logits as
// far from the exact ones as its own, and argmax agreement then fell short
// of its on a case by the luck of small margins; two planes put them
// within a few thousandths.

// q8PanelBlock is the bytes of one 32-weight block of a Q8_0 panel.
const q8PanelBlock = Q4Panel * 32

// Q8Block0 is the bytes of one Q8_0 block as files store it: an f16 scale
// (little-endian), then 32 int8.
const Q8Block0 = 34

// NewMatQ8Panels makes a Q8_0 matrix in panels from Q8_0 blocks as a file
// stores them (rows one after another, Q8Block0 bytes per 32 weights).
func NewMatQ8Panels(rows, cols int, blocks []byte) (Mat, error) {
	if rows <= 0 || cols <= 0 || cols%KQuantBlock != 0 || len(blocks) != rows*cols/Q8Block*Q8Block0 {
		return Mat{}, fmt.Errorf("Q8_0 matrix %dx%d in panels: %d bytes of blocks (width must be a multiple of %d)", rows, cols, len(blocks), KQuantBlock)
	}
	f, nb, rsb := FormatQ8Panels, cols/Q8Block, cols/KQuantBlock
	panels, sbBytes := (rows+Q4Panel-1)/Q4Panel, kqSuperBytes(FormatQ8Panels)
	m := Mat{Rows: rows, Cols: cols, Panels: backed[byte](panels * rsb * sbBytes), PanelFormat: f}
	for r := 0; r < rows; r++ {
		p, l := r/Q4Panel, r%Q4Panel
		for b := 0; b < nb; b++ {
			src := blocks[(r*nb+b)*Q8Block0 : (r*nb+b+1)*Q8Block0]
			s, k := b/8, b%8
			sb := m.Panels[(p*rsb+s)*sbBytes : (p*rsb+s+1)*sbBytes]
			sb[32*k+2*l], sb[32*k+2*l+1] = src[0], src[1]
			blk := sb[kqHeader+k*q8PanelBlock+4*l : kqHeader+(k+1)*q8PanelBlock]
			for c := 0; c < 8; c++ { // four weights at a time, each int8 + 128
				binary.LittleEndian.PutUint32(blk[c*64:], binary.LittleEndian.Uint32(src[2+4*c:])^0x80808080)
			}
		}
	}
	return m, nil
}

// q8PanelWeight is weight j (0–31) of block k of a panel super-block, in
// lane l, and the block's scale.
func q8PanelWeight(sb []byte, l, k, j int) (int32, float32) {
	q := int32(int8(sb[kqHeader+k*q8PanelBlock+j/4*64+4*l+j%4] ^ 0x80))
	return q, kqHalf(sb, 32*k, l)
}

// q8PanelBlockDot is the exact Σ q·x of block k of a panel super-block,
// lane l, with the 32 activations xq, and the block's scale.
func q8PanelBlockDot[X int8 | int16](sb []byte, l, k int, xq []X) (int32, float32) {
	var S int32
	for j := 0; j < 32; j++ {
		q, _ := q8PanelWeight(sb, l, k, j)
		S += q * int32(xq[j])
	}
	return S, kqHalf(sb, 32*k, l)
}

// dequantRowQ8Panels writes row r of a Q8_0 panel matrix as float32.
func dequantRowQ8Panels(dst []float32, m *Mat, r int) {
	for s := 0; s < m.Cols/KQuantBlock; s++ {
		sb, l := kqSuper(m, r, s)
		for j := 0; j < KQuantBlock; j++ {
			q, d := q8PanelWeight(sb, l, j/32, j%32)
			dst[s*KQuantBlock+j] = float32(q) * d
		}
	}
}

// dotQ8PanelsGo is the dot of activation row t (prepared by
// Pool.roundAct8 with the K-quants' planes) with row n of a Q8_0 panel
// matrix: per block and activation plane the exact integer Σ q·x, converted to float32, times
// the plane's scale × the block's (rounded to float32), fused-multiply-
// added into the super-block's sum, the plane of q first; each
// super-block's sum added to the result in turn. The specification of the
// vector kernels.
func dotQ8PanelsGo(a *act8, t int, w *Mat, n int) float32 {
	nb := w.Cols / Q8Block
	var acc float32
	for s := 0; s < w.Cols/KQuantBlock; s++ {
		sb, l := kqSuper(w, n, s)
		var accS float32
		for k := 0; k < 8; k++ {
			b := t*nb + 8*s + k // the activation block
			for plane, xq := range [2][]int8{a.q[b*Q8Block : (b+1)*Q8Block], a.kq[b*Q8Block : (b+1)*Q8Block]} {
				S, d := q8PanelBlockDot(sb, l, k, xq)
				accS = fma32(float32(S), a.kf[4*b+plane]*d, accS)
			}
		}
		acc += accS
	}
	return acc
}
