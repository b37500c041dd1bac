//go:build arm64 && !purego

#include "textflag.h"
#include "neon_arm64.h"
#include "exp_arm64.h"

// NEON element-wise kernels, four lanes a step, each bit-identical to its
// Go specification (ops.go): every product is rounded before it is added
// (FMUL then FADD, never FMLA), as the Go loops are written.

// func sumSquaresNEON(s *[8]float64, x *float32, n int)
// s[j] += float64(x[8i+j])² over n (a multiple of 8); the square of a
// float32 is exact in float64, so FMUL then FADD is the Go loop's sum.
TEXT ·sumSquaresNEON(SB), NOSPLIT, $0-24
	MOVD s+0(FP), R0
	MOVD x+8(FP), R1
	MOVD n+16(FP), R2
	VLD1 (R0), [V0.D2, V1.D2, V2.D2, V3.D2]
	LSR  $3, R2, R2
	CBZ  R2, ssdone
ssloop:
	VLD1.P 32(R1), [V4.S4, V5.S4]
	FCVTL_2D(6, 4)
	FCVTL2_2D(7, 4)
	FCVTL_2D(16, 5)
	FCVTL2_2D(17, 5)
	FMUL_2D(6, 6, 6)
	FMUL_2D(7, 7, 7)
	FMUL_2D(16, 16, 16)
	FMUL_2D(17, 17, 17)
	FADD_2D(0, 0, 6)
	FADD_2D(1, 1, 7)
	FADD_2D(2, 2, 16)
	FADD_2D(3, 3, 17)
	SUBS $1, R2, R2
	BNE  ssloop
ssdone:
	VST1 [V0.D2, V1.D2, V2.D2, V3.D2], (R0)
	RET

// func scaleMulNEON(dst, x, w *float32, inv float32, n int)
// dst = w ⊙ (x·inv), n a multiple of 4.
TEXT ·scaleMulNEON(SB), NOSPLIT, $0-40
	MOVD  dst+0(FP), R0
	MOVD  x+8(FP), R1
	MOVD  w+16(FP), R2
	FMOVS inv+24(FP), F4
	MOVD  n+32(FP), R3
	VDUP  V4.S[0], V4.S4
	LSR   $2, R3, R3
	CBZ   R3, smdone
smloop:
	VLD1.P 16(R1), [V0.S4]
	VLD1.P 16(R2), [V1.S4]
	FMUL_4S(0, 0, 4)
	FMUL_4S(0, 1, 0)
	VST1.P [V0.S4], 16(R0)
	SUBS $1, R3, R3
	BNE  smloop
smdone:
	RET

// func mulNEON(dst, a, b *float32, n int)
TEXT ·mulNEON(SB), NOSPLIT, $0-32
	MOVD dst+0(FP), R0
	MOVD a+8(FP), R1
	MOVD b+16(FP), R2
	MOVD n+24(FP), R3
	LSR  $2, R3, R3
	CBZ  R3, mdone
mloop:
	VLD1.P 16(R1), [V0.S4]
	VLD1.P 16(R2), [V1.S4]
	FMUL_4S(0, 0, 1)
	VST1.P [V0.S4], 16(R0)
	SUBS $1, R3, R3
	BNE  mloop
mdone:
	RET

// func mulAddNEON(dst, a, b *float32, n int)
// dst += a ⊙ b, the product rounded first.
TEXT ·mulAddNEON(SB), NOSPLIT, $0-32
	MOVD dst+0(FP), R0
	MOVD a+8(FP), R1
	MOVD b+16(FP), R2
	MOVD n+24(FP), R3
	LSR  $2, R3, R3
	CBZ  R3, madone
maloop:
	VLD1.P 16(R1), [V0.S4]
	VLD1.P 16(R2), [V1.S4]
	VLD1   (R0), [V2.S4]
	FMUL_4S(0, 0, 1)
	FADD_4S(2, 2, 0)
	VST1.P [V2.S4], 16(R0)
	SUBS $1, R3, R3
	BNE  maloop
madone:
	RET

// func addNEON(dst, src *float32, n int)
TEXT ·addNEON(SB), NOSPLIT, $0-24
	MOVD dst+0(FP), R0
	MOVD src+8(FP), R1
	MOVD n+16(FP), R3
	LSR  $2, R3, R3
	CBZ  R3, adone
aloop:
	VLD1   (R0), [V0.S4]
	VLD1.P 16(R1), [V1.S4]
	FADD_4S(0, 0, 1)
	VST1.P [V0.S4], 16(R0)
	SUBS $1, R3, R3
	BNE  aloop
adone:
	RET

// func ropeNEON(lo, hi, cos, sin *float32, n int)
// lo' = a·cos − b·sin, hi' = b·cos + a·sin, each product rounded.
TEXT ·ropeNEON(SB), NOSPLIT, $0-40
	MOVD lo+0(FP), R0
	MOVD hi+8(FP), R1
	MOVD cos+16(FP), R2
	MOVD sin+24(FP), R3
	MOVD n+32(FP), R4
	LSR  $2, R4, R4
	CBZ  R4, rdone
rloop:
	VLD1   (R0), [V0.S4]
	VLD1   (R1), [V1.S4]
	VLD1.P 16(R2), [V2.S4]
	VLD1.P 16(R3), [V3.S4]
	FMUL_4S(4, 0, 2)
	FMUL_4S(5, 1, 3)
	FMUL_4S(6, 1, 2)
	FMUL_4S(7, 0, 3)
	FSUB_4S(4, 4, 5)
	FADD_4S(6, 6, 7)
	VST1.P [V4.S4], 16(R0)
	VST1.P [V6.S4], 16(R1)
	SUBS $1, R4, R4
	BNE  rloop
rdone:
	RET

// func swigluNEON(dst, gate, up *float32, n int)
// dst = g / (1 + e^−g) · up, n a multiple of 4, e^x by EXP (exp_arm64.h).
TEXT ·swigluNEON(SB), NOSPLIT, $0-32
	MOVD dst+0(FP), R0
	MOVD gate+8(FP), R1
	MOVD up+16(FP), R2
	MOVD n+24(FP), R3
	EXPCONSTS
	LSR  $2, R3, R3
	CBZ  R3, gdone
gloop:
	VLD1.P 16(R1), [V0.S4]
	FNEG_4S(1, 0)          // x = −g
	EXP(1, 2, 3, 4)        // e^−g
	FADD_4S(4, 4, 30)      // 1 + e^−g
	FDIV_4S(0, 0, 4)       // g / (1 + e^−g)
	VLD1.P 16(R2), [V5.S4]
	FMUL_4S(0, 0, 5)
	VST1.P [V0.S4], 16(R0)
	SUBS $1, R3, R3
	BNE  gloop
gdone:
	RET
