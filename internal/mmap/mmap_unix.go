//go:build unix

package mmap

import (
	"os"
	"syscall"
)

// Map maps the whole file read-only; the kernel pages weights in on demand
// and shares them between processes.
func Map(f *os.File, size int64) ([]byte, func() error, error) {
	data, err := syscall.Mmap(int(f.Fd()), 0, int(size), syscall.PROT_READ, syscall.MAP_SHARED)
	if err != nil {
		return nil, nil, err
	}
	return data, func() error { return syscall.Munmap(data) }, nil
}
