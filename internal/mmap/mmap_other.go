//go:build !unix

package mmap

import (
	"io"
	"os"
)

// Map reads the file into memory where mmap is not available.
func Map(f *os.File, size int64) ([]byte, func() error, error) {
	data := make([]byte, size)
	if _, err := io.ReadFull(f, data); err != nil {
		return nil, nil, err
	}
	return data, func() error { return nil }, nil
}

// Release does nothing where Map reads the file into memory.
func Release([]byte) {}
