//go:build arm64 && !purego

#include "textflag.h"
#include "neon_arm64.h"
#include "reduce_arm64.h"

// NEON bf16 kernels (the neon family's bf16Tiles). Every dot, in every
// kernel, accumulates in two 4-lane registers per output — columns
// 8i+j in lane j of the first (j < 4) or lane j−4 of the second, by FMLA
// on the weights widened with SHLL — and ends in REDUCE: the eight
// partial sums of dotBF16Go, summed in its order. A row's result is the
// same whichever kernel computed it (batch invariance).


// WIDEN loads 8 bf16 at (p), advancing p, as f32: lanes 0–3 into lo, 4–7
// into hi.
#define WIDEN(p, lo, hi, lon, hin) VLD1.P 16(p), [hi.H8]; SHLL_4S(lon, hin); SHLL2_4S(hin, hin)

// func bf16Dot1x1NEON(x *float32, w *uint16, n int) float32
// n a multiple of 8.
TEXT ·bf16Dot1x1NEON(SB), NOSPLIT, $0-28
	MOVD x+0(FP), R0
	MOVD w+8(FP), R1
	MOVD n+16(FP), R2
	VEOR V0.B16, V0.B16, V0.B16
	VEOR V1.B16, V1.B16, V1.B16
	LSR  $3, R2, R2
	CBZ  R2, d11done
d11loop:
	VLD1.P 32(R0), [V2.S4, V3.S4]
	WIDEN(R1, V5, V4, 5, 4)
	VFMLA V5.S4, V2.S4, V0.S4
	VFMLA V4.S4, V3.S4, V1.S4
	SUBS $1, R2, R2
	BNE  d11loop
d11done:
	REDUCE(0, 1)
	FMOVS F0, ret+24(FP)
	RET

// func f32Dot1x1NEON(x, w *float32, n int) float32
// n a multiple of 8; dotGo's eight partial sums and order.
TEXT ·f32Dot1x1NEON(SB), NOSPLIT, $0-28
	MOVD x+0(FP), R0
	MOVD w+8(FP), R1
	MOVD n+16(FP), R2
	VEOR V0.B16, V0.B16, V0.B16
	VEOR V1.B16, V1.B16, V1.B16
	LSR  $3, R2, R2
	CBZ  R2, f11done
f11loop:
	VLD1.P 32(R0), [V2.S4, V3.S4]
	VLD1.P 32(R1), [V4.S4, V5.S4]
	VFMLA V4.S4, V2.S4, V0.S4
	VFMLA V5.S4, V3.S4, V1.S4
	SUBS $1, R2, R2
	BNE  f11loop
f11done:
	REDUCE(0, 1)
	FMOVS F0, ret+24(FP)
	RET

// func bf16Dot4x1NEON(x *float32, stride int, w *uint16, n int, out *float32)
// One weight row against activation rows x + r·stride (floats); out[r].
TEXT ·bf16Dot4x1NEON(SB), NOSPLIT, $0-40
	MOVD x+0(FP), R0
	MOVD stride+8(FP), R1
	LSL  $2, R1, R1
	MOVD w+16(FP), R2
	MOVD n+24(FP), R3
	MOVD out+32(FP), R4
	ADD  R0, R1, R5
	ADD  R5, R1, R6
	ADD  R6, R1, R7
	VEOR V0.B16, V0.B16, V0.B16
	VEOR V1.B16, V1.B16, V1.B16
	VEOR V2.B16, V2.B16, V2.B16
	VEOR V3.B16, V3.B16, V3.B16
	VEOR V4.B16, V4.B16, V4.B16
	VEOR V5.B16, V5.B16, V5.B16
	VEOR V6.B16, V6.B16, V6.B16
	VEOR V7.B16, V7.B16, V7.B16
	LSR  $3, R3, R3
	CBZ  R3, d41done
d41loop:
	WIDEN(R2, V17, V16, 17, 16)
	VLD1.P 32(R0), [V18.S4, V19.S4]
	VFMLA V17.S4, V18.S4, V0.S4
	VFMLA V16.S4, V19.S4, V1.S4
	VLD1.P 32(R5), [V18.S4, V19.S4]
	VFMLA V17.S4, V18.S4, V2.S4
	VFMLA V16.S4, V19.S4, V3.S4
	VLD1.P 32(R6), [V18.S4, V19.S4]
	VFMLA V17.S4, V18.S4, V4.S4
	VFMLA V16.S4, V19.S4, V5.S4
	VLD1.P 32(R7), [V18.S4, V19.S4]
	VFMLA V17.S4, V18.S4, V6.S4
	VFMLA V16.S4, V19.S4, V7.S4
	SUBS $1, R3, R3
	BNE  d41loop
d41done:
	REDUCE(0, 1)
	FMOVS F0, 0(R4)
	REDUCE(2, 3)
	FMOVS F2, 4(R4)
	REDUCE(4, 5)
	FMOVS F4, 8(R4)
	REDUCE(6, 7)
	FMOVS F6, 12(R4)
	RET

// func bf16Dot1x4NEON(x *float32, w *uint16, ws int, n int, out *float32)
// One activation row against weight rows w + c·ws (elements); out[c].
// Decode: four weight streams, eight FMLA chains.
TEXT ·bf16Dot1x4NEON(SB), NOSPLIT, $0-40
	MOVD x+0(FP), R0
	MOVD w+8(FP), R1
	MOVD ws+16(FP), R2
	LSL  $1, R2, R2
	MOVD n+24(FP), R3
	MOVD out+32(FP), R4
	ADD  R1, R2, R5
	ADD  R5, R2, R6
	ADD  R6, R2, R7
	VEOR V0.B16, V0.B16, V0.B16
	VEOR V1.B16, V1.B16, V1.B16
	VEOR V2.B16, V2.B16, V2.B16
	VEOR V3.B16, V3.B16, V3.B16
	VEOR V4.B16, V4.B16, V4.B16
	VEOR V5.B16, V5.B16, V5.B16
	VEOR V6.B16, V6.B16, V6.B16
	VEOR V7.B16, V7.B16, V7.B16
	LSR  $3, R3, R3
	CBZ  R3, d14done
d14loop:
	VLD1.P 32(R0), [V16.S4, V17.S4]
	WIDEN(R1, V19, V18, 19, 18)
	WIDEN(R5, V21, V20, 21, 20)
	WIDEN(R6, V23, V22, 23, 22)
	WIDEN(R7, V25, V24, 25, 24)
	VFMLA V19.S4, V16.S4, V0.S4
	VFMLA V18.S4, V17.S4, V1.S4
	VFMLA V21.S4, V16.S4, V2.S4
	VFMLA V20.S4, V17.S4, V3.S4
	VFMLA V23.S4, V16.S4, V4.S4
	VFMLA V22.S4, V17.S4, V5.S4
	VFMLA V25.S4, V16.S4, V6.S4
	VFMLA V24.S4, V17.S4, V7.S4
	SUBS $1, R3, R3
	BNE  d14loop
d14done:
	REDUCE(0, 1)
	FMOVS F0, 0(R4)
	REDUCE(2, 3)
	FMOVS F2, 4(R4)
	REDUCE(4, 5)
	FMOVS F4, 8(R4)
	REDUCE(6, 7)
	FMOVS F6, 12(R4)
	RET

// func bf16Dot4x3NEON(x *float32, xs int, w *uint16, ws int, n int, out *float32)
// Activation rows x + r·xs (floats) against weight rows w + c·ws
// (elements); out[3r+c]. Prefill: 24 accumulators (V0–V23), three widened
// weight rows (V24–V29), one activation row (V30–V31) at a time.
TEXT ·bf16Dot4x3NEON(SB), NOSPLIT, $0-48
	MOVD x+0(FP), R0
	MOVD xs+8(FP), R1
	LSL  $2, R1, R1
	MOVD w+16(FP), R2
	MOVD ws+24(FP), R3
	LSL  $1, R3, R3
	MOVD n+32(FP), R4
	MOVD out+40(FP), R5
	ADD  R0, R1, R6
	ADD  R6, R1, R7
	ADD  R7, R1, R8
	ADD  R2, R3, R9
	ADD  R9, R3, R10
	VEOR V0.B16, V0.B16, V0.B16
	VEOR V1.B16, V1.B16, V1.B16
	VEOR V2.B16, V2.B16, V2.B16
	VEOR V3.B16, V3.B16, V3.B16
	VEOR V4.B16, V4.B16, V4.B16
	VEOR V5.B16, V5.B16, V5.B16
	VEOR V6.B16, V6.B16, V6.B16
	VEOR V7.B16, V7.B16, V7.B16
	VEOR V8.B16, V8.B16, V8.B16
	VEOR V9.B16, V9.B16, V9.B16
	VEOR V10.B16, V10.B16, V10.B16
	VEOR V11.B16, V11.B16, V11.B16
	VEOR V12.B16, V12.B16, V12.B16
	VEOR V13.B16, V13.B16, V13.B16
	VEOR V14.B16, V14.B16, V14.B16
	VEOR V15.B16, V15.B16, V15.B16
	VEOR V16.B16, V16.B16, V16.B16
	VEOR V17.B16, V17.B16, V17.B16
	VEOR V18.B16, V18.B16, V18.B16
	VEOR V19.B16, V19.B16, V19.B16
	VEOR V20.B16, V20.B16, V20.B16
	VEOR V21.B16, V21.B16, V21.B16
	VEOR V22.B16, V22.B16, V22.B16
	VEOR V23.B16, V23.B16, V23.B16
	LSR  $3, R4, R4
	CBZ  R4, d43done
d43loop:
	WIDEN(R2, V24, V25, 24, 25)
	WIDEN(R9, V26, V27, 26, 27)
	WIDEN(R10, V28, V29, 28, 29)
	VLD1.P 32(R0), [V30.S4, V31.S4]
	VFMLA V24.S4, V30.S4, V0.S4
	VFMLA V25.S4, V31.S4, V1.S4
	VFMLA V26.S4, V30.S4, V2.S4
	VFMLA V27.S4, V31.S4, V3.S4
	VFMLA V28.S4, V30.S4, V4.S4
	VFMLA V29.S4, V31.S4, V5.S4
	VLD1.P 32(R6), [V30.S4, V31.S4]
	VFMLA V24.S4, V30.S4, V6.S4
	VFMLA V25.S4, V31.S4, V7.S4
	VFMLA V26.S4, V30.S4, V8.S4
	VFMLA V27.S4, V31.S4, V9.S4
	VFMLA V28.S4, V30.S4, V10.S4
	VFMLA V29.S4, V31.S4, V11.S4
	VLD1.P 32(R7), [V30.S4, V31.S4]
	VFMLA V24.S4, V30.S4, V12.S4
	VFMLA V25.S4, V31.S4, V13.S4
	VFMLA V26.S4, V30.S4, V14.S4
	VFMLA V27.S4, V31.S4, V15.S4
	VFMLA V28.S4, V30.S4, V16.S4
	VFMLA V29.S4, V31.S4, V17.S4
	VLD1.P 32(R8), [V30.S4, V31.S4]
	VFMLA V24.S4, V30.S4, V18.S4
	VFMLA V25.S4, V31.S4, V19.S4
	VFMLA V26.S4, V30.S4, V20.S4
	VFMLA V27.S4, V31.S4, V21.S4
	VFMLA V28.S4, V30.S4, V22.S4
	VFMLA V29.S4, V31.S4, V23.S4
	SUBS $1, R4, R4
	BNE  d43loop
d43done:
	REDUCE(0, 1)
	FMOVS F0, 0(R5)
	REDUCE(2, 3)
	FMOVS F2, 4(R5)
	REDUCE(4, 5)
	FMOVS F4, 8(R5)
	REDUCE(6, 7)
	FMOVS F6, 12(R5)
	REDUCE(8, 9)
	FMOVS F8, 16(R5)
	REDUCE(10, 11)
	FMOVS F10, 20(R5)
	REDUCE(12, 13)
	FMOVS F12, 24(R5)
	REDUCE(14, 15)
	FMOVS F14, 28(R5)
	REDUCE(16, 17)
	FMOVS F16, 32(R5)
	REDUCE(18, 19)
	FMOVS F18, 36(R5)
	REDUCE(20, 21)
	FMOVS F20, 40(R5)
	REDUCE(22, 23)
	FMOVS F22, 44(R5)
	RET
