package model

import (
	"fmt"

	"github.com/lfm2go/lfm2/internal/kernels"
	"github.com/lfm2go/lfm2/internal/safetensors"
)

// source is where the binder reads weights from, under Hugging Face's
// tensor names and shapes (rows first): a safetensors checkpoint, or a
// GGUF file through its name mapping. Adding a weight file format means
// implementing this, nothing else in the model.
type source interface {
	// Names lists every tensor.
	Names() []string
	// Shape returns a tensor's shape, and whether it exists.
	Shape(name string) ([]int, bool)
	// Matrix returns a weight matrix in the form the kernels compute on,
	// exactly the values the file stores (a view where the format allows).
	Matrix(name string, rows, cols int) (kernels.Mat, error)
	// Floats returns a small tensor (norms, conv taps) as float32; view
	// says whether the slice aliases the file's memory.
	Floats(name string) (v []float32, view bool, err error)
	// DataBytes is the total size of the tensor data.
	DataBytes() int64
	// MinBytesPerWeight is the smallest storage per weight the format
	// uses, for checking a config's size against the file before allocating.
	MinBytesPerWeight() float64
}

// checkpointSource reads a safetensors checkpoint.
type checkpointSource struct{ ck *safetensors.Checkpoint }

func (s checkpointSource) Names() []string  { return s.ck.Names() }
func (s checkpointSource) DataBytes() int64 { return s.ck.DataBytes() }

// MinBytesPerWeight: safetensors stores at least 16 bits per weight here.
func (s checkpointSource) MinBytesPerWeight() float64 { return 2 }

func (s checkpointSource) Shape(name string) ([]int, bool) {
	t := s.ck.Get(name)
	if t == nil {
		return nil, false
	}
	return t.Shape, true
}

func (s checkpointSource) Matrix(name string, rows, cols int) (kernels.Mat, error) {
	return asMat(s.ck.Get(name), rows, cols)
}

func (s checkpointSource) Floats(name string) ([]float32, bool, error) {
	t := s.ck.Get(name)
	if t == nil {
		return nil, false, fmt.Errorf("no tensor %s", name)
	}
	v, err := asFloats(t)
	return v, t.DType == safetensors.F32, err
}
