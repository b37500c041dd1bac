//go:build amd64 && !purego

#include "textflag.h"

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
	VADDPS       Y1, Y0, Y0
	VEXTRACTF128 $1, Y0, X1
	VADDPS       X1, X0, X0
	VHADDPS      X0, X0, X0
	VHADDPS      X0, X0, X0
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
	VADDPS       Y1, Y0, Y0
	VEXTRACTF128 $1, Y0, X1
	VADDPS       X1, X0, X0
	VHADDPS      X0, X0, X0
	VHADDPS      X0, X0, X0
	VZEROUPPER
	MOVSS X0, ret+24(FP)
	RET
