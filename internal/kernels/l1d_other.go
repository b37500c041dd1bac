//go:build !linux

package kernels

// l1DataBytes is 0 (unknown) outside Linux.
func l1DataBytes() int { return 0 }
