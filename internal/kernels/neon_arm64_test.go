//go:build arm64 && !purego

package kernels

// bf16TileSets are the bf16 tile kernels of the arm64 families.
func bf16TileSets() map[string]bf16Tiles { return map[string]bf16Tiles{"neon": neonBF16()} }
