package pages

import (
	"os"
	"unsafe"
)

// Populate asks the OS to back the whole pages inside s, freshly
// allocated memory, with writable pages now. It is advice: where the OS
// cannot (before Linux 5.14, other systems) nothing changes, and s's
// contents never do.
func Populate[T any](s []T) {
	if len(s) == 0 {
		return
	}
	n := uintptr(len(s)) * unsafe.Sizeof(s[0])
	populate(Whole(unsafe.Slice((*byte)(unsafe.Pointer(unsafe.SliceData(s))), n)))
}

// Whole is the part of b made of whole pages (empty if there is none).
func Whole(b []byte) []byte {
	page := uintptr(os.Getpagesize())
	start := uintptr(unsafe.Pointer(unsafe.SliceData(b)))
	first := (start+page-1)&^(page-1) - start
	if uintptr(len(b)) <= first {
		return nil
	}
	n := (uintptr(len(b)) - first) &^ (page - 1)
	return b[first : first+n]
}
