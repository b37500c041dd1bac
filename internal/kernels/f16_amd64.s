//go:build amd64 && !purego

#include "textflag.h"
#include "reduce8_amd64.h"
#include "zmm_amd64.h"
#include "ymm_amd64.h"

// f16 weights (rowsF16AVX2) with AVX2, FMA and F16C: each row's dot is
// dotF32AVX2's arithmetic exactly on the weights widened to float32
// (VCVTPH2PS is exact) — two accumulators, elements 0–7 and 8–15 of each
// 16-element chunk, reduced as REDUCE does — so an f16 matrix computes
// what the f32 kernels compute on its widened rows, bit for bit.

// func f16Dot1x4AVX2(x *float32, w *uint16, ws int, n int, out *float32)
// out[r] = Σ x[i]·w[r·ws + i] for rows r < 4 (ws in elements), n a
// multiple of 16: four rows' streams at once, eight independent sums.
TEXT ·f16Dot1x4AVX2(SB), NOSPLIT, $0-40
	MOVQ x+0(FP), SI
	MOVQ w+8(FP), DI
	MOVQ ws+16(FP), BX
	SHLQ $1, BX
	MOVQ n+24(FP), CX
	MOVQ out+32(FP), DX
	LEAQ (DI)(BX*1), R11
	LEAQ (R11)(BX*1), R12
	LEAQ (R12)(BX*1), R13
	ZEROY8
	SHRQ $4, CX
	JZ   reduce4
loop4:
	VMOVUPS     (SI), Y8
	VMOVUPS     32(SI), Y9
	VCVTPH2PS   (DI), Y10
	VCVTPH2PS   16(DI), Y11
	VFMADD231PS Y8, Y10, Y0
	VFMADD231PS Y9, Y11, Y1
	VCVTPH2PS   (R11), Y12
	VCVTPH2PS   16(R11), Y13
	VFMADD231PS Y8, Y12, Y2
	VFMADD231PS Y9, Y13, Y3
	VCVTPH2PS   (R12), Y10
	VCVTPH2PS   16(R12), Y11
	VFMADD231PS Y8, Y10, Y4
	VFMADD231PS Y9, Y11, Y5
	VCVTPH2PS   (R13), Y12
	VCVTPH2PS   16(R13), Y13
	VFMADD231PS Y8, Y12, Y6
	VFMADD231PS Y9, Y13, Y7
	ADDQ $32, DI
	ADDQ $32, R11
	ADDQ $32, R12
	ADDQ $32, R13
	ADDQ $64, SI
	DECQ CX
	JNZ  loop4
reduce4:
	REDUCE(Y0, Y1, X0, X1)
	MOVSS X0, (DX)
	REDUCE(Y2, Y3, X2, X3)
	MOVSS X2, 4(DX)
	REDUCE(Y4, Y5, X4, X5)
	MOVSS X4, 8(DX)
	REDUCE(Y6, Y7, X6, X7)
	MOVSS X6, 12(DX)
	VZEROUPPER
	RET

// F16FMA3(w, a0, a1, a2): the weights in w times the three activation
// rows' same eight elements at (SI), (R8), (R9) plus off, into a0–a2.
#define F16FMA3(off, w, a0, a1, a2) \
	VFMADD231PS off(SI), w, a0 \
	VFMADD231PS off(R8), w, a1 \
	VFMADD231PS off(R9), w, a2

// func f16Dot3x2AVX2(x *float32, xs int, w *uint16, ws int, n int, out *float32)
// out[2r + c] = Σ x[r·xs + i]·w[c·ws + i] for activation rows r < 3 and
// weight rows c < 2 (strides in elements), n a multiple of 16: prefill's
// tile, each weight converted once for three activation rows; every
// output f16Dot1x4AVX2's arithmetic (Y0–Y11 two accumulators each).
TEXT ·f16Dot3x2AVX2(SB), NOSPLIT, $0-48
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
	LEAQ (DI)(BX*1), R11
	ZEROY8
	VXORPS Y8, Y8, Y8
	VXORPS Y9, Y9, Y9
	VXORPS Y10, Y10, Y10
	VXORPS Y11, Y11, Y11
	SHRQ $4, CX
	JZ   reduce32
loop32:
	VCVTPH2PS (DI), Y12
	VCVTPH2PS 16(DI), Y13
	VCVTPH2PS (R11), Y14
	VCVTPH2PS 16(R11), Y15
	F16FMA3(0, Y12, Y0, Y4, Y8)
	F16FMA3(32, Y13, Y1, Y5, Y9)
	F16FMA3(0, Y14, Y2, Y6, Y10)
	F16FMA3(32, Y15, Y3, Y7, Y11)
	ADDQ $32, DI
	ADDQ $32, R11
	ADDQ $64, SI
	ADDQ $64, R8
	ADDQ $64, R9
	DECQ CX
	JNZ  loop32
reduce32:
	REDUCE(Y0, Y1, X0, X1)
	MOVSS X0, (DX)
	REDUCE(Y2, Y3, X2, X3)
	MOVSS X2, 4(DX)
	REDUCE(Y4, Y5, X4, X5)
	MOVSS X4, 8(DX)
	REDUCE(Y6, Y7, X6, X7)
	MOVSS X6, 12(DX)
	REDUCE(Y8, Y9, X8, X9)
	MOVSS X8, 16(DX)
	REDUCE(Y10, Y11, X10, X11)
	MOVSS X10, 20(DX)
	VZEROUPPER
	RET

// F16FMA4(x, r0, r1, r2, r3): the four widened weight rows Z16–Z19 times
// an activation row's sixteen elements (x, a register), into its
// accumulators r0–r3.
#define F16FMA4(x, r0, r1, r2, r3) \
	VFMADD231PS x, Z16, r0 \
	VFMADD231PS x, Z17, r1 \
	VFMADD231PS x, Z18, r2 \
	VFMADD231PS x, Z19, r3

// F16REDUCE512(k): Zk's lanes 8–15 added to its lanes 0–7 (dotF32AVX2's
// two accumulators, here the halves of one register), then REDUCE's steps;
// the sum stored at 4k bytes from DX.
#define F16REDUCE512(z, y, x, k) \
	VEXTRACTF32X8 $1, z, Y20 \
	VADDPS        Y20, y, y \
	VEXTRACTF32X4 $1, y, X21 \
	VADDPS        X21, x, x \
	VHADDPS       x, x, x \
	VHADDPS       x, x, x \
	MOVSS         x, (4*k)(DX)

// func f16Dot4x4_512(x *float32, xs int, w *uint16, ws int, n int, out *float32)
// out[4r + c] = Σ x[r·xs + i]·w[c·ws + i] for activation rows r < 4 and
// weight rows c < 4 (strides in elements), n a multiple of 16. Each
// output's register holds in lanes 0–7 and 8–15 what dotF32AVX2's two
// accumulators hold, so every output is its arithmetic exactly.
TEXT ·f16Dot4x4_512(SB), NOSPLIT, $0-48
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
	LEAQ (R12)(BX*1), R13
	ZERO16
	SHRQ $4, CX
	JZ   reduce44
loop44:
	VCVTPH2PS (DI), Z16
	VCVTPH2PS (R11), Z17
	VCVTPH2PS (R12), Z18
	VCVTPH2PS (R13), Z19
	VMOVUPS   (SI), Z22
	VMOVUPS   (R8), Z23
	VMOVUPS   (R9), Z24
	VMOVUPS   (R10), Z25
	F16FMA4(Z22, Z0, Z1, Z2, Z3)
	F16FMA4(Z23, Z4, Z5, Z6, Z7)
	F16FMA4(Z24, Z8, Z9, Z10, Z11)
	F16FMA4(Z25, Z12, Z13, Z14, Z15)
	ADDQ $32, DI
	ADDQ $32, R11
	ADDQ $32, R12
	ADDQ $32, R13
	ADDQ $64, SI
	ADDQ $64, R8
	ADDQ $64, R9
	ADDQ $64, R10
	DECQ CX
	JNZ  loop44
reduce44:
	F16REDUCE512(Z0, Y0, X0, 0)
	F16REDUCE512(Z1, Y1, X1, 1)
	F16REDUCE512(Z2, Y2, X2, 2)
	F16REDUCE512(Z3, Y3, X3, 3)
	F16REDUCE512(Z4, Y4, X4, 4)
	F16REDUCE512(Z5, Y5, X5, 5)
	F16REDUCE512(Z6, Y6, X6, 6)
	F16REDUCE512(Z7, Y7, X7, 7)
	F16REDUCE512(Z8, Y8, X8, 8)
	F16REDUCE512(Z9, Y9, X9, 9)
	F16REDUCE512(Z10, Y10, X10, 10)
	F16REDUCE512(Z11, Y11, X11, 11)
	F16REDUCE512(Z12, Y12, X12, 12)
	F16REDUCE512(Z13, Y13, X13, 13)
	F16REDUCE512(Z14, Y14, X14, 14)
	F16REDUCE512(Z15, Y15, X15, 15)
	VZEROUPPER
	RET
