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

// Each tile is written once, as a macro, for both tiers, over CHUNK(a0,
// a1, h, l, w): one output's products of a chunk, its four high-half
// registers from Vh on (low halves from Vl on) against its four weight
// registers from Vw on, into accumulators Va0 and Va1; LOLOAD(p, …) loads
// the low halves (the exact tier; NOLO, nothing, in the fast tier).
#define EXACTCHUNK(a0, a1, h, l, w) BFDOT_4S(a0, h, w); BFDOT_4S(a1, l, w); BFDOT_4S(a0, h+1, w+1); BFDOT_4S(a1, l+1, w+1); BFDOT_4S(a0, h+2, w+2); BFDOT_4S(a1, l+2, w+2); BFDOT_4S(a0, h+3, w+3); BFDOT_4S(a1, l+3, w+3)
#define FASTCHUNK(a0, a1, h, l, w) BFDOT_4S(a0, h, w); BFDOT_4S(a1, h+1, w+1); BFDOT_4S(a0, h+2, w+2); BFDOT_4S(a1, h+3, w+3)
#define LOLOAD(p, a, b, c, d) VLD1.P 64(p), [a.S4, b.S4, c.S4, d.S4]
#define NOLO(p, a, b, c, d)

// BFD1X1(name, CHUNK, LOLOAD): func(x *uint32, w *uint16, chunks int) float32
#define BFD1X1(name, CHUNK, LOLOAD) \
TEXT name, NOSPLIT, $0-28 \
	MOVD x+0(FP), R0 \
	MOVD w+8(FP), R1 \
	MOVD chunks+16(FP), R2 \
	VEOR V0.B16, V0.B16, V0.B16 \
	VEOR V1.B16, V1.B16, V1.B16 \
	CBZ R2, done \
loop: \
	VLD1.P 64(R1), [V10.H8, V11.H8, V12.H8, V13.H8] \
	VLD1.P 64(R0), [V2.S4, V3.S4, V4.S4, V5.S4] \
	LOLOAD(R0, V6, V7, V8, V9) \
	CHUNK(0, 1, 2, 6, 10) \
	SUBS $1, R2, R2 \
	BNE loop \
done: \
	REDUCE(0, 1) \
	FMOVS F0, ret+24(FP) \
	RET

// BFD1X4(name, CHUNK, LOLOAD): func(x *uint32, w *uint16, k int, chunks int, q int, out *float32)
// One activation row against weight rows c·q + i (c < 4, i < q) of width
// k at w; out[c·q + i]. Decode: the four quarters stream side by side.
#define BFD1X4(name, CHUNK, LOLOAD) \
TEXT name, NOSPLIT, $0-48 \
	MOVD x+0(FP), R0 \
	MOVD w+8(FP), R7 \
	MOVD k+16(FP), R2 \
	LSL  $1, R2, R2 \
	MOVD chunks+24(FP), R3 \
	MOVD q+32(FP), R4 \
	MOVD out+40(FP), R14 \
	MUL  R4, R2, R6 \
	LSL  $2, R4, R15 \
	CBZ  R4, end \
row: \
	MOVD R7, R8 \
	ADD  R8, R6, R9 \
	ADD  R9, R6, R10 \
	ADD  R10, R6, R11 \
	MOVD R0, R12 \
	MOVD R3, R13 \
	VEOR V0.B16, V0.B16, V0.B16 \
	VEOR V1.B16, V1.B16, V1.B16 \
	VEOR V2.B16, V2.B16, V2.B16 \
	VEOR V3.B16, V3.B16, V3.B16 \
	VEOR V4.B16, V4.B16, V4.B16 \
	VEOR V5.B16, V5.B16, V5.B16 \
	VEOR V6.B16, V6.B16, V6.B16 \
	VEOR V7.B16, V7.B16, V7.B16 \
	CBZ R13, done \
loop: \
	VLD1.P 64(R12), [V8.S4, V9.S4, V10.S4, V11.S4] \
	LOLOAD(R12, V12, V13, V14, V15) \
	VLD1.P 64(R8), [V16.H8, V17.H8, V18.H8, V19.H8] \
	VLD1.P 64(R9), [V20.H8, V21.H8, V22.H8, V23.H8] \
	VLD1.P 64(R10), [V24.H8, V25.H8, V26.H8, V27.H8] \
	VLD1.P 64(R11), [V28.H8, V29.H8, V30.H8, V31.H8] \
	CHUNK(0, 1, 8, 12, 16) \
	CHUNK(2, 3, 8, 12, 20) \
	CHUNK(4, 5, 8, 12, 24) \
	CHUNK(6, 7, 8, 12, 28) \
	SUBS $1, R13, R13 \
	BNE  loop \
done: \
	ADD  R14, R15, R19 \
	ADD  R19, R15, R20 \
	ADD  R20, R15, R21 \
	REDUCE(0, 1) \
	FMOVS F0, (R14) \
	REDUCE(2, 3) \
	FMOVS F2, (R19) \
	REDUCE(4, 5) \
	FMOVS F4, (R20) \
	REDUCE(6, 7) \
	FMOVS F6, (R21) \
	ADD  R2, R7, R7 \
	ADD  $4, R14, R14 \
	SUBS $1, R4, R4 \
	BNE  row \
end: \
	RET

// BFD4X2(name, CHUNK, LOLOAD): func(x *uint32, xs int, w *uint16, ws int, chunks int, out *float32, os int)
// Activation rows x + r·xs (dwords) against weight rows w + c·ws
// (elements), c < 2; out[r·os + c]. Prefill: sixteen accumulators.
#define BFD4X2(name, CHUNK, LOLOAD) \
TEXT name, NOSPLIT, $0-56 \
	MOVD x+0(FP), R0 \
	MOVD xs+8(FP), R1 \
	LSL  $2, R1, R1 \
	MOVD w+16(FP), R2 \
	MOVD ws+24(FP), R3 \
	LSL  $1, R3, R3 \
	MOVD chunks+32(FP), R4 \
	MOVD out+40(FP), R5 \
	MOVD os+48(FP), R6 \
	LSL  $2, R6, R6 \
	ADD  R0, R1, R7 \
	ADD  R7, R1, R8 \
	ADD  R8, R1, R9 \
	ADD  R2, R3, R10 \
	VEOR V0.B16, V0.B16, V0.B16 \
	VEOR V1.B16, V1.B16, V1.B16 \
	VEOR V2.B16, V2.B16, V2.B16 \
	VEOR V3.B16, V3.B16, V3.B16 \
	VEOR V4.B16, V4.B16, V4.B16 \
	VEOR V5.B16, V5.B16, V5.B16 \
	VEOR V6.B16, V6.B16, V6.B16 \
	VEOR V7.B16, V7.B16, V7.B16 \
	VEOR V8.B16, V8.B16, V8.B16 \
	VEOR V9.B16, V9.B16, V9.B16 \
	VEOR V10.B16, V10.B16, V10.B16 \
	VEOR V11.B16, V11.B16, V11.B16 \
	VEOR V12.B16, V12.B16, V12.B16 \
	VEOR V13.B16, V13.B16, V13.B16 \
	VEOR V14.B16, V14.B16, V14.B16 \
	VEOR V15.B16, V15.B16, V15.B16 \
	CBZ R4, done \
loop: \
	VLD1.P 64(R2), [V16.H8, V17.H8, V18.H8, V19.H8] \
	VLD1.P 64(R10), [V20.H8, V21.H8, V22.H8, V23.H8] \
	VLD1.P 64(R0), [V24.S4, V25.S4, V26.S4, V27.S4] \
	LOLOAD(R0, V28, V29, V30, V31) \
	CHUNK(0, 1, 24, 28, 16) \
	CHUNK(2, 3, 24, 28, 20) \
	VLD1.P 64(R7), [V24.S4, V25.S4, V26.S4, V27.S4] \
	LOLOAD(R7, V28, V29, V30, V31) \
	CHUNK(4, 5, 24, 28, 16) \
	CHUNK(6, 7, 24, 28, 20) \
	VLD1.P 64(R8), [V24.S4, V25.S4, V26.S4, V27.S4] \
	LOLOAD(R8, V28, V29, V30, V31) \
	CHUNK(8, 9, 24, 28, 16) \
	CHUNK(10, 11, 24, 28, 20) \
	VLD1.P 64(R9), [V24.S4, V25.S4, V26.S4, V27.S4] \
	LOLOAD(R9, V28, V29, V30, V31) \
	CHUNK(12, 13, 24, 28, 16) \
	CHUNK(14, 15, 24, 28, 20) \
	SUBS $1, R4, R4 \
	BNE  loop \
done: \
	REDUCE(0, 1) \
	FMOVS F0, 0(R5) \
	REDUCE(2, 3) \
	FMOVS F2, 4(R5) \
	ADD R6, R5, R5 \
	REDUCE(4, 5) \
	FMOVS F4, 0(R5) \
	REDUCE(6, 7) \
	FMOVS F6, 4(R5) \
	ADD R6, R5, R5 \
	REDUCE(8, 9) \
	FMOVS F8, 0(R5) \
	REDUCE(10, 11) \
	FMOVS F10, 4(R5) \
	ADD R6, R5, R5 \
	REDUCE(12, 13) \
	FMOVS F12, 0(R5) \
	REDUCE(14, 15) \
	FMOVS F14, 4(R5) \
	RET

// func bfdExact1x1(x *uint32, w *uint16, chunks int) float32
BFD1X1(·bfdExact1x1(SB), EXACTCHUNK, LOLOAD)

// func bfdFast1x1(x *uint32, w *uint16, chunks int) float32
BFD1X1(·bfdFast1x1(SB), FASTCHUNK, NOLO)

// func bfdExact1x4(x *uint32, w *uint16, k int, chunks int, q int, out *float32)
BFD1X4(·bfdExact1x4(SB), EXACTCHUNK, LOLOAD)

// func bfdFast1x4(x *uint32, w *uint16, k int, chunks int, q int, out *float32)
BFD1X4(·bfdFast1x4(SB), FASTCHUNK, NOLO)

// func bfdExact4x2(x *uint32, xs int, w *uint16, ws int, chunks int, out *float32, os int)
BFD4X2(·bfdExact4x2(SB), EXACTCHUNK, LOLOAD)

// func bfdFast4x2(x *uint32, xs int, w *uint16, ws int, chunks int, out *float32, os int)
BFD4X2(·bfdFast4x2(SB), FASTCHUNK, NOLO)
