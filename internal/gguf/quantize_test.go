package gguf

import (
	"bytes"
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
	}{{"model-Q8_0.gguf", Q8_0}, {"model-Q4_0.gguf", Q4_0}, {"model-Q4_K_M.gguf", Q4_K}} {
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
