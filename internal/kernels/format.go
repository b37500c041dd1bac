package kernels

// Format is a weight matrix's storage format. Mat.Format is the one place
// that tells formats apart; kernels, sizes and dequantization go by it, so
// a new format is a constant here, its spec below, and its kernel in each
// family's table.
type Format uint8

// The formats.
const (
	FormatF32        Format = iota // float32
	FormatBF16                     // bf16 words
	FormatInt8                     // int8, a scale per 32 (Q8_0, Q5_0; q8.go)
	FormatInt8Affine               // int8, a scale and an offset per 32 or 16 (K-quants; affine.go)
	FormatQ4                       // 4-bit Q4_0 with a scale per 32, int8 activations (q4.go)
	FormatQ4Affine                 // 4-bit, a scale and an offset per 32 (Q4_K, Q4_1, Q4_0 exact; q4affine.go)
	FormatQ4K                      // Q4_K as in the file, int8 activations (kquant.go)
	FormatQ5K                      // Q5_K as in the file, int8 activations (kquant.go)
	FormatQ6K                      // Q6_K as in the file, int8 activations (kquant.go)
	FormatQ8Panels                 // Q8_0 as in the file, in panels, two int8 activation planes (q8panels.go)
	FormatF16                      // IEEE half-precision words, widened row by row (rowsF16)
)

// Format reports how m is stored, from which of its slices are set.
func (m *Mat) Format() Format {
	switch {
	case m.Panels != nil:
		return m.PanelFormat
	case m.BF16 != nil:
		return FormatBF16
	case m.F16 != nil:
		return FormatF16
	case m.Q4 != nil && m.Affine != nil:
		return FormatQ4Affine
	case m.Q4 != nil:
		return FormatQ4
	case m.Q8 != nil && m.Affine != nil:
		return FormatInt8Affine
	case m.Q8 != nil:
		return FormatInt8
	}
	return FormatF32
}

// formatSpec is what the package knows of a format besides its kernels.
type formatSpec struct {
	name       string
	dequantRow func(dst []float32, m *Mat, r int) // row r as float32
}

func (f Format) spec() formatSpec {
	switch f {
	case FormatBF16:
		return formatSpec{"bf16", func(dst []float32, m *Mat, r int) { BF16ToF32(dst, m.BF16[r*m.Cols:(r+1)*m.Cols]) }}
	case FormatInt8:
		return formatSpec{"int8", dequantRowQ8}
	case FormatInt8Affine:
		return formatSpec{"int8-affine", dequantRowAffine}
	case FormatQ4:
		return formatSpec{"q4", dequantRowQ4}
	case FormatQ4Affine:
		return formatSpec{"q4-affine", dequantRowQ4Affine}
	case FormatQ4K:
		return formatSpec{"q4_k", dequantRowKQuant}
	case FormatQ5K:
		return formatSpec{"q5_k", dequantRowKQuant}
	case FormatQ6K:
		return formatSpec{"q6_k", dequantRowKQuant}
	case FormatQ8Panels:
		return formatSpec{"q8_0", dequantRowQ8Panels}
	case FormatF16:
		return formatSpec{"f16", func(dst []float32, m *Mat, r int) { f16ToF32Go(dst, m.F16[r*m.Cols:(r+1)*m.Cols]) }}
	}
	return formatSpec{"f32", func(dst []float32, m *Mat, r int) { copy(dst, m.F32[r*m.Cols:(r+1)*m.Cols]) }}
}

// String names the format as DType does.
func (f Format) String() string { return f.spec().name }
