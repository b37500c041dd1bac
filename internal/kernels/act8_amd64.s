//go:build amd64 && !purego

#include "textflag.h"
#include "act8_amd64.h"

// AMAX: the largest |x| of the block in Z0, Z1 into every lane of X2
// (exact, in any order); Z31 holds 0x7fffffff; Z3 scratch.
#define AMAX \
	VPANDD        Z31, Z0, Z2 \
	VPANDD        Z31, Z1, Z3 \
	VMAXPS        Z3, Z2, Z2 \
	VEXTRACTF64X4 $1, Z2, Y3 \
	VMAXPS        Y3, Y2, Y2 \
	VEXTRACTF128  $1, Y2, X3 \
	VMAXPS        X3, X2, X2 \
	VPERMILPS     $0x4e, X2, X3 \
	VMAXPS        X3, X2, X2 \
	VPERMILPS     $0xb1, X2, X3 \
	VMAXPS        X3, X2, X2

// ROUND(p): the block in Z0, Z1 times X7 (127/amax), rounded half to even
// (VCVTPS2DQ in the default MXCSR mode), as int8 at (p) (|q| ≤ 127, so
// VPMOVDB is exact); Z0, Z1 keep the int32.
#define ROUND(p) \
	VBROADCASTSS  X7, Z7 \
	VMULPS        Z7, Z0, Z0 \
	VMULPS        Z7, Z1, Z1 \
	VCVTPS2DQ     Z0, Z0 \
	VCVTPS2DQ     Z1, Z1 \
	VPMOVDB       Z0, (p) \
	VPMOVDB       Z1, 16(p)

// func roundAct8_512(x *float32, q *int8, corr *int32, scale *float32, blocks int)
// roundAct8Go with AVX-512, one 32-value block per iteration: amax by
// VMAXPS over |x| (exact, in any order); the scale amax/127 rounded to
// half precision and back (VCVTPS2PH, round to nearest even); q =
// VCVTPS2DQ(x × (127/amax)) (the float32 product, rounded half to even:
// the default MXCSR mode), narrowed by VPMOVDB (|q| ≤ 127); the correction
// −8 × Σq. A block of zeros gives zeros.
TEXT ·roundAct8_512(SB), NOSPLIT, $0-40
	ARGS8
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
	AMAX
	VDIVSS        X8, X2, X4 // amax / 127
	VCVTPS2PH     $0, X4, X5
	VCVTPH2PS     X5, X5
	MOVSS         X5, (R9)
	VUCOMISS      X9, X2
	JE            r8zero
	VDIVSS        X2, X8, X7 // 127 / amax
	ROUND(DI)
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

// func roundActK_512(x *float32, q *int8, scale *float32, kq *int8, kf *float32, ki *int32, blocks int)
// roundActKGo with AVX-512, one 32-value block per iteration: the residual
// r = x − q·scale by one fused multiply-add (exact but for its one
// rounding to float32, as the specification's); its amax and rounding as
// roundAct8_512's, with the scale amax/127 kept in float32; the sums over
// each 16 int8 of q and of the residual's by VPSADBW (bytes biased by
// 128 to unsigned: each 8-byte sum is the true one + 1024).
TEXT ·roundActK_512(SB), NOSPLIT, $0-56
	KARGS
	MOVL $0x7fffffff, AX
	VPBROADCASTD AX, Z31
	MOVL $0x80808080, AX
	VPBROADCASTD AX, Z30
	MOVL $2048, AX
	VPBROADCASTD AX, X29  // two 8-byte sums' bias
	MOVL $0x42fe0000, AX // 127.0
	MOVQ AX, X8
	VXORPS X9, X9, X9
	MOVL $0x55, AX
	KMOVW AX, K1
	TESTQ CX, CX
	JZ    rkdone
rkloop:
	VMOVUPS       (SI), Z0
	VMOVUPS       64(SI), Z1
	VPMOVSXBD     (DI), Z2
	VPMOVSXBD     16(DI), Z3
	VCVTDQ2PS     Z2, Z2
	VCVTDQ2PS     Z3, Z3
	VBROADCASTSS  (R9), Z6
	VFNMADD231PS  Z6, Z2, Z0   // r = x − q·scale
	VFNMADD231PS  Z6, Z3, Z1
	AMAX
	VDIVSS        X8, X2, X4 // the residual's scale amax / 127
	VXORPS        X7, X7, X7
	VUCOMISS      X9, X2
	JE            rkzero
	VDIVSS        X2, X8, X7 // 127 / amax
rkzero:
	ROUND(R11)
	// The four 16-value sums: q's two, then the residual's.
	VMOVDQU       (DI), Y0
	VINSERTI64X4  $1, (R11), Z0, Z0
	VPXORD        Z30, Z0, Z0
	VPXORD        Z5, Z5, Z5
	VPSADBW       Z5, Z0, Z0    // eight 8-byte sums
	VPSRLDQ       $8, Z0, Z1
	VPADDQ        Z1, Z0, Z0    // each 128-bit lane's low word: a 16-byte sum
	VPCOMPRESSQ   Z0, K1, Z0
	VPMOVQD       Z0, Y0        // X0: the four sums, biased
	VPSUBD        X29, X0, X0   // the true sums
	VPSUBD        X0, X5, X1
	VPSLLD        $5, X1, X1    // −32 × each
	VMOVDQU       X1, (R8)
	VPSHUFD       $0xb1, X0, X1
	VPADDD        X1, X0, X0    // lanes 0 and 2: Σq, Σ residual
	VCVTDQ2PS     X0, X0
	VMULSS        X6, X0, X1    // float32(Σq) · scale
	VMOVHLPS      X0, X0, X0    // float32(Σ residual)
	VFMADD231SS   X4, X0, X1    // … + float32(Σ residual) · its scale
	KBLOCKEND(X6, X4, X1)
	DECQ CX
	JNZ  rkloop
rkdone:
	VZEROUPPER
	RET
