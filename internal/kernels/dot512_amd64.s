//go:build amd64 && !purego

#include "textflag.h"
#include "rx4_amd64.h"
#include "zmm_amd64.h"

// AVX-512 bf16 kernels. Activations come deinterleaved per 32-element chunk
// (16 even-indexed floats, then 16 odd-indexed), so a 64-byte load of 32 bf16
// weights widens with no shuffle: even = dword << 16, odd = dword & 0xFFFF0000.
// Every dot, in every kernel, accumulates chunk by chunk into one zmm
// (even product first, then odd) and is reduced by REDUCE512: a row's result
// is the same whichever kernel computed it.

// WIDEN loads 32 bf16 at (p) into even/odd f32 vectors; Z31 holds the mask.
#define WIDEN(p, even, odd) \
	VMOVDQU32 (p), odd \
	VPSLLD    $16, odd, even \
	VPANDD    Z31, odd, odd

#define MASK \
	MOVL         $0xFFFF0000, R15 \
	VPBROADCASTD R15, Z31

// RX4(fmas, zero, stores): the body of bf16Dot2x4_512 and bf16Dot3x4_512
// (arguments: RX4ARGS): activation rows x + r·xs against weight rows
// w + c·ws, out[4r+c]; n a multiple of 32. Batched decode of two or three
// sequences: the four weight rows widened once for all of them, where the
// one-row tile (bf16Dot1x4_512) takes a pass a row; each accumulator takes
// a chunk's even product, then its odd, as in every kernel.
#define RX4(fmas, zero, stores) \
	RX4ARGS \
	MASK \
	zero \
	SHRQ $5, CX \
	JZ   done \
loop: \
	WIDEN(DI, Z16, Z20) \
	WIDEN(R11, Z17, Z21) \
	WIDEN(R12, Z18, Z22) \
	WIDEN(R13, Z19, Z23) \
	fmas(0, Z16, Z17, Z18, Z19) \
	fmas(64, Z20, Z21, Z22, Z23) \
	ADDQ $64, DI \
	ADDQ $64, R11 \
	ADDQ $64, R12 \
	ADDQ $64, R13 \
	ADDQ $128, SI \
	ADDQ $128, R8 \
	ADDQ $128, R9 \
	DECQ CX \
	JNZ  loop \
done: \
	stores \
	VZEROUPPER \
	RET

// FMA2X4(o, w0, w1, w2, w3) and FMA3X4: the activations at o(SI), o(R8)
// (and o(R9)) times the four widened weight vectors.
#define FMA2X4(o, w0, w1, w2, w3) \
	VMOVUPS o(SI), Z24 \
	VMOVUPS o(R8), Z25 \
	FMA4(Z24, w0, w1, w2, w3, Z0, Z1, Z2, Z3) \
	FMA4(Z25, w0, w1, w2, w3, Z4, Z5, Z6, Z7)
#define FMA3X4(o, w0, w1, w2, w3) \
	FMA2X4(o, w0, w1, w2, w3) \
	VMOVUPS o(R9), Z26 \
	FMA4(Z26, w0, w1, w2, w3, Z8, Z9, Z10, Z11)

// STOREZ(i, z, y, x): the dot in z (reduced through y, x; Y12, X12
// scratch) to out[i].
#define STOREZ(i, z, y, x) \
	REDUCE512(z, y, x, Y12, X12) \
	MOVSS x, (4*i)(DX)

#define STORE2X4 \
	STOREZ(0, Z0, Y0, X0) \
	STOREZ(1, Z1, Y1, X1) \
	STOREZ(2, Z2, Y2, X2) \
	STOREZ(3, Z3, Y3, X3) \
	STOREZ(4, Z4, Y4, X4) \
	STOREZ(5, Z5, Y5, X5) \
	STOREZ(6, Z6, Y6, X6) \
	STOREZ(7, Z7, Y7, X7)

#define STORE3X4 \
	STORE2X4 \
	STOREZ(8, Z8, Y8, X8) \
	STOREZ(9, Z9, Y9, X9) \
	STOREZ(10, Z10, Y10, X10) \
	STOREZ(11, Z11, Y11, X11)

// func bf16Dot512(x *float32, w *uint16, k int) float32
// k is a multiple of 32.
TEXT ·bf16Dot512(SB), NOSPLIT, $0-28
	MOVQ x+0(FP), SI
	MOVQ w+8(FP), DI
	MOVQ k+16(FP), CX
	MASK
	VPXORD Z0, Z0, Z0
	SHRQ   $5, CX
	JZ     done1
loop1:
	WIDEN(DI, Z16, Z20)
	VFMADD231PS (SI), Z16, Z0
	VFMADD231PS 64(SI), Z20, Z0
	ADDQ $64, DI
	ADDQ $128, SI
	DECQ CX
	JNZ  loop1
done1:
	REDUCE512(Z0, Y0, X0, Y1, X1)
	VZEROUPPER
	MOVSS X0, ret+24(FP)
	RET

// func bf16Dot1x4_512(x *float32, w *uint16, ws int, k int, out *float32)
// One activation row against weight rows w, w+ws, w+2ws, w+3ws (ws in elements).
TEXT ·bf16Dot1x4_512(SB), NOSPLIT, $0-40
	MOVQ x+0(FP), SI
	MOVQ w+8(FP), DI
	MOVQ ws+16(FP), BX
	SHLQ $1, BX
	MOVQ k+24(FP), CX
	MOVQ out+32(FP), DX
	LEAQ (DI)(BX*1), R11
	LEAQ (R11)(BX*1), R12
	LEAQ (R12)(BX*1), R13
	MASK
	VPXORD Z0, Z0, Z0
	VPXORD Z1, Z1, Z1
	VPXORD Z2, Z2, Z2
	VPXORD Z3, Z3, Z3
	SHRQ   $5, CX
	JZ     done4
loop4:
	WIDEN(DI, Z16, Z20)
	WIDEN(R11, Z17, Z21)
	WIDEN(R12, Z18, Z22)
	WIDEN(R13, Z19, Z23)
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
	ADDQ $64, DI
	ADDQ $64, R11
	ADDQ $64, R12
	ADDQ $64, R13
	ADDQ $128, SI
	DECQ CX
	JNZ  loop4
done4:
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

// FMA4 multiplies one activation vector with the four widened weight
// vectors w0..w3 into the accumulators a0..a3.
#define FMA4(xv, w0, w1, w2, w3, a0, a1, a2, a3) \
	VFMADD231PS xv, w0, a0 \
	VFMADD231PS xv, w1, a1 \
	VFMADD231PS xv, w2, a2 \
	VFMADD231PS xv, w3, a3

// func bf16Dot2x4_512(x *float32, xs int, w *uint16, ws int, n int, out *float32)
TEXT ·bf16Dot2x4_512(SB), NOSPLIT, $0-48
	RX4(FMA2X4, ZERO8, STORE2X4)

// func bf16Dot3x4_512(x *float32, xs int, w *uint16, ws int, n int, out *float32)
TEXT ·bf16Dot3x4_512(SB), NOSPLIT, $0-48
	RX4(FMA3X4, ZERO12, STORE3X4)

// func bf16Dot4x4_512(x *float32, xs int, w *uint16, ws int, k int, out *float32)
// Activation rows x + r·xs (xs in floats) against weight rows w + c·ws;
// out[4r+c]. The even products of a chunk are all added before the odd ones,
// so each accumulator sees even, then odd, as in the other kernels.
TEXT ·bf16Dot4x4_512(SB), NOSPLIT, $0-48
	MOVQ x+0(FP), SI
	MOVQ xs+8(FP), AX
	SHLQ $2, AX
	MOVQ w+16(FP), DI
	MOVQ ws+24(FP), BX
	SHLQ $1, BX
	MOVQ k+32(FP), CX
	MOVQ out+40(FP), DX
	LEAQ (SI)(AX*1), R8
	LEAQ (R8)(AX*1), R9
	LEAQ (R9)(AX*1), R10
	LEAQ (DI)(BX*1), R11
	LEAQ (R11)(BX*1), R12
	LEAQ (R12)(BX*1), R13
	MASK
	ZERO16
	SHRQ   $5, CX
	JZ     done44
loop44:
	// the next tile's rows, into L2: see DP4X4 in bf16dp_amd64.s
	PREFETCHT1 (DI)(BX*4)
	PREFETCHT1 (R11)(BX*4)
	PREFETCHT1 (R12)(BX*4)
	PREFETCHT1 (R13)(BX*4)
	WIDEN(DI, Z16, Z20)
	WIDEN(R11, Z17, Z21)
	WIDEN(R12, Z18, Z22)
	WIDEN(R13, Z19, Z23)
	VMOVUPS (SI), Z24
	VMOVUPS (R8), Z25
	VMOVUPS (R9), Z26
	VMOVUPS (R10), Z27
	FMA4(Z24, Z16, Z17, Z18, Z19, Z0, Z1, Z2, Z3)
	FMA4(Z25, Z16, Z17, Z18, Z19, Z4, Z5, Z6, Z7)
	FMA4(Z26, Z16, Z17, Z18, Z19, Z8, Z9, Z10, Z11)
	FMA4(Z27, Z16, Z17, Z18, Z19, Z12, Z13, Z14, Z15)
	VMOVUPS 64(SI), Z24
	VMOVUPS 64(R8), Z25
	VMOVUPS 64(R9), Z26
	VMOVUPS 64(R10), Z27
	FMA4(Z24, Z20, Z21, Z22, Z23, Z0, Z1, Z2, Z3)
	FMA4(Z25, Z20, Z21, Z22, Z23, Z4, Z5, Z6, Z7)
	FMA4(Z26, Z20, Z21, Z22, Z23, Z8, Z9, Z10, Z11)
	FMA4(Z27, Z20, Z21, Z22, Z23, Z12, Z13, Z14, Z15)
	ADDQ $64, DI
	ADDQ $64, R11
	ADDQ $64, R12
	ADDQ $64, R13
	ADDQ $128, SI
	ADDQ $128, R8
	ADDQ $128, R9
	ADDQ $128, R10
	DECQ CX
	JNZ  loop44
done44:
	REDUCE16T // out[4r+c] is accumulator 4r+c: in order after one VPERMPS
	VMOVDQU32 ·reduceOrder16(SB), Z24
	VPERMPS   Z0, Z24, Z0
	VMOVUPS   Z0, (DX)
	VZEROUPPER
	RET
