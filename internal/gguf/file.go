// Package gguf reads GGUF files (llama.cpp's format, versions 2 and 3): the
// metadata, the tensor table, and tensor data as views of the memory-mapped
// file. Every size, count and offset is checked against the file before it
// is used, so a corrupt or truncated file is refused with its reason and
// never causes a large allocation. It knows nothing about any model.
package gguf

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"os"
	"sort"

	"github.com/lfm2go/lfm2/internal/mmap"
)

// Limits on what a header may declare (far above real files: LFM2-350M has
// ~30 metadata keys with a 65,536-entry vocabulary and 148 tensors).
const (
	maxTensors   = 1 << 20
	maxKVs       = 1 << 20
	maxDims      = 4
	maxArrayLen  = 1 << 26
	maxStringLen = 1 << 26
	maxNesting   = 4
)

// Tensor is one tensor's entry. Dims are GGUF's order: Dims[0] varies
// fastest (a weight matrix of R rows and C columns has Dims [C, R]).
type Tensor struct {
	Name   string
	Dims   []int
	Type   Type
	Offset int64 // from the start of the data section
	Size   int64 // bytes
	data   []byte
}

// Elements is the product of the dimensions.
func (t *Tensor) Elements() int64 {
	n := int64(1)
	for _, d := range t.Dims {
		n *= int64(d)
	}
	return n
}

// Bytes is the tensor's raw data (a view of the mapped file).
func (t *Tensor) Bytes() []byte { return t.data }

// File is an opened GGUF file.
type File struct {
	Path      string
	Version   uint32
	Metadata  map[string]any // values: uint8…int64 as their Go types, float32/64, bool, string, []any
	Keys      []string       // metadata keys in file order
	Tensors   []*Tensor      // in file order
	Alignment int
	byName    map[string]*Tensor
	unmap     func() error
}

// ErrNotGGUF is returned for a file that does not start with the GGUF magic.
var ErrNotGGUF = errors.New("not a GGUF file")

// Open maps and validates a GGUF file.
func Open(path string) (*File, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if st.Size() < 24 {
		return nil, fmt.Errorf("%s: %w (%d bytes)", path, ErrNotGGUF, st.Size())
	}
	data, unmap, err := mmap.Map(f, st.Size())
	if err != nil {
		return nil, fmt.Errorf("%s: map: %w", path, err)
	}
	g, err := parse(data)
	if err != nil {
		unmap()
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	g.Path, g.unmap = path, unmap
	return g, nil
}

// Close unmaps the file.
func (g *File) Close() error {
	if g.unmap == nil {
		return nil
	}
	err := g.unmap()
	g.unmap = nil
	return err
}

// Release says that t's bytes will not be read again soon (the loader has
// copied them into another form): their pages leave the process's
// resident set. Reading them later still works. Nothing happens for a File
// not made by Open.
func (g *File) Release(t *Tensor) {
	if g.unmap != nil {
		mmap.Release(t.data)
	}
}

// Tensor returns the tensor called name, or nil.
func (g *File) Tensor(name string) *Tensor { return g.byName[name] }

// reader reads little-endian values with bounds checks.
type reader struct {
	b   []byte
	pos int
	err error
}

func (r *reader) need(n int, what string) bool {
	if r.err != nil {
		return false
	}
	if n < 0 || r.pos+n > len(r.b) || r.pos+n < r.pos {
		r.err = fmt.Errorf("truncated: %s at byte %d runs past the end of the file (%d bytes)", what, r.pos, len(r.b))
		return false
	}
	return true
}

func (r *reader) u8(what string) uint8 {
	if !r.need(1, what) {
		return 0
	}
	r.pos++
	return r.b[r.pos-1]
}

func (r *reader) u16(what string) uint16 {
	if !r.need(2, what) {
		return 0
	}
	r.pos += 2
	return binary.LittleEndian.Uint16(r.b[r.pos-2:])
}

func (r *reader) u32(what string) uint32 {
	if !r.need(4, what) {
		return 0
	}
	r.pos += 4
	return binary.LittleEndian.Uint32(r.b[r.pos-4:])
}

func (r *reader) u64(what string) uint64 {
	if !r.need(8, what) {
		return 0
	}
	r.pos += 8
	return binary.LittleEndian.Uint64(r.b[r.pos-8:])
}

func (r *reader) str(what string) string {
	n := r.u64(what + " length")
	if r.err != nil {
		return ""
	}
	if n > maxStringLen {
		r.err = fmt.Errorf("%s at byte %d: length %d is over the limit", what, r.pos-8, n)
		return ""
	}
	if !r.need(int(n), what) {
		return ""
	}
	s := string(r.b[r.pos : r.pos+int(n)])
	r.pos += int(n)
	return s
}

// Metadata value types.
const (
	vUint8 = iota
	vInt8
	vUint16
	vInt16
	vUint32
	vInt32
	vFloat32
	vBool
	vString
	vArray
	vUint64
	vInt64
	vFloat64
)

func (r *reader) value(t uint32, key string, depth int) any {
	switch t {
	case vUint8:
		return r.u8(key)
	case vInt8:
		return int8(r.u8(key))
	case vUint16:
		return r.u16(key)
	case vInt16:
		return int16(r.u16(key))
	case vUint32:
		return r.u32(key)
	case vInt32:
		return int32(r.u32(key))
	case vFloat32:
		return math.Float32frombits(r.u32(key))
	case vBool:
		b := r.u8(key)
		if b > 1 && r.err == nil {
			r.err = fmt.Errorf("metadata %q: bool byte %d", key, b)
		}
		return b == 1
	case vString:
		return r.str("metadata " + key)
	case vUint64:
		return r.u64(key)
	case vInt64:
		return int64(r.u64(key))
	case vFloat64:
		return math.Float64frombits(r.u64(key))
	case vArray:
		if depth >= maxNesting {
			r.err = fmt.Errorf("metadata %q: arrays nested too deep", key)
			return nil
		}
		et := r.u32(key + " element type")
		n := r.u64(key + " length")
		if r.err != nil {
			return nil
		}
		// Every element takes at least one byte: a count larger than the
		// rest of the file is a lie, refused before allocating for it.
		if n > maxArrayLen || n > uint64(len(r.b)-r.pos) {
			r.err = fmt.Errorf("metadata %q: array of %d elements does not fit the file", key, n)
			return nil
		}
		out := make([]any, 0, n)
		for i := uint64(0); i < n && r.err == nil; i++ {
			out = append(out, r.value(et, key, depth+1))
		}
		return out
	}
	if r.err == nil {
		r.err = fmt.Errorf("metadata %q: unknown value type %d", key, t)
	}
	return nil
}

func parse(b []byte) (*File, error) {
	r := &reader{b: b}
	if string(b[:4]) != "GGUF" {
		return nil, ErrNotGGUF
	}
	r.pos = 4
	g := &File{Metadata: map[string]any{}, byName: map[string]*Tensor{}, Alignment: 32}
	g.Version = r.u32("version")
	if g.Version != 2 && g.Version != 3 {
		return nil, fmt.Errorf("GGUF version %d is not supported (want 2 or 3)", g.Version)
	}
	nTensors := r.u64("tensor count")
	nKV := r.u64("metadata count")
	if nTensors > maxTensors || nKV > maxKVs {
		return nil, fmt.Errorf("header declares %d tensors and %d metadata keys: over the limits", nTensors, nKV)
	}
	for i := uint64(0); i < nKV && r.err == nil; i++ {
		key := r.str("metadata key")
		t := r.u32("metadata type")
		v := r.value(t, key, 0)
		if r.err != nil {
			break
		}
		if _, dup := g.Metadata[key]; dup {
			return nil, fmt.Errorf("metadata key %q appears twice", key)
		}
		g.Metadata[key] = v
		g.Keys = append(g.Keys, key)
	}
	if r.err != nil {
		return nil, r.err
	}
	if a, ok := g.Metadata["general.alignment"]; ok {
		n, ok := a.(uint32)
		if !ok || n == 0 || n&(n-1) != 0 || n > 1<<16 {
			return nil, fmt.Errorf("general.alignment %v must be a power of two", a)
		}
		g.Alignment = int(n)
	}
	for i := uint64(0); i < nTensors && r.err == nil; i++ {
		t := &Tensor{Name: r.str("tensor name")}
		nd := r.u32("tensor dims")
		if r.err == nil && (nd == 0 || nd > maxDims) {
			return nil, fmt.Errorf("tensor %q: %d dimensions", t.Name, nd)
		}
		elems := int64(1)
		for d := uint32(0); d < nd && r.err == nil; d++ {
			v := r.u64("tensor dim")
			if v == 0 || v > math.MaxInt32 || elems > math.MaxInt64/int64(v)/8 {
				return nil, fmt.Errorf("tensor %q: bad dimension %d", t.Name, v)
			}
			elems *= int64(v)
			t.Dims = append(t.Dims, int(v))
		}
		t.Type = Type(r.u32("tensor type"))
		off := r.u64("tensor offset")
		if r.err != nil {
			break
		}
		if !t.Type.Known() {
			return nil, fmt.Errorf("tensor %q: %s", t.Name, unsupportedType(t.Type))
		}
		if t.Dims[0]%t.Type.BlockSize() != 0 {
			return nil, fmt.Errorf("tensor %q: row length %d is not a multiple of %s's block of %d", t.Name, t.Dims[0], t.Type, t.Type.BlockSize())
		}
		if off > math.MaxInt64/2 || off%uint64(g.Alignment) != 0 {
			return nil, fmt.Errorf("tensor %q: offset %d is not aligned to %d", t.Name, off, g.Alignment)
		}
		t.Offset = int64(off)
		t.Size = elems / int64(t.Type.BlockSize()) * int64(t.Type.BlockBytes())
		if _, dup := g.byName[t.Name]; dup {
			return nil, fmt.Errorf("tensor %q appears twice", t.Name)
		}
		g.byName[t.Name] = t
		g.Tensors = append(g.Tensors, t)
	}
	if r.err != nil {
		return nil, r.err
	}
	dataStart := (r.pos + g.Alignment - 1) / g.Alignment * g.Alignment
	if dataStart > len(b) {
		return nil, fmt.Errorf("truncated: the data section would start at byte %d of %d", dataStart, len(b))
	}
	dataLen := int64(len(b) - dataStart)
	sorted := append([]*Tensor(nil), g.Tensors...)
	sort.Slice(sorted, func(i, j int) bool { return sorted[i].Offset < sorted[j].Offset })
	end := int64(0)
	for _, t := range sorted {
		if t.Offset < end {
			return nil, fmt.Errorf("tensor %q at %d overlaps the tensor before it (which ends at %d)", t.Name, t.Offset, end)
		}
		if t.Offset+t.Size > dataLen {
			return nil, fmt.Errorf("truncated: tensor %q [%d, %d) runs past the %d-byte data section", t.Name, t.Offset, t.Offset+t.Size, dataLen)
		}
		end = t.Offset + t.Size
		t.data = b[dataStart+int(t.Offset) : dataStart+int(t.Offset+t.Size) : dataStart+int(t.Offset+t.Size)]
	}
	return g, nil
}

// String returns a string metadata value.
func (g *File) String(key string) (string, bool) {
	s, ok := g.Metadata[key].(string)
	return s, ok
}

// Uint returns an integer metadata value of any integer type.
func (g *File) Uint(key string) (uint64, bool) {
	return asUint(g.Metadata[key])
}

// Float returns a float metadata value.
func (g *File) Float(key string) (float64, bool) {
	switch v := g.Metadata[key].(type) {
	case float32:
		return float64(v), true
	case float64:
		return v, true
	}
	return 0, false
}

// Bool returns a bool metadata value.
func (g *File) Bool(key string) (bool, bool) {
	b, ok := g.Metadata[key].(bool)
	return b, ok
}

// Array returns an array metadata value.
func (g *File) Array(key string) ([]any, bool) {
	a, ok := g.Metadata[key].([]any)
	return a, ok
}

func asUint(v any) (uint64, bool) {
	switch x := v.(type) {
	case uint8:
		return uint64(x), true
	case uint16:
		return uint64(x), true
	case uint32:
		return uint64(x), true
	case uint64:
		return x, true
	case int8:
		return uint64(x), x >= 0
	case int16:
		return uint64(x), x >= 0
	case int32:
		return uint64(x), x >= 0
	case int64:
		return uint64(x), x >= 0
	}
	return 0, false
}

// AsUint converts an integer metadata value (any width) to uint64.
func AsUint(v any) (uint64, bool) { return asUint(v) }
