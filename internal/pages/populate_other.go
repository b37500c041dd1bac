//go:build !linux

package pages

// populate does nothing where there is no populate advice: pages are
// faulted in as they are first written.
func populate([]byte) {}
