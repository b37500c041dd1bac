//go:build !amd64 || purego

package kernels

func availableImpls() []Impl { return []Impl{ImplGo} }

// archFamily: this build has no vector families.
func archFamily(Impl) (family, bool) { return family{}, false }

func amxTileConfig() (cfg [64]byte) { return cfg }

func packAMXFast(dst []uint64, x []float32, T, K, u0, u1 int) { packAMX(dst, x, T, K, u0, u1) }

func dotBF16(x []float32, w []uint16) float32 { return dotBF16Go(x, w) }

func dotF32(x, w []float32) float32 { return dotGo(x, w) }
