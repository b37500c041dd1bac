//go:build !purego && !linux

package kernels

// amxPermitted: only Linux's way of enabling the tile state is implemented,
// so elsewhere the AMX family is not offered.
func amxPermitted() bool { return false }
