//go:build amd64 && !purego

#include "textflag.h"

// The element-wise kernels of elem512_amd64.s for AVX2 + FMA, 8 floats a
// step, each bit-identical to its Go specification in ops.go.

// func sumSquares256(s *[8]float64, x *float32, n int)
// s[j] += Σ x[8i+j]² in float64, i in order; n a multiple of 8 (see
// sumSquares512: the fused multiply-add rounds once, as Go's does).
TEXT ·sumSquares256(SB), NOSPLIT, $0-24
	MOVQ s+0(FP), DI
	MOVQ x+8(FP), SI
	MOVQ n+16(FP), CX
	VMOVUPD (DI), Y0
	VMOVUPD 32(DI), Y3
	SHRQ $3, CX
	JZ   ssdone
ssloop:
	VCVTPS2PD   (SI), Y1
	VCVTPS2PD   16(SI), Y2
	VFMADD231PD Y1, Y1, Y0
	VFMADD231PD Y2, Y2, Y3
	ADDQ $32, SI
	DECQ CX
	JNZ  ssloop
ssdone:
	VMOVUPD Y0, (DI)
	VMOVUPD Y3, 32(DI)
	VZEROUPPER
	RET

// func scaleMul256(dst, x, w *float32, inv float32, n int)
// dst[i] = w[i] · (x[i] · inv); n a multiple of 8.
TEXT ·scaleMul256(SB), NOSPLIT, $0-40
	MOVQ dst+0(FP), DI
	MOVQ x+8(FP), SI
	MOVQ w+16(FP), DX
	VBROADCASTSS inv+24(FP), Y2
	MOVQ n+32(FP), CX
	SHRQ $3, CX
	JZ   smdone
smloop:
	VMULPS  (SI), Y2, Y0
	VMULPS  (DX), Y0, Y0
	VMOVUPS Y0, (DI)
	ADDQ $32, SI
	ADDQ $32, DX
	ADDQ $32, DI
	DECQ CX
	JNZ  smloop
smdone:
	VZEROUPPER
	RET

// func mul256(dst, a, b *float32, n int)
// dst[i] = a[i] · b[i]; n a multiple of 8.
TEXT ·mul256(SB), NOSPLIT, $0-32
	MOVQ dst+0(FP), DI
	MOVQ a+8(FP), SI
	MOVQ b+16(FP), DX
	MOVQ n+24(FP), CX
	SHRQ $3, CX
	JZ   mdone
mloop:
	VMOVUPS (SI), Y0
	VMULPS  (DX), Y0, Y0
	VMOVUPS Y0, (DI)
	ADDQ $32, SI
	ADDQ $32, DX
	ADDQ $32, DI
	DECQ CX
	JNZ  mloop
mdone:
	VZEROUPPER
	RET

// func mulAdd256(dst, a, b *float32, n int)
// dst[i] += a[i] · b[i], the product rounded before the add; n a multiple of 8.
TEXT ·mulAdd256(SB), NOSPLIT, $0-32
	MOVQ dst+0(FP), DI
	MOVQ a+8(FP), SI
	MOVQ b+16(FP), DX
	MOVQ n+24(FP), CX
	SHRQ $3, CX
	JZ   madone
maloop:
	VMOVUPS (SI), Y0
	VMULPS  (DX), Y0, Y0
	VADDPS  (DI), Y0, Y0
	VMOVUPS Y0, (DI)
	ADDQ $32, SI
	ADDQ $32, DX
	ADDQ $32, DI
	DECQ CX
	JNZ  maloop
madone:
	VZEROUPPER
	RET

// func add256(dst, src *float32, n int)
// dst[i] += src[i]; n a multiple of 8.
TEXT ·add256(SB), NOSPLIT, $0-24
	MOVQ dst+0(FP), DI
	MOVQ src+8(FP), SI
	MOVQ n+16(FP), CX
	SHRQ $3, CX
	JZ   adone
aloop:
	VMOVUPS (DI), Y0
	VADDPS  (SI), Y0, Y0
	VMOVUPS Y0, (DI)
	ADDQ $32, SI
	ADDQ $32, DI
	DECQ CX
	JNZ  aloop
adone:
	VZEROUPPER
	RET

// func rope256(lo, hi, cos, sin *float32, n int)
// (lo[j], hi[j]) = (lo·cos − hi·sin, hi·cos + lo·sin), each product rounded
// before the add; n a multiple of 8.
TEXT ·rope256(SB), NOSPLIT, $0-40
	MOVQ lo+0(FP), DI
	MOVQ hi+8(FP), SI
	MOVQ cos+16(FP), DX
	MOVQ sin+24(FP), BX
	MOVQ n+32(FP), CX
	SHRQ $3, CX
	JZ   rdone
rloop:
	VMOVUPS (DI), Y0      // a
	VMOVUPS (SI), Y1      // b
	VMOVUPS (DX), Y2      // cos
	VMOVUPS (BX), Y3      // sin
	VMULPS  Y2, Y0, Y4    // a·cos
	VMULPS  Y3, Y1, Y5    // b·sin
	VSUBPS  Y5, Y4, Y4
	VMULPS  Y2, Y1, Y6    // b·cos
	VMULPS  Y3, Y0, Y7    // a·sin
	VADDPS  Y7, Y6, Y6
	VMOVUPS Y4, (DI)
	VMOVUPS Y6, (SI)
	ADDQ $32, DI
	ADDQ $32, SI
	ADDQ $32, DX
	ADDQ $32, BX
	DECQ CX
	JNZ  rloop
rdone:
	VZEROUPPER
	RET
