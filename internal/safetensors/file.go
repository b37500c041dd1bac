package safetensors

import (
	"encoding/binary"
	"fmt"
	"os"
	"unsafe"

	"github.com/lfm2go/lfm2/internal/mmap"
)

// Tensor is a view of one tensor's bytes inside a mapped file.
type Tensor struct {
	Info
	data []byte
}

// Bytes returns the raw little-endian bytes of the tensor.
func (t *Tensor) Bytes() []byte { return t.data }

// U16 returns the elements of a BF16 or F16 tensor as raw 16-bit words. The
// slice aliases the mapped file when it is 2-byte aligned, and is a copy otherwise.
func (t *Tensor) U16() ([]uint16, error) {
	if t.DType != BF16 && t.DType != F16 {
		return nil, fmt.Errorf("tensor %q is %s, not a 16-bit type", t.Name, t.DType)
	}
	n := len(t.data) / 2
	if n == 0 {
		return []uint16{}, nil
	}
	if uintptr(unsafe.Pointer(&t.data[0]))%2 == 0 {
		return unsafe.Slice((*uint16)(unsafe.Pointer(&t.data[0])), n), nil
	}
	out := make([]uint16, n)
	for i := range out {
		out[i] = binary.LittleEndian.Uint16(t.data[2*i:])
	}
	return out, nil
}

// F32 returns the elements of an F32 tensor. The slice aliases the mapped
// file when it is 4-byte aligned, and is a copy otherwise.
func (t *Tensor) F32() ([]float32, error) {
	if t.DType != F32 {
		return nil, fmt.Errorf("tensor %q is %s, not F32", t.Name, t.DType)
	}
	n := len(t.data) / 4
	if n == 0 {
		return []float32{}, nil
	}
	if uintptr(unsafe.Pointer(&t.data[0]))%4 == 0 {
		return unsafe.Slice((*float32)(unsafe.Pointer(&t.data[0])), n), nil
	}
	out := make([]float32, n)
	for i := range out {
		out[i] = float32frombits(binary.LittleEndian.Uint32(t.data[4*i:]))
	}
	return out, nil
}

// File is one opened .safetensors file.
type File struct {
	Path     string
	Metadata map[string]string
	Tensors  []*Tensor // in file order
	mapped   []byte
	unmap    func() error
}

// Open maps path read-only and validates its header.
func Open(path string) (*File, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("open safetensors: %w", err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("open safetensors %s: %w", path, err)
	}
	if st.Size() < 8 {
		return nil, fmt.Errorf("safetensors %s: file is %d bytes, too short for the 8-byte header length", path, st.Size())
	}
	data, unmap, err := mmap.Map(f, st.Size())
	if err != nil {
		return nil, fmt.Errorf("safetensors %s: map: %w", path, err)
	}
	sf, err := fromBytes(path, data)
	if err != nil {
		_ = unmap()
		return nil, err
	}
	sf.unmap = unmap
	return sf, nil
}

// fromBytes validates a whole file image and builds the tensor views.
func fromBytes(path string, data []byte) (*File, error) {
	if len(data) < 8 {
		return nil, fmt.Errorf("safetensors %s: file is %d bytes, too short for the 8-byte header length", path, len(data))
	}
	n := binary.LittleEndian.Uint64(data)
	if n > MaxHeaderBytes {
		return nil, fmt.Errorf("safetensors %s: header length %d exceeds the %d-byte limit (corrupt or not a safetensors file)", path, n, MaxHeaderBytes)
	}
	if n > uint64(len(data)-8) {
		return nil, fmt.Errorf("safetensors %s: header length %d runs past the end of the %d-byte file (truncated?)", path, n, len(data))
	}
	dataSection := data[8+n:]
	h, err := ParseHeader(data[8:8+n], int64(len(dataSection)))
	if err != nil {
		return nil, fmt.Errorf("safetensors %s: %w", path, err)
	}
	sf := &File{Path: path, Metadata: h.Metadata, mapped: data}
	for _, info := range h.Tensors {
		sf.Tensors = append(sf.Tensors, &Tensor{Info: info, data: dataSection[info.Begin:info.End:info.End]})
	}
	return sf, nil
}

// Close unmaps the file. Views handed out before must not be used afterwards.
func (f *File) Close() error {
	if f.unmap == nil {
		return nil
	}
	err := f.unmap()
	f.unmap = nil
	return err
}

func float32frombits(b uint32) float32 { return *(*float32)(unsafe.Pointer(&b)) }
