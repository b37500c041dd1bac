//go:build arm64 && !purego

package kernels

//go:noescape
func widenRowsNEON(dst *float32, src *uint16, stride, rows, d int)

// useNEONHalf gives an arm64 family the NEON kernels reading f16 KV cache
// rows (storing one, six rows a token, stays in Go).
func useNEONHalf(f *family) {
	f.toF32, f.widenRows = f16ToF32NEON, widenRowsNEONRows
}

// f16ToF32NEON is f16ToF32Go, eight values at a time.
func f16ToF32NEON(dst []float32, src []uint16) {
	n := len(src) &^ 7
	if n > 0 {
		_ = dst[n-1]
		widenRowsNEON(&dst[0], &src[0], n, 1, n)
	}
	if n < len(src) {
		f16ToF32Go(dst[n:], src[n:])
	}
}

// widenRowsNEONRows is widenRowsGo in one call.
func widenRowsNEONRows(dst []float32, src []uint16, stride, rows, d int) {
	if rows <= 0 || d <= 0 {
		return
	}
	if d%8 != 0 {
		widenRowsGo(dst, src, stride, rows, d)
		return
	}
	_, _ = dst[rows*d-1], src[(rows-1)*stride+d-1]
	widenRowsNEON(&dst[0], &src[0], stride, rows, d)
}
