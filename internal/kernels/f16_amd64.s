//go:build amd64 && !purego

#include "textflag.h"

// f16 weights (rowsF16AVX2) with AVX2, FMA and F16C: each row's dot is
// dotF32AVX2's arithmetic exactly on the weights widened to float32
// (VCVTPH2PS is exact) — two accumulators, elements 0–7 and 8–15 of each
// 16-element chunk, reduced as REDUCE does — so an f16 matrix computes
// what the f32 kernels compute on its widened rows, bit for bit.

// F16REDUCE(ya, yb, xa, xb): dot_amd64.s's REDUCE.
#define F16REDUCE(ya, yb, xa, xb) \
	VADDPS       yb, ya, ya \
	VEXTRACTF128 $1, ya, xb \
	VADDPS       xb, xa, xa \
	VHADDPS      xa, xa, xa \
	VHADDPS      xa, xa, xa

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
	VXORPS Y0, Y0, Y0
	VXORPS Y1, Y1, Y1
	VXORPS Y2, Y2, Y2
	VXORPS Y3, Y3, Y3
	VXORPS Y4, Y4, Y4
	VXORPS Y5, Y5, Y5
	VXORPS Y6, Y6, Y6
	VXORPS Y7, Y7, Y7
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
	F16REDUCE(Y0, Y1, X0, X1)
	MOVSS X0, (DX)
	F16REDUCE(Y2, Y3, X2, X3)
	MOVSS X2, 4(DX)
	F16REDUCE(Y4, Y5, X4, X5)
	MOVSS X4, 8(DX)
	F16REDUCE(Y6, Y7, X6, X7)
	MOVSS X6, 12(DX)
	VZEROUPPER
	RET
