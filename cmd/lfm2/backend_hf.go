//go:build hftokenizers

package main

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/lfm2go/lfm2/internal/tokenizer"
	"github.com/lfm2go/lfm2/internal/tokenizer/hftok"
)

// useRustTokenizer routes encoding and decoding through Hugging Face's Rust
// library (this binary was built with -tags hftokenizers). The chat
// template, token lookups and streaming stay with the Go tokenizer.
func useRustTokenizer(tok *tokenizer.Tokenizer, dir string) error {
	if os.Getenv("LFM2_TOKENIZER") == "go" {
		return nil
	}
	r, err := hftok.Load(filepath.Join(dir, "tokenizer.json"))
	if err != nil {
		return fmt.Errorf("rust tokenizer: %w", err)
	}
	tok.SetBackend(r)
	return nil
}
