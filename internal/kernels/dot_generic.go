//go:build !amd64 || purego

package kernels

// Implementation names the dot-product kernels in use.
func Implementation() string { return "purego" }

func dotBF16(x []float32, w []uint16) float32 { return dotBF16Go(x, w) }

func dotF32(x, w []float32) float32 { return dotGo(x, w) }

func dotBF16x4(out *[4]float32, x []float32, stride int, w []uint16) {
	n := len(w)
	for r := range out {
		out[r] = dotBF16Go(x[r*stride:r*stride+n], w)
	}
}
