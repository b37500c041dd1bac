package safetensors

import (
	"bytes"
	"encoding/binary"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func f32bytes(vs ...float32) []byte {
	b := make([]byte, 4*len(vs))
	for i, v := range vs {
		binary.LittleEndian.PutUint32(b[4*i:], math.Float32bits(v))
	}
	return b
}

func writeFile(t *testing.T, dir, name string, tensors []WriteTensor) string {
	t.Helper()
	var buf bytes.Buffer
	if err := Write(&buf, tensors, map[string]string{"format": "pt"}); err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestRoundTrip(t *testing.T) {
	dir := t.TempDir()
	p := writeFile(t, dir, "model.safetensors", []WriteTensor{
		{Name: "b", DType: BF16, Shape: []int{3}, Data: []byte{1, 0, 2, 0, 3, 0}},
		{Name: "a", DType: F32, Shape: []int{2, 2}, Data: f32bytes(1, 2, 3, 4)},
	})
	ck, err := OpenDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer ck.Close()
	if got := ck.Names(); strings.Join(got, ",") != "a,b" {
		t.Fatalf("names = %v", got)
	}
	a, err := ck.Get("a").F32()
	if err != nil || len(a) != 4 || a[3] != 4 {
		t.Fatalf("a = %v, %v", a, err)
	}
	b, err := ck.Get("b").U16()
	if err != nil || len(b) != 3 || b[2] != 3 {
		t.Fatalf("b = %v, %v", b, err)
	}
	if _, err := ck.Get("a").U16(); err == nil {
		t.Fatal("U16 of an F32 tensor should fail")
	}
	if ck.Files[0].Metadata["format"] != "pt" {
		t.Fatalf("metadata = %v", ck.Files[0].Metadata)
	}
	_ = p
}

func TestSharded(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "model-00001-of-00002.safetensors", []WriteTensor{{Name: "x", DType: F32, Shape: []int{1}, Data: f32bytes(5)}})
	writeFile(t, dir, "model-00002-of-00002.safetensors", []WriteTensor{{Name: "y", DType: F32, Shape: []int{1}, Data: f32bytes(6)}})
	index := `{"metadata":{},"weight_map":{"x":"model-00001-of-00002.safetensors","y":"model-00002-of-00002.safetensors"}}`
	if err := os.WriteFile(filepath.Join(dir, IndexFile), []byte(index), 0o644); err != nil {
		t.Fatal(err)
	}
	ck, err := OpenDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer ck.Close()
	y, _ := ck.Get("y").F32()
	if len(ck.Files) != 2 || y[0] != 6 {
		t.Fatalf("files=%d y=%v", len(ck.Files), y)
	}
}

func TestShardIndexNamesMissingTensor(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "s1.safetensors", []WriteTensor{{Name: "x", DType: F32, Shape: []int{1}, Data: f32bytes(5)}})
	index := `{"weight_map":{"x":"s1.safetensors","z":"s1.safetensors"}}`
	os.WriteFile(filepath.Join(dir, IndexFile), []byte(index), 0o644)
	_, err := OpenDir(dir)
	if err == nil || !strings.Contains(err.Error(), `"z"`) {
		t.Fatalf("err = %v", err)
	}
}

// header builds a file image from a raw JSON header and a data section.
func header(js string, data []byte) []byte {
	var n [8]byte
	binary.LittleEndian.PutUint64(n[:], uint64(len(js)))
	return append(append(n[:], js...), data...)
}

func TestBadFiles(t *testing.T) {
	good := header(`{"w":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}`, f32bytes(1, 2))
	huge := make([]byte, 16)
	binary.LittleEndian.PutUint64(huge, 1<<40)
	cases := []struct {
		name string
		file []byte
		want string
	}{
		{"empty", nil, "too short"},
		{"truncated length", []byte{1, 2, 3}, "too short"},
		{"header beyond file", header(`{}`, nil)[:9], "runs past the end"},
		{"huge header length", huge, "exceeds"},
		{"bad json", header(`{"w":`, nil), "not a JSON object"},
		{"json array", header(`[1,2]`, nil), "not a JSON object"},
		{"unknown dtype", header(`{"w":{"dtype":"I64","shape":[1],"data_offsets":[0,8]}}`, make([]byte, 8)), `tensor "w": unsupported dtype "I64"`},
		{"shape mismatch", header(`{"w":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}}`, make([]byte, 8)), "needs 12 bytes"},
		{"span outside", header(`{"w":{"dtype":"F32","shape":[4],"data_offsets":[0,16]}}`, make([]byte, 8)), "outside"},
		{"truncated data", good[:len(good)-4], "outside"},
		{"negative dim", header(`{"w":{"dtype":"F32","shape":[-1],"data_offsets":[0,0]}}`, nil), "bad dimension"},
		{"overlap", header(`{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}`, make([]byte, 8)), "overlaps"},
		{"missing field", header(`{"w":{"dtype":"F32","shape":[2]}}`, make([]byte, 8)), "needs dtype, shape and data_offsets"},
		{"bad metadata", header(`{"__metadata__":{"a":1}}`, nil), "__metadata__"},
		{"gap between tensors", header(`{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"b":{"dtype":"F32","shape":[1],"data_offsets":[8,12]}}`, make([]byte, 12)), "no tensor covers"},
		{"gap at the start", header(`{"a":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}`, make([]byte, 8)), "no tensor covers"},
		{"extra bytes at the end", header(`{"w":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}`, make([]byte, 9)), "cover 8 bytes but the data section holds 9"},
		// The header length one byte short: the parser still reads valid JSON
		// (its padding space), and every tensor would be shifted by one byte.
		{"header length one byte short", shortHeader(`{"w":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}`, f32bytes(1, 2)), "cover 8 bytes but the data section holds 9"},
		{"overflowing shape", header(`{"w":{"dtype":"F32","shape":[2147483647,2147483647,2147483647],"data_offsets":[0,8]}}`, make([]byte, 8)), "too large"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p := filepath.Join(t.TempDir(), "bad.safetensors")
			if err := os.WriteFile(p, c.file, 0o644); err != nil {
				t.Fatal(err)
			}
			f, err := Open(p)
			if err == nil {
				f.Close()
				t.Fatalf("opened a bad file")
			}
			if !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), "bad.safetensors") {
				t.Fatalf("error %q should name the file and contain %q", err, c.want)
			}
		})
	}
	// And the good one opens.
	if _, err := fromBytes("good", good); err != nil {
		t.Fatal(err)
	}
}

func TestMissingFile(t *testing.T) {
	if _, err := OpenDir(t.TempDir()); err == nil || !strings.Contains(err.Error(), "no model.safetensors") {
		t.Fatalf("err = %v", err)
	}
}

// FuzzParseHeader checks the parser never panics and that whatever it accepts
// is self-consistent. Seeds live in testdata/fuzz/FuzzParseHeader.
func FuzzParseHeader(f *testing.F) {
	f.Add([]byte(`{"w":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}`), int64(8))
	f.Fuzz(func(t *testing.T, js []byte, dataLen int64) {
		if dataLen < 0 {
			dataLen = -dataLen
		}
		h, err := ParseHeader(js, dataLen)
		if err != nil {
			return
		}
		var end int64
		for _, ti := range h.Tensors {
			if ti.Begin < end || ti.End > dataLen || ti.End-ti.Begin != ti.NumElements()*int64(ti.DType.Size()) {
				t.Fatalf("accepted inconsistent tensor %+v", ti)
			}
			end = ti.End
		}
	})
}

// shortHeader writes a header padded with two spaces whose length field
// claims one byte fewer than it has.
func shortHeader(js string, data []byte) []byte {
	padded := js + "  "
	b := make([]byte, 8, 8+len(padded)+len(data))
	binary.LittleEndian.PutUint64(b, uint64(len(padded)-1))
	b = append(b, padded...)
	return append(b, data...)
}
