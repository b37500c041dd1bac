//go:build !linux && !darwin && arm64 && !purego

package kernels

// osHasBF16: no way to ask this OS here; the family without BFDOT is used.
func osHasBF16() bool { return false }
