package gguf

import (
	"encoding/binary"
	"math"
	"os"
	"testing"
)

// TestDequantizeEqualsGGML: random blocks of every quantized type this
// package reads, dequantized by ggml itself (testdata/fixtures/ggml-blocks),
// give the same float32 values, bit for bit, through Dequantize and through
// the exact forms the kernels compute on (Int8Blocks: q × scale;
// AffineBlocks: q × scale + offset).
func TestDequantizeEqualsGGML(t *testing.T) {
	for _, typ := range []Type{Q4_0, Q4_1, Q5_0, Q5_1, Q8_0, Q2_K, Q3_K, Q4_K, Q5_K, Q6_K, IQ4_NL, IQ4_XS} {
		t.Run(typ.String(), func(t *testing.T) {
			b, err := os.ReadFile(fixture("ggml-blocks", typ.String()+".bin"))
			if err != nil {
				t.Fatal(err)
			}
			const n = 4096
			nbytes := n / typ.BlockSize() * typ.BlockBytes()
			if len(b) != nbytes+4*n {
				t.Fatalf("%d bytes, want %d", len(b), nbytes+4*n)
			}
			blocks, want := b[:nbytes], make([]float32, n)
			for i := range want {
				want[i] = math.Float32frombits(binary.LittleEndian.Uint32(b[nbytes+4*i:]))
			}
			check := func(form string, got func(i int) float32) {
				t.Helper()
				bad := 0
				for i, w := range want {
					if g := got(i); g != w {
						if bad++; bad <= 3 {
							t.Errorf("%s: value %d (block %d) = %v, ggml %v", form, i, i/typ.BlockSize(), g, w)
						}
					}
				}
				if bad > 0 {
					t.Errorf("%s: %d of %d values differ", form, bad, n)
				}
			}
			got := make([]float32, n)
			if err := Dequantize(typ, blocks, got); err != nil {
				t.Fatal(err)
			}
			check("Dequantize", func(i int) float32 { return got[i] })

			q := make([]int8, n)
			switch typ {
			case Q8_0, Q4_0, Q5_0, IQ4_NL, IQ4_XS:
				sc := make([]float32, n/32)
				if err := Int8Blocks(typ, blocks, q, sc); err != nil {
					t.Fatal(err)
				}
				check("Int8Blocks", func(i int) float32 { return float32(q[i]) * sc[i/32] })
			default:
				a := make([]float32, n/32*4)
				if err := AffineBlocks(typ, blocks, q, a); err != nil {
					t.Fatal(err)
				}
				check("AffineBlocks", func(i int) float32 {
					h := i % 32 / 16
					return float32(float32(q[i])*a[i/32*4+h]) + a[i/32*4+2+h]
				})
			}
		})
	}
}
