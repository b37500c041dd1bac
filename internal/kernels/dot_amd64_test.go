//go:build amd64 && !purego

package kernels

// bf16TileSets are the bf16 tile kernels this CPU runs, by family.
func bf16TileSets() map[string]bf16Tiles {
	if !hasAVX2 {
		return nil
	}
	return map[string]bf16Tiles{"avx2": avx2BF16()}
}
