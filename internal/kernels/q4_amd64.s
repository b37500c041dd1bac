//go:build amd64 && !purego

#include "textflag.h"
#include "zmm_amd64.h"

// 4-bit × int8 kernels (q4.go) with AVX512_VNNI. Per pair of blocks and per
// weight row: 32 bytes of nibbles unpack into 64 (low halves, then high,
// matching the activations' layout); VPDPBUSD forms sixteen lane sums of
// four nibble × int8 products; the lane corrections turn nibbles into
// nibble − 8; the sums become float32 and are fused-multiply-added, times
// each block's combined scale (weight scale spread over its lanes ×
// activation scale), into the row's accumulator. REDUCE512 at the end.

// Lane → weight scale of the pair: A for lanes 0–3 and 8–11, B for 4–7, 12–15.
DATA q4Idx<>+0(SB)/4, $0
DATA q4Idx<>+4(SB)/4, $0
DATA q4Idx<>+8(SB)/4, $0
DATA q4Idx<>+12(SB)/4, $0
DATA q4Idx<>+16(SB)/4, $1
DATA q4Idx<>+20(SB)/4, $1
DATA q4Idx<>+24(SB)/4, $1
DATA q4Idx<>+28(SB)/4, $1
DATA q4Idx<>+32(SB)/4, $0
DATA q4Idx<>+36(SB)/4, $0
DATA q4Idx<>+40(SB)/4, $0
DATA q4Idx<>+44(SB)/4, $0
DATA q4Idx<>+48(SB)/4, $1
DATA q4Idx<>+52(SB)/4, $1
DATA q4Idx<>+56(SB)/4, $1
DATA q4Idx<>+60(SB)/4, $1
GLOBL q4Idx<>(SB), RODATA|NOPTR, $64

#define Q4SETUP \
	MOVL $0x0f0f0f0f, AX \
	VPBROADCASTD AX, Z27 \
	VMOVDQU32 q4Idx<>(SB), Z28

// Q4ROW: one weight row's pair at nib (scales at sc) into acc; t0–t3 scratch.
#define Q4ROW(nib, sc, acc, t0, y0, t1, y1, t2, t3, x3) \
	VMOVDQU32 (nib), y0 \
	VPSRLW $4, y0, y1 \
	VINSERTI64X4 $1, y1, t0, t0 \
	VPANDD Z27, t0, t0 \
	VPXORD t2, t2, t2 \
	VPDPBUSD Z24, t0, t2 \
	VPSUBD Z25, t2, t2 \
	VCVTDQ2PS t2, t2 \
	VMOVQ (sc), x3 \
	VPERMPS t3, Z28, t3 \
	VMULPS Z26, t3, t3 \
	VFMADD231PS t3, t2, acc

// func q4Dot512(xq *int8, corr *int32, xs *float32, nib *byte, sc *float32, k int) float32
TEXT ·q4Dot512(SB), NOSPLIT, $0-52
	MOVQ xq+0(FP), SI
	MOVQ corr+8(FP), R15
	MOVQ xs+16(FP), DX
	MOVQ nib+24(FP), DI
	MOVQ sc+32(FP), R8
	MOVQ k+40(FP), CX
	Q4SETUP
	VPXORD Z0, Z0, Z0
	SHRQ $6, CX
	JZ   q4done1
q4loop1:
	VMOVDQU32 (SI), Z24
	VMOVDQU32 (R15), Z25
	VMOVUPS   (DX), Z26
	Q4ROW(DI, R8, Z0, Z16, Y16, Z17, Y17, Z18, Z19, X19)
	ADDQ $64, SI
	ADDQ $64, R15
	ADDQ $64, DX
	ADDQ $32, DI
	ADDQ $8, R8
	DECQ CX
	JNZ  q4loop1
q4done1:
	REDUCE512(Z0, Y0, X0, Y1, X1)
	VZEROUPPER
	MOVSS X0, ret+48(FP)
	RET

// func q4Dot1x4_512(xq *int8, corr *int32, xs *float32, nib *byte, ns int, sc *float32, ss int, k int, out *float32)
// One prepared activation row against 4-bit rows nib + r·ns (bytes) with
// scales sc + r·ss (floats).
TEXT ·q4Dot1x4_512(SB), NOSPLIT, $0-72
	MOVQ xq+0(FP), SI
	MOVQ corr+8(FP), R15
	MOVQ xs+16(FP), DX
	MOVQ nib+24(FP), DI
	MOVQ ns+32(FP), BX
	MOVQ sc+40(FP), R8
	MOVQ ss+48(FP), AX
	SHLQ $2, AX
	MOVQ k+56(FP), CX
	LEAQ (DI)(BX*1), R11
	LEAQ (R11)(BX*1), R12
	LEAQ (R12)(BX*1), R13
	LEAQ (R8)(AX*1), R9
	LEAQ (R9)(AX*1), R10
	LEAQ (R10)(AX*1), R14
	Q4SETUP
	VPXORD Z0, Z0, Z0
	VPXORD Z1, Z1, Z1
	VPXORD Z2, Z2, Z2
	VPXORD Z3, Z3, Z3
	SHRQ $6, CX
	JZ   q4done4
q4loop4:
	VMOVDQU32 (SI), Z24
	VMOVDQU32 (R15), Z25
	VMOVUPS   (DX), Z26
	Q4ROW(DI, R8, Z0, Z16, Y16, Z17, Y17, Z18, Z19, X19)
	Q4ROW(R11, R9, Z1, Z20, Y20, Z21, Y21, Z22, Z23, X23)
	Q4ROW(R12, R10, Z2, Z8, Y8, Z9, Y9, Z10, Z11, X11)
	Q4ROW(R13, R14, Z3, Z12, Y12, Z13, Y13, Z14, Z15, X15)
	ADDQ $64, SI
	ADDQ $64, R15
	ADDQ $64, DX
	ADDQ $32, DI
	ADDQ $32, R11
	ADDQ $32, R12
	ADDQ $32, R13
	ADDQ $8, R8
	ADDQ $8, R9
	ADDQ $8, R10
	ADDQ $8, R14
	DECQ CX
	JNZ  q4loop4
q4done4:
	MOVQ out+64(FP), AX
	REDUCE512(Z0, Y0, X0, Y8, X8)
	MOVSS X0, (AX)
	REDUCE512(Z1, Y1, X1, Y8, X8)
	MOVSS X1, 4(AX)
	REDUCE512(Z2, Y2, X2, Y8, X8)
	MOVSS X2, 8(AX)
	REDUCE512(Z3, Y3, X3, Y8, X8)
	MOVSS X3, 12(AX)
	VZEROUPPER
	RET
