//go:build amd64 && !purego

#include "textflag.h"

// 4-bit × int8 kernels (q4.go) for the AVX2 family: the arithmetic of the
// AVX512_VNNI kernels (q4_amd64.s) in two 8-lane halves, with VPMADDUBSW
// then VPMADDWD against ones in place of VPDPBUSD (a nibble times an int8
// is at most 15·128, so the 16-bit pair sums cannot saturate and the lane
// sums are the same exact integers). Per pair of blocks and weight row:
// the low nibbles meet the activations' first 32 bytes (lanes 0–7), the
// high nibbles the next 32 (lanes 8–15); each lane's sum minus its
// correction becomes float32, times the lane's combined scale (weight
// scale × activation scale: act8 gives lanes l and l+8 the same one), and
// is fused-multiply-added into its accumulator half. REDUCE16 sums the
// halves in REDUCE512's order: outputs are bit-identical to the AVX-512
// kernels'.

// Lane → weight scale of the pair: A for lanes 0–3, B for 4–7.
DATA q4Idx256<>+0(SB)/4, $0
DATA q4Idx256<>+4(SB)/4, $0
DATA q4Idx256<>+8(SB)/4, $0
DATA q4Idx256<>+12(SB)/4, $0
DATA q4Idx256<>+16(SB)/4, $1
DATA q4Idx256<>+20(SB)/4, $1
DATA q4Idx256<>+24(SB)/4, $1
DATA q4Idx256<>+28(SB)/4, $1
GLOBL q4Idx256<>(SB), RODATA|NOPTR, $32

// REDUCE16 leaves the sum of the 16 lanes lo ‖ hi in the low lane of xlo.
#define REDUCE16(lo, hi, xlo, xt) \
	VADDPS       hi, lo, lo \
	VEXTRACTF128 $1, lo, xt \
	VADDPS       xt, xlo, xlo \
	VHADDPS      xlo, xlo, xlo \
	VHADDPS      xlo, xlo, xlo

// Q4SETUP256: Y13 = 1 in every word, Y14 = 0x0f in every byte, Y15 the
// scale index.
#define Q4SETUP256 \
	MOVL $0x00010001, AX \
	MOVQ AX, X13 \
	VPBROADCASTD X13, Y13 \
	MOVL $0x0f0f0f0f, AX \
	MOVQ AX, X14 \
	VPBROADCASTD X14, Y14 \
	VMOVDQU q4Idx256<>(SB), Y15

// Q4ROW256(nib, sc, lo, hi): one weight row's pair at nib (its two scales
// at sc) against the pair's activations (SI: int8, R15: corrections, DX:
// scales) into the accumulator halves lo, hi. Y8–Y12 scratch.
#define Q4ROW256(nib, sc, lo, hi) \
	VMOVDQU     (nib), Y8 \
	VPAND       Y14, Y8, Y9 \
	VPSRLW      $4, Y8, Y8 \
	VPAND       Y14, Y8, Y8 \
	VPMADDUBSW  (SI), Y9, Y9 \
	VPMADDUBSW  32(SI), Y8, Y10 \
	VPMADDWD    Y13, Y9, Y9 \
	VPMADDWD    Y13, Y10, Y10 \
	VPSUBD      (R15), Y9, Y9 \
	VPSUBD      32(R15), Y10, Y10 \
	VCVTDQ2PS   Y9, Y9 \
	VCVTDQ2PS   Y10, Y10 \
	VMOVQ       (sc), X11 \
	VPERMPS     Y11, Y15, Y11 \
	VMULPS      (DX), Y11, Y11 \
	VFMADD231PS Y11, Y9, lo \
	VFMADD231PS Y11, Y10, hi

// func q4Dot1x1AVX2(xq *int8, corr *int32, xs *float32, nib *byte, sc *float32, k int) float32
TEXT ·q4Dot1x1AVX2(SB), NOSPLIT, $0-52
	MOVQ xq+0(FP), SI
	MOVQ corr+8(FP), R15
	MOVQ xs+16(FP), DX
	MOVQ nib+24(FP), DI
	MOVQ sc+32(FP), R8
	MOVQ k+40(FP), CX
	Q4SETUP256
	VXORPS Y0, Y0, Y0
	VXORPS Y1, Y1, Y1
	SHRQ $6, CX
	JZ   q4d11done
q4d11loop:
	Q4ROW256(DI, R8, Y0, Y1)
	ADDQ $64, SI
	ADDQ $64, R15
	ADDQ $64, DX
	ADDQ $32, DI
	ADDQ $8, R8
	DECQ CX
	JNZ  q4d11loop
q4d11done:
	REDUCE16(Y0, Y1, X0, X2)
	VZEROUPPER
	MOVSS X0, ret+48(FP)
	RET

// func q4Dot1x4AVX2(xq *int8, corr *int32, xs *float32, nib *byte, ns int, sc *float32, ss int, k int, out *float32)
// One prepared activation row against 4-bit rows nib + r·ns (bytes) with
// scales sc + r·ss (floats); out[r].
TEXT ·q4Dot1x4AVX2(SB), NOSPLIT, $0-72
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
	Q4SETUP256
	VXORPS Y0, Y0, Y0
	VXORPS Y1, Y1, Y1
	VXORPS Y2, Y2, Y2
	VXORPS Y3, Y3, Y3
	VXORPS Y4, Y4, Y4
	VXORPS Y5, Y5, Y5
	VXORPS Y6, Y6, Y6
	VXORPS Y7, Y7, Y7
	SHRQ $6, CX
	JZ   q4d14done
q4d14loop:
	Q4ROW256(DI, R8, Y0, Y1)
	Q4ROW256(R11, R9, Y2, Y3)
	Q4ROW256(R12, R10, Y4, Y5)
	Q4ROW256(R13, R14, Y6, Y7)
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
	JNZ  q4d14loop
q4d14done:
	MOVQ out+64(FP), AX
	REDUCE16(Y0, Y1, X0, X8)
	MOVSS X0, 0(AX)
	REDUCE16(Y2, Y3, X2, X8)
	MOVSS X2, 4(AX)
	REDUCE16(Y4, Y5, X4, X8)
	MOVSS X4, 8(AX)
	REDUCE16(Y6, Y7, X6, X8)
	MOVSS X6, 12(AX)
	VZEROUPPER
	RET
