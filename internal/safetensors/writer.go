package safetensors

import (
	"encoding/binary"
	"encoding/json"
	"fmt"
	"io"
)

// WriteTensor is one tensor to be written by Write.
type WriteTensor struct {
	Name  string
	DType DType
	Shape []int
	Data  []byte
}

// Write serialises tensors in the safetensors format, in the order given,
// padding the header with spaces to an 8-byte boundary as the reference writer does.
func Write(w io.Writer, tensors []WriteTensor, metadata map[string]string) error {
	header := map[string]any{}
	if metadata != nil {
		header["__metadata__"] = metadata
	}
	var off int64
	for _, t := range tensors {
		if t.Name == "__metadata__" {
			return fmt.Errorf("write safetensors: tensor name %q is reserved", t.Name)
		}
		header[t.Name] = map[string]any{
			"dtype":        string(t.DType),
			"shape":        t.Shape,
			"data_offsets": []int64{off, off + int64(len(t.Data))},
		}
		off += int64(len(t.Data))
	}
	js, err := json.Marshal(header)
	if err != nil {
		return fmt.Errorf("write safetensors header: %w", err)
	}
	for len(js)%8 != 0 {
		js = append(js, ' ')
	}
	var n [8]byte
	binary.LittleEndian.PutUint64(n[:], uint64(len(js)))
	if _, err := w.Write(n[:]); err != nil {
		return fmt.Errorf("write safetensors: %w", err)
	}
	if _, err := w.Write(js); err != nil {
		return fmt.Errorf("write safetensors: %w", err)
	}
	for _, t := range tensors {
		if _, err := w.Write(t.Data); err != nil {
			return fmt.Errorf("write safetensors tensor %s: %w", t.Name, err)
		}
	}
	return nil
}
