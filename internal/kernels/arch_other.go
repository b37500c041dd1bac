//go:build (!amd64 && !arm64) || purego

package kernels

func availableImpls() []Impl { return []Impl{ImplGo} }

// archFamily: this build has no vector families.
func archFamily(Impl, bool) (family, bool) { return family{}, false }

// pairTilesFor: no family of this build uses bf16 pairs.
func pairTilesFor(bool) pairTiles { return pairTiles{} }
