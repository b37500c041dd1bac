//go:build unix

package model

import (
	"syscall"

	"github.com/lfm2go/lfm2/internal/pages"
)

// offHeap returns n zeroed bytes outside the Go heap (anonymous memory), so
// that hundreds of MB of synthetic weights neither count towards the
// garbage collector's target nor get scanned; free releases them.
func offHeap(n int) (b []byte, free func()) {
	if n == 0 {
		return []byte{}, func() {}
	}
	b, err := syscall.Mmap(-1, 0, n, syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_PRIVATE|syscall.MAP_ANON)
	if err != nil {
		return make([]byte, n), func() {}
	}
	pages.Populate(b) // written through by the generator: back it in one call
	return b, func() { syscall.Munmap(b) }
}
