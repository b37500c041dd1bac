//go:build arm64 && !purego

package kernels

//go:noescape
func widenRowsNEON(dst *float32, src *uint16, stride, rows, d int)

// useNEONHalf gives an arm64 family the NEON kernel reading f16 KV cache
// rows (storing one, a few rows a token, stays in Go).
func useNEONHalf(f *family) {
	f.toF32, f.widenRows = widenKernels(widenRowsNEON)
}
