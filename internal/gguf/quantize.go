package gguf

import (
	"encoding/binary"
	"fmt"
	"math"

	"github.com/lfm2go/lfm2/internal/half"
)

// Quantize encodes float32 values as blocks of type t with llama.cpp's
// reference rules (quantize_row_q8_0_ref, quantize_row_q4_0_ref,
// quantize_row_q4_K_ref, which llama-quantize uses without an importance
// matrix), so the bytes equal llama-quantize's for the same source.
func Quantize(t Type, src []float32, dst []byte) error {
	if t != Q8_0 && t != Q4_0 && t != Q4_K {
		return fmt.Errorf("quantizing to %s is not supported (Q8_0, Q4_0 and Q4_K are)", t)
	}
	if len(src)%t.BlockSize() != 0 || len(dst) != len(src)/t.BlockSize()*t.BlockBytes() {
		return fmt.Errorf("%s: %d values into %d bytes", t, len(src), len(dst))
	}
	if t == Q4_K {
		for b := 0; b < len(src)/256; b++ {
			quantizeQ4K(src[b*256:(b+1)*256], dst[b*144:(b+1)*144])
		}
		return nil
	}
	for b := 0; b < len(src)/32; b++ {
		x := src[b*32 : (b+1)*32]
		out := dst[b*t.BlockBytes() : (b+1)*t.BlockBytes()]
		if t == Q8_0 {
			var amax float32
			for _, v := range x {
				amax = max(amax, float32(math.Abs(float64(v))))
			}
			d := amax / 127
			id := float32(0)
			if d != 0 {
				id = 1 / d
			}
			binary.LittleEndian.PutUint16(out, half.FromF32(d))
			for j, v := range x {
				out[2+j] = byte(int8(math.Round(float64(v * id))))
			}
			continue
		}
		// Q4_0: the value of largest magnitude, with its sign, maps to -8.
		var amax, vmax float32
		for _, v := range x {
			if a := float32(math.Abs(float64(v))); amax < a {
				amax, vmax = a, v
			}
		}
		d := vmax / -8
		id := float32(0)
		if d != 0 {
			id = 1 / d
		}
		binary.LittleEndian.PutUint16(out, half.FromF32(d))
		for j := 0; j < 16; j++ {
			x0 := int8(float32(x[j]*id) + 8.5) // C's (int8_t) truncates toward zero
			x1 := int8(float32(x[16+j]*id) + 8.5)
			out[2+j] = byte(min(15, x0)) | byte(min(15, x1))<<4
		}
	}
	return nil
}
