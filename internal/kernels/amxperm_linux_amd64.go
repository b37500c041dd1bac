//go:build !purego

package kernels

import "syscall"

// Linux keeps AMX tile data off until a process asks for it
// (arch_prctl ARCH_REQ_XCOMP_PERM for XFEATURE_XTILEDATA); without the
// grant the first tile instruction kills the process.
const (
	archReqXcompPerm  = 0x1023
	xfeatureXtiledata = 18
)

// amxPermitted asks the kernel for the tile state; asking again is harmless.
func amxPermitted() bool {
	_, _, errno := syscall.RawSyscall(syscall.SYS_ARCH_PRCTL, archReqXcompPerm, xfeatureXtiledata, 0)
	return errno == 0
}
