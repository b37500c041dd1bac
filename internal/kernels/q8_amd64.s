//go:build amd64 && !purego

#include "textflag.h"
#include "zmm_amd64.h"

// int8 kernels: like the bf16 ones (dot512_amd64.s), but each 32-weight
// block is 32 int8 (16 even-indexed, then 16 odd-indexed) with its block
// floats: one float32 scale (int8), or two scales and two offsets (affine,
// affine.go: the scale and offset of the first 16 weights in lanes 0–7 of
// the even and odd vectors, of the last 16 in lanes 8–15, the weight formed
// as (q × scale) + offset with two roundings, as ggml dequantizes). WIDENQ8
// and WIDENA turn a block into even/odd float32 vectors already
// dequantized. Per dot the order is the bf16 kernels': per block, even then
// odd, into one accumulator; REDUCE512 at the end.

// Lane → block-float index: scales [0×8, 1×8], offsets [2×8, 3×8].
DATA affineIdx<>+0(SB)/4, $0
DATA affineIdx<>+4(SB)/4, $0
DATA affineIdx<>+8(SB)/4, $0
DATA affineIdx<>+12(SB)/4, $0
DATA affineIdx<>+16(SB)/4, $0
DATA affineIdx<>+20(SB)/4, $0
DATA affineIdx<>+24(SB)/4, $0
DATA affineIdx<>+28(SB)/4, $0
DATA affineIdx<>+32(SB)/4, $1
DATA affineIdx<>+36(SB)/4, $1
DATA affineIdx<>+40(SB)/4, $1
DATA affineIdx<>+44(SB)/4, $1
DATA affineIdx<>+48(SB)/4, $1
DATA affineIdx<>+52(SB)/4, $1
DATA affineIdx<>+56(SB)/4, $1
DATA affineIdx<>+60(SB)/4, $1
DATA affineIdx<>+64(SB)/4, $2
DATA affineIdx<>+68(SB)/4, $2
DATA affineIdx<>+72(SB)/4, $2
DATA affineIdx<>+76(SB)/4, $2
DATA affineIdx<>+80(SB)/4, $2
DATA affineIdx<>+84(SB)/4, $2
DATA affineIdx<>+88(SB)/4, $2
DATA affineIdx<>+92(SB)/4, $2
DATA affineIdx<>+96(SB)/4, $3
DATA affineIdx<>+100(SB)/4, $3
DATA affineIdx<>+104(SB)/4, $3
DATA affineIdx<>+108(SB)/4, $3
DATA affineIdx<>+112(SB)/4, $3
DATA affineIdx<>+116(SB)/4, $3
DATA affineIdx<>+120(SB)/4, $3
DATA affineIdx<>+124(SB)/4, $3
GLOBL affineIdx<>(SB), RODATA|NOPTR, $128

#define LOADIDX \
	VMOVDQU32 affineIdx<>+0(SB), Z28 \
	VMOVDQU32 affineIdx<>+64(SB), Z29

// WIDENQ8: int8 block at p, its scale at s → even/odd float32 weights.
#define WIDENQ8(p, s, even, odd) \
	VPMOVSXBD   (p), even \
	VPMOVSXBD   16(p), odd \
	VCVTDQ2PS   even, even \
	VCVTDQ2PS   odd, odd \
	VMULPS.BCST (s), even, even \
	VMULPS.BCST (s), odd, odd

// WIDENA: int8 block at p, block floats at a → even/odd float32 weights.
// Uses Z30, Z31.
#define WIDENA(p, a, even, odd) \
	VPMOVSXBD (p), even \
	VPMOVSXBD 16(p), odd \
	VCVTDQ2PS even, even \
	VCVTDQ2PS odd, odd \
	VBROADCASTF32X4 (a), Z30 \
	VPERMPS   Z30, Z28, Z31 \
	VPERMPS   Z30, Z29, Z30 \
	VMULPS    Z31, even, even \
	VMULPS    Z31, odd, odd \
	VADDPS    Z30, even, even \
	VADDPS    Z30, odd, odd

#define FMA4(xv, w0, w1, w2, w3, a0, a1, a2, a3) \
	VFMADD231PS xv, w0, a0 \
	VFMADD231PS xv, w1, a1 \
	VFMADD231PS xv, w2, a2 \
	VFMADD231PS xv, w3, a3

// The kernels are written once, as macros over the format: WIDEN(p, s,
// even, odd) a block, PREP the set-up it needs (LOADIDX for WIDENA), SSTEP
// the bytes of a block's floats (int8 4, affine 16).
#define NOPREP

// K1(name, WIDEN, PREP, SSTEP): func(x *float32, q *int8, sc *float32, k int) float32
#define K1(name, WIDEN, PREP, SSTEP) \
TEXT name, NOSPLIT, $0-36 \
	MOVQ x+0(FP), SI \
	MOVQ q+8(FP), DI \
	MOVQ sc+16(FP), R8 \
	MOVQ k+24(FP), CX \
	PREP \
	VPXORD Z0, Z0, Z0 \
	SHRQ   $5, CX \
	JZ     done \
loop: \
	WIDEN(DI, R8, Z16, Z20) \
	VFMADD231PS (SI), Z16, Z0 \
	VFMADD231PS 64(SI), Z20, Z0 \
	ADDQ $32, DI \
	ADDQ $SSTEP, R8 \
	ADDQ $128, SI \
	DECQ CX \
	JNZ  loop \
done: \
	REDUCE512(Z0, Y0, X0, Y1, X1) \
	VZEROUPPER \
	MOVSS X0, ret+32(FP) \
	RET

// K1X4(name, WIDEN, PREP, SSTEP): func(x *float32, q *int8, qs int, sc *float32, scs int, k int, out *float32)
// One activation row against int8 rows q + r·qs (bytes) with scales sc + r·scs (floats).
#define K1X4(name, WIDEN, PREP, SSTEP) \
TEXT name, NOSPLIT, $0-56 \
	MOVQ x+0(FP), SI \
	MOVQ q+8(FP), DI \
	MOVQ qs+16(FP), BX \
	MOVQ sc+24(FP), R8 \
	MOVQ scs+32(FP), AX \
	SHLQ $2, AX \
	MOVQ k+40(FP), CX \
	MOVQ out+48(FP), DX \
	LEAQ (DI)(BX*1), R11 \
	LEAQ (R11)(BX*1), R12 \
	LEAQ (R12)(BX*1), R13 \
	LEAQ (R8)(AX*1), R9 \
	LEAQ (R9)(AX*1), R10 \
	LEAQ (R10)(AX*1), R14 \
	PREP \
	VPXORD Z0, Z0, Z0 \
	VPXORD Z1, Z1, Z1 \
	VPXORD Z2, Z2, Z2 \
	VPXORD Z3, Z3, Z3 \
	SHRQ   $5, CX \
	JZ     done \
loop: \
	WIDEN(DI, R8, Z16, Z20) \
	WIDEN(R11, R9, Z17, Z21) \
	WIDEN(R12, R10, Z18, Z22) \
	WIDEN(R13, R14, Z19, Z23) \
	VMOVUPS     (SI), Z24 \
	VMOVUPS     64(SI), Z25 \
	VFMADD231PS Z24, Z16, Z0 \
	VFMADD231PS Z24, Z17, Z1 \
	VFMADD231PS Z24, Z18, Z2 \
	VFMADD231PS Z24, Z19, Z3 \
	VFMADD231PS Z25, Z20, Z0 \
	VFMADD231PS Z25, Z21, Z1 \
	VFMADD231PS Z25, Z22, Z2 \
	VFMADD231PS Z25, Z23, Z3 \
	ADDQ $32, DI \
	ADDQ $32, R11 \
	ADDQ $32, R12 \
	ADDQ $32, R13 \
	ADDQ $SSTEP, R8 \
	ADDQ $SSTEP, R9 \
	ADDQ $SSTEP, R10 \
	ADDQ $SSTEP, R14 \
	ADDQ $128, SI \
	DECQ CX \
	JNZ  loop \
done: \
	REDUCE512(Z0, Y0, X0, Y8, X8) \
	MOVSS X0, (DX) \
	REDUCE512(Z1, Y1, X1, Y8, X8) \
	MOVSS X1, 4(DX) \
	REDUCE512(Z2, Y2, X2, Y8, X8) \
	MOVSS X2, 8(DX) \
	REDUCE512(Z3, Y3, X3, Y8, X8) \
	MOVSS X3, 12(DX) \
	VZEROUPPER \
	RET

// K4X4(name, WIDEN, PREP, SSTEP): func(x *float32, xs int, q *int8, qs int, sc *float32, scs int, k int, out *float32)
// Activation rows x + r·xs (floats) against int8 rows q + c·qs (bytes),
// scales sc + c·scs (floats); out[4r+c]. The next tile's rows are
// prefetched into L2, as in DP4X4 (bf16dp_amd64.s).
#define K4X4(name, WIDEN, PREP, SSTEP) \
TEXT name, NOSPLIT, $0-64 \
	MOVQ x+0(FP), SI \
	MOVQ xs+8(FP), AX \
	SHLQ $2, AX \
	LEAQ (SI)(AX*1), R8 \
	LEAQ (R8)(AX*1), R9 \
	LEAQ (R9)(AX*1), R10 \
	MOVQ q+16(FP), DI \
	MOVQ qs+24(FP), BX \
	LEAQ (DI)(BX*1), R11 \
	LEAQ (R11)(BX*1), R12 \
	LEAQ (R12)(BX*1), R13 \
	MOVQ sc+32(FP), DX \
	MOVQ scs+40(FP), AX \
	SHLQ $2, AX \
	LEAQ (DX)(AX*1), R14 \
	LEAQ (R14)(AX*1), R15 \
	LEAQ (R15)(AX*1), AX \
	MOVQ k+48(FP), CX \
	PREP \
	ZERO16 \
	SHRQ $5, CX \
	JZ   done \
loop: \
	PREFETCHT1 (DI)(BX*4) \
	PREFETCHT1 (R11)(BX*4) \
	PREFETCHT1 (R12)(BX*4) \
	PREFETCHT1 (R13)(BX*4) \
	WIDEN(DI, DX, Z16, Z20) \
	WIDEN(R11, R14, Z17, Z21) \
	WIDEN(R12, R15, Z18, Z22) \
	WIDEN(R13, AX, Z19, Z23) \
	VMOVUPS (SI), Z24 \
	VMOVUPS (R8), Z25 \
	VMOVUPS (R9), Z26 \
	VMOVUPS (R10), Z27 \
	FMA4(Z24, Z16, Z17, Z18, Z19, Z0, Z1, Z2, Z3) \
	FMA4(Z25, Z16, Z17, Z18, Z19, Z4, Z5, Z6, Z7) \
	FMA4(Z26, Z16, Z17, Z18, Z19, Z8, Z9, Z10, Z11) \
	FMA4(Z27, Z16, Z17, Z18, Z19, Z12, Z13, Z14, Z15) \
	VMOVUPS 64(SI), Z24 \
	VMOVUPS 64(R8), Z25 \
	VMOVUPS 64(R9), Z26 \
	VMOVUPS 64(R10), Z27 \
	FMA4(Z24, Z20, Z21, Z22, Z23, Z0, Z1, Z2, Z3) \
	FMA4(Z25, Z20, Z21, Z22, Z23, Z4, Z5, Z6, Z7) \
	FMA4(Z26, Z20, Z21, Z22, Z23, Z8, Z9, Z10, Z11) \
	FMA4(Z27, Z20, Z21, Z22, Z23, Z12, Z13, Z14, Z15) \
	ADDQ $32, DI \
	ADDQ $32, R11 \
	ADDQ $32, R12 \
	ADDQ $32, R13 \
	ADDQ $SSTEP, DX \
	ADDQ $SSTEP, R14 \
	ADDQ $SSTEP, R15 \
	ADDQ $SSTEP, AX \
	ADDQ $128, SI \
	ADDQ $128, R8 \
	ADDQ $128, R9 \
	ADDQ $128, R10 \
	DECQ CX \
	JNZ  loop \
done: \
	MOVQ out+56(FP), DX \
	REDUCE512(Z0, Y0, X0, Y16, X16) \
	MOVSS X0, (DX) \
	REDUCE512(Z1, Y1, X1, Y16, X16) \
	MOVSS X1, 4(DX) \
	REDUCE512(Z2, Y2, X2, Y16, X16) \
	MOVSS X2, 8(DX) \
	REDUCE512(Z3, Y3, X3, Y16, X16) \
	MOVSS X3, 12(DX) \
	REDUCE512(Z4, Y4, X4, Y16, X16) \
	MOVSS X4, 16(DX) \
	REDUCE512(Z5, Y5, X5, Y16, X16) \
	MOVSS X5, 20(DX) \
	REDUCE512(Z6, Y6, X6, Y16, X16) \
	MOVSS X6, 24(DX) \
	REDUCE512(Z7, Y7, X7, Y16, X16) \
	MOVSS X7, 28(DX) \
	REDUCE512(Z8, Y8, X8, Y16, X16) \
	MOVSS X8, 32(DX) \
	REDUCE512(Z9, Y9, X9, Y16, X16) \
	MOVSS X9, 36(DX) \
	REDUCE512(Z10, Y10, X10, Y16, X16) \
	MOVSS X10, 40(DX) \
	REDUCE512(Z11, Y11, X11, Y16, X16) \
	MOVSS X11, 44(DX) \
	REDUCE512(Z12, Y12, X12, Y16, X16) \
	MOVSS X12, 48(DX) \
	REDUCE512(Z13, Y13, X13, Y16, X16) \
	MOVSS X13, 52(DX) \
	REDUCE512(Z14, Y14, X14, Y16, X16) \
	MOVSS X14, 56(DX) \
	REDUCE512(Z15, Y15, X15, Y16, X16) \
	MOVSS X15, 60(DX) \
	VZEROUPPER \
	RET

// func q8Dot512(x *float32, q *int8, sc *float32, k int) float32
K1(·q8Dot512(SB), WIDENQ8, NOPREP, 4)

// func q8Dot1x4_512(x *float32, q *int8, qs int, sc *float32, scs int, k int, out *float32)
K1X4(·q8Dot1x4_512(SB), WIDENQ8, NOPREP, 4)

// func q8Dot4x4_512(x *float32, xs int, q *int8, qs int, sc *float32, scs int, k int, out *float32)
K4X4(·q8Dot4x4_512(SB), WIDENQ8, NOPREP, 4)

// func affineDot512(x *float32, q *int8, sc *float32, k int) float32
K1(·affineDot512(SB), WIDENA, LOADIDX, 16)

// func affineDot1x4_512(x *float32, q *int8, qs int, sc *float32, scs int, k int, out *float32)
K1X4(·affineDot1x4_512(SB), WIDENA, LOADIDX, 16)

// func affineDot4x4_512(x *float32, xs int, q *int8, qs int, sc *float32, scs int, k int, out *float32)
K4X4(·affineDot4x4_512(SB), WIDENA, LOADIDX, 16)
