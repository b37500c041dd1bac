//go:build amd64 && !purego

#include "textflag.h"
#include "act8_amd64.h"

// roundAct8Go, roundActKGo and roundAct16Go with AVX2 (the AVX-512
// versions of the first two are in act8_amd64.s), one 32-value block (four
// ymm) per iteration, bit-identical to the specifications: amax by VMAXPS over |x| (exact, in any order);
// q = VCVTPS2DQ(x × (127/amax)) (rounded half to even: the default MXCSR
// mode), narrowed by saturating packs (|q| ≤ 127, so exactly) and put back
// in order by VPERMD.

// AMAX: the largest |x| of the block in Y0–Y3 into every lane of X4;
// Y15 holds 0x7fffffff; Y5, Y6 scratch.
#define AMAX \
	VANDPS    Y15, Y0, Y4 \
	VANDPS    Y15, Y1, Y5 \
	VMAXPS    Y5, Y4, Y4 \
	VANDPS    Y15, Y2, Y5 \
	VANDPS    Y15, Y3, Y6 \
	VMAXPS    Y6, Y5, Y5 \
	VMAXPS    Y5, Y4, Y4 \
	VEXTRACTF128 $1, Y4, X5 \
	VMAXPS    X5, X4, X4 \
	VPERMILPS $0x4e, X4, X5 \
	VMAXPS    X5, X4, X4 \
	VPERMILPS $0xb1, X4, X5 \
	VMAXPS    X5, X4, X4

// ROUND: the block in Y0–Y3 times Y6 (127/amax, broadcast), rounded half
// to even (the default MXCSR mode), as int32 in Y0–Y3.
#define ROUND \
	VMULPS    Y6, Y0, Y0 \
	VMULPS    Y6, Y1, Y1 \
	VMULPS    Y6, Y2, Y2 \
	VMULPS    Y6, Y3, Y3 \
	VCVTPS2DQ Y0, Y0 \
	VCVTPS2DQ Y1, Y1 \
	VCVTPS2DQ Y2, Y2 \
	VCVTPS2DQ Y3, Y3

// PACK8(a, b, c, d, dst): the int32 in a…d (in order) as 32 int8 at dst;
// a and c are clobbered. Y13: the VPERMD order 0, 4, 1, 5, 2, 6, 3, 7.
#define PACK8(a, b, c, d, dst) \
	VPACKSSDW b, a, a \
	VPACKSSDW d, c, c \
	VPACKSSWB c, a, a \
	VPERMD    a, Y13, a \
	VMOVDQU   a, dst

DATA act8Order<>+0(SB)/4, $0
DATA act8Order<>+4(SB)/4, $4
DATA act8Order<>+8(SB)/4, $1
DATA act8Order<>+12(SB)/4, $5
DATA act8Order<>+16(SB)/4, $2
DATA act8Order<>+20(SB)/4, $6
DATA act8Order<>+24(SB)/4, $3
DATA act8Order<>+28(SB)/4, $7
GLOBL act8Order<>(SB), RODATA|NOPTR, $32

// func roundAct8_256(x *float32, q *int8, corr *int32, scale *float32, blocks int)
TEXT ·roundAct8_256(SB), NOSPLIT, $0-40
	ARGS8
	MOVL $0x7fffffff, AX
	MOVQ AX, X15
	VPBROADCASTD X15, Y15
	VMOVDQU act8Order<>(SB), Y13
	MOVL $0x42fe0000, AX // 127.0
	MOVQ AX, X8
	VXORPS X9, X9, X9
	TESTQ CX, CX
	JZ    done
loop:
	VMOVUPS (SI), Y0
	VMOVUPS 32(SI), Y1
	VMOVUPS 64(SI), Y2
	VMOVUPS 96(SI), Y3
	AMAX
	VDIVSS  X8, X4, X5 // amax / 127
	VCVTPS2PH $0, X5, X5
	VCVTPH2PS X5, X5
	MOVSS   X5, (R9)
	VUCOMISS X9, X4
	JE      zero
	VDIVSS  X4, X8, X6 // 127 / amax
	VBROADCASTSS X6, Y6
	ROUND
	VPADDD  Y1, Y0, Y4
	VPADDD  Y3, Y2, Y5
	VPADDD  Y5, Y4, Y4
	VEXTRACTI128 $1, Y4, X5
	VPADDD  X5, X4, X4
	VPSHUFD $0x4e, X4, X5
	VPADDD  X5, X4, X4
	VPSHUFD $0xb1, X4, X5
	VPADDD  X5, X4, X4
	MOVQ    X4, AX
	IMUL3L  $-8, AX, AX
	MOVL    AX, (R8)
	PACK8(Y0, Y1, Y2, Y3, (DI))
next:
	ADDQ $128, SI
	ADDQ $32, DI
	ADDQ $4, R8
	ADDQ $4, R9
	DECQ CX
	JNZ  loop
done:
	VZEROUPPER
	RET
zero:
	VPXOR   Y0, Y0, Y0
	VMOVDQU Y0, (DI)
	MOVL    $0, (R8)
	JMP     next

// func roundActK_256(x *float32, q *int8, scale *float32, kq *int8, kf *float32, ki *int32, blocks int)
// The residual r = x − q·scale by one fused multiply-add, rounded as
// above with its scale amax/127 kept in float32; the 16-value sums of q
// and of the residual's int8 by VPSADBW (bytes biased by 128 to unsigned:
// a 16-byte sum is the true one + 2048).
TEXT ·roundActK_256(SB), NOSPLIT, $0-56
	KARGS
	MOVL $0x7fffffff, AX
	MOVQ AX, X15
	VPBROADCASTD X15, Y15
	VMOVDQU act8Order<>(SB), Y13
	MOVL $0x80808080, AX
	MOVQ AX, X12
	VPBROADCASTD X12, Y12
	MOVL $0x42fe0000, AX // 127.0
	MOVQ AX, X8
	VXORPS X9, X9, X9
	TESTQ CX, CX
	JZ    kdone
kloop:
	VPMOVSXBD    (DI), Y4
	VPMOVSXBD    8(DI), Y5
	VPMOVSXBD    16(DI), Y6
	VPMOVSXBD    24(DI), Y7
	VCVTDQ2PS    Y4, Y4
	VCVTDQ2PS    Y5, Y5
	VCVTDQ2PS    Y6, Y6
	VCVTDQ2PS    Y7, Y7
	VBROADCASTSS (R9), Y10
	VMOVUPS      (SI), Y0
	VMOVUPS      32(SI), Y1
	VMOVUPS      64(SI), Y2
	VMOVUPS      96(SI), Y3
	VFNMADD231PS Y10, Y4, Y0 // r = x − q·scale
	VFNMADD231PS Y10, Y5, Y1
	VFNMADD231PS Y10, Y6, Y2
	VFNMADD231PS Y10, Y7, Y3
	AMAX
	VDIVSS  X8, X4, X11 // the residual's scale amax / 127
	VXORPS  X6, X6, X6
	VUCOMISS X9, X4
	JE      kzero
	VDIVSS  X4, X8, X6 // 127 / amax
kzero:
	VBROADCASTSS X6, Y6
	ROUND
	PACK8(Y0, Y1, Y2, Y3, (R11))
	// The four 16-value sums: q's two, then the residual's.
	VPXOR        Y14, Y14, Y14
	VMOVDQU      (DI), Y0
	VPXOR        Y12, Y0, Y0
	VPSADBW      Y14, Y0, Y0
	VPSRLDQ      $8, Y0, Y1
	VPADDQ       Y1, Y0, Y0
	VMOVDQU      (R11), Y2
	VPXOR        Y12, Y2, Y2
	VPSADBW      Y14, Y2, Y2
	VPSRLDQ      $8, Y2, Y3
	VPADDQ       Y3, Y2, Y2
	MOVQ         X0, AX
	VEXTRACTI128 $1, Y0, X1
	MOVQ         X1, BX
	MOVQ         X2, DX
	VEXTRACTI128 $1, Y2, X3
	MOVQ         X3, R12
	SUBL         $2048, AX
	SUBL         $2048, BX
	SUBL         $2048, DX
	SUBL         $2048, R12
	IMUL3L       $-32, AX, R13
	MOVL         R13, (R8)
	IMUL3L       $-32, BX, R13
	MOVL         R13, 4(R8)
	IMUL3L       $-32, DX, R13
	MOVL         R13, 8(R8)
	IMUL3L       $-32, R12, R13
	MOVL         R13, 12(R8)
	ADDL         BX, AX  // Σq
	ADDL         R12, DX // Σ residual
	VCVTSI2SSL   AX, X1, X1
	VMULSS       X10, X1, X1  // float32(Σq) · scale
	VCVTSI2SSL   DX, X2, X2
	VFMADD231SS  X11, X2, X1  // … + float32(Σ residual) · its scale
	KBLOCKEND(X10, X11, X1)
	DECQ CX
	JNZ  kloop
kdone:
	VZEROUPPER
	RET

// SUMD8(y, r): the eight int32 of y added into the 32-bit register r
// (Y14 scratch, y clobbered).
#define SUMD8(y, x, r) \
	VEXTRACTI128 $1, y, X14 \
	VPADDD       X14, x, x \
	VPSHUFD      $0x4e, x, X14 \
	VPADDD       X14, x, x \
	VPSHUFD      $0xb1, x, X14 \
	VPADDD       X14, x, x \
	MOVQ         x, r

// func roundAct16_256(x *float32, q *int16, hi *int8, lo *uint8, scale *float32, corr *int32, sum *float32, off16 *int32, blocks int)
// roundAct16Go with AVX2: q = VCVTPS2DQ(x × (32767/amax)) (rounded half to
// even), clamped to ±32767, packed to int16 (saturating packs, exact here,
// put back in order by VPERMQ); its high bytes (arithmetic shift) and low
// bytes (mask) packed likewise; the 16-value sums for off16, corr and sum.
TEXT ·roundAct16_256(SB), NOSPLIT, $0-72
	MOVQ x+0(FP), SI
	MOVQ q+8(FP), DI
	MOVQ hi+16(FP), R10
	MOVQ lo+24(FP), R11
	MOVQ scale+32(FP), R9
	MOVQ corr+40(FP), R8
	MOVQ sum+48(FP), R12
	MOVQ off16+56(FP), R13
	MOVQ blocks+64(FP), CX
	MOVL $0x7fffffff, AX
	MOVQ AX, X15
	VPBROADCASTD X15, Y15
	MOVL $32767, AX
	MOVQ AX, X10
	VPBROADCASTD X10, Y10 // +32767
	MOVL $-32767, AX
	MOVQ AX, X11
	VPBROADCASTD X11, Y11 // −32767
	MOVL $0x00ff00ff, AX
	MOVQ AX, X12
	VPBROADCASTD X12, Y12 // the low byte of each word
	MOVL $0x46fffe00, AX // 32767.0
	MOVQ AX, X8
	VXORPS X9, X9, X9
	TESTQ CX, CX
	JZ    r16done
r16loop:
	VMOVUPS (SI), Y0
	VMOVUPS 32(SI), Y1
	VMOVUPS 64(SI), Y2
	VMOVUPS 96(SI), Y3
	AMAX
	VDIVSS   X8, X4, X7 // scale = amax / 32767
	MOVSS    X7, (R9)
	VXORPS   X6, X6, X6
	VUCOMISS X9, X4
	JE       r16zero
	VDIVSS   X4, X8, X6 // 32767 / amax
r16zero:
	VBROADCASTSS X6, Y6
	ROUND
	VPMINSD Y10, Y0, Y0
	VPMINSD Y10, Y1, Y1
	VPMINSD Y10, Y2, Y2
	VPMINSD Y10, Y3, Y3
	VPMAXSD Y11, Y0, Y0
	VPMAXSD Y11, Y1, Y1
	VPMAXSD Y11, Y2, Y2
	VPMAXSD Y11, Y3, Y3
	VPADDD  Y1, Y0, Y4 // values 0–15
	VPADDD  Y3, Y2, Y5 // 16–31
	VPACKSSDW Y1, Y0, Y0
	VPERMQ    $0xd8, Y0, Y0 // q 0–15
	VPACKSSDW Y3, Y2, Y2
	VPERMQ    $0xd8, Y2, Y2 // q 16–31
	VMOVDQU   Y0, (DI)
	VMOVDQU   Y2, 32(DI)
	VPSRAW    $8, Y0, Y1
	VPSRAW    $8, Y2, Y3
	VPACKSSWB Y3, Y1, Y1
	VPERMQ    $0xd8, Y1, Y1
	VMOVDQU   Y1, (R10)
	VPAND     Y12, Y0, Y0
	VPAND     Y12, Y2, Y2
	VPACKUSWB Y2, Y0, Y0
	VPERMQ    $0xd8, Y0, Y0
	VMOVDQU   Y0, (R11)
	SUMD8(Y4, X4, AX)
	SUMD8(Y5, X5, BX)
	IMUL3L $-16, AX, DX
	MOVL   DX, (R13)
	IMUL3L $-16, BX, DX
	MOVL   DX, 4(R13)
	ADDL   BX, AX // Σq
	MOVL   AX, DX
	SHLL   $7, DX
	MOVL   DX, (R8) // 128·Σq
	VCVTSI2SSL AX, X1, X1
	VMULSS     X7, X1, X1
	MOVSS      X1, (R12) // Σq × scale
	ADDQ $128, SI
	ADDQ $64, DI
	ADDQ $32, R10
	ADDQ $32, R11
	ADDQ $4, R9
	ADDQ $4, R8
	ADDQ $4, R12
	ADDQ $8, R13
	DECQ CX
	JNZ  r16loop
r16done:
	VZEROUPPER
	RET
