//go:build !hftokenizers

package main

import "github.com/lfm2go/lfm2/internal/tokenizer"

// useRustTokenizer does nothing in the default build: the pure-Go tokenizer
// is used. Build with -tags hftokenizers for Hugging Face's Rust library.
func useRustTokenizer(*tokenizer.Tokenizer, string) error { return nil }
