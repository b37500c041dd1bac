//go:build arm64 && !purego

#include "textflag.h"
#include "neon_arm64.h"

// func q4Dot1x1SDOT(q *int8, corr *int32, as *float32, nib *byte, ws *float32, k int) float32
// The dot of one prepared activation row (act8: q, corr, as from the row's
// start) with one 4-bit row (nib, ws its scales), k a multiple of 64: per
// pair of blocks, sixteen lane sums of four nibble × int8 products (SDOT:
// nibbles 0–15 are the same signed or unsigned), minus the lane's
// correction, converted to f32 and multiplied by the lane's combined scale
// (activation × weight scale, rounded) into the lane's accumulator (FMLA,
// fused as the x86 kernels are); the lanes summed in reduce16's order.
TEXT ·q4Dot1x1SDOT(SB), NOSPLIT, $0-52
	MOVD q+0(FP), R0
	MOVD corr+8(FP), R1
	MOVD as+16(FP), R2
	MOVD nib+24(FP), R3
	MOVD ws+32(FP), R4
	MOVD k+40(FP), R5
	VEOR V0.B16, V0.B16, V0.B16
	VEOR V1.B16, V1.B16, V1.B16
	VEOR V2.B16, V2.B16, V2.B16
	VEOR V3.B16, V3.B16, V3.B16
	VMOVI $15, V31.B16
	LSR  $6, R5, R5
	CBZ  R5, q4done
q4loop:
	VLD1.P 32(R3), [V4.B16, V5.B16]
	VLD1.P 64(R0), [V6.B16, V7.B16, V8.B16, V9.B16]
	VEOR V21.B16, V21.B16, V21.B16
	VEOR V22.B16, V22.B16, V22.B16
	VEOR V23.B16, V23.B16, V23.B16
	VEOR V24.B16, V24.B16, V24.B16
	// A0–15, B0–15 (low nibbles), A16–31, B16–31 (high), as act8 lays out
	VAND  V31.B16, V4.B16, V25.B16
	SDOT_4S(21, 25, 6)
	VAND  V31.B16, V5.B16, V25.B16
	SDOT_4S(22, 25, 7)
	VUSHR $4, V4.B16, V25.B16
	SDOT_4S(23, 25, 8)
	VUSHR $4, V5.B16, V25.B16
	SDOT_4S(24, 25, 9)
	VLD1.P 64(R1), [V10.S4, V11.S4, V12.S4, V13.S4]
	VSUB V10.S4, V21.S4, V21.S4
	VSUB V11.S4, V22.S4, V22.S4
	VSUB V12.S4, V23.S4, V23.S4
	VSUB V13.S4, V24.S4, V24.S4
	SCVTF_4S(21, 21)
	SCVTF_4S(22, 22)
	SCVTF_4S(23, 23)
	SCVTF_4S(24, 24)
	// the weight scales of blocks A and B, each across four lanes
	FMOVD.P 8(R4), F18
	VDUP V18.S[0], V19.S4
	VDUP V18.S[1], V20.S4
	VLD1.P 64(R2), [V14.S4, V15.S4, V16.S4, V17.S4]
	FMUL_4S(14, 14, 19)
	FMUL_4S(15, 15, 20)
	FMUL_4S(16, 16, 19)
	FMUL_4S(17, 17, 20)
	VFMLA V14.S4, V21.S4, V0.S4
	VFMLA V15.S4, V22.S4, V1.S4
	VFMLA V16.S4, V23.S4, V2.S4
	VFMLA V17.S4, V24.S4, V3.S4
	SUBS $1, R5, R5
	BNE  q4loop
q4done:
	FADD_4S(0, 0, 2)
	FADD_4S(1, 1, 3)
	FADD_4S(0, 0, 1)
	FADDP_4S(0, 0, 0)
	FADDP_4S(0, 0, 0)
	FMOVS F0, ret+48(FP)
	RET
