//go:build amd64 && !purego

#include "textflag.h"

// f16 KV cache rows (kvhalf.go) with F16C, eight values at a time.

// func f32ToF16F16C(dst *uint16, src *float32, n int)
// n > 0, a multiple of 8: dst[i] = src[i] clamped to ±65504 (VMINPS and
// VMAXPS return their second source, src[i], when it is NaN) and rounded
// to the nearest half, ties to even (VCVTPS2PH mode 0).
TEXT ·f32ToF16F16C(SB), NOSPLIT, $0-24
	MOVQ         dst+0(FP), DI
	MOVQ         src+8(FP), SI
	MOVQ         n+16(FP), CX
	MOVL         $0x477fe000, AX // 65504
	MOVL         AX, X14
	VPBROADCASTD X14, Y14
	MOVL         $0xc77fe000, AX // −65504
	MOVL         AX, X15
	VPBROADCASTD X15, Y15
tohalf:
	VMOVUPS   (SI), Y0
	VMINPS    Y0, Y14, Y0
	VMAXPS    Y0, Y15, Y0
	VCVTPS2PH $0, Y0, (DI)
	ADDQ      $32, SI
	ADDQ      $16, DI
	SUBQ      $8, CX
	JNZ       tohalf
	VZEROUPPER
	RET

// func widenRowsF16C(dst *float32, src *uint16, stride, rows, d int)
// rows > 0 rows of d halves (d > 0, a multiple of 8), stride halves apart,
// widened into rows of d floats one after another.
TEXT ·widenRowsF16C(SB), NOSPLIT, $0-40
	MOVQ dst+0(FP), DI
	MOVQ src+8(FP), SI
	MOVQ stride+16(FP), BX
	SHLQ $1, BX
	MOVQ rows+24(FP), DX
	MOVQ d+32(FP), R8
wrow:
	MOVQ SI, AX
	MOVQ R8, CX
wcol:
	VCVTPH2PS (AX), Y0
	VMOVUPS   Y0, (DI)
	ADDQ      $16, AX
	ADDQ      $32, DI
	SUBQ      $8, CX
	JNZ       wcol
	ADDQ      BX, SI
	DECQ      DX
	JNZ       wrow
	VZEROUPPER
	RET
