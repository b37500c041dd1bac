//go:build amd64 && !purego

#include "textflag.h"

// Attention tiles in AVX2 for up to 16 queries (lanes, two ymm) against a
// chunk of 16 keys, head dimension d (a multiple of 8): the same sums in
// the same order as the AVX-512 tiles (attn512_amd64.s), a quarter of the
// tile at a time since AVX2 has 16 registers.

// func attnScores256(s *float32, qt *float32, k *float32, d, kstride int)
// s[16·kk + lane] = Σ_j qt[16·j + lane] · k[kstride·kk + j], four keys a pass.
TEXT ·attnScores256(SB), NOSPLIT, $0-40
	MOVQ s+0(FP), DX
	MOVQ k+16(FP), R13
	MOVQ kstride+32(FP), BX
	SHLQ $2, BX // key row stride in bytes
	LEAQ (BX)(BX*2), R9
	MOVQ $4, R12
sgroup:
	MOVQ qt+8(FP), SI
	MOVQ d+24(FP), CX
	MOVQ R13, DI
	VXORPS Y0, Y0, Y0
	VXORPS Y1, Y1, Y1
	VXORPS Y2, Y2, Y2
	VXORPS Y3, Y3, Y3
	VXORPS Y4, Y4, Y4
	VXORPS Y5, Y5, Y5
	VXORPS Y6, Y6, Y6
	VXORPS Y7, Y7, Y7
sj:
	VMOVUPS (SI), Y8
	VMOVUPS 32(SI), Y9
	VBROADCASTSS (DI), Y10
	VFMADD231PS Y8, Y10, Y0
	VFMADD231PS Y9, Y10, Y1
	VBROADCASTSS (DI)(BX*1), Y11
	VFMADD231PS Y8, Y11, Y2
	VFMADD231PS Y9, Y11, Y3
	VBROADCASTSS (DI)(BX*2), Y12
	VFMADD231PS Y8, Y12, Y4
	VFMADD231PS Y9, Y12, Y5
	VBROADCASTSS (DI)(R9*1), Y13
	VFMADD231PS Y8, Y13, Y6
	VFMADD231PS Y9, Y13, Y7
	ADDQ $64, SI
	ADDQ $4, DI
	DECQ CX
	JNZ  sj
	VMOVUPS Y0, 0(DX)
	VMOVUPS Y1, 32(DX)
	VMOVUPS Y2, 64(DX)
	VMOVUPS Y3, 96(DX)
	VMOVUPS Y4, 128(DX)
	VMOVUPS Y5, 160(DX)
	VMOVUPS Y6, 192(DX)
	VMOVUPS Y7, 224(DX)
	ADDQ $256, DX
	LEAQ (R13)(BX*4), R13
	DECQ R12
	JNZ  sgroup
	VZEROUPPER
	RET

// func attnAccum256(ot *float32, p *float32, v *float32, scale *float32, d, vstride int)
// ot[16·j + lane] = ot[16·j + lane]·scale[lane] + Σ_kk p[16·kk + lane]·v[vstride·kk + j],
// keys in order kk = 0..15, four dims j a pass; d a multiple of 4.
TEXT ·attnAccum256(SB), NOSPLIT, $0-48
	MOVQ ot+0(FP), DX
	MOVQ v+16(FP), R8
	MOVQ scale+24(FP), AX
	MOVQ d+32(FP), CX
	MOVQ vstride+40(FP), BX
	SHLQ $2, BX // v row stride in bytes
	VMOVUPS (AX), Y14
	VMOVUPS 32(AX), Y15
	SHRQ $2, CX
ajloop:
	VMULPS 0(DX), Y14, Y0
	VMULPS 32(DX), Y15, Y1
	VMULPS 64(DX), Y14, Y2
	VMULPS 96(DX), Y15, Y3
	VMULPS 128(DX), Y14, Y4
	VMULPS 160(DX), Y15, Y5
	VMULPS 192(DX), Y14, Y6
	VMULPS 224(DX), Y15, Y7
	MOVQ p+8(FP), SI
	MOVQ R8, DI
	MOVQ $16, R12
akk:
	VBROADCASTSS 0(DI), Y8
	VFMADD231PS (SI), Y8, Y0
	VFMADD231PS 32(SI), Y8, Y1
	VBROADCASTSS 4(DI), Y9
	VFMADD231PS (SI), Y9, Y2
	VFMADD231PS 32(SI), Y9, Y3
	VBROADCASTSS 8(DI), Y8
	VFMADD231PS (SI), Y8, Y4
	VFMADD231PS 32(SI), Y8, Y5
	VBROADCASTSS 12(DI), Y9
	VFMADD231PS (SI), Y9, Y6
	VFMADD231PS 32(SI), Y9, Y7
	ADDQ $64, SI
	ADDQ BX, DI
	DECQ R12
	JNZ  akk
	VMOVUPS Y0, 0(DX)
	VMOVUPS Y1, 32(DX)
	VMOVUPS Y2, 64(DX)
	VMOVUPS Y3, 96(DX)
	VMOVUPS Y4, 128(DX)
	VMOVUPS Y5, 160(DX)
	VMOVUPS Y6, 192(DX)
	VMOVUPS Y7, 224(DX)
	ADDQ $256, DX
	ADDQ $16, R8
	DECQ CX
	JNZ  ajloop
	VZEROUPPER
	RET
