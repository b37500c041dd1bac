//go:build unix

package mmap

import (
	"os"
	"syscall"
	"unsafe"

	"golang.org/x/sys/unix"
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
	page := uintptr(os.Getpagesize())
	start := uintptr(unsafe.Pointer(unsafe.SliceData(b)))
	first := (start+page-1)&^(page-1) - start
	if uintptr(len(b)) <= first {
		return
	}
	n := (uintptr(len(b)) - first) &^ (page - 1)
	if n == 0 {
		return
	}
	_ = unix.Madvise(b[first:first+n], unix.MADV_DONTNEED) // advice: an error changes nothing
}
