package kernels

import (
	"fmt"
	"math"
	"unsafe"

	"github.com/lfm2go/lfm2/internal/half"
	"github.com/lfm2go/lfm2/internal/pages"
)

// backed returns n zero elements with their pages populated in one call
// (pages.Populate): the weight constructors write every byte of the arrays
// they make, and a fault a page costs ~11 µs in a virtual machine (a
// 228 MB Q4_K_M file's panels: ~0.3 s of a 1.5 s load).
func backed[T any](n int) []T {
	s := make([]T, n)
	pages.Populate(s)
	return s
}

// Mat is a row-major weight matrix [Rows × Cols] stored in the dtype it was
// loaded in, in int8 (QuantizeQ8, NewMatQ8, NewMatQ8Affine) or in 4 bits
// (NewMatQ4, NewMatQ4Affine) or in panels of super-blocks (NewMatKQuant,
// NewMatQ8Panels). Exactly one of BF16, F32, Q8, Q4 and Panels is set;
// with Q8, exactly one of Scales and Affine; with Q4, of Q4Scales and Affine.
type Mat struct {
	Rows, Cols int
	BF16       []uint16
	F16        []uint16 // IEEE half-precision words (a GGUF or safetensors F16 file's, in place)
	F32        []float32
	Q8         []int8    // int8 weights, 32-weight blocks stored even-then-odd
	Scales     []float32 // one per 32-weight block of a row (int8: w = q·scale)
	Affine     []float32 // AffineFloats per block (affine int8: see affine.go)
	Q4         []byte    // 4-bit weights: with Q4Scales in panels (q4.go), with Affine q4affine.go's
	Q4Scales   []uint16  // with Q4: f16 block scales, in panels (q4.go)
	Q4Signed   bool      // with Q4 and Affine: a nibble n stands for n − 8 (Q4_0)
	// Panels: weights with their scales in panels of super-blocks, of the
	// format PanelFormat: the K-quants (kquant.go) or Q8_0 (q8panels.go).
	Panels      []byte
	PanelFormat Format
}

// NewMatBF16 wraps bf16 words as a matrix, checking the length.
func NewMatBF16(rows, cols int, data []uint16) (Mat, error) {
	if len(data) != rows*cols {
		return Mat{}, fmt.Errorf("bf16 matrix %dx%d needs %d elements, have %d", rows, cols, rows*cols, len(data))
	}
	return Mat{Rows: rows, Cols: cols, BF16: data}, nil
}

// NewMatF16 wraps IEEE half-precision words as a matrix, checking the
// length. The words are used in place (2 bytes a weight, where widening
// them to float32 at load had doubled the memory and the bytes a decode
// step reads); each row is widened exactly as it is used (rowsF16).
func NewMatF16(rows, cols int, data []uint16) (Mat, error) {
	if len(data) != rows*cols {
		return Mat{}, fmt.Errorf("f16 matrix %dx%d needs %d elements, have %d", rows, cols, rows*cols, len(data))
	}
	return Mat{Rows: rows, Cols: cols, F16: data}, nil
}

// NewMatF32 wraps float32 values as a matrix, checking the length.
func NewMatF32(rows, cols int, data []float32) (Mat, error) {
	if len(data) != rows*cols {
		return Mat{}, fmt.Errorf("f32 matrix %dx%d needs %d elements, have %d", rows, cols, rows*cols, len(data))
	}
	return Mat{Rows: rows, Cols: cols, F32: data}, nil
}

// DType names the storage format.
func (m *Mat) DType() string { return m.Format().String() }

// Bytes is the storage size of the matrix: its weights and their scales.
func (m *Mat) Bytes() int64 {
	return int64(len(m.BF16))*2 + int64(len(m.F16))*2 + int64(len(m.F32))*4 + int64(len(m.Q8)) + int64(len(m.Q4)) + int64(len(m.Panels)) +
		int64(len(m.Scales)+len(m.Affine))*4 + int64(len(m.Q4Scales))*2
}

// Spans is the matrix's arrays as bytes, where they lie (mapped or in
// memory): what a product with it reads.
func (m *Mat) Spans() [][]byte {
	var out [][]byte
	add := func(b []byte) {
		if len(b) > 0 {
			out = append(out, b)
		}
	}
	add(bytesOf(m.BF16))
	add(bytesOf(m.F16))
	add(bytesOf(m.F32))
	add(bytesOf(m.Q8))
	add(bytesOf(m.Scales))
	add(bytesOf(m.Affine))
	add(m.Q4)
	add(bytesOf(m.Q4Scales))
	add(m.Panels)
	return out
}

// bytesOf views a slice's elements as bytes.
func bytesOf[T any](s []T) []byte {
	if len(s) == 0 {
		return nil
	}
	var zero T
	return unsafe.Slice((*byte)(unsafe.Pointer(unsafe.SliceData(s))), len(s)*int(unsafe.Sizeof(zero)))
}

// Row writes row r as float32 into dst (len Cols).
func (m *Mat) Row(dst []float32, r int) { m.Format().spec().dequantRow(dst[:m.Cols], m, r) }

// BF16ToF32 widens bf16 words to float32; exact (a 16-bit shift).
func BF16ToF32(dst []float32, src []uint16) {
	dst = dst[:len(src)]
	for i, v := range src {
		dst[i] = math.Float32frombits(uint32(v) << 16)
	}
}

// F32ToBF16 rounds float32 to bf16 with round-to-nearest-even, as PyTorch does.
func F32ToBF16(v float32) uint16 {
	b := math.Float32bits(v)
	if b&0x7fffffff > 0x7f800000 { // NaN: keep it a quiet NaN
		return uint16(b>>16) | 0x40
	}
	b += 0x7fff + (b>>16)&1
	return uint16(b >> 16)
}

// F16ToF32 widens an IEEE half-precision value.
func F16ToF32(h uint16) float32 { return half.ToF32(h) }

// F32ToF16 rounds to IEEE half precision, to nearest even (F16C's rounding).
func F32ToF16(f float32) uint16 { return half.FromF32(f) }
