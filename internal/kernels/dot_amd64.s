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
