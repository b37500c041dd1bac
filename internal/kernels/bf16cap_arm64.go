//go:build arm64 && !purego

package kernels

// hasBF16 reports FEAT_BF16 (BFDOT, BFMMLA): golang.org/x/sys/cpu does not
// expose it, so it is read from the OS (bf16cap_*_arm64.go).
func hasBF16() bool { return osHasBF16() }
