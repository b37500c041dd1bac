//go:build amd64 && !purego

#include "textflag.h"

// REDUCE sums the two 8-lane accumulators ya, yb into the low lane of xa
// (xb, the low half of yb, is scratch). Every kernel reduces this way, so a
// row's result is the same whichever kernel computed it.
#define REDUCE(ya, yb, xa, xb) \
	VADDPS       yb, ya, ya \
	VEXTRACTF128 $1, ya, xb \
	VADDPS       xb, xa, xa \
	VHADDPS      xa, xa, xa \
	VHADDPS      xa, xa, xa

// func dotBF16AVX2(x *float32, w *uint16, n int) float32
// Σ x[i]·bf16(w[i]) for n a multiple of 16: two 8-lane FMA accumulators,
// bf16 widened by zero-extension and a 16-bit shift.
TEXT ·dotBF16AVX2(SB), NOSPLIT, $0-28
	MOVQ x+0(FP), SI
	MOVQ w+8(FP), DI
	MOVQ n+16(FP), CX
	VXORPS Y0, Y0, Y0
	VXORPS Y1, Y1, Y1
	SHRQ $4, CX
	JZ   reduce
loop:
	VPMOVZXWD (DI), Y2
	VPSLLD    $16, Y2, Y2
	VFMADD231PS (SI), Y2, Y0
	VPMOVZXWD 16(DI), Y3
	VPSLLD    $16, Y3, Y3
	VFMADD231PS 32(SI), Y3, Y1
	ADDQ $32, DI
	ADDQ $64, SI
	DECQ CX
	JNZ  loop
reduce:
	REDUCE(Y0, Y1, X0, X1)
	VZEROUPPER
	MOVSS X0, ret+24(FP)
	RET

// func dotF32AVX2(x, w *float32, n int) float32
// Σ x[i]·w[i] for n a multiple of 16.
TEXT ·dotF32AVX2(SB), NOSPLIT, $0-28
	MOVQ x+0(FP), SI
	MOVQ w+8(FP), DI
	MOVQ n+16(FP), CX
	VXORPS Y0, Y0, Y0
	VXORPS Y1, Y1, Y1
	SHRQ $4, CX
	JZ   reducef
loopf:
	VMOVUPS (DI), Y2
	VFMADD231PS (SI), Y2, Y0
	VMOVUPS 32(DI), Y3
	VFMADD231PS 32(SI), Y3, Y1
	ADDQ $64, DI
	ADDQ $64, SI
	DECQ CX
	JNZ  loopf
reducef:
	REDUCE(Y0, Y1, X0, X1)
	VZEROUPPER
	MOVSS X0, ret+24(FP)
	RET

// func dotBF16x4AVX2(x *float32, stride int, w *uint16, n int, out *float32)
// Four dots of one bf16 weight row with rows x, x+stride, x+2·stride,
// x+3·stride (stride in floats), n a multiple of 16. Each row uses the same
// two accumulators and reduction as dotBF16AVX2, so its result is
// bit-identical to that kernel's: batch invariance holds.
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
	VXORPS Y4, Y4, Y4
	VXORPS Y5, Y5, Y5
	VXORPS Y6, Y6, Y6
	VXORPS Y7, Y7, Y7
	SHRQ $4, CX
	JZ   reduce4
loop4:
	VPMOVZXWD (DI), Y8
	VPSLLD    $16, Y8, Y8
	VPMOVZXWD 16(DI), Y9
	VPSLLD    $16, Y9, Y9
	VFMADD231PS (SI), Y8, Y0
	VFMADD231PS 32(SI), Y9, Y1
	VFMADD231PS (R8), Y8, Y2
	VFMADD231PS 32(R8), Y9, Y3
	VFMADD231PS (R9), Y8, Y4
	VFMADD231PS 32(R9), Y9, Y5
	VFMADD231PS (R10), Y8, Y6
	VFMADD231PS 32(R10), Y9, Y7
	ADDQ $32, DI
	ADDQ $64, SI
	ADDQ $64, R8
	ADDQ $64, R9
	ADDQ $64, R10
	DECQ CX
	JNZ  loop4
reduce4:
	REDUCE(Y0, Y1, X0, X1)
	MOVSS        X0, (DX)
	REDUCE(Y2, Y3, X2, X3)
	MOVSS        X2, 4(DX)
	REDUCE(Y4, Y5, X4, X5)
	MOVSS        X4, 8(DX)
	REDUCE(Y6, Y7, X6, X7)
	MOVSS        X6, 12(DX)
	VZEROUPPER
	RET

// func dotBF16w4AVX2(x *float32, w *uint16, ws int, n int, out *float32)
// One activation row against four bf16 weight rows w + c·ws (ws in
// elements), n a multiple of 16; out[c]. Each row has its own two
// accumulators and the reduction of dotBF16AVX2, so its result is
// bit-identical to that kernel's (batch invariance); four rows at once give
// eight independent FMA chains where one row gives two (decode).
TEXT ·dotBF16w4AVX2(SB), NOSPLIT, $0-40
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
	JZ   reducew4
loopw4:
	VMOVUPS (SI), Y14
	VMOVUPS 32(SI), Y15
	VPMOVZXWD (DI), Y8
	VPSLLD    $16, Y8, Y8
	VPMOVZXWD 16(DI), Y9
	VPSLLD    $16, Y9, Y9
	VFMADD231PS Y14, Y8, Y0
	VFMADD231PS Y15, Y9, Y1
	VPMOVZXWD (R11), Y10
	VPSLLD    $16, Y10, Y10
	VPMOVZXWD 16(R11), Y11
	VPSLLD    $16, Y11, Y11
	VFMADD231PS Y14, Y10, Y2
	VFMADD231PS Y15, Y11, Y3
	VPMOVZXWD (R12), Y8
	VPSLLD    $16, Y8, Y8
	VPMOVZXWD 16(R12), Y9
	VPSLLD    $16, Y9, Y9
	VFMADD231PS Y14, Y8, Y4
	VFMADD231PS Y15, Y9, Y5
	VPMOVZXWD (R13), Y10
	VPSLLD    $16, Y10, Y10
	VPMOVZXWD 16(R13), Y11
	VPSLLD    $16, Y11, Y11
	VFMADD231PS Y14, Y10, Y6
	VFMADD231PS Y15, Y11, Y7
	ADDQ $32, DI
	ADDQ $32, R11
	ADDQ $32, R12
	ADDQ $32, R13
	ADDQ $64, SI
	DECQ CX
	JNZ  loopw4
reducew4:
	REDUCE(Y0, Y1, X0, X1)
	MOVSS        X0, (DX)
	REDUCE(Y2, Y3, X2, X3)
	MOVSS        X2, 4(DX)
	REDUCE(Y4, Y5, X4, X5)
	MOVSS        X4, 8(DX)
	REDUCE(Y6, Y7, X6, X7)
	MOVSS        X6, 12(DX)
	VZEROUPPER
	RET
