//go:build !(amd64 || arm64) || purego

package kernels

// bf16TileSets: this build has no vector tiles.
func bf16TileSets() map[string]bf16Tiles { return nil }
