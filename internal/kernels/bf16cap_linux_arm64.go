//go:build linux && arm64 && !purego

package kernels

import "golang.org/x/sys/unix"

// hwcap2BF16 is HWCAP2_BF16 in Linux's arch/arm64 uapi hwcap.h.
const hwcap2BF16 = 1 << 14

// atHWCAP2 is the auxiliary vector entry of the second hwcap word.
const atHWCAP2 = 26

// osHasBF16 reads HWCAP2_BF16 from the process's auxiliary vector.
func osHasBF16() bool {
	auxv, err := unix.Auxv()
	if err != nil {
		return false
	}
	for _, kv := range auxv {
		if kv[0] == atHWCAP2 {
			return kv[1]&hwcap2BF16 != 0
		}
	}
	return false
}
