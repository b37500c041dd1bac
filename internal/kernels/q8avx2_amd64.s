//go:build amd64 && !purego

#include "textflag.h"
#include "ymm_amd64.h"

// int8 and affine int8 kernels for the AVX2 family. Activations are
// deinterleaved as for the AVX-512 kernels (per 32: 16 even-indexed, then
// 16 odd-indexed), so a block's four 8-weight chunks — even 0–7, even
// 8–15, odd 0–7, odd 8–15 — meet x at +0, +32, +64, +96 bytes. A chunk's
// weights are widened and scaled (int8: q·s; affine: q·s + o, chunks 0 and
// 2 with the block's first scale and offset, 1 and 3 with the second) and
// fused-multiply-added, chunk after chunk, into one 8-lane accumulator per
// output, which REDUCE8 sums at the end. Every kernel does exactly this, so
// a row's result does not depend on the tile that computed it; one
// accumulator per output is what lets the prefill tile hold twelve.
//
// All take (x, xs, q, qs, a, as, k, out, os): activation rows x + r·xs
// (floats), weight rows q + c·qs (bytes), their block scales (or affine
// floats) a + c·as (floats), k a multiple of 32, out[r·os + c] (out[c·os]
// for the one-row, four-weight-row kernel: decode's quarters).

// REDUCE8 sums the 8 lanes of y into the low lane of x (xt scratch).
#define REDUCE8(y, x, xt) \
	VEXTRACTF128 $1, y, xt \
	VADDPS       xt, x, x \
	VHADDPS      x, x, x \
	VHADDPS      x, x, x


// INT8x8 widens the 8 int8 at p to float32 in y, times the scale at s.
#define INT8x8(p, s, y) \
	VPMOVSXBD    p, y \
	VCVTDQ2PS    y, y \
	VBROADCASTSS s, Y15 \
	VMULPS       Y15, y, y

// AFFINE8 widens the 8 int8 at p to float32 in y, times the scale at s,
// plus the offset at o (two roundings).
#define AFFINE8(p, s, o, y) \
	VPMOVSXBD    p, y \
	VCVTDQ2PS    y, y \
	VBROADCASTSS s, Y15 \
	VMULPS       Y15, y, y \
	VBROADCASTSS o, Y15 \
	VADDPS       Y15, y, y

// The kernels are written once, as macros over the chunk widening (int8:
// INT8x8 for every chunk, with the block's one scale): W0 for
// a block's chunks 0 and 2, W1 for 1 and 3, each W(p, s, y) widening the
// 8 int8 at p with the scales (or affine floats) of its weight row at s
// into y; SSTEP is the bytes of a block's scales (or affine floats).

// KTARGS: a kernel's arguments (x, xs, q, qs, a, as) into SI, DX (bytes),
// DI, CX, AX, BX (bytes); R14 three times BX. KTOUT: out and os (bytes)
// into DX and CX.
#define KTARGS \
	MOVQ x+0(FP), SI \
	MOVQ xs+8(FP), DX \
	SHLQ $2, DX \
	MOVQ q+16(FP), DI \
	MOVQ qs+24(FP), CX \
	MOVQ a+32(FP), AX \
	MOVQ as+40(FP), BX \
	SHLQ $2, BX \
	LEAQ (BX)(BX*2), R14

#define KTOUT \
	MOVQ out+56(FP), DX \
	MOVQ os+64(FP), CX \
	SHLQ $2, CX

// The tiles' steps, by the chunk (W: W0 or W1; wo its weights' offset in
// the block, xo its activations'): CHUNK1X4 widens the chunk of four
// weight rows (Y4–Y7) against one activation row into Y0–Y3; CHUNK4X1 one
// weight row (Y4) against four activation rows; CHUNK4X3 three weight rows
// (Y12–Y14) against four activation rows into Y0–Y11, row r's in
// Y3r…Y3r+2.
#define CHUNK1X4(W, wo, xo) \
	W(wo(DI), (AX), Y4) \
	W(wo(R11), (AX)(BX*1), Y5) \
	W(wo(R12), (AX)(BX*2), Y6) \
	W(wo(R13), (AX)(R14*1), Y7) \
	VFMADD231PS xo(SI), Y4, Y0 \
	VFMADD231PS xo(SI), Y5, Y1 \
	VFMADD231PS xo(SI), Y6, Y2 \
	VFMADD231PS xo(SI), Y7, Y3

#define CHUNK4X1(W, wo, xo) \
	W(wo(DI), (AX), Y4) \
	VFMADD231PS xo(SI), Y4, Y0 \
	VFMADD231PS xo(R8), Y4, Y1 \
	VFMADD231PS xo(R9), Y4, Y2 \
	VFMADD231PS xo(R10), Y4, Y3

// ROW4X3(xo, r, a, b, c): activation row r's chunk at xo against Y12–Y14
// into a, b, c.
#define ROW4X3(xo, r, a, b, c) \
	VFMADD231PS xo(r), Y12, a \
	VFMADD231PS xo(r), Y13, b \
	VFMADD231PS xo(r), Y14, c

#define CHUNK4X3(W, wo, xo) \
	W(wo(DI), (AX), Y12) \
	W(wo(R11), (AX)(BX*1), Y13) \
	W(wo(R12), (AX)(BX*2), Y14) \
	ROW4X3(xo, SI, Y0, Y1, Y2) \
	ROW4X3(xo, R8, Y3, Y4, Y5) \
	ROW4X3(xo, R9, Y6, Y7, Y8) \
	ROW4X3(xo, R10, Y9, Y10, Y11)

// OUT1(y, x): y's sum to out (DX), then DX on a row (CX bytes); OUT3: three
// sums to a row's three outputs.
#define OUT1(y, x) \
	REDUCE8(y, x, X15) \
	MOVSS x, 0(DX) \
	ADDQ CX, DX

#define OUT3(y0, x0, y1, x1, y2, x2) \
	REDUCE8(y0, x0, X15) \
	MOVSS x0, 0(DX) \
	REDUCE8(y1, x1, X15) \
	MOVSS x1, 4(DX) \
	REDUCE8(y2, x2, X15) \
	MOVSS x2, 8(DX)

// KT1X1(name, W0, W1, SSTEP): func(x *float32, xs int, q *int8, qs int, a *float32, as int, k int, out *float32, os int)
// One activation row against one weight row.
#define KT1X1(name, W0, W1, SSTEP) \
TEXT name, NOSPLIT, $0-72 \
	KTARGS \
	MOVQ k+48(FP), CX \
	VXORPS Y0, Y0, Y0 \
	SHRQ $5, CX \
	JZ   done \
loop: \
	W0((DI), (AX), Y1) \
	VFMADD231PS (SI), Y1, Y0 \
	W1(8(DI), (AX), Y1) \
	VFMADD231PS 32(SI), Y1, Y0 \
	W0(16(DI), (AX), Y1) \
	VFMADD231PS 64(SI), Y1, Y0 \
	W1(24(DI), (AX), Y1) \
	VFMADD231PS 96(SI), Y1, Y0 \
	ADDQ $32, DI \
	ADDQ $128, SI \
	ADDQ $SSTEP, AX \
	DECQ CX \
	JNZ  loop \
done: \
	KTOUT \
	REDUCE8(Y0, X0, X15) \
	MOVSS X0, 0(DX) \
	VZEROUPPER \
	RET

// KT1X4(name, W0, W1, SSTEP): func(x *float32, xs int, q *int8, qs int, a *float32, as int, k int, out *float32, os int)
// One activation row against four weight rows qs bytes apart (decode's quarters); output c at out + c·os floats.
// (R14 at the end: three times os, the last output's distance.)
#define KT1X4(name, W0, W1, SSTEP) \
TEXT name, NOSPLIT, $0-72 \
	KTARGS \
	LEAQ (DI)(CX*1), R11 \
	LEAQ (R11)(CX*1), R12 \
	LEAQ (R12)(CX*1), R13 \
	MOVQ k+48(FP), CX \
	VXORPS Y0, Y0, Y0 \
	VXORPS Y1, Y1, Y1 \
	VXORPS Y2, Y2, Y2 \
	VXORPS Y3, Y3, Y3 \
	SHRQ $5, CX \
	JZ   done \
loop: \
	CHUNK1X4(W0, 0, 0) \
	CHUNK1X4(W1, 8, 32) \
	CHUNK1X4(W0, 16, 64) \
	CHUNK1X4(W1, 24, 96) \
	ADDQ $32, DI \
	ADDQ $32, R11 \
	ADDQ $32, R12 \
	ADDQ $32, R13 \
	ADDQ $128, SI \
	ADDQ $SSTEP, AX \
	DECQ CX \
	JNZ  loop \
done: \
	KTOUT \
	LEAQ (CX)(CX*2), R14 \
	REDUCE8(Y0, X0, X15) \
	MOVSS X0, (DX) \
	REDUCE8(Y1, X1, X15) \
	MOVSS X1, (DX)(CX*1) \
	REDUCE8(Y2, X2, X15) \
	MOVSS X2, (DX)(CX*2) \
	REDUCE8(Y3, X3, X15) \
	MOVSS X3, (DX)(R14*1) \
	VZEROUPPER \
	RET

// KT4X1(name, W0, W1, SSTEP): func(x *float32, xs int, q *int8, qs int, a *float32, as int, k int, out *float32, os int)
// Four activation rows against one weight row; output r at out + r·os floats.
#define KT4X1(name, W0, W1, SSTEP) \
TEXT name, NOSPLIT, $0-72 \
	KTARGS \
	LEAQ (SI)(DX*1), R8 \
	LEAQ (R8)(DX*1), R9 \
	LEAQ (R9)(DX*1), R10 \
	MOVQ k+48(FP), CX \
	VXORPS Y0, Y0, Y0 \
	VXORPS Y1, Y1, Y1 \
	VXORPS Y2, Y2, Y2 \
	VXORPS Y3, Y3, Y3 \
	SHRQ $5, CX \
	JZ   done \
loop: \
	CHUNK4X1(W0, 0, 0) \
	CHUNK4X1(W1, 8, 32) \
	CHUNK4X1(W0, 16, 64) \
	CHUNK4X1(W1, 24, 96) \
	ADDQ $32, DI \
	ADDQ $128, SI \
	ADDQ $128, R8 \
	ADDQ $128, R9 \
	ADDQ $128, R10 \
	ADDQ $SSTEP, AX \
	DECQ CX \
	JNZ  loop \
done: \
	KTOUT \
	OUT1(Y0, X0) \
	OUT1(Y1, X1) \
	OUT1(Y2, X2) \
	REDUCE8(Y3, X3, X15) \
	MOVSS X3, 0(DX) \
	VZEROUPPER \
	RET

// KT4X3(name, W0, W1, SSTEP): func(x *float32, xs int, q *int8, qs int, a *float32, as int, k int, out *float32, os int)
// Four activation rows against three weight rows (prefill); out[r·os + c].
#define KT4X3(name, W0, W1, SSTEP) \
TEXT name, NOSPLIT, $0-72 \
	KTARGS \
	LEAQ (SI)(DX*1), R8 \
	LEAQ (R8)(DX*1), R9 \
	LEAQ (R9)(DX*1), R10 \
	LEAQ (DI)(CX*1), R11 \
	LEAQ (R11)(CX*1), R12 \
	MOVQ k+48(FP), CX \
	ZEROY8 \
	VXORPS Y8, Y8, Y8 \
	VXORPS Y9, Y9, Y9 \
	VXORPS Y10, Y10, Y10 \
	VXORPS Y11, Y11, Y11 \
	SHRQ $5, CX \
	JZ   done \
loop: \
	CHUNK4X3(W0, 0, 0) \
	CHUNK4X3(W1, 8, 32) \
	CHUNK4X3(W0, 16, 64) \
	CHUNK4X3(W1, 24, 96) \
	ADDQ $32, DI \
	ADDQ $32, R11 \
	ADDQ $32, R12 \
	ADDQ $128, SI \
	ADDQ $128, R8 \
	ADDQ $128, R9 \
	ADDQ $128, R10 \
	ADDQ $SSTEP, AX \
	DECQ CX \
	JNZ  loop \
done: \
	KTOUT \
	OUT3(Y0, X0, Y1, X1, Y2, X2) \
	ADDQ CX, DX \
	OUT3(Y3, X3, Y4, X4, Y5, X5) \
	ADDQ CX, DX \
	OUT3(Y6, X6, Y7, X7, Y8, X8) \
	ADDQ CX, DX \
	OUT3(Y9, X9, Y10, X10, Y11, X11) \
	VZEROUPPER \
	RET

// AFFW0, AFFW1: an affine chunk, 0 and 2 with the block's first scale and
// offset ({s0, s1, o0, o1} a block), 1 and 3 with the second.
#define AFFW0(p, s, y) AFFINE8(p, s, 8 s, y)
#define AFFW1(p, s, y) AFFINE8(p, 4 s, 12 s, y)

// func q8T1x1AVX2(x *float32, xs int, q *int8, qs int, a *float32, as int, k int, out *float32, os int)
KT1X1(·q8T1x1AVX2(SB), INT8x8, INT8x8, 4)

// func q8T1x4AVX2(x *float32, xs int, q *int8, qs int, a *float32, as int, k int, out *float32, os int)
KT1X4(·q8T1x4AVX2(SB), INT8x8, INT8x8, 4)

// func q8T4x1AVX2(x *float32, xs int, q *int8, qs int, a *float32, as int, k int, out *float32, os int)
KT4X1(·q8T4x1AVX2(SB), INT8x8, INT8x8, 4)

// func q8T4x3AVX2(x *float32, xs int, q *int8, qs int, a *float32, as int, k int, out *float32, os int)
KT4X3(·q8T4x3AVX2(SB), INT8x8, INT8x8, 4)

// func affT1x1AVX2(x *float32, xs int, q *int8, qs int, a *float32, as int, k int, out *float32, os int)
KT1X1(·affT1x1AVX2(SB), AFFW0, AFFW1, 16)

// func affT1x4AVX2(x *float32, xs int, q *int8, qs int, a *float32, as int, k int, out *float32, os int)
KT1X4(·affT1x4AVX2(SB), AFFW0, AFFW1, 16)

// func affT4x1AVX2(x *float32, xs int, q *int8, qs int, a *float32, as int, k int, out *float32, os int)
KT4X1(·affT4x1AVX2(SB), AFFW0, AFFW1, 16)

// func affT4x3AVX2(x *float32, xs int, q *int8, qs int, a *float32, as int, k int, out *float32, os int)
KT4X3(·affT4x3AVX2(SB), AFFW0, AFFW1, 16)
