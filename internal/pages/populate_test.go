package pages

import (
	"os"
	"testing"
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
