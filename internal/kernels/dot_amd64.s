//go:build amd64 && !purego

#include "textflag.h"
#include "reduce8_amd64.h"

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
