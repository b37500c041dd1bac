package gguf

import (
	"bytes"
	"encoding/binary"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func fixture(parts ...string) string {
	return filepath.Join(append([]string{"..", "..", "testdata", "fixtures"}, parts...)...)
}

func TestOpenFixtures(t *testing.T) {
	for _, name := range []string{"model-BF16.gguf", "model-Q8_0.gguf"} {
		g, err := Open(fixture("gguf-tiny", name))
		if err != nil {
			t.Fatal(err)
		}
		if arch, _ := g.String("general.architecture"); arch != "lfm2" || g.Version != 3 || len(g.Tensors) != 59 {
			t.Fatalf("%s: arch %q, version %d, %d tensors", name, arch, g.Version, len(g.Tensors))
		}
		emb := g.Tensor("token_embd.weight")
		if emb == nil || emb.Dims[0] != 64 || emb.Dims[1] != 30508 || int64(len(emb.Bytes())) != emb.Size {
			t.Fatalf("%s: token_embd %+v", name, emb)
		}
		kv, _ := g.Array("lfm2.attention.head_count_kv")
		if len(kv) != 6 {
			t.Fatalf("head_count_kv %v", kv)
		}
		g.Close()
	}
}

// Every type the quantized fixtures use dequantizes to values close to the
// BF16 source they were quantized from (the exact values are checked end to
// end against the reference logits in the model package).
func TestDequantizeNearSource(t *testing.T) {
	src, err := Open(fixture("gguf-tiny", "model-BF16.gguf"))
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	q, err := Open(fixture("gguf-tiny", "model-Q8_0.gguf"))
	if err != nil {
		t.Fatal(err)
	}
	defer q.Close()
	for _, tq := range q.Tensors {
		ts := src.Tensor(tq.Name)
		a := make([]float32, ts.Elements())
		b := make([]float32, tq.Elements())
		if err := Dequantize(ts.Type, ts.Bytes(), a); err != nil {
			t.Fatal(err)
		}
		if err := Dequantize(tq.Type, tq.Bytes(), b); err != nil {
			t.Fatal(err)
		}
		var maxAbs, maxErr float64
		for i := range a {
			maxAbs = max(maxAbs, math.Abs(float64(a[i])))
			maxErr = max(maxErr, math.Abs(float64(a[i]-b[i])))
		}
		if maxErr > maxAbs/127+1e-6 {
			t.Errorf("%s (%s): error %g against max %g", tq.Name, tq.Type, maxErr, maxAbs)
		}
	}
}

// Hand-made blocks with known values, one per type.
func TestDequantizeBlocks(t *testing.T) {
	half := func(f float32) []byte { // f exactly representable in f16 here
		bits := math.Float32bits(f)
		exp := int((bits>>23)&0xff) - 127 + 15
		h := uint16(bits>>16)&0x8000 | uint16(exp)<<10 | uint16((bits>>13)&0x3ff)
		if f == 0 {
			h = 0
		}
		return binary.LittleEndian.AppendUint16(nil, h)
	}
	// Q8_0: d = 0.5, q = -16..15.
	b := half(0.5)
	for j := 0; j < 32; j++ {
		b = append(b, byte(int8(j-16)))
	}
	out := make([]float32, 32)
	if err := Dequantize(Q8_0, b, out); err != nil || out[0] != -8 || out[31] != 7.5 {
		t.Fatalf("Q8_0: %v %v", out, err)
	}
	// Q4_0: d = 2, nibbles j (low) and 15-j (high): values 2(j-8), 2(7-j).
	b = half(2)
	for j := 0; j < 16; j++ {
		b = append(b, byte(j)|byte(15-j)<<4)
	}
	if err := Dequantize(Q4_0, b, out); err != nil || out[0] != -16 || out[15] != 14 || out[16] != 14 || out[31] != -16 {
		t.Fatalf("Q4_0: %v %v", out, err)
	}
	q := make([]int8, 32)
	sc := make([]float32, 1)
	if err := Int8Blocks(Q4_0, b, q, sc); err != nil || sc[0] != 2 || float32(q[0])*sc[0] != out[0] || float32(q[31])*sc[0] != out[31] {
		t.Fatalf("Q4_0 int8: %v %v %v", q, sc, err)
	}
	// Q5_0: d = 1, all low nibbles 0, high bit set for element 0 and 16 only: 16-16 = 0 … others -16.
	b = append(half(1), 1, 0, 1, 0) // qh bit 0 and bit 16
	b = append(b, make([]byte, 16)...)
	if err := Dequantize(Q5_0, b, out); err != nil || out[0] != 0 || out[1] != -16 || out[16] != 0 || out[17] != -16 {
		t.Fatalf("Q5_0: %v %v", out, err)
	}
	// Q6_K: all zero bits but scale 1 and d = 1: every value is -32.
	b6 := make([]byte, 210)
	for i := 192; i < 208; i++ {
		b6[i] = 1
	}
	copy(b6[208:], half(1))
	out256 := make([]float32, 256)
	if err := Dequantize(Q6_K, b6, out256); err != nil || out256[0] != -32 || out256[255] != -32 {
		t.Fatalf("Q6_K: %v %v", out256[:4], err)
	}
	// Q4_K: d = 1, dmin = 0.5, scales 1 and mins 2 for sub-block 0 (others 0), nibbles 3.
	b4 := append(half(1), half(0.5)...)
	scales := make([]byte, 12)
	scales[0], scales[4] = 1, 2
	b4 = append(b4, scales...)
	b4 = append(b4, bytes.Repeat([]byte{0x33}, 128)...)
	if err := Dequantize(Q4_K, b4, out256); err != nil || out256[0] != 3-1 || out256[32] != 0 {
		t.Fatalf("Q4_K: %v %v", out256[:40], err)
	}
}

// writeGGUF builds a small GGUF file: metadata entries and F32 tensors.
func writeGGUF(kv map[string]string, tensors map[string][]float32) []byte {
	var b bytes.Buffer
	w := func(v any) { binary.Write(&b, binary.LittleEndian, v) }
	str := func(s string) { w(uint64(len(s))); b.WriteString(s) }
	b.WriteString("GGUF")
	w(uint32(3))
	w(uint64(len(tensors)))
	w(uint64(len(kv)))
	for k, v := range kv {
		str(k)
		w(uint32(vString))
		str(v)
	}
	off := uint64(0)
	var names []string
	for n := range tensors {
		names = append(names, n)
	}
	for _, n := range names {
		str(n)
		w(uint32(1))
		w(uint64(len(tensors[n])))
		w(uint32(F32))
		w(off)
		off += uint64(len(tensors[n])*4+31) / 32 * 32
	}
	for b.Len()%32 != 0 {
		b.WriteByte(0)
	}
	for _, n := range names {
		for _, f := range tensors[n] {
			w(f)
		}
		for b.Len()%32 != 0 {
			b.WriteByte(0)
		}
	}
	return b.Bytes()
}

func TestBadFiles(t *testing.T) {
	good := writeGGUF(map[string]string{"general.architecture": "lfm2"}, map[string][]float32{"w": {1, 2, 3, 4}})
	if _, err := parse(good); err != nil {
		t.Fatal(err)
	}
	patch := func(off int, v uint64) []byte {
		c := append([]byte(nil), good...)
		binary.LittleEndian.PutUint64(c[off:], v)
		return c
	}
	// The tensor's type: after the header (24 bytes), the one metadata
	// entry (8+20+4+8+4) and the tensor's name, dimension count and size.
	typeAt := 24 + 44 + 8 + 1 + 4 + 8
	withType := func(typ uint32) []byte {
		c := append([]byte(nil), good...)
		binary.LittleEndian.PutUint32(c[typeAt:], typ)
		return c
	}
	cases := []struct {
		name string
		b    []byte
		want string
	}{
		{"magic", append([]byte("GGUX"), good[4:]...), "not a GGUF file"},
		{"type ggml has, lfm2 does not read", withType(17), `tensor "w": type IQ2_XS (17) is not supported; lfm2 reads F32, F16, BF16, Q8_0`},
		{"type nobody has", withType(99), `tensor "w": unknown type 99; lfm2 reads`},
		{"version", append(append([]byte("GGUF"), 1, 0, 0, 0), good[8:]...), "version 1"},
		{"huge tensor count", patch(8, 1<<40), "over the limits"},
		{"huge key length", patch(24, 1<<40), "over the limit"},
		{"truncated data", good[:len(good)-20], "runs past"},
		{"truncated header", good[:30], "truncated"},
	}
	for i := 1; i < len(good)-16; i += 7 {
		cases = append(cases, struct {
			name string
			b    []byte
			want string
		}{"cut", good[:i], ""})
	}
	for _, c := range cases {
		b := c.b
		if len(b) < 4 {
			continue
		}
		_, err := parse(b)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s (%d bytes): err %v, want %q", c.name, len(b), err, c.want)
		}
	}
	// Through Open: the file name is in the message.
	p := filepath.Join(t.TempDir(), "bad.gguf")
	os.WriteFile(p, good[:40], 0o644)
	if _, err := Open(p); err == nil || !strings.Contains(err.Error(), "bad.gguf") {
		t.Fatalf("Open: %v", err)
	}
}

// FuzzParse: any bytes parse or fail with an error; never a panic or a
// huge allocation.
func FuzzParse(f *testing.F) {
	f.Add(writeGGUF(map[string]string{"general.architecture": "lfm2"}, map[string][]float32{"w": {1, 2}}))
	f.Add(writeGGUF(nil, nil))
	f.Add([]byte("GGUF\x03\x00\x00\x00"))
	f.Fuzz(func(t *testing.T, b []byte) {
		if len(b) < 4 {
			return
		}
		g, err := parse(b)
		if err != nil {
			return
		}
		for _, tn := range g.Tensors {
			if int64(len(tn.Bytes())) != tn.Size {
				t.Fatalf("tensor %s: %d bytes, size %d", tn.Name, len(tn.Bytes()), tn.Size)
			}
		}
	})
}
