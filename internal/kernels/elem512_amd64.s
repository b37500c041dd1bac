//go:build amd64 && !purego

#include "textflag.h"

// Element-wise kernels, 16 floats a step, each bit-identical to its Go
// specification in ops.go (same operations, same rounding, no fusing).

// func sumSquares512(s *[8]float64, x *float32, n int)
// s[j] += Σ x[8i+j]² in float64, i in order; n a multiple of 8. A float32
// squared is exact in float64, so the fused multiply-add rounds once, as
// the specification's multiply then add does.
TEXT ·sumSquares512(SB), NOSPLIT, $0-24
	MOVQ s+0(FP), DI
	MOVQ x+8(FP), SI
	MOVQ n+16(FP), CX
	VMOVUPD (DI), Z0
	SHRQ $3, CX
	JZ   ssdone
ssloop:
	VCVTPS2PD   (SI), Z1
	VFMADD231PD Z1, Z1, Z0
	ADDQ $32, SI
	DECQ CX
	JNZ  ssloop
ssdone:
	VMOVUPD Z0, (DI)
	VZEROUPPER
	RET

// func scaleMul512(dst, x, w *float32, inv float32, n int)
// dst[i] = w[i] · (x[i] · inv); n a multiple of 16.
TEXT ·scaleMul512(SB), NOSPLIT, $0-40
	MOVQ dst+0(FP), DI
	MOVQ x+8(FP), SI
	MOVQ w+16(FP), DX
	VBROADCASTSS inv+24(FP), Z2
	MOVQ n+32(FP), CX
	SHRQ $4, CX
	JZ   smdone
smloop:
	VMULPS  (SI), Z2, Z0
	VMULPS  (DX), Z0, Z0
	VMOVUPS Z0, (DI)
	ADDQ $64, SI
	ADDQ $64, DX
	ADDQ $64, DI
	DECQ CX
	JNZ  smloop
smdone:
	VZEROUPPER
	RET

// func mul512(dst, a, b *float32, n int)
// dst[i] = a[i] · b[i]; n a multiple of 16.
TEXT ·mul512(SB), NOSPLIT, $0-32
	MOVQ dst+0(FP), DI
	MOVQ a+8(FP), SI
	MOVQ b+16(FP), DX
	MOVQ n+24(FP), CX
	SHRQ $4, CX
	JZ   mdone
mloop:
	VMOVUPS (SI), Z0
	VMULPS  (DX), Z0, Z0
	VMOVUPS Z0, (DI)
	ADDQ $64, SI
	ADDQ $64, DX
	ADDQ $64, DI
	DECQ CX
	JNZ  mloop
mdone:
	VZEROUPPER
	RET

// func mulAdd512(dst, a, b *float32, n int)
// dst[i] += a[i] · b[i], the product rounded before the add; n a multiple of 16.
TEXT ·mulAdd512(SB), NOSPLIT, $0-32
	MOVQ dst+0(FP), DI
	MOVQ a+8(FP), SI
	MOVQ b+16(FP), DX
	MOVQ n+24(FP), CX
	SHRQ $4, CX
	JZ   madone
maloop:
	VMOVUPS (SI), Z0
	VMULPS  (DX), Z0, Z0
	VADDPS  (DI), Z0, Z0
	VMOVUPS Z0, (DI)
	ADDQ $64, SI
	ADDQ $64, DX
	ADDQ $64, DI
	DECQ CX
	JNZ  maloop
madone:
	VZEROUPPER
	RET

// func add512(dst, src *float32, n int)
// dst[i] += src[i]; n a multiple of 16.
TEXT ·add512(SB), NOSPLIT, $0-24
	MOVQ dst+0(FP), DI
	MOVQ src+8(FP), SI
	MOVQ n+16(FP), CX
	SHRQ $4, CX
	JZ   adone
aloop:
	VMOVUPS (DI), Z0
	VADDPS  (SI), Z0, Z0
	VMOVUPS Z0, (DI)
	ADDQ $64, SI
	ADDQ $64, DI
	DECQ CX
	JNZ  aloop
adone:
	VZEROUPPER
	RET

// func rope512(lo, hi, cos, sin *float32, n int)
// (lo[j], hi[j]) = (lo·cos − hi·sin, hi·cos + lo·sin), each product rounded
// before the add; n a multiple of 16.
TEXT ·rope512(SB), NOSPLIT, $0-40
	MOVQ lo+0(FP), DI
	MOVQ hi+8(FP), SI
	MOVQ cos+16(FP), DX
	MOVQ sin+24(FP), BX
	MOVQ n+32(FP), CX
	SHRQ $4, CX
	JZ   rdone
rloop:
	VMOVUPS (DI), Z0      // a
	VMOVUPS (SI), Z1      // b
	VMOVUPS (DX), Z2      // cos
	VMOVUPS (BX), Z3      // sin
	VMULPS  Z2, Z0, Z4    // a·cos
	VMULPS  Z3, Z1, Z5    // b·sin
	VSUBPS  Z5, Z4, Z4
	VMULPS  Z2, Z1, Z6    // b·cos
	VMULPS  Z3, Z0, Z7    // a·sin
	VADDPS  Z7, Z6, Z6
	VMOVUPS Z4, (DI)
	VMOVUPS Z6, (SI)
	ADDQ $64, DI
	ADDQ $64, SI
	ADDQ $64, DX
	ADDQ $64, BX
	DECQ CX
	JNZ  rloop
rdone:
	VZEROUPPER
	RET
