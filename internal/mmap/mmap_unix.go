//go:build unix

package mmap

import (
	"os"
	"syscall"

	"golang.org/x/sys/unix"

	"github.com/lfm2go/lfm2/internal/pages"
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

// Release tells the kernel that the bytes b, inside a mapping made by Map,
// will not be read again soon: the whole pages among them leave the
// process's resident set (the page cache keeps them; a later read pages
// them in again). For weights the loader has copied into another form.
func Release(b []byte) {
	if w := pages.Whole(b); len(w) > 0 {
		_ = unix.Madvise(w, unix.MADV_DONTNEED) // advice: an error changes nothing
	}
}
