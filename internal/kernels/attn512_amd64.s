//go:build amd64 && !purego

#include "textflag.h"
#include "zmm_amd64.h"
#include "attn_amd64.h"

// Attention tiles for up to 16 queries (one per zmm lane) against a chunk
// of 16 keys, head dimension d (a multiple of 8).

// func attnScores512(s *float32, qt *float32, k *float32, d, kstride int)
// s[16·kk + lane] = Σ_j qt[16·j + lane] · k[kstride·kk + j] for the 16 keys kk.
TEXT ·attnScores512(SB), NOSPLIT, $0-40
	MOVQ s+0(FP), DX
	MOVQ qt+8(FP), SI
	MOVQ k+16(FP), DI
	MOVQ d+24(FP), CX
	MOVQ kstride+32(FP), BX
	SHLQ $2, BX // key row stride in bytes
	ZERO16
	LEAQ (DI)(BX*8), R8 // key rows 8..15
	MOVQ BX, R9
	IMULQ $3, R9        // 3 rows
	MOVQ BX, R10
	IMULQ $5, R10       // 5 rows
	MOVQ BX, R11
	IMULQ $7, R11       // 7 rows
sloop:
	VMOVUPS (SI), Z16
	VFMADD231PS.BCST (DI), Z16, Z0
	VFMADD231PS.BCST (DI)(BX*1), Z16, Z1
	VFMADD231PS.BCST (DI)(BX*2), Z16, Z2
	VFMADD231PS.BCST (DI)(R9*1), Z16, Z3
	VFMADD231PS.BCST (DI)(BX*4), Z16, Z4
	VFMADD231PS.BCST (DI)(R10*1), Z16, Z5
	VFMADD231PS.BCST (DI)(R9*2), Z16, Z6
	VFMADD231PS.BCST (DI)(R11*1), Z16, Z7
	VFMADD231PS.BCST (R8), Z16, Z8
	VFMADD231PS.BCST (R8)(BX*1), Z16, Z9
	VFMADD231PS.BCST (R8)(BX*2), Z16, Z10
	VFMADD231PS.BCST (R8)(R9*1), Z16, Z11
	VFMADD231PS.BCST (R8)(BX*4), Z16, Z12
	VFMADD231PS.BCST (R8)(R10*1), Z16, Z13
	VFMADD231PS.BCST (R8)(R9*2), Z16, Z14
	VFMADD231PS.BCST (R8)(R11*1), Z16, Z15
	ADDQ $64, SI
	ADDQ $4, DI
	ADDQ $4, R8
	DECQ CX
	JNZ  sloop
	STORE16(DX)
	VZEROUPPER
	RET

// ACC adds p[kk] · v[kk][j] for one key kk into the eight accumulators of
// dims j..j+7 (pointer DI at v[kk][j]).
#define ACC(pk, off) \
	VFMADD231PS.BCST off(DI), pk, Z16 \
	VFMADD231PS.BCST off+4(DI), pk, Z17 \
	VFMADD231PS.BCST off+8(DI), pk, Z18 \
	VFMADD231PS.BCST off+12(DI), pk, Z19 \
	VFMADD231PS.BCST off+16(DI), pk, Z20 \
	VFMADD231PS.BCST off+20(DI), pk, Z21 \
	VFMADD231PS.BCST off+24(DI), pk, Z22 \
	VFMADD231PS.BCST off+28(DI), pk, Z23

// func attnAccum512(ot *float32, p *float32, v *float32, scale *float32, d, vstride int)
// ot[16·j + lane] = ot[16·j + lane]·scale[lane] + Σ_kk p[16·kk + lane]·v[vstride·kk + j],
// keys in order kk = 0..15; d is a multiple of 8.
TEXT ·attnAccum512(SB), NOSPLIT, $0-48
	MOVQ ot+0(FP), DX
	MOVQ p+8(FP), SI
	MOVQ v+16(FP), R8
	MOVQ scale+24(FP), AX
	MOVQ d+32(FP), CX
	MOVQ vstride+40(FP), BX
	SHLQ $2, BX // v row stride in bytes
	VMOVUPS (SI), Z0
	VMOVUPS 64(SI), Z1
	VMOVUPS 128(SI), Z2
	VMOVUPS 192(SI), Z3
	VMOVUPS 256(SI), Z4
	VMOVUPS 320(SI), Z5
	VMOVUPS 384(SI), Z6
	VMOVUPS 448(SI), Z7
	VMOVUPS 512(SI), Z8
	VMOVUPS 576(SI), Z9
	VMOVUPS 640(SI), Z10
	VMOVUPS 704(SI), Z11
	VMOVUPS 768(SI), Z12
	VMOVUPS 832(SI), Z13
	VMOVUPS 896(SI), Z14
	VMOVUPS 960(SI), Z15
	VMOVUPS (AX), Z24
	SHRQ $3, CX
aloop:
	VMULPS 0(DX), Z24, Z16
	VMULPS 64(DX), Z24, Z17
	VMULPS 128(DX), Z24, Z18
	VMULPS 192(DX), Z24, Z19
	VMULPS 256(DX), Z24, Z20
	VMULPS 320(DX), Z24, Z21
	VMULPS 384(DX), Z24, Z22
	VMULPS 448(DX), Z24, Z23
	MOVQ R8, DI
	ACC(Z0, 0)
	ADDQ BX, DI
	ACC(Z1, 0)
	ADDQ BX, DI
	ACC(Z2, 0)
	ADDQ BX, DI
	ACC(Z3, 0)
	ADDQ BX, DI
	ACC(Z4, 0)
	ADDQ BX, DI
	ACC(Z5, 0)
	ADDQ BX, DI
	ACC(Z6, 0)
	ADDQ BX, DI
	ACC(Z7, 0)
	ADDQ BX, DI
	ACC(Z8, 0)
	ADDQ BX, DI
	ACC(Z9, 0)
	ADDQ BX, DI
	ACC(Z10, 0)
	ADDQ BX, DI
	ACC(Z11, 0)
	ADDQ BX, DI
	ACC(Z12, 0)
	ADDQ BX, DI
	ACC(Z13, 0)
	ADDQ BX, DI
	ACC(Z14, 0)
	ADDQ BX, DI
	ACC(Z15, 0)
	VMOVUPS Z16, 0(DX)
	VMOVUPS Z17, 64(DX)
	VMOVUPS Z18, 128(DX)
	VMOVUPS Z19, 192(DX)
	VMOVUPS Z20, 256(DX)
	VMOVUPS Z21, 320(DX)
	VMOVUPS Z22, 384(DX)
	VMOVUPS Z23, 448(DX)
	ADDQ $512, DX
	ADDQ $32, R8
	DECQ CX
	JNZ  aloop
	VZEROUPPER
	RET

// func attnSoftmax512(s, m, l, mult *float32, masks *uint16)
// The online-softmax step of one score tile (see attnSoftmaxGo): per lane,
// the new running maximum over the keys its mask admits, the rescale factor
// of what was accumulated so far, the probabilities (exactly 0 where masked)
// in place of the scores, and the running sum, added key by key.
TEXT ·attnSoftmax512(SB), NOSPLIT, $0-40
	SOFTMAXARGS
	VMOVUPS (R8), Z16       // the running maximum so far
	VMOVAPS Z16, Z17        // the new one
	MOVQ SI, R9
	MOVQ DI, R10
	MOVQ $16, CX
smax:
	KMOVW  (R10), K1
	VMAXPS (R9), Z17, K1, Z17
	ADDQ   $64, R9
	ADDQ   $2, R10
	DECQ   CX
	JNZ    smax
	VMOVUPS Z17, (R8)
	RESCALEBY(Z17, Z16, Z0, Z0, Z2, Z1, K2, Z19)
	VMOVUPS Z19, (DX)
	VMULPS  (BX), Z19, Z18      // l·mult, then the probabilities in key order
	MOVQ    $16, CX
sexp:
	KMOVW     (DI), K1
	VMOVUPS   (SI), Z0
	VSUBPS    Z17, Z0, Z0
	EXP(Z0, Z2, Z1)
	VMOVAPS.Z Z2, K1, Z3
	VMOVUPS   Z3, (SI)
	VADDPS    Z3, Z18, Z18
	ADDQ      $64, SI
	ADDQ      $2, DI
	DECQ      CX
	JNZ       sexp
	VMOVUPS Z18, (BX)
	VZEROUPPER
	RET

// func swiglu512(dst, gate, up *float32, n int)
// dst[i] = gate[i] / (1 + e^-gate[i]) · up[i], n a multiple of 16.
TEXT ·swiglu512(SB), NOSPLIT, $0-32
	MOVQ dst+0(FP), DX
	MOVQ gate+8(FP), SI
	MOVQ up+16(FP), DI
	MOVQ n+24(FP), CX
	EXPCONSTS
	VPXORD Z31, Z31, Z31
	SHRQ $4, CX
	JZ   gdone
gloop:
	VMOVUPS (SI), Z3          // g
	VSUBPS  Z3, Z31, Z0       // −g
	EXP(Z0, Z2, Z1)           // e^−g
	VADDPS  Z30, Z2, Z2       // 1 + e^−g
	VDIVPS  Z2, Z3, Z3        // g / (1 + e^−g)
	VMULPS  (DI), Z3, Z3      // · up
	VMOVUPS Z3, (DX)
	ADDQ $64, SI
	ADDQ $64, DI
	ADDQ $64, DX
	DECQ CX
	JNZ  gloop
gdone:
	VZEROUPPER
	RET
