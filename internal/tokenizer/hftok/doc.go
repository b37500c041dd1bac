// Package hftok is the optional second tokenizer backend: Hugging Face's own
// Rust tokenizers library through cgo (github.com/daulet/tokenizers). It is
// compiled only with -tags hftokenizers, because it links libtokenizers.a,
// which must be built with cargo or downloaded from that project's releases
// (neither is possible on an offline machine). Without the tag this package
// is empty and the pure-Go tokenizer is used.
package hftok
