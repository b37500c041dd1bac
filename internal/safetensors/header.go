// Package safetensors reads Hugging Face .safetensors checkpoints: it validates
// the header and hands out tensors as typed views of a memory-mapped file,
// without copying weight bytes. It knows nothing about any model.
package safetensors

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"sort"
)

// MaxHeaderBytes caps the JSON header. Real headers are a few hundred KiB; the
// cap keeps a corrupt length field from causing a huge allocation.
const MaxHeaderBytes = 100 << 20

// DType is a tensor element type as spelled in the header.
type DType string

// The element types this package accepts. Anything else is refused by name.
const (
	F32  DType = "F32"
	BF16 DType = "BF16"
	F16  DType = "F16"
)

// Size is the number of bytes per element.
func (d DType) Size() int {
	switch d {
	case F32:
		return 4
	case BF16, F16:
		return 2
	}
	return 0
}

// Info describes one tensor as the header declares it.
type Info struct {
	Name  string
	DType DType
	Shape []int
	// Begin and End are byte offsets relative to the start of the data section.
	Begin, End int64
}

// NumElements is the product of the shape (1 for a scalar).
func (i Info) NumElements() int64 {
	n := int64(1)
	for _, d := range i.Shape {
		n *= int64(d)
	}
	return n
}

// Header is a parsed and validated header.
type Header struct {
	Tensors  []Info            // sorted by Begin
	Metadata map[string]string // the optional __metadata__ map
}

type rawEntry struct {
	DType       *string  `json:"dtype"`
	Shape       *[]int64 `json:"shape"`
	DataOffsets *[]int64 `json:"data_offsets"`
}

// ParseHeader parses the JSON header and validates every entry against a data
// section of dataLen bytes: known dtype, non-negative shape, shape × element
// size equal to the byte span, and spans that cover the data section
// exactly, with no gap or overlap.
func ParseHeader(js []byte, dataLen int64) (*Header, error) {
	var raw map[string]json.RawMessage
	dec := json.NewDecoder(bytes.NewReader(js))
	if err := dec.Decode(&raw); err != nil {
		return nil, fmt.Errorf("header is not a JSON object: %w", err)
	}
	if raw == nil {
		return nil, fmt.Errorf("header is not a JSON object")
	}
	h := &Header{}
	for name, msg := range raw {
		if name == "__metadata__" {
			if err := json.Unmarshal(msg, &h.Metadata); err != nil {
				return nil, fmt.Errorf("__metadata__ must map strings to strings: %w", err)
			}
			continue
		}
		info, err := parseEntry(name, msg, dataLen)
		if err != nil {
			return nil, err
		}
		h.Tensors = append(h.Tensors, info)
	}
	sort.Slice(h.Tensors, func(a, b int) bool {
		ta, tb := h.Tensors[a], h.Tensors[b]
		if ta.Begin != tb.Begin {
			return ta.Begin < tb.Begin
		}
		return ta.Name < tb.Name
	})
	// The spans must tile the data section exactly, as the Rust crate
	// requires: a gap or a short tail means the header and the data disagree
	// (a header length off by a byte shifts every tensor and yields NaN
	// weights that would otherwise load without complaint).
	end := int64(0)
	for i, cur := range h.Tensors {
		switch {
		case cur.Begin < end:
			prev := h.Tensors[i-1]
			return nil, fmt.Errorf("tensor %q [%d,%d) overlaps tensor %q [%d,%d)",
				cur.Name, cur.Begin, cur.End, prev.Name, prev.Begin, prev.End)
		case cur.Begin > end:
			return nil, fmt.Errorf("tensor %q starts at byte %d of the data section, leaving bytes [%d,%d) that no tensor covers",
				cur.Name, cur.Begin, end, cur.Begin)
		}
		end = cur.End
	}
	if end != dataLen {
		return nil, fmt.Errorf("the tensors cover %d bytes but the data section holds %d: the header and the data disagree (truncated header length or extra bytes)", end, dataLen)
	}
	return h, nil
}

func parseEntry(name string, msg json.RawMessage, dataLen int64) (Info, error) {
	var e rawEntry
	if err := json.Unmarshal(msg, &e); err != nil {
		return Info{}, fmt.Errorf("tensor %q: malformed entry: %w", name, err)
	}
	if e.DType == nil || e.Shape == nil || e.DataOffsets == nil {
		return Info{}, fmt.Errorf("tensor %q: entry needs dtype, shape and data_offsets", name)
	}
	info := Info{Name: name, DType: DType(*e.DType)}
	if info.DType.Size() == 0 {
		return Info{}, fmt.Errorf("tensor %q: unsupported dtype %q (want F32, BF16 or F16)", name, *e.DType)
	}
	n := int64(1)
	for _, d := range *e.Shape {
		if d < 0 || d > math.MaxInt32 {
			return Info{}, fmt.Errorf("tensor %q: bad dimension %d in shape %v", name, d, *e.Shape)
		}
		if d != 0 && n > math.MaxInt64/8/d {
			return Info{}, fmt.Errorf("tensor %q: shape %v is too large", name, *e.Shape)
		}
		n *= d
		info.Shape = append(info.Shape, int(d))
	}
	if len(*e.DataOffsets) != 2 {
		return Info{}, fmt.Errorf("tensor %q: data_offsets must be [begin, end], got %v", name, *e.DataOffsets)
	}
	info.Begin, info.End = (*e.DataOffsets)[0], (*e.DataOffsets)[1]
	if info.Begin < 0 || info.End < info.Begin || info.End > dataLen {
		return Info{}, fmt.Errorf("tensor %q: data_offsets [%d,%d] outside the %d-byte data section",
			name, info.Begin, info.End, dataLen)
	}
	if want := n * int64(info.DType.Size()); info.End-info.Begin != want {
		return Info{}, fmt.Errorf("tensor %q: shape %v of %s needs %d bytes but data_offsets span %d",
			name, info.Shape, info.DType, want, info.End-info.Begin)
	}
	return info, nil
}
