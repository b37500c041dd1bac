//go:build !amd64 || purego

package kernels

func packPairs(dst []uint32, x []float32, k, lo, hi int, exact bool) {
	stride := pairsPerRow(k, exact)
	for r := lo; r < hi; r++ {
		packPairsGo(dst[r*stride:(r+1)*stride], x[r*k:(r+1)*k], exact)
	}
}

func amxTileConfig() (cfg [64]byte) { return cfg }

func packAMXFast(dst []uint64, x []float32, T, K, u0, u1 int) { packAMX(dst, x, T, K, u0, u1) }

func dotBF16(x []float32, w []uint16) float32 { return dotBF16Go(x, w) }

func dotF32(x, w []float32) float32 { return dotGo(x, w) }
