//go:build arm64 && !purego

#include "textflag.h"
#include "neon_arm64.h"
#include "reduce_arm64.h"

// NEON kernels for int8 weights with f32 activations: Q8 (a scale per 32)
// and affine (K-quants: two scales and two offsets per 32), both in the
// Q8 layout (a block's 16 even-indexed weights, then its 16 odd-indexed).
// LD2 splits the activations into even and odd columns to match. Each
// weight is dequantized as the format defines it (int8 → f32, × scale,
// + offset: the same roundings as the Go specification), then multiplied
// in by FMLA into two accumulators per output (even columns, odd
// columns), block by block in the same order in every kernel, and summed
// by REDUCE: a row's result never depends on the tile (batch invariance).


// WIDEN16 turns the 16 int8 of register n into f32 in d0..d3 (t0, t1
// scratch).
#define WIDEN16(n, t0, t1, d0, d1, d2, d3) SXTL_8H(t0, n); SXTL2_8H(t1, n); SXTL_4S(d0, t0); SXTL2_4S(d1, t0); SXTL_4S(d2, t1); SXTL2_4S(d3, t1); SCVTF_4S(d0, d0); SCVTF_4S(d1, d1); SCVTF_4S(d2, d2); SCVTF_4S(d3, d3)

// The kernels are written once, as macros over the format: LOAD(p) takes
// a block's floats at p (and moves p past them) into the registers SCALE(a,
// b, c, d) reads to dequantize Va–Vd, a block's 16 even- or odd-indexed
// weights widened (affine: a, b, of the block's weights 0–15, with the
// first scale and offset; c, d, of 16–31, with the second). The four-row
// kernel keeps them in other registers (LOAD41, SCALE41).

#define Q8LOAD(p) FMOVS.P 4(p), F24; VDUP V24.S[0], V24.S4
#define Q8SCALE(a, b, c, d) FMUL_4S(a, a, 24); FMUL_4S(b, b, 24); FMUL_4S(c, c, 24); FMUL_4S(d, d, 24)
#define Q8LOAD41(p) FMOVS.P 4(p), F28; VDUP V28.S[0], V28.S4
#define Q8SCALE41(a, b, c, d) FMUL_4S(a, a, 28); FMUL_4S(b, b, 28); FMUL_4S(c, c, 28); FMUL_4S(d, d, 28)

// Affine blocks: {s0, s1, o0, o1}.
#define AFFLOAD(p) VLD1.P 16(p), [V28.S4]; VDUP V28.S[0], V24.S4; VDUP V28.S[1], V25.S4; VDUP V28.S[2], V26.S4; VDUP V28.S[3], V27.S4
#define AFFSCALE(a, b, c, d) FMUL_4S(a, a, 24); FADD_4S(a, a, 26); FMUL_4S(b, b, 24); FADD_4S(b, b, 26); FMUL_4S(c, c, 25); FADD_4S(c, c, 27); FMUL_4S(d, d, 25); FADD_4S(d, d, 27)
#define AFFLOAD41(p) VLD1.P 16(p), [V26.S4]; VDUP V26.S[0], V28.S4; VDUP V26.S[1], V29.S4; VDUP V26.S[2], V30.S4; VDUP V26.S[3], V31.S4
#define AFFSCALE41(a, b, c, d) FMUL_4S(a, a, 28); FADD_4S(a, a, 30); FMUL_4S(b, b, 28); FADD_4S(b, b, 30); FMUL_4S(c, c, 29); FADD_4S(c, c, 31); FMUL_4S(d, d, 29); FADD_4S(d, d, 31)

// K1X1(name, LOAD, SCALE): func(x *float32, q *int8, sc *float32, k int) float32
#define K1X1(name, LOAD, SCALE) \
TEXT name, NOSPLIT, $0-36 \
	MOVD x+0(FP), R0 \
	MOVD q+8(FP), R1 \
	MOVD sc+16(FP), R2 \
	MOVD k+24(FP), R3 \
	VEOR V0.B16, V0.B16, V0.B16 \
	VEOR V1.B16, V1.B16, V1.B16 \
	LSR $5, R3, R3 \
	CBZ R3, done \
loop: \
	VLD2.P 32(R0), [V8.S4, V9.S4] \
	VLD2.P 32(R0), [V10.S4, V11.S4] \
	VLD2.P 32(R0), [V12.S4, V13.S4] \
	VLD2.P 32(R0), [V14.S4, V15.S4] \
	VLD1.P 32(R1), [V16.B16, V17.B16] \
	LOAD(R2) \
	WIDEN16(16, 18, 19, 20, 21, 22, 23) \
	SCALE(20, 21, 22, 23) \
	VFMLA V20.S4, V8.S4, V0.S4 \
	VFMLA V21.S4, V10.S4, V0.S4 \
	VFMLA V22.S4, V12.S4, V0.S4 \
	VFMLA V23.S4, V14.S4, V0.S4 \
	WIDEN16(17, 18, 19, 20, 21, 22, 23) \
	SCALE(20, 21, 22, 23) \
	VFMLA V20.S4, V9.S4, V1.S4 \
	VFMLA V21.S4, V11.S4, V1.S4 \
	VFMLA V22.S4, V13.S4, V1.S4 \
	VFMLA V23.S4, V15.S4, V1.S4 \
	SUBS $1, R3, R3 \
	BNE loop \
done: \
	REDUCE(0, 1) \
	FMOVS F0, ret+32(FP) \
	RET

// K1X4ROW(LOAD, SCALE, w, s, lo, hi): one weight row's 32 int8 (at w) and
// its scales (at s, by LOAD/SCALE) against the 32 activations in V8–V15,
// into the row's two accumulators lo and hi (the activations' even and odd
// columns, as VLD2 split them).
#define K1X4ROW(LOAD, SCALE, w, s, lo, hi) \
	VLD1.P 32(w), [V16.B16, V17.B16] \
	LOAD(s) \
	WIDEN16(16, 18, 19, 20, 21, 22, 23) \
	SCALE(20, 21, 22, 23) \
	VFMLA V20.S4, V8.S4, lo.S4 \
	VFMLA V21.S4, V10.S4, lo.S4 \
	VFMLA V22.S4, V12.S4, lo.S4 \
	VFMLA V23.S4, V14.S4, lo.S4 \
	WIDEN16(17, 18, 19, 20, 21, 22, 23) \
	SCALE(20, 21, 22, 23) \
	VFMLA V20.S4, V9.S4, hi.S4 \
	VFMLA V21.S4, V11.S4, hi.S4 \
	VFMLA V22.S4, V13.S4, hi.S4 \
	VFMLA V23.S4, V15.S4, hi.S4

// K1X4(name, LOAD, SCALE): func(x *float32, q *int8, qs int, sc *float32, scs int, k int, out *float32, os int)
// One activation row against weight rows q + c·qs (their block floats at
// sc + c·scs); out[c·os]. Decode: four weight streams.
#define K1X4(name, LOAD, SCALE) \
TEXT name, NOSPLIT, $0-64 \
	MOVD x+0(FP), R0 \
	MOVD q+8(FP), R1 \
	MOVD qs+16(FP), R4 \
	MOVD sc+24(FP), R2 \
	MOVD scs+32(FP), R5 \
	LSL  $2, R5, R5 \
	MOVD k+40(FP), R3 \
	MOVD out+48(FP), R6 \
	MOVD os+56(FP), R7 \
	LSL  $2, R7, R7 \
	ADD  R1, R4, R8 \
	ADD  R8, R4, R9 \
	ADD  R9, R4, R10 \
	ADD  R2, R5, R11 \
	ADD  R11, R5, R12 \
	ADD  R12, R5, R13 \
	VEOR V0.B16, V0.B16, V0.B16 \
	VEOR V1.B16, V1.B16, V1.B16 \
	VEOR V2.B16, V2.B16, V2.B16 \
	VEOR V3.B16, V3.B16, V3.B16 \
	VEOR V4.B16, V4.B16, V4.B16 \
	VEOR V5.B16, V5.B16, V5.B16 \
	VEOR V6.B16, V6.B16, V6.B16 \
	VEOR V7.B16, V7.B16, V7.B16 \
	LSR $5, R3, R3 \
	CBZ R3, done \
loop: \
	VLD2.P 32(R0), [V8.S4, V9.S4] \
	VLD2.P 32(R0), [V10.S4, V11.S4] \
	VLD2.P 32(R0), [V12.S4, V13.S4] \
	VLD2.P 32(R0), [V14.S4, V15.S4] \
	K1X4ROW(LOAD, SCALE, R1, R2, V0, V1) \
	K1X4ROW(LOAD, SCALE, R8, R11, V2, V3) \
	K1X4ROW(LOAD, SCALE, R9, R12, V4, V5) \
	K1X4ROW(LOAD, SCALE, R10, R13, V6, V7) \
	SUBS $1, R3, R3 \
	BNE loop \
done: \
	REDUCE(0, 1) \
	FMOVS F0, (R6) \
	ADD R7, R6, R6 \
	REDUCE(2, 3) \
	FMOVS F2, (R6) \
	ADD R7, R6, R6 \
	REDUCE(4, 5) \
	FMOVS F4, (R6) \
	ADD R7, R6, R6 \
	REDUCE(6, 7) \
	FMOVS F6, (R6) \
	RET

// K4X1ROW(x, lo, hi): one activation row's 32 values (at x, split into
// even and odd columns by VLD2) against the weights in V16–V23, into the
// row's accumulators lo and hi.
#define K4X1ROW(x, lo, hi) \
	VLD2.P 32(x), [V8.S4, V9.S4] \
	VLD2.P 32(x), [V10.S4, V11.S4] \
	VLD2.P 32(x), [V12.S4, V13.S4] \
	VLD2.P 32(x), [V14.S4, V15.S4] \
	VFMLA V16.S4, V8.S4, lo.S4 \
	VFMLA V17.S4, V10.S4, lo.S4 \
	VFMLA V18.S4, V12.S4, lo.S4 \
	VFMLA V19.S4, V14.S4, lo.S4 \
	VFMLA V20.S4, V9.S4, hi.S4 \
	VFMLA V21.S4, V11.S4, hi.S4 \
	VFMLA V22.S4, V13.S4, hi.S4 \
	VFMLA V23.S4, V15.S4, hi.S4

// K4X1(name, LOAD, SCALE): func(x *float32, xs int, q *int8, sc *float32, k int, out *float32, os int)
// Activation rows x + r·xs against one weight row; out[r·os]. Prefill:
// the row's block dequantized once for four activation rows.
#define K4X1(name, LOAD, SCALE) \
TEXT name, NOSPLIT, $0-56 \
	MOVD x+0(FP), R0 \
	MOVD xs+8(FP), R4 \
	LSL  $2, R4, R4 \
	MOVD q+16(FP), R1 \
	MOVD sc+24(FP), R2 \
	MOVD k+32(FP), R3 \
	MOVD out+40(FP), R6 \
	MOVD os+48(FP), R7 \
	LSL  $2, R7, R7 \
	ADD  R0, R4, R8 \
	ADD  R8, R4, R9 \
	ADD  R9, R4, R10 \
	VEOR V0.B16, V0.B16, V0.B16 \
	VEOR V1.B16, V1.B16, V1.B16 \
	VEOR V2.B16, V2.B16, V2.B16 \
	VEOR V3.B16, V3.B16, V3.B16 \
	VEOR V4.B16, V4.B16, V4.B16 \
	VEOR V5.B16, V5.B16, V5.B16 \
	VEOR V6.B16, V6.B16, V6.B16 \
	VEOR V7.B16, V7.B16, V7.B16 \
	LSR $5, R3, R3 \
	CBZ R3, done \
loop: \
	VLD1.P 32(R1), [V24.B16, V25.B16] \
	LOAD(R2) \
	WIDEN16(24, 26, 27, 16, 17, 18, 19) \
	WIDEN16(25, 26, 27, 20, 21, 22, 23) \
	SCALE(16, 17, 18, 19) \
	SCALE(20, 21, 22, 23) \
	K4X1ROW(R0, V0, V1) \
	K4X1ROW(R8, V2, V3) \
	K4X1ROW(R9, V4, V5) \
	K4X1ROW(R10, V6, V7) \
	SUBS $1, R3, R3 \
	BNE loop \
done: \
	REDUCE(0, 1) \
	FMOVS F0, (R6) \
	ADD R7, R6, R6 \
	REDUCE(2, 3) \
	FMOVS F2, (R6) \
	ADD R7, R6, R6 \
	REDUCE(4, 5) \
	FMOVS F4, (R6) \
	ADD R7, R6, R6 \
	REDUCE(6, 7) \
	FMOVS F6, (R6) \
	RET

// func q8Dot1x1NEON(x *float32, q *int8, sc *float32, k int) float32
K1X1(·q8Dot1x1NEON(SB), Q8LOAD, Q8SCALE)

// func q8Dot1x4NEON(x *float32, q *int8, qs int, sc *float32, scs int, k int, out *float32, os int)
K1X4(·q8Dot1x4NEON(SB), Q8LOAD, Q8SCALE)

// func q8Dot4x1NEON(x *float32, xs int, q *int8, sc *float32, k int, out *float32, os int)
K4X1(·q8Dot4x1NEON(SB), Q8LOAD41, Q8SCALE41)

// func affineDot1x1NEON(x *float32, q *int8, sc *float32, k int) float32
K1X1(·affineDot1x1NEON(SB), AFFLOAD, AFFSCALE)

// func affineDot1x4NEON(x *float32, q *int8, qs int, sc *float32, scs int, k int, out *float32, os int)
K1X4(·affineDot1x4NEON(SB), AFFLOAD, AFFSCALE)

// func affineDot4x1NEON(x *float32, xs int, q *int8, sc *float32, k int, out *float32, os int)
K4X1(·affineDot4x1NEON(SB), AFFLOAD41, AFFSCALE41)
