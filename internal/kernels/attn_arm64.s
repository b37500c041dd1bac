//go:build arm64 && !purego

#include "textflag.h"
#include "neon_arm64.h"

// NEON attention tiles: sixteen query lanes in four registers, each
// output lane accumulated in the specification's order (attention.go).

// func attnScoresNEON(s, qt, k *float32, d, kstride int)
// s[16·kk + i] = Σ_j qt[16·j + i] · k[kk·kstride + j] for 16 keys kk.
TEXT ·attnScoresNEON(SB), NOSPLIT, $0-40
	MOVD s+0(FP), R0
	MOVD qt+8(FP), R1
	MOVD k+16(FP), R2
	MOVD d+24(FP), R3
	MOVD kstride+32(FP), R4
	LSL  $2, R4, R4
	MOVD $16, R5
askey:
	VEOR V0.B16, V0.B16, V0.B16
	VEOR V1.B16, V1.B16, V1.B16
	VEOR V2.B16, V2.B16, V2.B16
	VEOR V3.B16, V3.B16, V3.B16
	MOVD R1, R6
	MOVD R2, R7
	MOVD R3, R8
	CBZ  R8, asstore
asdim:
	VLD1R.P 4(R7), [V20.S4]
	VLD1.P  64(R6), [V16.S4, V17.S4, V18.S4, V19.S4]
	VFMLA   V20.S4, V16.S4, V0.S4
	VFMLA   V20.S4, V17.S4, V1.S4
	VFMLA   V20.S4, V18.S4, V2.S4
	VFMLA   V20.S4, V19.S4, V3.S4
	SUBS    $1, R8, R8
	BNE     asdim
asstore:
	VST1.P [V0.S4, V1.S4, V2.S4, V3.S4], 64(R0)
	ADD    R4, R2, R2
	SUBS   $1, R5, R5
	BNE    askey
	RET

// func attnAccumNEON(ot, p, v, mult *float32, d, vstride int)
// For each dimension j: o = ot[16·j:] ⊙ mult, then o += p[16·kk:] ·
// v[kk·vstride + j] for the 16 keys kk in order.
TEXT ·attnAccumNEON(SB), NOSPLIT, $0-48
	MOVD ot+0(FP), R0
	MOVD p+8(FP), R1
	MOVD v+16(FP), R2
	MOVD mult+24(FP), R3
	MOVD d+32(FP), R4
	MOVD vstride+40(FP), R5
	LSL  $2, R5, R5
	VLD1 (R3), [V24.S4, V25.S4, V26.S4, V27.S4]
	CBZ  R4, acdone
acdim:
	VLD1 (R0), [V0.S4, V1.S4, V2.S4, V3.S4]
	FMUL_4S(0, 0, 24)
	FMUL_4S(1, 1, 25)
	FMUL_4S(2, 2, 26)
	FMUL_4S(3, 3, 27)
	MOVD R1, R6
	MOVD R2, R7
	MOVD $16, R8
ackey:
	VLD1R  (R7), [V20.S4]
	VLD1.P 64(R6), [V16.S4, V17.S4, V18.S4, V19.S4]
	VFMLA  V20.S4, V16.S4, V0.S4
	VFMLA  V20.S4, V17.S4, V1.S4
	VFMLA  V20.S4, V18.S4, V2.S4
	VFMLA  V20.S4, V19.S4, V3.S4
	ADD    R5, R7, R7
	SUBS   $1, R8, R8
	BNE    ackey
	VST1.P [V0.S4, V1.S4, V2.S4, V3.S4], 64(R0)
	ADD    $4, R2, R2
	SUBS   $1, R4, R4
	BNE    acdim
acdone:
	RET
