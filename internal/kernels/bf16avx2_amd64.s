//go:build amd64 && !purego

#include "textflag.h"
#include "rx4_amd64.h"
#include "ymm_amd64.h"

// AVX2 bf16 kernels. Every dot, in every kernel, accumulates in one 8-lane
// register per output, eight columns a step (bf16 widened by
// zero-extension and a 16-bit shift), and ends in REDUCE8: a row's result
// is the same whichever kernel computed it (batch invariance). One
// accumulator per output is what lets the prefill tile hold twelve.

// REDUCE8 sums the 8 lanes of y into the low lane of x (xt scratch).
#define REDUCE8(y, x, xt) \
	VEXTRACTF128 $1, y, xt \
	VADDPS       xt, x, x \
	VHADDPS      x, x, x \
	VHADDPS      x, x, x

// WIDEN8 loads 8 bf16 at p as float32 into y.
#define WIDEN8(p, y) \
	VPMOVZXWD p, y \
	VPSLLD    $16, y, y

// W4WIDEN(o): eight columns of the four weight rows at byte offset AX+o,
// widened into Y12–Y15.
#define W4WIDEN(o) \
	WIDEN8(o(DI)(AX*1), Y12) \
	WIDEN8(o(R11)(AX*1), Y13) \
	WIDEN8(o(R12)(AX*1), Y14) \
	WIDEN8(o(R13)(AX*1), Y15)

// W4FMA(xp, a0, a1, a2, a3): the activations at xp times the widened
// weight rows, into one accumulator per weight row.
#define W4FMA(xp, a0, a1, a2, a3) \
	VFMADD231PS xp, Y12, a0 \
	VFMADD231PS xp, Y13, a1 \
	VFMADD231PS xp, Y14, a2 \
	VFMADD231PS xp, Y15, a3

// W2X4STEP(o) and W3X4STEP(o): W4STEP for two and three activation rows
// (SI, R8, R9) at once: the weights are widened once for all of them.
#define W2X4STEP(o) \
	W4WIDEN(o) \
	W4FMA((2*o)(SI)(AX*2), Y0, Y1, Y2, Y3) \
	W4FMA((2*o)(R8)(AX*2), Y4, Y5, Y6, Y7)
#define W3X4STEP(o) \
	W2X4STEP(o) \
	W4FMA((2*o)(R9)(AX*2), Y8, Y9, Y10, Y11)

// WNX4(step, zero, stores): the body of the two- and three-row kernels
// below (arguments: RX4ARGS): activation rows x + r·xs against weight rows
// w + c·ws, out[4r+c]; n a multiple of 8. Batched decode of two or three
// sequences: one pass over the weights where the one-row kernel
// (dotBF16q4AVX2) takes a pass a row, each output's steps in its order.
#define WNX4(step, zero, stores) \
	RX4ARGS \
	zero \
	XORQ AX, AX \
	SHRQ $3, CX \
	JZ   done \
	SHRQ $1, CX \
	JZ   last \
loop: \
	step(0) \
	step(16) \
	ADDQ $32, AX \
	DECQ CX \
	JNZ  loop \
	TESTQ $8, n+32(FP) \
	JZ    done \
last: \
	step(0) \
done: \
	stores \
	VZEROUPPER \
	RET

// STOREY(i, y, x): the dot in y (reduced in x, X12 scratch) to out[i].
#define STOREY(i, y, x) \
	REDUCE8(y, x, X12) \
	MOVSS x, (4*i)(DX)

#define STORE2X4 \
	STOREY(0, Y0, X0) \
	STOREY(1, Y1, X1) \
	STOREY(2, Y2, X2) \
	STOREY(3, Y3, X3) \
	STOREY(4, Y4, X4) \
	STOREY(5, Y5, X5) \
	STOREY(6, Y6, X6) \
	STOREY(7, Y7, X7)

#define ZERO3X4 \
	ZEROY8 \
	VXORPS Y8, Y8, Y8 \
	VXORPS Y9, Y9, Y9 \
	VXORPS Y10, Y10, Y10 \
	VXORPS Y11, Y11, Y11

#define STORE3X4 \
	STORE2X4 \
	STOREY(8, Y8, X8) \
	STOREY(9, Y9, X9) \
	STOREY(10, Y10, X10) \
	STOREY(11, Y11, X11)

// func dotBF16AVX2(x *float32, w *uint16, n int) float32
// n a multiple of 8.
TEXT ·dotBF16AVX2(SB), NOSPLIT, $0-28
	MOVQ x+0(FP), SI
	MOVQ w+8(FP), DI
	MOVQ n+16(FP), CX
	VXORPS Y0, Y0, Y0
	SHRQ $3, CX
	JZ   d1done
d1loop:
	WIDEN8((DI), Y1)
	VFMADD231PS (SI), Y1, Y0
	ADDQ $16, DI
	ADDQ $32, SI
	DECQ CX
	JNZ  d1loop
d1done:
	REDUCE8(Y0, X0, X1)
	VZEROUPPER
	MOVSS X0, ret+24(FP)
	RET

// func dotBF16x4AVX2(x *float32, stride int, w *uint16, n int, out *float32)
// One weight row against activation rows x + r·stride (stride in floats);
// out[r]. n a multiple of 8.
TEXT ·dotBF16x4AVX2(SB), NOSPLIT, $0-40
	MOVQ x+0(FP), SI
	MOVQ stride+8(FP), BX
	SHLQ $2, BX
	MOVQ w+16(FP), DI
	MOVQ n+24(FP), CX
	MOVQ out+32(FP), DX
	LEAQ (SI)(BX*1), R8
	LEAQ (R8)(BX*1), R9
	LEAQ (R9)(BX*1), R10
	VXORPS Y0, Y0, Y0
	VXORPS Y1, Y1, Y1
	VXORPS Y2, Y2, Y2
	VXORPS Y3, Y3, Y3
	SHRQ $3, CX
	JZ   x4done
x4loop:
	WIDEN8((DI), Y8)
	VFMADD231PS (SI), Y8, Y0
	VFMADD231PS (R8), Y8, Y1
	VFMADD231PS (R9), Y8, Y2
	VFMADD231PS (R10), Y8, Y3
	ADDQ $16, DI
	ADDQ $32, SI
	ADDQ $32, R8
	ADDQ $32, R9
	ADDQ $32, R10
	DECQ CX
	JNZ  x4loop
x4done:
	REDUCE8(Y0, X0, X8)
	MOVSS X0, (DX)
	REDUCE8(Y1, X1, X8)
	MOVSS X1, 4(DX)
	REDUCE8(Y2, X2, X8)
	MOVSS X2, 8(DX)
	REDUCE8(Y3, X3, X8)
	MOVSS X3, 12(DX)
	VZEROUPPER
	RET

// W4STEP(o): eight columns of the four rows at byte offset AX+o (the
// activations at 2·(AX+o)) into their accumulators Y0–Y3.
#define W4STEP(o) \
	VMOVUPS     (2*o)(SI)(AX*2), Y8 \
	WIDEN8(o(DI)(AX*1), Y9) \
	WIDEN8(o(R11)(AX*1), Y10) \
	WIDEN8(o(R12)(AX*1), Y11) \
	WIDEN8(o(R13)(AX*1), Y12) \
	VFMADD231PS Y8, Y9, Y0 \
	VFMADD231PS Y8, Y10, Y1 \
	VFMADD231PS Y8, Y11, Y2 \
	VFMADD231PS Y8, Y12, Y3

// func dotBF16q4AVX2(x *float32, w *uint16, k int, n int, q int, out *float32)
// One activation row against a whole range of weight rows in one call, as
// the avx512bf16 family's one-row tiles: tile i (q of them) takes rows i,
// q+i, 2q+i, 3q+i of w (rows of k elements) into out[i + c·q]; n (a
// multiple of 8, at most k) columns of each. Decode: four FMA chains where
// one row has one, the rows read at one offset (AX, bytes of bf16; the
// activations at twice it) and two steps a pass, so that a cache line of
// weights costs fewer instructions and more of them are in flight from
// memory at once; the four streams run on through consecutive rows with
// no call between tiles (a Go call a tile had kept decode at 81–88% of
// the read rate on Zen 4).
TEXT ·dotBF16q4AVX2(SB), NOSPLIT, $0-48
	MOVQ x+0(FP), SI
	MOVQ w+8(FP), DI
	MOVQ k+16(FP), R14
	SHLQ $1, R14 // a row's bytes: the next tile's rows
	MOVQ q+32(FP), R10
	MOVQ R10, BX
	IMULQ R14, BX // between a tile's rows
	MOVQ R10, R9
	SHLQ $2, R9 // between a tile's outputs
	MOVQ out+40(FP), DX
	LEAQ (DI)(BX*1), R11
	LEAQ (R11)(BX*1), R12
	LEAQ (R12)(BX*1), R13
	TESTQ R10, R10
	JZ    q4end
q4tile:
	VXORPS Y0, Y0, Y0
	VXORPS Y1, Y1, Y1
	VXORPS Y2, Y2, Y2
	VXORPS Y3, Y3, Y3
	XORQ AX, AX
	MOVQ n+24(FP), CX
	SHRQ $3, CX
	JZ   q4done
	SHRQ $1, CX // pairs of steps
	JZ   q4last
q4loop:
	W4STEP(0)
	W4STEP(16)
	ADDQ $32, AX
	DECQ CX
	JNZ  q4loop
	TESTQ $8, n+24(FP)
	JZ    q4done
q4last:
	W4STEP(0)
q4done:
	REDUCE8(Y0, X0, X8)
	MOVSS X0, (DX)
	REDUCE8(Y1, X1, X8)
	MOVSS X1, (DX)(R9*1)
	LEAQ (DX)(R9*2), R15
	REDUCE8(Y2, X2, X8)
	MOVSS X2, (R15)
	REDUCE8(Y3, X3, X8)
	MOVSS X3, (R15)(R9*1)
	ADDQ R14, DI
	ADDQ R14, R11
	ADDQ R14, R12
	ADDQ R14, R13
	ADDQ $4, DX
	DECQ R10
	JNZ  q4tile
q4end:
	VZEROUPPER
	RET

// func dotBF16t2x4AVX2(x *float32, xs int, w *uint16, ws int, n int, out *float32)
TEXT ·dotBF16t2x4AVX2(SB), NOSPLIT, $0-48
	WNX4(W2X4STEP, ZEROY8, STORE2X4)

// func dotBF16t3x4AVX2(x *float32, xs int, w *uint16, ws int, n int, out *float32)
TEXT ·dotBF16t3x4AVX2(SB), NOSPLIT, $0-48
	WNX4(W3X4STEP, ZERO3X4, STORE3X4)

// X3FMA(xp, a0, a1, a2): the activations at xp (into Y15) times the three
// widened weight vectors Y12–Y14, into a0–a2.
#define X3FMA(xp, a0, a1, a2) \
	VMOVUPS     xp, Y15 \
	VFMADD231PS Y15, Y12, a0 \
	VFMADD231PS Y15, Y13, a1 \
	VFMADD231PS Y15, Y14, a2

// T43STEP(o): eight columns at byte offset AX+o of the three weight rows
// (widened into Y12–Y14) against the four activation rows (at twice it),
// into Y0–Y11.
#define T43STEP(o) \
	WIDEN8(o(DI)(AX*1), Y12) \
	WIDEN8(o(R11)(AX*1), Y13) \
	WIDEN8(o(R12)(AX*1), Y14) \
	X3FMA((2*o)(SI)(AX*2), Y0, Y1, Y2) \
	X3FMA((2*o)(R8)(AX*2), Y3, Y4, Y5) \
	X3FMA((2*o)(R9)(AX*2), Y6, Y7, Y8) \
	X3FMA((2*o)(R10)(AX*2), Y9, Y10, Y11)

// func dotBF16t4x3AVX2(x *float32, xs int, w *uint16, ws int, n int, out *float32)
// Activation rows x + r·xs (floats) against weight rows w + c·ws
// (elements); out[3r+c]. n a multiple of 8. Prefill: twelve accumulators
// (Y0–Y11), three widened weight vectors (Y12–Y14), one activation vector
// (Y15): a weight load per four products, an activation load per three.
// Every row is read at one offset (AX) and two steps make a pass, so that
// the loop's own instructions (pointer updates, count) are few beside the
// 24 FMAs: with a pointer per row and a step a pass, a hot 1024-long tile
// took 271–294 ns on a Zen 4 core, now 264–269 (about 6.6 cycles for a
// step's 12 FMAs; the two FMA units need 6).
TEXT ·dotBF16t4x3AVX2(SB), NOSPLIT, $0-48
	MOVQ x+0(FP), SI
	MOVQ xs+8(FP), AX
	SHLQ $2, AX
	MOVQ w+16(FP), DI
	MOVQ ws+24(FP), BX
	SHLQ $1, BX
	MOVQ n+32(FP), CX
	MOVQ out+40(FP), DX
	LEAQ (SI)(AX*1), R8
	LEAQ (R8)(AX*1), R9
	LEAQ (R9)(AX*1), R10
	LEAQ (DI)(BX*1), R11
	LEAQ (R11)(BX*1), R12
	// the same lines of the next three weight rows (the next tile), into
	// L2: see the prefetches of DP4X4 in bf16dp_amd64.s
	LEAQ (BX)(BX*2), R13
	LEAQ (R12)(R13*1), R14
	LEAQ (R11)(R13*1), R15
	LEAQ (DI)(R13*1), R13

	ZEROY8
	VXORPS Y8, Y8, Y8
	VXORPS Y9, Y9, Y9
	VXORPS Y10, Y10, Y10
	VXORPS Y11, Y11, Y11
	XORQ AX, AX
	SHRQ $3, CX
	JZ   t43done
	SHRQ $1, CX // pairs of steps
	JZ   t43last
t43loop:
	PREFETCHT1 (R13)(AX*1)
	PREFETCHT1 (R15)(AX*1)
	PREFETCHT1 (R14)(AX*1)
	T43STEP(0)
	T43STEP(16)
	ADDQ $32, AX
	DECQ CX
	JNZ  t43loop
	TESTQ $8, n+32(FP)
	JZ    t43done
t43last:
	T43STEP(0)
t43done:
	REDUCE8(Y0, X0, X15)
	MOVSS X0, 0(DX)
	REDUCE8(Y1, X1, X15)
	MOVSS X1, 4(DX)
	REDUCE8(Y2, X2, X15)
	MOVSS X2, 8(DX)
	REDUCE8(Y3, X3, X15)
	MOVSS X3, 12(DX)
	REDUCE8(Y4, X4, X15)
	MOVSS X4, 16(DX)
	REDUCE8(Y5, X5, X15)
	MOVSS X5, 20(DX)
	REDUCE8(Y6, X6, X15)
	MOVSS X6, 24(DX)
	REDUCE8(Y7, X7, X15)
	MOVSS X7, 28(DX)
	REDUCE8(Y8, X8, X15)
	MOVSS X8, 32(DX)
	REDUCE8(Y9, X9, X15)
	MOVSS X9, 36(DX)
	REDUCE8(Y10, X10, X15)
	MOVSS X10, 40(DX)
	REDUCE8(Y11, X11, X15)
	MOVSS X11, 44(DX)
	VZEROUPPER
	RET
