//go:build amd64 && !purego

#include "textflag.h"
#include "zmm_amd64.h"

// Affine int8 kernels (affine.go): the int8 kernels (q8_amd64.s) with each
// block's four floats spread over the lanes — scale and offset of the first
// 16 weights in lanes 0–7 of the even and odd vectors, of the last 16 in
// lanes 8–15 — and the weight formed as (q × scale) + offset with two
// roundings, as ggml dequantizes. The dot order is the int8 kernels'.

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

// func affineDot512(x *float32, q *int8, a *float32, k int) float32
TEXT ·affineDot512(SB), NOSPLIT, $0-36
	MOVQ x+0(FP), SI
	MOVQ q+8(FP), DI
	MOVQ a+16(FP), R8
	MOVQ k+24(FP), CX
	LOADIDX
	VPXORD Z0, Z0, Z0
	SHRQ   $5, CX
	JZ     adone1
aloop1:
	WIDENA(DI, R8, Z16, Z20)
	VFMADD231PS (SI), Z16, Z0
	VFMADD231PS 64(SI), Z20, Z0
	ADDQ $32, DI
	ADDQ $16, R8
	ADDQ $128, SI
	DECQ CX
	JNZ  aloop1
adone1:
	REDUCE512(Z0, Y0, X0, Y1, X1)
	VZEROUPPER
	MOVSS X0, ret+32(FP)
	RET

// func affineDot1x4_512(x *float32, q *int8, qs int, a *float32, as int, k int, out *float32)
// One activation row against rows q + r·qs (bytes), block floats a + r·as (floats).
TEXT ·affineDot1x4_512(SB), NOSPLIT, $0-56
	MOVQ x+0(FP), SI
	MOVQ q+8(FP), DI
	MOVQ qs+16(FP), BX
	MOVQ a+24(FP), R8
	MOVQ as+32(FP), AX
	SHLQ $2, AX
	MOVQ k+40(FP), CX
	MOVQ out+48(FP), DX
	LEAQ (DI)(BX*1), R11
	LEAQ (R11)(BX*1), R12
	LEAQ (R12)(BX*1), R13
	LEAQ (R8)(AX*1), R9
	LEAQ (R9)(AX*1), R10
	LEAQ (R10)(AX*1), R14
	LOADIDX
	VPXORD Z0, Z0, Z0
	VPXORD Z1, Z1, Z1
	VPXORD Z2, Z2, Z2
	VPXORD Z3, Z3, Z3
	SHRQ   $5, CX
	JZ     adone4
aloop4:
	WIDENA(DI, R8, Z16, Z20)
	WIDENA(R11, R9, Z17, Z21)
	WIDENA(R12, R10, Z18, Z22)
	WIDENA(R13, R14, Z19, Z23)
	VMOVUPS     (SI), Z24
	VMOVUPS     64(SI), Z25
	VFMADD231PS Z24, Z16, Z0
	VFMADD231PS Z24, Z17, Z1
	VFMADD231PS Z24, Z18, Z2
	VFMADD231PS Z24, Z19, Z3
	VFMADD231PS Z25, Z20, Z0
	VFMADD231PS Z25, Z21, Z1
	VFMADD231PS Z25, Z22, Z2
	VFMADD231PS Z25, Z23, Z3
	ADDQ $32, DI
	ADDQ $32, R11
	ADDQ $32, R12
	ADDQ $32, R13
	ADDQ $16, R8
	ADDQ $16, R9
	ADDQ $16, R10
	ADDQ $16, R14
	ADDQ $128, SI
	DECQ CX
	JNZ  aloop4
adone4:
	REDUCE512(Z0, Y0, X0, Y8, X8)
	MOVSS X0, (DX)
	REDUCE512(Z1, Y1, X1, Y8, X8)
	MOVSS X1, 4(DX)
	REDUCE512(Z2, Y2, X2, Y8, X8)
	MOVSS X2, 8(DX)
	REDUCE512(Z3, Y3, X3, Y8, X8)
	MOVSS X3, 12(DX)
	VZEROUPPER
	RET

#define AFMA4(xv, w0, w1, w2, w3, a0, a1, a2, a3) \
	VFMADD231PS xv, w0, a0 \
	VFMADD231PS xv, w1, a1 \
	VFMADD231PS xv, w2, a2 \
	VFMADD231PS xv, w3, a3

// func affineDot4x4_512(x *float32, xs int, q *int8, qs int, a *float32, as int, k int, out *float32)
TEXT ·affineDot4x4_512(SB), NOSPLIT, $0-64
	MOVQ x+0(FP), SI
	MOVQ xs+8(FP), AX
	SHLQ $2, AX
	LEAQ (SI)(AX*1), R8
	LEAQ (R8)(AX*1), R9
	LEAQ (R9)(AX*1), R10
	MOVQ q+16(FP), DI
	MOVQ qs+24(FP), BX
	LEAQ (DI)(BX*1), R11
	LEAQ (R11)(BX*1), R12
	LEAQ (R12)(BX*1), R13
	MOVQ a+32(FP), DX
	MOVQ as+40(FP), AX
	SHLQ $2, AX
	LEAQ (DX)(AX*1), R14
	LEAQ (R14)(AX*1), R15
	LEAQ (R15)(AX*1), AX
	MOVQ k+48(FP), CX
	LOADIDX
	ZERO16
	SHRQ $5, CX
	JZ   adone44
aloop44:
	PREFETCHT0 (DI)(BX*4)
	PREFETCHT0 (R11)(BX*4)
	PREFETCHT0 (R12)(BX*4)
	PREFETCHT0 (R13)(BX*4)
	WIDENA(DI, DX, Z16, Z20)
	WIDENA(R11, R14, Z17, Z21)
	WIDENA(R12, R15, Z18, Z22)
	WIDENA(R13, AX, Z19, Z23)
	VMOVUPS (SI), Z24
	VMOVUPS (R8), Z25
	VMOVUPS (R9), Z26
	VMOVUPS (R10), Z27
	AFMA4(Z24, Z16, Z17, Z18, Z19, Z0, Z1, Z2, Z3)
	AFMA4(Z25, Z16, Z17, Z18, Z19, Z4, Z5, Z6, Z7)
	AFMA4(Z26, Z16, Z17, Z18, Z19, Z8, Z9, Z10, Z11)
	AFMA4(Z27, Z16, Z17, Z18, Z19, Z12, Z13, Z14, Z15)
	VMOVUPS 64(SI), Z24
	VMOVUPS 64(R8), Z25
	VMOVUPS 64(R9), Z26
	VMOVUPS 64(R10), Z27
	AFMA4(Z24, Z20, Z21, Z22, Z23, Z0, Z1, Z2, Z3)
	AFMA4(Z25, Z20, Z21, Z22, Z23, Z4, Z5, Z6, Z7)
	AFMA4(Z26, Z20, Z21, Z22, Z23, Z8, Z9, Z10, Z11)
	AFMA4(Z27, Z20, Z21, Z22, Z23, Z12, Z13, Z14, Z15)
	ADDQ $32, DI
	ADDQ $32, R11
	ADDQ $32, R12
	ADDQ $32, R13
	ADDQ $16, DX
	ADDQ $16, R14
	ADDQ $16, R15
	ADDQ $16, AX
	ADDQ $128, SI
	ADDQ $128, R8
	ADDQ $128, R9
	ADDQ $128, R10
	DECQ CX
	JNZ  aloop44
adone44:
	MOVQ out+56(FP), DX
	REDUCE512(Z0, Y0, X0, Y16, X16)
	MOVSS X0, (DX)
	REDUCE512(Z1, Y1, X1, Y16, X16)
	MOVSS X1, 4(DX)
	REDUCE512(Z2, Y2, X2, Y16, X16)
	MOVSS X2, 8(DX)
	REDUCE512(Z3, Y3, X3, Y16, X16)
	MOVSS X3, 12(DX)
	REDUCE512(Z4, Y4, X4, Y16, X16)
	MOVSS X4, 16(DX)
	REDUCE512(Z5, Y5, X5, Y16, X16)
	MOVSS X5, 20(DX)
	REDUCE512(Z6, Y6, X6, Y16, X16)
	MOVSS X6, 24(DX)
	REDUCE512(Z7, Y7, X7, Y16, X16)
	MOVSS X7, 28(DX)
	REDUCE512(Z8, Y8, X8, Y16, X16)
	MOVSS X8, 32(DX)
	REDUCE512(Z9, Y9, X9, Y16, X16)
	MOVSS X9, 36(DX)
	REDUCE512(Z10, Y10, X10, Y16, X16)
	MOVSS X10, 40(DX)
	REDUCE512(Z11, Y11, X11, Y16, X16)
	MOVSS X11, 44(DX)
	REDUCE512(Z12, Y12, X12, Y16, X16)
	MOVSS X12, 48(DX)
	REDUCE512(Z13, Y13, X13, Y16, X16)
	MOVSS X13, 52(DX)
	REDUCE512(Z14, Y14, X14, Y16, X16)
	MOVSS X14, 56(DX)
	REDUCE512(Z15, Y15, X15, Y16, X16)
	MOVSS X15, 60(DX)
	VZEROUPPER
	RET
