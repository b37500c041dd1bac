//go:build hftokenizers

package hftok

import (
	"fmt"

	"github.com/daulet/tokenizers"

	"github.com/lfm2go/lfm2/internal/tokenizer"
)

// Rust encodes and decodes with Hugging Face's Rust tokenizers.
type Rust struct {
	t *tokenizers.Tokenizer
}

var _ tokenizer.Codec = (*Rust)(nil)

// Load reads a tokenizer.json with the Rust library.
func Load(path string) (*Rust, error) {
	t, err := tokenizers.FromFile(path)
	if err != nil {
		return nil, fmt.Errorf("load %s with the Rust tokenizers: %w", path, err)
	}
	return &Rust{t: t}, nil
}

// Encode implements tokenizer.Codec.
func (r *Rust) Encode(text string, addSpecial bool) []int32 {
	ids, _ := r.t.Encode(text, addSpecial)
	out := make([]int32, len(ids))
	for i, id := range ids {
		out[i] = int32(id)
	}
	return out
}

// Decode implements tokenizer.Codec.
func (r *Rust) Decode(ids []int32, skipSpecial bool) string {
	u := make([]uint32, len(ids))
	for i, id := range ids {
		u[i] = uint32(id)
	}
	return r.t.Decode(u, skipSpecial)
}

// Close frees the Rust tokenizer.
func (r *Rust) Close() error { return r.t.Close() }
