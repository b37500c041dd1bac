package gguf

import (
	"testing"

	"github.com/lfm2go/lfm2/internal/half"
)

// Every tensor of the K-quant fixtures (and a Q4_1/Q5_1 block) gives, in
// affine int8 form, exactly the values Dequantize gives.
func TestAffineBlocksEqualDequantize(t *testing.T) {
	eachKQuantTensor(t, func(file string, tn *Tensor, want []float32) {
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
	})
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

// Every K-quant tensor of the fixtures, taken apart by KQuantParts, gives
// back exactly the values Dequantize gives (d·scale·q − dmin·min, or
// d·scale·(q − 32) for Q6_K, rounded as ggml rounds).
func TestKQuantPartsEqualDequantize(t *testing.T) {
	eachKQuantTensor(t, func(file string, tn *Tensor, want []float32) {
		nsb, subs := len(want)/256, 8
		if tn.Type == Q6_K {
			subs = 16
		}
		q, d, dmin := make([]uint8, len(want)), make([]uint16, nsb), make([]uint16, nsb)
		scales, mins := make([]int8, nsb*subs), make([]uint8, nsb*8)
		if tn.Type == Q6_K {
			dmin, mins = nil, nil
		}
		if err := KQuantParts(tn.Type, tn.Bytes(), q, d, dmin, scales, mins); err != nil {
			t.Fatal(err)
		}
		for i, w := range want {
			sb, j := i/256, i%256
			var got float32
			if tn.Type == Q6_K {
				got = half.ToF32(d[sb]) * float32(scales[sb*16+j/16]) * float32(int(q[i])-32)
			} else {
				s, o := half.ToF32(d[sb])*float32(scales[sb*8+j/32]), half.ToF32(dmin[sb])*float32(mins[sb*8+j/32])
				got = float32(s*float32(q[i])) - o
			}
			if got != w {
				t.Fatalf("%s %s (%s) value %d: %v, Dequantize %v", file, tn.Name, tn.Type, i, got, w)
			}
		}
	})
	if err := KQuantParts(Q4_0, make([]byte, 18*8), make([]uint8, 256), make([]uint16, 1), nil, make([]int8, 8), nil); err == nil {
		t.Error("KQuantParts took Q4_0")
	}
}

// eachKQuantTensor calls check with every K-quant tensor of the K-quant
// fixtures and its values as Dequantize gives them.
func eachKQuantTensor(t *testing.T, check func(file string, tn *Tensor, want []float32)) {
	t.Helper()
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
			check(file, tn, want)
			n++
		}
		g.Close()
	}
	if n == 0 {
		t.Fatal("no K-quant tensors")
	}
}
