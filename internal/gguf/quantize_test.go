package gguf

import (
	"bytes"
	"math"
	"testing"
)

// Quantizing the BF16 fixture's weights with llama.cpp's rules gives
// exactly the bytes llama-quantize --pure wrote into the Q8_0 and Q4_0
// fixtures.
func TestQuantizeMatchesLlamaQuantize(t *testing.T) {
	src, err := Open(fixture("gguf-quant", "model-BF16.gguf"))
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	for _, c := range []struct {
		file string
		typ  Type
	}{{"model-Q8_0.gguf", Q8_0}, {"model-Q4_0.gguf", Q4_0}} {
		q, err := Open(fixture("gguf-quant", c.file))
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for _, tq := range q.Tensors {
			if tq.Type != c.typ {
				continue
			}
			ts := src.Tensor(tq.Name)
			vals := make([]float32, ts.Elements())
			if err := Dequantize(ts.Type, ts.Bytes(), vals); err != nil {
				t.Fatal(err)
			}
			got := make([]byte, tq.Size)
			if err := Quantize(c.typ, vals, got); err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, tq.Bytes()) {
				for i := range got {
					if got[i] != tq.Bytes()[i] {
						t.Errorf("%s %s: byte %d (block %d) differs: %#x, llama-quantize %#x", c.file, tq.Name, i, i/c.typ.BlockBytes(), got[i], tq.Bytes()[i])
						break
					}
				}
			}
			n++
		}
		q.Close()
		if n == 0 {
			t.Fatalf("%s has no %s tensor", c.file, c.typ)
		}
	}
}

func TestF32ToF16(t *testing.T) {
	for _, c := range []struct {
		f float32
		h uint16
	}{
		{0, 0}, {1, 0x3c00}, {-2, 0xc000}, {65504, 0x7bff}, {65520, 0x7c00}, {1e9, 0x7c00},
		{5.960464477539063e-08, 0x0001}, {2.9802322e-08, 0x0000}, {2.9802326e-08, 0x0001}, {6.097555e-05, 0x03ff},
		{6.1035156e-05, 0x0400}, {1.0004883, 0x3c00}, {1.0014648, 0x3c02}, {float32(math.Inf(-1)), 0xfc00},
	} {
		if got := F32ToF16(c.f); got != c.h {
			t.Errorf("F32ToF16(%g) = %#04x, want %#04x", c.f, got, c.h)
		}
	}
	// Round trip of every half (but NaNs) is exact.
	for h := 0; h < 0x10000; h++ {
		if h&0x7c00 == 0x7c00 && h&0x3ff != 0 {
			continue
		}
		if got := F32ToF16(f16ToF32(uint16(h))); got != uint16(h) {
			t.Fatalf("round trip %#04x -> %#04x", h, got)
		}
	}
}
