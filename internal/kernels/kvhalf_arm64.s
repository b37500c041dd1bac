//go:build arm64 && !purego

#include "textflag.h"
#include "neon_arm64.h"

// f16 KV cache rows read (kvhalf.go) with NEON, eight values at a time.

// func widenRowsNEON(dst *float32, src *uint16, stride, rows, d int)
// rows > 0 rows of d halves (d > 0, a multiple of 8), stride halves apart,
// widened (FCVTL, exact) into rows of d floats one after another.
TEXT ·widenRowsNEON(SB), NOSPLIT, $0-40
	MOVD dst+0(FP), R0
	MOVD src+8(FP), R1
	MOVD stride+16(FP), R2
	LSL  $1, R2, R2
	MOVD rows+24(FP), R3
	MOVD d+32(FP), R4
wrow:
	MOVD R1, R5
	MOVD R4, R6
wcol:
	VLD1.P 16(R5), [V0.H8]
	FCVTL_4S(1, 0)
	FCVTL2_4S(2, 0)
	VST1.P [V1.S4, V2.S4], 32(R0)
	SUBS $8, R6, R6
	BNE  wcol
	ADD  R2, R1, R1
	SUBS $1, R3, R3
	BNE  wrow
	RET
