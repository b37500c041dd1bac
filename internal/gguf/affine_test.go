package gguf

import "testing"

// Every tensor of the K-quant fixtures (and a Q4_1/Q5_1 block) gives, in
// affine int8 form, exactly the values Dequantize gives.
func TestAffineBlocksEqualDequantize(t *testing.T) {
	n := 0
	for _, file := range []string{"model-Q4_K_M.gguf", "model-Q5_K_M.gguf", "model-Q6_K.gguf"} {
		g, err := Open(fixture("gguf-quant", file))
		if err != nil {
			t.Fatal(err)
		}
		for _, tn := range g.Tensors {
			if tn.Type != Q4_K && tn.Type != Q5_K && tn.Type != Q6_K {
				continue
			}
			want := make([]float32, tn.Elements())
			if err := Dequantize(tn.Type, tn.Bytes(), want); err != nil {
				t.Fatal(err)
			}
			q := make([]int8, len(want))
			a := make([]float32, len(want)/32*4)
			if err := AffineBlocks(tn.Type, tn.Bytes(), q, a); err != nil {
				t.Fatal(err)
			}
			for i, w := range want {
				blk := a[i/32*4:]
				half := i % 32 / 16
				if got := float32(float32(q[i])*blk[half]) + blk[2+half]; got != w {
					t.Fatalf("%s %s (%s) value %d: %v, Dequantize %v", file, tn.Name, tn.Type, i, got, w)
				}
			}
			n++
		}
		g.Close()
	}
	if n == 0 {
		t.Fatal("no K-quant tensors")
	}
	// Q4_1 and Q5_1 from made-up blocks: d = 0.5, m = -3, all nibbles 9, Q5_1 high bits on odd positions.
	q41 := append([]byte{0x00, 0x38, 0x00, 0xc2}, make([]byte, 16)...) // f16 0.5, -3
	for j := 4; j < 20; j++ {
		q41[j] = 0x99
	}
	q51 := append([]byte{0x00, 0x38, 0x00, 0xc2, 0xaa, 0xaa, 0xaa, 0xaa}, q41[4:]...)
	for _, c := range []struct {
		typ Type
		b   []byte
	}{{Q4_1, q41}, {Q5_1, q51}} {
		want := make([]float32, 32)
		Dequantize(c.typ, c.b, want)
		q, a := make([]int8, 32), make([]float32, 4)
		if err := AffineBlocks(c.typ, c.b, q, a); err != nil {
			t.Fatal(err)
		}
		for i := range want {
			if got := float32(float32(q[i])*a[i/16]) + a[2+i/16]; got != want[i] {
				t.Fatalf("%s value %d: %v, Dequantize %v", c.typ, i, got, want[i])
			}
		}
	}
}
