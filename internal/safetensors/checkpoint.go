package safetensors

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
)

// Checkpoint is the set of tensors of a model folder: a single
// model.safetensors, or the shards listed by model.safetensors.index.json.
type Checkpoint struct {
	Files   []*File
	tensors map[string]*Tensor
}

// IndexFile is the name of the shard index Hugging Face writes for sharded checkpoints.
const IndexFile = "model.safetensors.index.json"

// OpenDir opens the checkpoint in dir.
func OpenDir(dir string) (*Checkpoint, error) {
	idx := filepath.Join(dir, IndexFile)
	if _, err := os.Stat(idx); err == nil {
		return openSharded(dir, idx)
	}
	single := filepath.Join(dir, "model.safetensors")
	if _, err := os.Stat(single); err != nil {
		return nil, fmt.Errorf("no model.safetensors or %s in %s", IndexFile, dir)
	}
	return OpenFiles(single)
}

func openSharded(dir, idx string) (*Checkpoint, error) {
	b, err := os.ReadFile(idx)
	if err != nil {
		return nil, fmt.Errorf("read shard index: %w", err)
	}
	var index struct {
		WeightMap map[string]string `json:"weight_map"`
	}
	if err := json.Unmarshal(b, &index); err != nil {
		return nil, fmt.Errorf("%s: %w", idx, err)
	}
	if len(index.WeightMap) == 0 {
		return nil, fmt.Errorf("%s: weight_map is empty", idx)
	}
	seen := map[string]bool{}
	var shards []string
	for _, shard := range index.WeightMap {
		if filepath.Base(shard) != shard {
			return nil, fmt.Errorf("%s: shard name %q must be a plain file name", idx, shard)
		}
		if !seen[shard] {
			seen[shard] = true
			shards = append(shards, filepath.Join(dir, shard))
		}
	}
	sort.Strings(shards)
	ck, err := OpenFiles(shards...)
	if err != nil {
		return nil, err
	}
	for name, shard := range index.WeightMap {
		t := ck.tensors[name]
		if t == nil {
			ck.Close()
			return nil, fmt.Errorf("%s: tensor %q is listed in %s but not present", idx, name, shard)
		}
	}
	return ck, nil
}

// OpenFiles opens the given safetensors files as one checkpoint. A tensor name
// present in two files is an error.
func OpenFiles(paths ...string) (*Checkpoint, error) {
	ck := &Checkpoint{tensors: map[string]*Tensor{}}
	for _, p := range paths {
		f, err := Open(p)
		if err != nil {
			ck.Close()
			return nil, err
		}
		ck.Files = append(ck.Files, f)
		for _, t := range f.Tensors {
			if _, dup := ck.tensors[t.Name]; dup {
				ck.Close()
				return nil, fmt.Errorf("tensor %q appears in more than one shard (second: %s)", t.Name, p)
			}
			ck.tensors[t.Name] = t
		}
	}
	return ck, nil
}

// FromTensors builds an in-memory checkpoint (used for synthetic weights).
func FromTensors(ts []*Tensor) *Checkpoint {
	ck := &Checkpoint{tensors: map[string]*Tensor{}}
	for _, t := range ts {
		ck.tensors[t.Name] = t
	}
	return ck
}

// NewTensor wraps bytes already in memory as a tensor.
func NewTensor(name string, dtype DType, shape []int, data []byte) *Tensor {
	return &Tensor{Info: Info{Name: name, DType: dtype, Shape: shape, End: int64(len(data))}, data: data}
}

// Get returns the tensor called name, or nil.
func (c *Checkpoint) Get(name string) *Tensor { return c.tensors[name] }

// Names lists every tensor name, sorted.
func (c *Checkpoint) Names() []string {
	names := make([]string, 0, len(c.tensors))
	for n := range c.tensors {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// Close unmaps every file.
func (c *Checkpoint) Close() error {
	var errs []error
	for _, f := range c.Files {
		errs = append(errs, f.Close())
	}
	return errors.Join(errs...)
}

// DataBytes is the total size of every tensor's data.
func (c *Checkpoint) DataBytes() int64 {
	var n int64
	for _, t := range c.tensors {
		n += t.End - t.Begin
	}
	return n
}
