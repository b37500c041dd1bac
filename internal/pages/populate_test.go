package pages

import (
	"os"
	"testing"
	"unsafe"
)

// TestPopulateKeepsContents: populating whole pages, a partial page, an
// unaligned slice and an empty one changes no element.
func TestPopulateKeepsContents(t *testing.T) {
	page := os.Getpagesize()
	for _, n := range []int{0, 1, 3, page / 4, page, 5*page + 7} {
		s := make([]float32, n)
		for i := range s {
			s[i] = float32(i) + 0.5
		}
		Populate(s)
		if n > 1 {
			Populate(s[1:]) // unaligned
		}
		for i, v := range s {
			if v != float32(i)+0.5 {
				t.Fatalf("n=%d: element %d became %v", n, i, v)
			}
		}
	}
	Populate([]byte(nil))
}

// TestWholeIsTheWholePages: Whole of a slice starting anywhere is the
// longest run of whole pages inside it.
func TestWholeIsTheWholePages(t *testing.T) {
	page := os.Getpagesize()
	buf := make([]byte, 6*page)
	for _, lo := range []int{0, 1, page - 1, page, page + 100} {
		for _, n := range []int{0, 10, page, 2*page + 1, 4 * page} {
			b := buf[lo : lo+n]
			w := Whole(b)
			start := int(uintptr(unsafe.Pointer(unsafe.SliceData(b))))
			if len(w) == 0 {
				if first := (page - start%page) % page; first+page <= n {
					t.Fatalf("lo=%d n=%d: no whole page found, but one fits", lo, n)
				}
				continue
			}
			ws := int(uintptr(unsafe.Pointer(unsafe.SliceData(w))))
			switch {
			case ws%page != 0 || len(w)%page != 0:
				t.Fatalf("lo=%d n=%d: %d bytes at offset %d of a page", lo, n, len(w), ws%page)
			case ws < start || ws+len(w) > start+n:
				t.Fatalf("lo=%d n=%d: outside the slice", lo, n)
			case ws-start >= page || start+n-(ws+len(w)) >= page:
				t.Fatalf("lo=%d n=%d: a whole page left out", lo, n)
			}
		}
	}
}
