//go:build amd64 && !purego

#include "textflag.h"

// int8 and affine int8 kernels for the AVX2 family. Activations are
// deinterleaved as for the AVX-512 kernels (per 32: 16 even-indexed, then
// 16 odd-indexed), so a block's four 8-weight chunks — even 0–7, even
// 8–15, odd 0–7, odd 8–15 — meet x at +0, +32, +64, +96 bytes. Chunks 0
// and 2 go to one accumulator, 1 and 3 to the other; every kernel of a
// format does this, so a row's result does not depend on the kernel.

#define AREDUCE(ya, yb, xa, xb) \
	VADDPS       yb, ya, ya \
	VEXTRACTF128 $1, ya, xb \
	VADDPS       xb, xa, xa \
	VHADDPS      xa, xa, xa \
	VHADDPS      xa, xa, xa

// Widen a block's four chunks (int8 at p) to float32 in w0–w3, scaled:
// int8 by one scale (s0 = s1), affine by s0 (chunks 0, 2) and s1 (1, 3)
// and then offset by o0, o1.
#define WIDEN4(p, w0, w1, w2, w3) \
	VPMOVSXBD (p), w0 \
	VPMOVSXBD 8(p), w1 \
	VPMOVSXBD 16(p), w2 \
	VPMOVSXBD 24(p), w3 \
	VCVTDQ2PS w0, w0 \
	VCVTDQ2PS w1, w1 \
	VCVTDQ2PS w2, w2 \
	VCVTDQ2PS w3, w3

#define SCALE4(s0, s1, w0, w1, w2, w3) \
	VMULPS s0, w0, w0 \
	VMULPS s1, w1, w1 \
	VMULPS s0, w2, w2 \
	VMULPS s1, w3, w3

#define OFFSET4(o0, o1, w0, w1, w2, w3) \
	VADDPS o0, w0, w0 \
	VADDPS o1, w1, w1 \
	VADDPS o0, w2, w2 \
	VADDPS o1, w3, w3

#define FMA1(x, w0, w1, w2, w3, a0, a1) \
	VFMADD231PS (x), w0, a0 \
	VFMADD231PS 32(x), w1, a1 \
	VFMADD231PS 64(x), w2, a0 \
	VFMADD231PS 96(x), w3, a1

// func q8DotAVX2(x *float32, q *int8, sc *float32, k int) float32
TEXT ·q8DotAVX2(SB), NOSPLIT, $0-36
	MOVQ x+0(FP), SI
	MOVQ q+8(FP), DI
	MOVQ sc+16(FP), R8
	MOVQ k+24(FP), CX
	VXORPS Y0, Y0, Y0
	VXORPS Y1, Y1, Y1
	SHRQ $5, CX
	JZ   q2done1
q2loop1:
	VBROADCASTSS (R8), Y12
	WIDEN4(DI, Y8, Y9, Y10, Y11)
	SCALE4(Y12, Y12, Y8, Y9, Y10, Y11)
	FMA1(SI, Y8, Y9, Y10, Y11, Y0, Y1)
	ADDQ $32, DI
	ADDQ $4, R8
	ADDQ $128, SI
	DECQ CX
	JNZ  q2loop1
q2done1:
	AREDUCE(Y0, Y1, X0, X1)
	VZEROUPPER
	MOVSS X0, ret+32(FP)
	RET

// func q8Dotx4AVX2(x *float32, stride int, q *int8, sc *float32, k int, out *float32)
// One int8 weight row against four activation rows x + r·stride (floats).
TEXT ·q8Dotx4AVX2(SB), NOSPLIT, $0-48
	MOVQ x+0(FP), SI
	MOVQ stride+8(FP), BX
	SHLQ $2, BX
	MOVQ q+16(FP), DI
	MOVQ sc+24(FP), R8
	MOVQ k+32(FP), CX
	LEAQ (SI)(BX*1), R9
	LEAQ (R9)(BX*1), R10
	LEAQ (R10)(BX*1), R11
	VXORPS Y0, Y0, Y0
	VXORPS Y1, Y1, Y1
	VXORPS Y2, Y2, Y2
	VXORPS Y3, Y3, Y3
	VXORPS Y4, Y4, Y4
	VXORPS Y5, Y5, Y5
	VXORPS Y6, Y6, Y6
	VXORPS Y7, Y7, Y7
	SHRQ $5, CX
	JZ   q2done4
q2loop4:
	VBROADCASTSS (R8), Y12
	WIDEN4(DI, Y8, Y9, Y10, Y11)
	SCALE4(Y12, Y12, Y8, Y9, Y10, Y11)
	FMA1(SI, Y8, Y9, Y10, Y11, Y0, Y1)
	FMA1(R9, Y8, Y9, Y10, Y11, Y2, Y3)
	FMA1(R10, Y8, Y9, Y10, Y11, Y4, Y5)
	FMA1(R11, Y8, Y9, Y10, Y11, Y6, Y7)
	ADDQ $32, DI
	ADDQ $4, R8
	ADDQ $128, SI
	ADDQ $128, R9
	ADDQ $128, R10
	ADDQ $128, R11
	DECQ CX
	JNZ  q2loop4
q2done4:
	MOVQ out+40(FP), DX
	AREDUCE(Y0, Y1, X0, X1)
	MOVSS X0, (DX)
	AREDUCE(Y2, Y3, X2, X3)
	MOVSS X2, 4(DX)
	AREDUCE(Y4, Y5, X4, X5)
	MOVSS X4, 8(DX)
	AREDUCE(Y6, Y7, X6, X7)
	MOVSS X6, 12(DX)
	VZEROUPPER
	RET

// func affineDotAVX2(x *float32, q *int8, a *float32, k int) float32
TEXT ·affineDotAVX2(SB), NOSPLIT, $0-36
	MOVQ x+0(FP), SI
	MOVQ q+8(FP), DI
	MOVQ a+16(FP), R8
	MOVQ k+24(FP), CX
	VXORPS Y0, Y0, Y0
	VXORPS Y1, Y1, Y1
	SHRQ $5, CX
	JZ   a2done1
a2loop1:
	VBROADCASTSS (R8), Y12
	VBROADCASTSS 4(R8), Y13
	VBROADCASTSS 8(R8), Y14
	VBROADCASTSS 12(R8), Y15
	WIDEN4(DI, Y8, Y9, Y10, Y11)
	SCALE4(Y12, Y13, Y8, Y9, Y10, Y11)
	OFFSET4(Y14, Y15, Y8, Y9, Y10, Y11)
	FMA1(SI, Y8, Y9, Y10, Y11, Y0, Y1)
	ADDQ $32, DI
	ADDQ $16, R8
	ADDQ $128, SI
	DECQ CX
	JNZ  a2loop1
a2done1:
	AREDUCE(Y0, Y1, X0, X1)
	VZEROUPPER
	MOVSS X0, ret+32(FP)
	RET

// func affineDotx4AVX2(x *float32, stride int, q *int8, a *float32, k int, out *float32)
TEXT ·affineDotx4AVX2(SB), NOSPLIT, $0-48
	MOVQ x+0(FP), SI
	MOVQ stride+8(FP), BX
	SHLQ $2, BX
	MOVQ q+16(FP), DI
	MOVQ a+24(FP), R8
	MOVQ k+32(FP), CX
	LEAQ (SI)(BX*1), R9
	LEAQ (R9)(BX*1), R10
	LEAQ (R10)(BX*1), R11
	VXORPS Y0, Y0, Y0
	VXORPS Y1, Y1, Y1
	VXORPS Y2, Y2, Y2
	VXORPS Y3, Y3, Y3
	VXORPS Y4, Y4, Y4
	VXORPS Y5, Y5, Y5
	VXORPS Y6, Y6, Y6
	VXORPS Y7, Y7, Y7
	SHRQ $5, CX
	JZ   a2done4
a2loop4:
	VBROADCASTSS (R8), Y12
	VBROADCASTSS 4(R8), Y13
	VBROADCASTSS 8(R8), Y14
	VBROADCASTSS 12(R8), Y15
	WIDEN4(DI, Y8, Y9, Y10, Y11)
	SCALE4(Y12, Y13, Y8, Y9, Y10, Y11)
	OFFSET4(Y14, Y15, Y8, Y9, Y10, Y11)
	FMA1(SI, Y8, Y9, Y10, Y11, Y0, Y1)
	FMA1(R9, Y8, Y9, Y10, Y11, Y2, Y3)
	FMA1(R10, Y8, Y9, Y10, Y11, Y4, Y5)
	FMA1(R11, Y8, Y9, Y10, Y11, Y6, Y7)
	ADDQ $32, DI
	ADDQ $16, R8
	ADDQ $128, SI
	ADDQ $128, R9
	ADDQ $128, R10
	ADDQ $128, R11
	DECQ CX
	JNZ  a2loop4
a2done4:
	MOVQ out+40(FP), DX
	AREDUCE(Y0, Y1, X0, X1)
	MOVSS X0, (DX)
	AREDUCE(Y2, Y3, X2, X3)
	MOVSS X2, 4(DX)
	AREDUCE(Y4, Y5, X4, X5)
	MOVSS X4, 8(DX)
	AREDUCE(Y6, Y7, X6, X7)
	MOVSS X6, 12(DX)
	VZEROUPPER
	RET

// func q8Dotw4AVX2(x *float32, q *int8, qs int, sc *float32, scs int, k int, out *float32)
// One activation row against four int8 weight rows q + c·qs, their block
// scales at sc + c·scs (elements); out[c]. Each row has its own two
// accumulators and the arithmetic of q8DotAVX2 (decode: eight FMA chains
// where one row has two).
TEXT ·q8Dotw4AVX2(SB), NOSPLIT, $0-56
	MOVQ x+0(FP), SI
	MOVQ q+8(FP), DI
	MOVQ qs+16(FP), BX
	MOVQ sc+24(FP), R8
	MOVQ scs+32(FP), AX
	SHLQ $2, AX
	MOVQ k+40(FP), CX
	LEAQ (BX)(BX*2), R10
	LEAQ (AX)(AX*2), R15
	VXORPS Y0, Y0, Y0
	VXORPS Y1, Y1, Y1
	VXORPS Y2, Y2, Y2
	VXORPS Y3, Y3, Y3
	VXORPS Y4, Y4, Y4
	VXORPS Y5, Y5, Y5
	VXORPS Y6, Y6, Y6
	VXORPS Y7, Y7, Y7
	SHRQ $5, CX
	JZ   q8Dotw4AVX2_done
q8Dotw4AVX2_loop:
	// row 0
	VPMOVSXBD (DI), Y8
	VPMOVSXBD 8(DI), Y9
	VPMOVSXBD 16(DI), Y10
	VPMOVSXBD 24(DI), Y11
	VCVTDQ2PS Y8, Y8
	VCVTDQ2PS Y9, Y9
	VCVTDQ2PS Y10, Y10
	VCVTDQ2PS Y11, Y11
	VBROADCASTSS (R8), Y12
	SCALE4(Y12, Y12, Y8, Y9, Y10, Y11)
	FMA1(SI, Y8, Y9, Y10, Y11, Y0, Y1)
	// row 1
	VPMOVSXBD (DI)(BX*1), Y8
	VPMOVSXBD 8(DI)(BX*1), Y9
	VPMOVSXBD 16(DI)(BX*1), Y10
	VPMOVSXBD 24(DI)(BX*1), Y11
	VCVTDQ2PS Y8, Y8
	VCVTDQ2PS Y9, Y9
	VCVTDQ2PS Y10, Y10
	VCVTDQ2PS Y11, Y11
	VBROADCASTSS (R8)(AX*1), Y12
	SCALE4(Y12, Y12, Y8, Y9, Y10, Y11)
	FMA1(SI, Y8, Y9, Y10, Y11, Y2, Y3)
	// row 2
	VPMOVSXBD (DI)(BX*2), Y8
	VPMOVSXBD 8(DI)(BX*2), Y9
	VPMOVSXBD 16(DI)(BX*2), Y10
	VPMOVSXBD 24(DI)(BX*2), Y11
	VCVTDQ2PS Y8, Y8
	VCVTDQ2PS Y9, Y9
	VCVTDQ2PS Y10, Y10
	VCVTDQ2PS Y11, Y11
	VBROADCASTSS (R8)(AX*2), Y12
	SCALE4(Y12, Y12, Y8, Y9, Y10, Y11)
	FMA1(SI, Y8, Y9, Y10, Y11, Y4, Y5)
	// row 3
	VPMOVSXBD (DI)(R10*1), Y8
	VPMOVSXBD 8(DI)(R10*1), Y9
	VPMOVSXBD 16(DI)(R10*1), Y10
	VPMOVSXBD 24(DI)(R10*1), Y11
	VCVTDQ2PS Y8, Y8
	VCVTDQ2PS Y9, Y9
	VCVTDQ2PS Y10, Y10
	VCVTDQ2PS Y11, Y11
	VBROADCASTSS (R8)(R15*1), Y12
	SCALE4(Y12, Y12, Y8, Y9, Y10, Y11)
	FMA1(SI, Y8, Y9, Y10, Y11, Y6, Y7)
	ADDQ $32, DI
	ADDQ $4, R8
	ADDQ $128, SI
	DECQ CX
	JNZ  q8Dotw4AVX2_loop
q8Dotw4AVX2_done:
	MOVQ out+48(FP), DX
	AREDUCE(Y0, Y1, X0, X1)
	MOVSS X0, 0(DX)
	AREDUCE(Y2, Y3, X2, X3)
	MOVSS X2, 4(DX)
	AREDUCE(Y4, Y5, X4, X5)
	MOVSS X4, 8(DX)
	AREDUCE(Y6, Y7, X6, X7)
	MOVSS X6, 12(DX)
	VZEROUPPER
	RET

// func affineDotw4AVX2(x *float32, q *int8, qs int, a *float32, as int, k int, out *float32)
// One activation row against four affine int8 weight rows q + c·qs, their block
// floats at a + c·as (elements); out[c]. Each row has its own two
// accumulators and the arithmetic of affineDotAVX2 (decode: eight FMA chains
// where one row has two).
TEXT ·affineDotw4AVX2(SB), NOSPLIT, $0-56
	MOVQ x+0(FP), SI
	MOVQ q+8(FP), DI
	MOVQ qs+16(FP), BX
	MOVQ a+24(FP), R8
	MOVQ as+32(FP), AX
	SHLQ $2, AX
	MOVQ k+40(FP), CX
	LEAQ (BX)(BX*2), R10
	LEAQ (AX)(AX*2), R15
	VXORPS Y0, Y0, Y0
	VXORPS Y1, Y1, Y1
	VXORPS Y2, Y2, Y2
	VXORPS Y3, Y3, Y3
	VXORPS Y4, Y4, Y4
	VXORPS Y5, Y5, Y5
	VXORPS Y6, Y6, Y6
	VXORPS Y7, Y7, Y7
	SHRQ $5, CX
	JZ   affineDotw4AVX2_done
affineDotw4AVX2_loop:
	// row 0
	VPMOVSXBD (DI), Y8
	VPMOVSXBD 8(DI), Y9
	VPMOVSXBD 16(DI), Y10
	VPMOVSXBD 24(DI), Y11
	VCVTDQ2PS Y8, Y8
	VCVTDQ2PS Y9, Y9
	VCVTDQ2PS Y10, Y10
	VCVTDQ2PS Y11, Y11
	VBROADCASTSS (R8), Y12
	VBROADCASTSS 4(R8), Y13
	VBROADCASTSS 8(R8), Y14
	VBROADCASTSS 12(R8), Y15
	SCALE4(Y12, Y13, Y8, Y9, Y10, Y11)
	OFFSET4(Y14, Y15, Y8, Y9, Y10, Y11)
	FMA1(SI, Y8, Y9, Y10, Y11, Y0, Y1)
	// row 1
	VPMOVSXBD (DI)(BX*1), Y8
	VPMOVSXBD 8(DI)(BX*1), Y9
	VPMOVSXBD 16(DI)(BX*1), Y10
	VPMOVSXBD 24(DI)(BX*1), Y11
	VCVTDQ2PS Y8, Y8
	VCVTDQ2PS Y9, Y9
	VCVTDQ2PS Y10, Y10
	VCVTDQ2PS Y11, Y11
	VBROADCASTSS (R8)(AX*1), Y12
	VBROADCASTSS 4(R8)(AX*1), Y13
	VBROADCASTSS 8(R8)(AX*1), Y14
	VBROADCASTSS 12(R8)(AX*1), Y15
	SCALE4(Y12, Y13, Y8, Y9, Y10, Y11)
	OFFSET4(Y14, Y15, Y8, Y9, Y10, Y11)
	FMA1(SI, Y8, Y9, Y10, Y11, Y2, Y3)
	// row 2
	VPMOVSXBD (DI)(BX*2), Y8
	VPMOVSXBD 8(DI)(BX*2), Y9
	VPMOVSXBD 16(DI)(BX*2), Y10
	VPMOVSXBD 24(DI)(BX*2), Y11
	VCVTDQ2PS Y8, Y8
	VCVTDQ2PS Y9, Y9
	VCVTDQ2PS Y10, Y10
	VCVTDQ2PS Y11, Y11
	VBROADCASTSS (R8)(AX*2), Y12
	VBROADCASTSS 4(R8)(AX*2), Y13
	VBROADCASTSS 8(R8)(AX*2), Y14
	VBROADCASTSS 12(R8)(AX*2), Y15
	SCALE4(Y12, Y13, Y8, Y9, Y10, Y11)
	OFFSET4(Y14, Y15, Y8, Y9, Y10, Y11)
	FMA1(SI, Y8, Y9, Y10, Y11, Y4, Y5)
	// row 3
	VPMOVSXBD (DI)(R10*1), Y8
	VPMOVSXBD 8(DI)(R10*1), Y9
	VPMOVSXBD 16(DI)(R10*1), Y10
	VPMOVSXBD 24(DI)(R10*1), Y11
	VCVTDQ2PS Y8, Y8
	VCVTDQ2PS Y9, Y9
	VCVTDQ2PS Y10, Y10
	VCVTDQ2PS Y11, Y11
	VBROADCASTSS (R8)(R15*1), Y12
	VBROADCASTSS 4(R8)(R15*1), Y13
	VBROADCASTSS 8(R8)(R15*1), Y14
	VBROADCASTSS 12(R8)(R15*1), Y15
	SCALE4(Y12, Y13, Y8, Y9, Y10, Y11)
	OFFSET4(Y14, Y15, Y8, Y9, Y10, Y11)
	FMA1(SI, Y8, Y9, Y10, Y11, Y6, Y7)
	ADDQ $32, DI
	ADDQ $16, R8
	ADDQ $128, SI
	DECQ CX
	JNZ  affineDotw4AVX2_loop
affineDotw4AVX2_done:
	MOVQ out+48(FP), DX
	AREDUCE(Y0, Y1, X0, X1)
	MOVSS X0, 0(DX)
	AREDUCE(Y2, Y3, X2, X3)
	MOVSS X2, 4(DX)
	AREDUCE(Y4, Y5, X4, X5)
	MOVSS X4, 8(DX)
	AREDUCE(Y6, Y7, X6, X7)
	MOVSS X6, 12(DX)
	VZEROUPPER
	RET
