package tokenizer

import (
	"bytes"
	"compress/gzip"
	_ "embed"
	"fmt"
	"io"
)

// The built-in tokenizer is the LFM2-structured test tokenizer (LFM2's
// special tokens and pre-tokenizer, a smaller trained vocabulary). Synthetic
// models use it so every command works with no download.

//go:embed builtin/tokenizer.json.gz
var builtinJSON []byte

//go:embed builtin/tokenizer_config.json
var builtinConfig []byte

// Builtin returns the built-in LFM2-like tokenizer with LFM2's current chat
// template, or LFM2.5's when lfm25 is set.
func Builtin(lfm25 bool) (*Tokenizer, error) {
	zr, err := gzip.NewReader(bytes.NewReader(builtinJSON))
	if err != nil {
		return nil, fmt.Errorf("built-in tokenizer: %w", err)
	}
	js, err := io.ReadAll(zr)
	if err != nil {
		return nil, fmt.Errorf("built-in tokenizer: %w", err)
	}
	t, err := Parse(js)
	if err != nil {
		return nil, fmt.Errorf("built-in tokenizer: %w", err)
	}
	tmpl := lfm2Template
	if lfm25 {
		tmpl = lfm25Template
	}
	if err := t.configure(builtinConfig, []byte(tmpl)); err != nil {
		return nil, fmt.Errorf("built-in tokenizer: %w", err)
	}
	return t, nil
}
