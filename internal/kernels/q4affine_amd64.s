//go:build amd64 && !purego

#include "textflag.h"
#include "zmm_amd64.h"

// AVX-512 kernels for the 4-bit affine format (q4affine.go) against the
// deinterleaved activations. Per 32-weight block and weight row: 16 bytes
// of nibbles widen to 16 dwords; the low halves are the 16 even-indexed
// weights, the high halves the odd ones; each half becomes float32, times
// the block's scale, plus its offset (two roundings, as ggml); the even
// half meets x's first 64 bytes of the chunk, the odd half the next 64,
// fused-multiply-added in that order into the output's one accumulator,
// summed by REDUCE512 at the end. Every kernel does exactly this.

// Q4AW(p, a, even, odd, s, o): the block at nibbles p, floats a, widened
// and dequantized into even and odd (s, o scratch; Z30 holds 0, 1, … 15).
// The block's sixteen possible weights are formed once, float32(q × scale)
// + offset for q = 0…15 — the same two roundings as weight by weight — and
// each weight is looked up by its nibble (VPERMPS reads an index's low four
// bits): two lookups where widening every weight took six operations.
#define Q4AW(p, a, even, odd, s, o) \
	VPMOVZXBD    (p), odd \
	VBROADCASTSS (a), s \
	VBROADCASTSS 4(a), o \
	VMULPS       s, Z30, s \
	VADDPS       o, s, s \
	VPERMPS      s, odd, even \
	VPSRLD       $4, odd, odd \
	VPERMPS      s, odd, odd

DATA q4aIota<>+0(SB)/4, $0.0
DATA q4aIota<>+4(SB)/4, $1.0
DATA q4aIota<>+8(SB)/4, $2.0
DATA q4aIota<>+12(SB)/4, $3.0
DATA q4aIota<>+16(SB)/4, $4.0
DATA q4aIota<>+20(SB)/4, $5.0
DATA q4aIota<>+24(SB)/4, $6.0
DATA q4aIota<>+28(SB)/4, $7.0
DATA q4aIota<>+32(SB)/4, $8.0
DATA q4aIota<>+36(SB)/4, $9.0
DATA q4aIota<>+40(SB)/4, $10.0
DATA q4aIota<>+44(SB)/4, $11.0
DATA q4aIota<>+48(SB)/4, $12.0
DATA q4aIota<>+52(SB)/4, $13.0
DATA q4aIota<>+56(SB)/4, $14.0
DATA q4aIota<>+60(SB)/4, $15.0
DATA q4aIota<>+64(SB)/4, $-8.0
DATA q4aIota<>+68(SB)/4, $-7.0
DATA q4aIota<>+72(SB)/4, $-6.0
DATA q4aIota<>+76(SB)/4, $-5.0
DATA q4aIota<>+80(SB)/4, $-4.0
DATA q4aIota<>+84(SB)/4, $-3.0
DATA q4aIota<>+88(SB)/4, $-2.0
DATA q4aIota<>+92(SB)/4, $-1.0
DATA q4aIota<>+96(SB)/4, $0.0
DATA q4aIota<>+100(SB)/4, $1.0
DATA q4aIota<>+104(SB)/4, $2.0
DATA q4aIota<>+108(SB)/4, $3.0
DATA q4aIota<>+112(SB)/4, $4.0
DATA q4aIota<>+116(SB)/4, $5.0
DATA q4aIota<>+120(SB)/4, $6.0
DATA q4aIota<>+124(SB)/4, $7.0
GLOBL q4aIota<>(SB), RODATA|NOPTR, $128

// Q4AIOTA loads the nibble values into Z30: 0…15, or −8…7 when CX (the
// signed argument) is 1 (Q4_0: a weight is (nibble − 8) × scale).
#define Q4AIOTA \
	SHLQ    $6, CX \
	LEAQ    q4aIota<>(SB), R15 \
	VMOVUPS (R15)(CX*1), Z30

// func q4aDot1x1(x *float32, nib *byte, a *float32, k int, signed bool) float32
TEXT ·q4aDot1x1(SB), NOSPLIT, $0-44
	MOVBLZX signed+32(FP), CX
	Q4AIOTA
	MOVQ x+0(FP), SI
	MOVQ nib+8(FP), DI
	MOVQ a+16(FP), R14
	MOVQ k+24(FP), CX
	VPXORD Z0, Z0, Z0
	SHRQ $5, CX
	JZ   q4a11done
q4a11loop:
	Q4AW(DI, R14, Z16, Z17, Z26, Z27)
	VFMADD231PS (SI), Z16, Z0
	VFMADD231PS 64(SI), Z17, Z0
	ADDQ $16, DI
	ADDQ $8, R14
	ADDQ $128, SI
	DECQ CX
	JNZ  q4a11loop
q4a11done:
	REDUCE512(Z0, Y0, X0, Y1, X1)
	VZEROUPPER
	MOVSS X0, ret+40(FP)
	RET

// func q4aDot1x4(x *float32, nib *byte, ns int, a *float32, as int, k int, out *float32, os int, signed bool)
// One activation row against weight rows nib + c·ns (bytes), their floats
// at a + c·as (floats); out[c·os] (decode walks a range in quarters).
TEXT ·q4aDot1x4(SB), NOSPLIT, $0-65
	MOVBLZX signed+64(FP), CX
	Q4AIOTA
	MOVQ x+0(FP), SI
	MOVQ nib+8(FP), DI
	MOVQ ns+16(FP), BX
	LEAQ (DI)(BX*1), R11
	LEAQ (R11)(BX*1), R12
	LEAQ (R12)(BX*1), R13
	MOVQ a+24(FP), R14
	MOVQ as+32(FP), BX
	SHLQ $2, BX
	LEAQ (R14)(BX*1), R8
	LEAQ (R8)(BX*1), R9
	LEAQ (R9)(BX*1), R10
	MOVQ k+40(FP), CX
	VPXORD Z0, Z0, Z0
	VPXORD Z1, Z1, Z1
	VPXORD Z2, Z2, Z2
	VPXORD Z3, Z3, Z3
	SHRQ $5, CX
	JZ   q4a14done
q4a14loop:
	VMOVUPS (SI), Z24
	VMOVUPS 64(SI), Z25
	Q4AW(DI, R14, Z16, Z17, Z26, Z27)
	VFMADD231PS Z24, Z16, Z0
	VFMADD231PS Z25, Z17, Z0
	Q4AW(R11, R8, Z16, Z17, Z26, Z27)
	VFMADD231PS Z24, Z16, Z1
	VFMADD231PS Z25, Z17, Z1
	Q4AW(R12, R9, Z16, Z17, Z26, Z27)
	VFMADD231PS Z24, Z16, Z2
	VFMADD231PS Z25, Z17, Z2
	Q4AW(R13, R10, Z16, Z17, Z26, Z27)
	VFMADD231PS Z24, Z16, Z3
	VFMADD231PS Z25, Z17, Z3
	ADDQ $16, DI
	ADDQ $16, R11
	ADDQ $16, R12
	ADDQ $16, R13
	ADDQ $8, R14
	ADDQ $8, R8
	ADDQ $8, R9
	ADDQ $8, R10
	ADDQ $128, SI
	DECQ CX
	JNZ  q4a14loop
q4a14done:
	MOVQ out+48(FP), DX
	MOVQ os+56(FP), BX
	SHLQ $2, BX
	REDUCE512(Z0, Y0, X0, Y16, X16)
	MOVSS X0, (DX)
	REDUCE512(Z1, Y1, X1, Y16, X16)
	MOVSS X1, (DX)(BX*1)
	REDUCE512(Z2, Y2, X2, Y16, X16)
	MOVSS X2, (DX)(BX*2)
	LEAQ (DX)(BX*2), DX
	REDUCE512(Z3, Y3, X3, Y16, X16)
	MOVSS X3, (DX)(BX*1)
	VZEROUPPER
	RET

// func q4aDot4x4(x *float32, xs int, nib *byte, ns int, a *float32, as int, k int, out *float32, os int, signed bool)
// Activation rows x + r·xs (floats) against weight rows nib + c·ns
// (bytes), floats a + c·as; out[r·os + c]. Accumulators Z0–Z15, the four
// rows' dequantized halves Z16–Z23, activations Z24–Z25.
TEXT ·q4aDot4x4(SB), NOSPLIT, $0-73
	MOVBLZX signed+72(FP), CX
	Q4AIOTA
	MOVQ x+0(FP), SI
	MOVQ xs+8(FP), AX
	SHLQ $2, AX
	LEAQ (SI)(AX*1), R8
	LEAQ (R8)(AX*1), R9
	LEAQ (R9)(AX*1), R10
	MOVQ nib+16(FP), DI
	MOVQ ns+24(FP), BX
	LEAQ (DI)(BX*1), R11
	LEAQ (R11)(BX*1), R12
	LEAQ (R12)(BX*1), R13
	MOVQ a+32(FP), R14
	MOVQ as+40(FP), BX
	SHLQ $2, BX
	LEAQ (R14)(BX*1), AX
	LEAQ (AX)(BX*1), DX
	LEAQ (DX)(BX*1), BX
	MOVQ k+48(FP), CX
	ZERO16
	SHRQ $5, CX
	JZ   q4a44done
q4a44loop:
	Q4AW(DI, R14, Z16, Z17, Z26, Z27)
	Q4AW(R11, AX, Z18, Z19, Z26, Z27)
	Q4AW(R12, DX, Z20, Z21, Z26, Z27)
	Q4AW(R13, BX, Z22, Z23, Z26, Z27)
	VMOVUPS (SI), Z24
	VMOVUPS 64(SI), Z25
	VFMADD231PS Z24, Z16, Z0
	VFMADD231PS Z25, Z17, Z0
	VFMADD231PS Z24, Z18, Z1
	VFMADD231PS Z25, Z19, Z1
	VFMADD231PS Z24, Z20, Z2
	VFMADD231PS Z25, Z21, Z2
	VFMADD231PS Z24, Z22, Z3
	VFMADD231PS Z25, Z23, Z3
	VMOVUPS (R8), Z24
	VMOVUPS 64(R8), Z25
	VFMADD231PS Z24, Z16, Z4
	VFMADD231PS Z25, Z17, Z4
	VFMADD231PS Z24, Z18, Z5
	VFMADD231PS Z25, Z19, Z5
	VFMADD231PS Z24, Z20, Z6
	VFMADD231PS Z25, Z21, Z6
	VFMADD231PS Z24, Z22, Z7
	VFMADD231PS Z25, Z23, Z7
	VMOVUPS (R9), Z24
	VMOVUPS 64(R9), Z25
	VFMADD231PS Z24, Z16, Z8
	VFMADD231PS Z25, Z17, Z8
	VFMADD231PS Z24, Z18, Z9
	VFMADD231PS Z25, Z19, Z9
	VFMADD231PS Z24, Z20, Z10
	VFMADD231PS Z25, Z21, Z10
	VFMADD231PS Z24, Z22, Z11
	VFMADD231PS Z25, Z23, Z11
	VMOVUPS (R10), Z24
	VMOVUPS 64(R10), Z25
	VFMADD231PS Z24, Z16, Z12
	VFMADD231PS Z25, Z17, Z12
	VFMADD231PS Z24, Z18, Z13
	VFMADD231PS Z25, Z19, Z13
	VFMADD231PS Z24, Z20, Z14
	VFMADD231PS Z25, Z21, Z14
	VFMADD231PS Z24, Z22, Z15
	VFMADD231PS Z25, Z23, Z15
	ADDQ $16, DI
	ADDQ $16, R11
	ADDQ $16, R12
	ADDQ $16, R13
	ADDQ $8, R14
	ADDQ $8, AX
	ADDQ $8, DX
	ADDQ $8, BX
	ADDQ $128, SI
	ADDQ $128, R8
	ADDQ $128, R9
	ADDQ $128, R10
	DECQ CX
	JNZ  q4a44loop
q4a44done:
	MOVQ out+56(FP), DX
	MOVQ os+64(FP), BX
	SHLQ $2, BX
	REDUCE512(Z0, Y0, X0, Y16, X16)
	MOVSS X0, 0(DX)
	REDUCE512(Z1, Y1, X1, Y16, X16)
	MOVSS X1, 4(DX)
	REDUCE512(Z2, Y2, X2, Y16, X16)
	MOVSS X2, 8(DX)
	REDUCE512(Z3, Y3, X3, Y16, X16)
	MOVSS X3, 12(DX)
	ADDQ BX, DX
	REDUCE512(Z4, Y4, X4, Y16, X16)
	MOVSS X4, 0(DX)
	REDUCE512(Z5, Y5, X5, Y16, X16)
	MOVSS X5, 4(DX)
	REDUCE512(Z6, Y6, X6, Y16, X16)
	MOVSS X6, 8(DX)
	REDUCE512(Z7, Y7, X7, Y16, X16)
	MOVSS X7, 12(DX)
	ADDQ BX, DX
	REDUCE512(Z8, Y8, X8, Y16, X16)
	MOVSS X8, 0(DX)
	REDUCE512(Z9, Y9, X9, Y16, X16)
	MOVSS X9, 4(DX)
	REDUCE512(Z10, Y10, X10, Y16, X16)
	MOVSS X10, 8(DX)
	REDUCE512(Z11, Y11, X11, Y16, X16)
	MOVSS X11, 12(DX)
	ADDQ BX, DX
	REDUCE512(Z12, Y12, X12, Y16, X16)
	MOVSS X12, 0(DX)
	REDUCE512(Z13, Y13, X13, Y16, X16)
	MOVSS X13, 4(DX)
	REDUCE512(Z14, Y14, X14, Y16, X16)
	MOVSS X14, 8(DX)
	REDUCE512(Z15, Y15, X15, Y16, X16)
	MOVSS X15, 12(DX)
	VZEROUPPER
	RET
