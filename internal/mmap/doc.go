// Package mmap maps weight files read-only (where the OS allows; elsewhere
// it reads them into memory), for the safetensors and GGUF readers.
package mmap
