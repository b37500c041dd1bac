//go:build darwin && arm64 && !purego

package kernels

import "golang.org/x/sys/unix"

// osHasBF16 reads macOS's sysctl hw.optional.arm.FEAT_BF16 (Apple M2 and
// later).
func osHasBF16() bool {
	v, err := unix.SysctlUint32("hw.optional.arm.FEAT_BF16")
	return err == nil && v == 1
}
