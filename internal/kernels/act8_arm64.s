//go:build arm64 && !purego

#include "textflag.h"
#include "neon_arm64.h"

// roundAct8Go and roundActKGo in NEON, one 32-value block (eight vectors)
// per iteration, bit-identical to the specifications: amax by FMAX over
// |x| (exact in any order, NaN-propagating as Go's max); q = x × (127/amax)
// rounded half to even (FRINTN) and converted (exact: |q| ≤ 127), narrowed
// to int8 by UZP1 (the low half of each lane, in order); the scales by
// FDIV and, for Q4_0's, a round trip through half precision (FCVT, round
// to nearest even as F32ToF16).

// ABSMAX: the largest |V0–V7| into S16 (V16–V23 scratch).
#define ABSMAX \
	FABS_4S(16, 0) \
	FABS_4S(17, 1) \
	FABS_4S(18, 2) \
	FABS_4S(19, 3) \
	FABS_4S(20, 4) \
	FABS_4S(21, 5) \
	FABS_4S(22, 6) \
	FABS_4S(23, 7) \
	FMAX_4S(16, 16, 17) \
	FMAX_4S(18, 18, 19) \
	FMAX_4S(20, 20, 21) \
	FMAX_4S(22, 22, 23) \
	FMAX_4S(16, 16, 18) \
	FMAX_4S(20, 20, 22) \
	FMAX_4S(16, 16, 20) \
	FMAXV_4S(16, 16)

// ROUNDQ: V0–V7 times V19 (every lane), rounded half to even, as int32.
#define ROUNDQ \
	FMUL_4S(0, 0, 19) \
	FMUL_4S(1, 1, 19) \
	FMUL_4S(2, 2, 19) \
	FMUL_4S(3, 3, 19) \
	FMUL_4S(4, 4, 19) \
	FMUL_4S(5, 5, 19) \
	FMUL_4S(6, 6, 19) \
	FMUL_4S(7, 7, 19) \
	FRINTN_4S(0, 0) \
	FRINTN_4S(1, 1) \
	FRINTN_4S(2, 2) \
	FRINTN_4S(3, 3) \
	FRINTN_4S(4, 4) \
	FRINTN_4S(5, 5) \
	FRINTN_4S(6, 6) \
	FRINTN_4S(7, 7) \
	FCVTZS_4S(0, 0) \
	FCVTZS_4S(1, 1) \
	FCVTZS_4S(2, 2) \
	FCVTZS_4S(3, 3) \
	FCVTZS_4S(4, 4) \
	FCVTZS_4S(5, 5) \
	FCVTZS_4S(6, 6) \
	FCVTZS_4S(7, 7)

// NARROW: the int32 of V0–V7 (each in int8 range) as 32 int8 in V24, V25.
#define NARROW \
	VUZP1 V1.H8, V0.H8, V24.H8 \
	VUZP1 V3.H8, V2.H8, V25.H8 \
	VUZP1 V25.B16, V24.B16, V24.B16 \
	VUZP1 V5.H8, V4.H8, V25.H8 \
	VUZP1 V7.H8, V6.H8, V26.H8 \
	VUZP1 V26.B16, V25.B16, V25.B16

// SUM16(a, b, c, d, r): the sum of the int32 lanes of Va–Vd into Rr
// (Va, Vc clobbered).
#define SUM16(a, b, c, d, r) \
	VADD  b.S4, a.S4, a.S4 \
	VADD  d.S4, c.S4, c.S4 \
	VADD  c.S4, a.S4, a.S4 \
	VADDV a.S4, a \
	VMOV  a.S[0], r

// func roundAct8NEON(x *float32, q *int8, corr *int32, scale *float32, blocks int)
TEXT ·roundAct8NEON(SB), NOSPLIT, $0-40
	MOVD x+0(FP), R0
	MOVD q+8(FP), R1
	MOVD corr+16(FP), R2
	MOVD scale+24(FP), R3
	MOVD blocks+32(FP), R4
	MOVW $0x42fe0000, R5 // 127.0
	FMOVS R5, F30
	CBZ  R4, done
loop:
	VLD1.P 64(R0), [V0.S4, V1.S4, V2.S4, V3.S4]
	VLD1.P 64(R0), [V4.S4, V5.S4, V6.S4, V7.S4]
	ABSMAX
	FDIVS   F30, F16, F17 // amax / 127, through half precision
	FCVTSH  F17, F17
	FCVTHS  F17, F17
	FMOVS.P F17, 4(R3)
	FCMPS   $(0.0), F16
	BEQ     zero
	FDIVS   F16, F30, F18 // 127 / amax
	VDUP    V18.S[0], V19.S4
	ROUNDQ
	NARROW
	VST1.P  [V24.B16, V25.B16], 32(R1)
	SUM16(V0, V1, V2, V3, R6)
	SUM16(V4, V5, V6, V7, R7)
	ADDW    R7, R6, R6
	NEGW    R6, R6
	LSLW    $3, R6, R6 // −8·Σq
	MOVW.P  R6, 4(R2)
	SUBS    $1, R4, R4
	BNE     loop
	RET
zero:
	VEOR    V24.B16, V24.B16, V24.B16
	VEOR    V25.B16, V25.B16, V25.B16
	VST1.P  [V24.B16, V25.B16], 32(R1)
	MOVW.P  ZR, 4(R2)
	SUBS    $1, R4, R4
	BNE     loop
done:
	RET

// func roundActKNEON(x *float32, q *int8, scale *float32, kq *int8, kf *float32, ki *int32, blocks int)
// The residual r = x − q·scale by one fused multiply-subtract, rounded as
// above with its scale amax/127 kept in float32; the 16-value sums of q
// and of the residual's int8 in int32.
TEXT ·roundActKNEON(SB), NOSPLIT, $0-56
	MOVD x+0(FP), R0
	MOVD q+8(FP), R1
	MOVD scale+16(FP), R2
	MOVD kq+24(FP), R3
	MOVD kf+32(FP), R4
	MOVD ki+40(FP), R5
	MOVD blocks+48(FP), R6
	MOVW $0x42fe0000, R7 // 127.0
	FMOVS R7, F30
	CBZ  R6, kdone
kloop:
	// q as int32 (V8–V15), and as float32 (V16–V23)
	VLD1.P 32(R1), [V24.B16, V25.B16]
	SXTL_8H(26, 24)
	SXTL2_8H(27, 24)
	SXTL_8H(28, 25)
	SXTL2_8H(29, 25)
	SXTL_4S(8, 26)
	SXTL2_4S(9, 26)
	SXTL_4S(10, 27)
	SXTL2_4S(11, 27)
	SXTL_4S(12, 28)
	SXTL2_4S(13, 28)
	SXTL_4S(14, 29)
	SXTL2_4S(15, 29)
	SCVTF_4S(16, 8)
	SCVTF_4S(17, 9)
	SCVTF_4S(18, 10)
	SCVTF_4S(19, 11)
	SCVTF_4S(20, 12)
	SCVTF_4S(21, 13)
	SCVTF_4S(22, 14)
	SCVTF_4S(23, 15)
	SUM16(V8, V9, V10, V11, R8)   // Σq, values 0–15
	SUM16(V12, V13, V14, V15, R9) // 16–31
	// r = x − q·scale
	FMOVS.P 4(R2), F31
	VDUP    V31.S[0], V26.S4
	VLD1.P  64(R0), [V0.S4, V1.S4, V2.S4, V3.S4]
	VLD1.P  64(R0), [V4.S4, V5.S4, V6.S4, V7.S4]
	VFMLS   V26.S4, V16.S4, V0.S4
	VFMLS   V26.S4, V17.S4, V1.S4
	VFMLS   V26.S4, V18.S4, V2.S4
	VFMLS   V26.S4, V19.S4, V3.S4
	VFMLS   V26.S4, V20.S4, V4.S4
	VFMLS   V26.S4, V21.S4, V5.S4
	VFMLS   V26.S4, V22.S4, V6.S4
	VFMLS   V26.S4, V23.S4, V7.S4
	ABSMAX
	FDIVS   F30, F16, F17 // the residual's scale amax / 127
	VEOR    V18.B16, V18.B16, V18.B16
	FCMPS   $(0.0), F16
	BEQ     kround
	FDIVS   F16, F30, F18 // 127 / amax
kround:
	VDUP    V18.S[0], V19.S4
	ROUNDQ
	NARROW
	VST1.P  [V24.B16, V25.B16], 32(R3)
	SUM16(V0, V1, V2, V3, R10)  // Σ residual, 0–15
	SUM16(V4, V5, V6, V7, R11)  // 16–31
	// ki: −32 times each sum
	NEGW    R8, R12
	LSLW    $5, R12, R12
	MOVW.P  R12, 4(R5)
	NEGW    R9, R12
	LSLW    $5, R12, R12
	MOVW.P  R12, 4(R5)
	NEGW    R10, R12
	LSLW    $5, R12, R12
	MOVW.P  R12, 4(R5)
	NEGW    R11, R12
	LSLW    $5, R12, R12
	MOVW.P  R12, 4(R5)
	// kf: scale, the residual's, bsum = fma(Σr, its scale, Σq·scale), 0
	ADDW    R9, R8, R8
	ADDW    R11, R10, R10
	SCVTFWS R8, F0
	SCVTFWS R10, F1
	FMULS   F31, F0, F0
	FMADDS  F17, F0, F1, F0
	FMOVS.P F31, 4(R4)
	FMOVS.P F17, 4(R4)
	FMOVS.P F0, 4(R4)
	MOVW.P  ZR, 4(R4)
	SUBS    $1, R6, R6
	BNE     kloop
kdone:
	RET
