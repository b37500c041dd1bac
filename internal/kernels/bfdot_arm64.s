//go:build arm64 && !purego

#include "textflag.h"
#include "neon_arm64.h"
#include "reduce_arm64.h"

// BFDOT kernels of the neon-bf16 family, on activations packed as bf16
// pairs (pairs.go: per 32-column chunk, 16 dwords of high halves and, in
// the exact tier, 16 of low halves) and bf16 weights as stored. Every dot
// has two 4-lane accumulators: in the exact tier the first takes the high
// halves' products and the second the low halves', in the fast tier they
// take the chunk's registers 0, 2 and 1, 3; each in register order, in
// every kernel, then REDUCE. A row's result never depends on the tile
// (batch invariance).


// func bfdExact1x1(x *uint32, w *uint16, chunks int) float32
TEXT ·bfdExact1x1(SB), NOSPLIT, $0-28
	MOVD x+0(FP), R0
	MOVD w+8(FP), R1
	MOVD chunks+16(FP), R2
	VEOR V0.B16, V0.B16, V0.B16
	VEOR V1.B16, V1.B16, V1.B16
	CBZ R2, exact11done
exact11loop:
	VLD1.P 64(R1), [V10.H8, V11.H8, V12.H8, V13.H8]
	VLD1.P 64(R0), [V2.S4, V3.S4, V4.S4, V5.S4]
	VLD1.P 64(R0), [V6.S4, V7.S4, V8.S4, V9.S4]
	BFDOT_4S(0, 2, 10)
	BFDOT_4S(1, 6, 10)
	BFDOT_4S(0, 3, 11)
	BFDOT_4S(1, 7, 11)
	BFDOT_4S(0, 4, 12)
	BFDOT_4S(1, 8, 12)
	BFDOT_4S(0, 5, 13)
	BFDOT_4S(1, 9, 13)
	SUBS $1, R2, R2
	BNE exact11loop
exact11done:
	REDUCE(0, 1)
	FMOVS F0, ret+24(FP)
	RET

// func bfdExact1x4(x *uint32, w *uint16, k int, chunks int, q int, out *float32)
// One activation row against weight rows c·q + i (c < 4, i < q) of width
// k at w; out[c·q + i]. Decode: the four quarters stream side by side.
TEXT ·bfdExact1x4(SB), NOSPLIT, $0-48
	MOVD x+0(FP), R0
	MOVD w+8(FP), R7
	MOVD k+16(FP), R2
	LSL  $1, R2, R2
	MOVD chunks+24(FP), R3
	MOVD q+32(FP), R4
	MOVD out+40(FP), R14
	MUL  R4, R2, R6
	LSL  $2, R4, R15
	CBZ  R4, exact14end
exact14row:
	MOVD R7, R8
	ADD  R8, R6, R9
	ADD  R9, R6, R10
	ADD  R10, R6, R11
	MOVD R0, R12
	MOVD R3, R13
	VEOR V0.B16, V0.B16, V0.B16
	VEOR V1.B16, V1.B16, V1.B16
	VEOR V2.B16, V2.B16, V2.B16
	VEOR V3.B16, V3.B16, V3.B16
	VEOR V4.B16, V4.B16, V4.B16
	VEOR V5.B16, V5.B16, V5.B16
	VEOR V6.B16, V6.B16, V6.B16
	VEOR V7.B16, V7.B16, V7.B16
	CBZ R13, exact14done
exact14loop:
	VLD1.P 64(R12), [V8.S4, V9.S4, V10.S4, V11.S4]
	VLD1.P 64(R12), [V12.S4, V13.S4, V14.S4, V15.S4]
	VLD1.P 64(R8), [V16.H8, V17.H8, V18.H8, V19.H8]
	VLD1.P 64(R9), [V20.H8, V21.H8, V22.H8, V23.H8]
	VLD1.P 64(R10), [V24.H8, V25.H8, V26.H8, V27.H8]
	VLD1.P 64(R11), [V28.H8, V29.H8, V30.H8, V31.H8]
	BFDOT_4S(0, 8, 16)
	BFDOT_4S(1, 12, 16)
	BFDOT_4S(0, 9, 17)
	BFDOT_4S(1, 13, 17)
	BFDOT_4S(0, 10, 18)
	BFDOT_4S(1, 14, 18)
	BFDOT_4S(0, 11, 19)
	BFDOT_4S(1, 15, 19)
	BFDOT_4S(2, 8, 20)
	BFDOT_4S(3, 12, 20)
	BFDOT_4S(2, 9, 21)
	BFDOT_4S(3, 13, 21)
	BFDOT_4S(2, 10, 22)
	BFDOT_4S(3, 14, 22)
	BFDOT_4S(2, 11, 23)
	BFDOT_4S(3, 15, 23)
	BFDOT_4S(4, 8, 24)
	BFDOT_4S(5, 12, 24)
	BFDOT_4S(4, 9, 25)
	BFDOT_4S(5, 13, 25)
	BFDOT_4S(4, 10, 26)
	BFDOT_4S(5, 14, 26)
	BFDOT_4S(4, 11, 27)
	BFDOT_4S(5, 15, 27)
	BFDOT_4S(6, 8, 28)
	BFDOT_4S(7, 12, 28)
	BFDOT_4S(6, 9, 29)
	BFDOT_4S(7, 13, 29)
	BFDOT_4S(6, 10, 30)
	BFDOT_4S(7, 14, 30)
	BFDOT_4S(6, 11, 31)
	BFDOT_4S(7, 15, 31)
	SUBS $1, R13, R13
	BNE  exact14loop
exact14done:
	ADD  R14, R15, R19
	ADD  R19, R15, R20
	ADD  R20, R15, R21
	REDUCE(0, 1)
	FMOVS F0, (R14)
	REDUCE(2, 3)
	FMOVS F2, (R19)
	REDUCE(4, 5)
	FMOVS F4, (R20)
	REDUCE(6, 7)
	FMOVS F6, (R21)
	ADD  R2, R7, R7
	ADD  $4, R14, R14
	SUBS $1, R4, R4
	BNE  exact14row
exact14end:
	RET

// func bfdExact4x2(x *uint32, xs int, w *uint16, ws int, chunks int, out *float32, os int)
// Activation rows x + r·xs (dwords) against weight rows w + c·ws
// (elements), c < 2; out[r·os + c]. Prefill: sixteen accumulators.
TEXT ·bfdExact4x2(SB), NOSPLIT, $0-56
	MOVD x+0(FP), R0
	MOVD xs+8(FP), R1
	LSL  $2, R1, R1
	MOVD w+16(FP), R2
	MOVD ws+24(FP), R3
	LSL  $1, R3, R3
	MOVD chunks+32(FP), R4
	MOVD out+40(FP), R5
	MOVD os+48(FP), R6
	LSL  $2, R6, R6
	ADD  R0, R1, R7
	ADD  R7, R1, R8
	ADD  R8, R1, R9
	ADD  R2, R3, R10
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
	CBZ R4, exact42done
exact42loop:
	VLD1.P 64(R2), [V16.H8, V17.H8, V18.H8, V19.H8]
	VLD1.P 64(R10), [V20.H8, V21.H8, V22.H8, V23.H8]
	VLD1.P 64(R0), [V24.S4, V25.S4, V26.S4, V27.S4]
	VLD1.P 64(R0), [V28.S4, V29.S4, V30.S4, V31.S4]
	BFDOT_4S(0, 24, 16)
	BFDOT_4S(1, 28, 16)
	BFDOT_4S(0, 25, 17)
	BFDOT_4S(1, 29, 17)
	BFDOT_4S(0, 26, 18)
	BFDOT_4S(1, 30, 18)
	BFDOT_4S(0, 27, 19)
	BFDOT_4S(1, 31, 19)
	BFDOT_4S(2, 24, 20)
	BFDOT_4S(3, 28, 20)
	BFDOT_4S(2, 25, 21)
	BFDOT_4S(3, 29, 21)
	BFDOT_4S(2, 26, 22)
	BFDOT_4S(3, 30, 22)
	BFDOT_4S(2, 27, 23)
	BFDOT_4S(3, 31, 23)
	VLD1.P 64(R7), [V24.S4, V25.S4, V26.S4, V27.S4]
	VLD1.P 64(R7), [V28.S4, V29.S4, V30.S4, V31.S4]
	BFDOT_4S(4, 24, 16)
	BFDOT_4S(5, 28, 16)
	BFDOT_4S(4, 25, 17)
	BFDOT_4S(5, 29, 17)
	BFDOT_4S(4, 26, 18)
	BFDOT_4S(5, 30, 18)
	BFDOT_4S(4, 27, 19)
	BFDOT_4S(5, 31, 19)
	BFDOT_4S(6, 24, 20)
	BFDOT_4S(7, 28, 20)
	BFDOT_4S(6, 25, 21)
	BFDOT_4S(7, 29, 21)
	BFDOT_4S(6, 26, 22)
	BFDOT_4S(7, 30, 22)
	BFDOT_4S(6, 27, 23)
	BFDOT_4S(7, 31, 23)
	VLD1.P 64(R8), [V24.S4, V25.S4, V26.S4, V27.S4]
	VLD1.P 64(R8), [V28.S4, V29.S4, V30.S4, V31.S4]
	BFDOT_4S(8, 24, 16)
	BFDOT_4S(9, 28, 16)
	BFDOT_4S(8, 25, 17)
	BFDOT_4S(9, 29, 17)
	BFDOT_4S(8, 26, 18)
	BFDOT_4S(9, 30, 18)
	BFDOT_4S(8, 27, 19)
	BFDOT_4S(9, 31, 19)
	BFDOT_4S(10, 24, 20)
	BFDOT_4S(11, 28, 20)
	BFDOT_4S(10, 25, 21)
	BFDOT_4S(11, 29, 21)
	BFDOT_4S(10, 26, 22)
	BFDOT_4S(11, 30, 22)
	BFDOT_4S(10, 27, 23)
	BFDOT_4S(11, 31, 23)
	VLD1.P 64(R9), [V24.S4, V25.S4, V26.S4, V27.S4]
	VLD1.P 64(R9), [V28.S4, V29.S4, V30.S4, V31.S4]
	BFDOT_4S(12, 24, 16)
	BFDOT_4S(13, 28, 16)
	BFDOT_4S(12, 25, 17)
	BFDOT_4S(13, 29, 17)
	BFDOT_4S(12, 26, 18)
	BFDOT_4S(13, 30, 18)
	BFDOT_4S(12, 27, 19)
	BFDOT_4S(13, 31, 19)
	BFDOT_4S(14, 24, 20)
	BFDOT_4S(15, 28, 20)
	BFDOT_4S(14, 25, 21)
	BFDOT_4S(15, 29, 21)
	BFDOT_4S(14, 26, 22)
	BFDOT_4S(15, 30, 22)
	BFDOT_4S(14, 27, 23)
	BFDOT_4S(15, 31, 23)
	SUBS $1, R4, R4
	BNE  exact42loop
exact42done:
	REDUCE(0, 1)
	FMOVS F0, 0(R5)
	REDUCE(2, 3)
	FMOVS F2, 4(R5)
	ADD R6, R5, R5
	REDUCE(4, 5)
	FMOVS F4, 0(R5)
	REDUCE(6, 7)
	FMOVS F6, 4(R5)
	ADD R6, R5, R5
	REDUCE(8, 9)
	FMOVS F8, 0(R5)
	REDUCE(10, 11)
	FMOVS F10, 4(R5)
	ADD R6, R5, R5
	REDUCE(12, 13)
	FMOVS F12, 0(R5)
	REDUCE(14, 15)
	FMOVS F14, 4(R5)
	RET

// func bfdFast1x1(x *uint32, w *uint16, chunks int) float32
TEXT ·bfdFast1x1(SB), NOSPLIT, $0-28
	MOVD x+0(FP), R0
	MOVD w+8(FP), R1
	MOVD chunks+16(FP), R2
	VEOR V0.B16, V0.B16, V0.B16
	VEOR V1.B16, V1.B16, V1.B16
	CBZ R2, fast11done
fast11loop:
	VLD1.P 64(R1), [V10.H8, V11.H8, V12.H8, V13.H8]
	VLD1.P 64(R0), [V2.S4, V3.S4, V4.S4, V5.S4]
	BFDOT_4S(0, 2, 10)
	BFDOT_4S(1, 3, 11)
	BFDOT_4S(0, 4, 12)
	BFDOT_4S(1, 5, 13)
	SUBS $1, R2, R2
	BNE fast11loop
fast11done:
	REDUCE(0, 1)
	FMOVS F0, ret+24(FP)
	RET

// func bfdFast1x4(x *uint32, w *uint16, k int, chunks int, q int, out *float32)
// One activation row against weight rows c·q + i (c < 4, i < q) of width
// k at w; out[c·q + i]. Decode: the four quarters stream side by side.
TEXT ·bfdFast1x4(SB), NOSPLIT, $0-48
	MOVD x+0(FP), R0
	MOVD w+8(FP), R7
	MOVD k+16(FP), R2
	LSL  $1, R2, R2
	MOVD chunks+24(FP), R3
	MOVD q+32(FP), R4
	MOVD out+40(FP), R14
	MUL  R4, R2, R6
	LSL  $2, R4, R15
	CBZ  R4, fast14end
fast14row:
	MOVD R7, R8
	ADD  R8, R6, R9
	ADD  R9, R6, R10
	ADD  R10, R6, R11
	MOVD R0, R12
	MOVD R3, R13
	VEOR V0.B16, V0.B16, V0.B16
	VEOR V1.B16, V1.B16, V1.B16
	VEOR V2.B16, V2.B16, V2.B16
	VEOR V3.B16, V3.B16, V3.B16
	VEOR V4.B16, V4.B16, V4.B16
	VEOR V5.B16, V5.B16, V5.B16
	VEOR V6.B16, V6.B16, V6.B16
	VEOR V7.B16, V7.B16, V7.B16
	CBZ R13, fast14done
fast14loop:
	VLD1.P 64(R12), [V8.S4, V9.S4, V10.S4, V11.S4]
	VLD1.P 64(R8), [V16.H8, V17.H8, V18.H8, V19.H8]
	VLD1.P 64(R9), [V20.H8, V21.H8, V22.H8, V23.H8]
	VLD1.P 64(R10), [V24.H8, V25.H8, V26.H8, V27.H8]
	VLD1.P 64(R11), [V28.H8, V29.H8, V30.H8, V31.H8]
	BFDOT_4S(0, 8, 16)
	BFDOT_4S(1, 9, 17)
	BFDOT_4S(0, 10, 18)
	BFDOT_4S(1, 11, 19)
	BFDOT_4S(2, 8, 20)
	BFDOT_4S(3, 9, 21)
	BFDOT_4S(2, 10, 22)
	BFDOT_4S(3, 11, 23)
	BFDOT_4S(4, 8, 24)
	BFDOT_4S(5, 9, 25)
	BFDOT_4S(4, 10, 26)
	BFDOT_4S(5, 11, 27)
	BFDOT_4S(6, 8, 28)
	BFDOT_4S(7, 9, 29)
	BFDOT_4S(6, 10, 30)
	BFDOT_4S(7, 11, 31)
	SUBS $1, R13, R13
	BNE  fast14loop
fast14done:
	ADD  R14, R15, R19
	ADD  R19, R15, R20
	ADD  R20, R15, R21
	REDUCE(0, 1)
	FMOVS F0, (R14)
	REDUCE(2, 3)
	FMOVS F2, (R19)
	REDUCE(4, 5)
	FMOVS F4, (R20)
	REDUCE(6, 7)
	FMOVS F6, (R21)
	ADD  R2, R7, R7
	ADD  $4, R14, R14
	SUBS $1, R4, R4
	BNE  fast14row
fast14end:
	RET

// func bfdFast4x2(x *uint32, xs int, w *uint16, ws int, chunks int, out *float32, os int)
// Activation rows x + r·xs (dwords) against weight rows w + c·ws
// (elements), c < 2; out[r·os + c]. Prefill: sixteen accumulators.
TEXT ·bfdFast4x2(SB), NOSPLIT, $0-56
	MOVD x+0(FP), R0
	MOVD xs+8(FP), R1
	LSL  $2, R1, R1
	MOVD w+16(FP), R2
	MOVD ws+24(FP), R3
	LSL  $1, R3, R3
	MOVD chunks+32(FP), R4
	MOVD out+40(FP), R5
	MOVD os+48(FP), R6
	LSL  $2, R6, R6
	ADD  R0, R1, R7
	ADD  R7, R1, R8
	ADD  R8, R1, R9
	ADD  R2, R3, R10
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
	CBZ R4, fast42done
fast42loop:
	VLD1.P 64(R2), [V16.H8, V17.H8, V18.H8, V19.H8]
	VLD1.P 64(R10), [V20.H8, V21.H8, V22.H8, V23.H8]
	VLD1.P 64(R0), [V24.S4, V25.S4, V26.S4, V27.S4]
	BFDOT_4S(0, 24, 16)
	BFDOT_4S(1, 25, 17)
	BFDOT_4S(0, 26, 18)
	BFDOT_4S(1, 27, 19)
	BFDOT_4S(2, 24, 20)
	BFDOT_4S(3, 25, 21)
	BFDOT_4S(2, 26, 22)
	BFDOT_4S(3, 27, 23)
	VLD1.P 64(R7), [V24.S4, V25.S4, V26.S4, V27.S4]
	BFDOT_4S(4, 24, 16)
	BFDOT_4S(5, 25, 17)
	BFDOT_4S(4, 26, 18)
	BFDOT_4S(5, 27, 19)
	BFDOT_4S(6, 24, 20)
	BFDOT_4S(7, 25, 21)
	BFDOT_4S(6, 26, 22)
	BFDOT_4S(7, 27, 23)
	VLD1.P 64(R8), [V24.S4, V25.S4, V26.S4, V27.S4]
	BFDOT_4S(8, 24, 16)
	BFDOT_4S(9, 25, 17)
	BFDOT_4S(8, 26, 18)
	BFDOT_4S(9, 27, 19)
	BFDOT_4S(10, 24, 20)
	BFDOT_4S(11, 25, 21)
	BFDOT_4S(10, 26, 22)
	BFDOT_4S(11, 27, 23)
	VLD1.P 64(R9), [V24.S4, V25.S4, V26.S4, V27.S4]
	BFDOT_4S(12, 24, 16)
	BFDOT_4S(13, 25, 17)
	BFDOT_4S(12, 26, 18)
	BFDOT_4S(13, 27, 19)
	BFDOT_4S(14, 24, 20)
	BFDOT_4S(15, 25, 21)
	BFDOT_4S(14, 26, 22)
	BFDOT_4S(15, 27, 23)
	SUBS $1, R4, R4
	BNE  fast42loop
fast42done:
	REDUCE(0, 1)
	FMOVS F0, 0(R5)
	REDUCE(2, 3)
	FMOVS F2, 4(R5)
	ADD R6, R5, R5
	REDUCE(4, 5)
	FMOVS F4, 0(R5)
	REDUCE(6, 7)
	FMOVS F6, 4(R5)
	ADD R6, R5, R5
	REDUCE(8, 9)
	FMOVS F8, 0(R5)
	REDUCE(10, 11)
	FMOVS F10, 4(R5)
	ADD R6, R5, R5
	REDUCE(12, 13)
	FMOVS F12, 0(R5)
	REDUCE(14, 15)
	FMOVS F14, 4(R5)
	RET

