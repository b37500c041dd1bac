//go:build amd64 && !purego

#include "textflag.h"

// func roundAct8_512(x *float32, q *int8, corr *int32, scale *float32, blocks int)
// roundAct8Go with AVX-512, one 32-value block per iteration: amax by
// VMAXPS over |x| (exact, in any order); the scale amax/127 rounded to
// half precision and back (VCVTPS2PH, round to nearest even); q =
// VCVTPS2DQ(x × (127/amax)) (the float32 product, rounded half to even:
// the default MXCSR mode), narrowed by VPMOVDB (|q| ≤ 127); the correction
// −8 × Σq. A block of zeros gives zeros.
TEXT ·roundAct8_512(SB), NOSPLIT, $0-40
	MOVQ x+0(FP), SI
	MOVQ q+8(FP), DI
	MOVQ corr+16(FP), R8
	MOVQ scale+24(FP), R9
	MOVQ blocks+32(FP), CX
	MOVL $0x7fffffff, AX
	VPBROADCASTD AX, Z31
	MOVL $0x42fe0000, AX // 127.0
	MOVQ AX, X8
	VXORPS X9, X9, X9
	TESTQ CX, CX
	JZ    r8done
r8loop:
	VMOVUPS       (SI), Z0
	VMOVUPS       64(SI), Z1
	VPANDD        Z31, Z0, Z2
	VPANDD        Z31, Z1, Z3
	VMAXPS        Z3, Z2, Z2
	VEXTRACTF64X4 $1, Z2, Y3
	VMAXPS        Y3, Y2, Y2
	VEXTRACTF128  $1, Y2, X3
	VMAXPS        X3, X2, X2
	VPERMILPS     $0x4e, X2, X3
	VMAXPS        X3, X2, X2
	VPERMILPS     $0xb1, X2, X3
	VMAXPS        X3, X2, X2 // amax in every lane
	VDIVSS        X8, X2, X4 // amax / 127
	VCVTPS2PH     $0, X4, X5
	VCVTPH2PS     X5, X5
	MOVSS         X5, (R9)
	VUCOMISS      X9, X2
	JE            r8zero
	VDIVSS        X2, X8, X7 // 127 / amax
	VBROADCASTSS  X7, Z7
	VMULPS        Z7, Z0, Z0
	VMULPS        Z7, Z1, Z1
	VCVTPS2DQ     Z0, Z0
	VCVTPS2DQ     Z1, Z1
	VPMOVDB       Z0, (DI)
	VPMOVDB       Z1, 16(DI)
	VPADDD        Z1, Z0, Z0
	VEXTRACTI64X4 $1, Z0, Y1
	VPADDD        Y1, Y0, Y0
	VEXTRACTI128  $1, Y0, X1
	VPADDD        X1, X0, X0
	VPSHUFD       $0x4e, X0, X1
	VPADDD        X1, X0, X0
	VPSHUFD       $0xb1, X0, X1
	VPADDD        X1, X0, X0
	MOVQ          X0, AX
	IMUL3L        $-8, AX, AX
	MOVL          AX, (R8)
r8next:
	ADDQ $128, SI
	ADDQ $32, DI
	ADDQ $4, R8
	ADDQ $4, R9
	DECQ CX
	JNZ  r8loop
r8done:
	VZEROUPPER
	RET
r8zero:
	VPXOR   Y0, Y0, Y0
	VMOVDQU Y0, (DI)
	MOVL    $0, (R8)
	JMP     r8next
