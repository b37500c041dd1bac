//go:build amd64 && !purego

#include "textflag.h"
#include "attn_amd64.h"
#include "ymm_amd64.h"

// Attention tiles in AVX2 for up to 16 queries (lanes, two ymm) against a
// chunk of 16 keys, head dimension d (a multiple of 8): the same sums in
// the same order as the AVX-512 tiles (attn512_amd64.s), a quarter of the
// tile at a time since AVX2 has 16 registers; and decode's narrow tiles
// (up to four queries, or a pair), on f32 or f16 caches.

// SCORES256ARGS loads a score tile's arguments (s, qt, k *float32, d,
// kstride int): DX s, R13 k, BX the key row stride in bytes, R9 three of
// them.
#define SCORES256ARGS \
	MOVQ s+0(FP), DX \
	MOVQ k+16(FP), R13 \
	MOVQ kstride+32(FP), BX \
	SHLQ $2, BX \
	LEAQ (BX)(BX*2), R9

// SCORES256GROUP starts a group of keys: SI the queries, CX the head size,
// DI the group's first key row, Y0–Y7 cleared.
#define SCORES256GROUP \
	MOVQ qt+8(FP), SI \
	MOVQ d+24(FP), CX \
	MOVQ R13, DI \
	ZEROY8

// NACC(off, b, lo, hi): query off/4's probability of the key times the key's
// 16 values (Y8, Y9), into its two accumulators.
#define NACC(off, b, lo, hi) \
	VBROADCASTSS off(R11), b \
	VFMADD231PS  Y8, b, lo \
	VFMADD231PS  Y9, b, hi

// VALROW256F32 / VALROW256F16: a value row's 16 dimensions at DI into Y8,
// Y9, as stored or widened exactly from halves.
#define VALROW256F32 \
	VMOVUPS (DI), Y8 \
	VMOVUPS 32(DI), Y9
#define VALROW256F16 \
	VCVTPH2PS (DI), Y8 \
	VCVTPH2PS 16(DI), Y9

// NARROWACC256(name, STRIDE, ROW, w): the narrow accumulation tile,
// STRIDE turning the value row stride into bytes, ROW loading a row's 16
// dimensions (w bytes).
#define NARROWACC256(name, STRIDE, ROW, w) \
TEXT name, NOSPLIT, $0-48 \
	NARROWACCARGS \
	STRIDE \
	SHRQ $4, CX \
	NARROWSCALES(Y12, Y13, Y14, Y15) \
nloop256: \
	NARROWRESCALE(32, Y12, Y13, Y14, Y15, Y0, Y1, Y2, Y3, Y4, Y5, Y6, Y7) \
	MOVQ R8, DI \
	MOVQ SI, R11 \
	MOVQ $16, R12 \
nkk256: \
	ROW \
	NACC(0, Y10, Y0, Y4) \
	NACC(4, Y11, Y1, Y5) \
	NACC(8, Y10, Y2, Y6) \
	NACC(12, Y11, Y3, Y7) \
	ADDQ $64, R11 \
	ADDQ BX, DI \
	DECQ R12 \
	JNZ  nkk256 \
	VMOVUPS Y0, (DX) \
	VMOVUPS Y1, (DX)(R9*1) \
	VMOVUPS Y2, (DX)(R9*2) \
	VMOVUPS Y3, (DX)(R10*1) \
	VMOVUPS Y4, 32(DX) \
	VMOVUPS Y5, 32(DX)(R9*1) \
	VMOVUPS Y6, 32(DX)(R9*2) \
	VMOVUPS Y7, 32(DX)(R10*1) \
	ADDQ $64, DX \
	ADDQ $w, R8 \
	DECQ CX \
	JNZ  nloop256 \
	VZEROUPPER \
	RET

#define STRIDEF32
#define STRIDEF16 SHRQ $1, BX

// Pair tiles (decode's two queries a kv head, LFM2-350M's case): keys
// (scores) or head dimensions (accumulation) in the lanes instead of
// queries, so no lane computes for an absent query; each output the same
// chain as in the 16-lane tiles.

// KEYS8ARGS(sh) loads a score tile's s (DX) and k (R13) and the key row
// stride in bytes (BX, kstride << sh; R9, R10, R11 three, five and seven
// of them) for two groups of eight keys (R12).
#define KEYS8ARGS(sh) \
	MOVQ s+0(FP), DX \
	MOVQ k+16(FP), R13 \
	MOVQ kstride+32(FP), BX \
	SHLQ $sh, BX \
	LEAQ (BX)(BX*2), R9 \
	LEAQ (BX)(BX*4), R10 \
	LEAQ (R9)(BX*4), R11 \
	MOVQ $2, R12

// PROWS(LD): eight dimensions of key rows 0–7 (at DI, BX apart; R9 = 3,
// R10 = 5, R11 = 7 rows) into Y0–Y7, loaded as stored (VMOVUPS) or
// widened exactly from halves (VCVTPH2PS).
#define PROWS(LD) \
	LD (DI), Y0 \
	LD (DI)(BX*1), Y1 \
	LD (DI)(BX*2), Y2 \
	LD (DI)(R9*1), Y3 \
	LD (DI)(BX*4), Y4 \
	LD (DI)(R10*1), Y5 \
	LD (DI)(R9*2), Y6 \
	LD (DI)(R11*1), Y7

// TRANSPOSE8: Y0–Y7 (rows 0–7 of eight dimensions) transposed: afterwards
// dimension c's eight keys are in Y7, Y10, Y3, Y2, Y9, Y11, Y6, Y8 for
// c = 0…7 (the unpack, shuffle and lane-swap steps, done in place).
#define TRANSPOSE8 \
	VUNPCKLPS  Y1, Y0, Y8 \
	VUNPCKHPS  Y1, Y0, Y1 \
	VUNPCKLPS  Y3, Y2, Y0 \
	VUNPCKHPS  Y3, Y2, Y3 \
	VUNPCKLPS  Y5, Y4, Y2 \
	VUNPCKHPS  Y5, Y4, Y5 \
	VUNPCKLPS  Y7, Y6, Y4 \
	VUNPCKHPS  Y7, Y6, Y7 \
	VSHUFPS    $0x44, Y0, Y8, Y6 \
	VSHUFPS    $0xEE, Y0, Y8, Y8 \
	VSHUFPS    $0x44, Y3, Y1, Y0 \
	VSHUFPS    $0xEE, Y3, Y1, Y1 \
	VSHUFPS    $0x44, Y4, Y2, Y3 \
	VSHUFPS    $0xEE, Y4, Y2, Y2 \
	VSHUFPS    $0x44, Y7, Y5, Y4 \
	VSHUFPS    $0xEE, Y7, Y5, Y5 \
	VPERM2F128 $0x20, Y3, Y6, Y7 \
	VPERM2F128 $0x31, Y3, Y6, Y9 \
	VPERM2F128 $0x20, Y2, Y8, Y10 \
	VPERM2F128 $0x31, Y2, Y8, Y11 \
	VPERM2F128 $0x20, Y4, Y0, Y3 \
	VPERM2F128 $0x31, Y4, Y0, Y6 \
	VPERM2F128 $0x20, Y5, Y1, Y2 \
	VPERM2F128 $0x31, Y5, Y1, Y8

// PQFMA(j, col): dimension j's eight keys (col) times the two queries'
// element j (qt at SI, 16 floats a dimension), into Y12 and Y13.
#define PQFMA(j, col) \
	VBROADCASTSS (64*j)(SI), Y14 \
	VFMADD231PS  Y14, col, Y12 \
	VBROADCASTSS (64*j+4)(SI), Y15 \
	VFMADD231PS  Y15, col, Y13

// PSTORE(o): the eight keys' two scores (Y12, Y13) to s[16·kk + 0, 1],
// kk = 0…7, at DX + o.
#define PSTORE(o) \
	VUNPCKLPS    Y13, Y12, Y0 \
	VUNPCKHPS    Y13, Y12, Y1 \
	VMOVQ        X0, (o)(DX) \
	VMOVHPS      X0, (o+64)(DX) \
	VMOVQ        X1, (o+128)(DX) \
	VMOVHPS      X1, (o+192)(DX) \
	VEXTRACTF128 $1, Y0, X0 \
	VEXTRACTF128 $1, Y1, X1 \
	VMOVQ        X0, (o+256)(DX) \
	VMOVHPS      X0, (o+320)(DX) \
	VMOVQ        X1, (o+384)(DX) \
	VMOVHPS      X1, (o+448)(DX)

// QQFMA(j, col): PQFMA for four queries, into Y12–Y15 (broadcasts in Y0,
// Y1, Y4, Y5, which the transpose leaves free).
#define QQFMA(j, col) \
	VBROADCASTSS (64*j)(SI), Y0 \
	VFMADD231PS  Y0, col, Y12 \
	VBROADCASTSS (64*j+4)(SI), Y1 \
	VFMADD231PS  Y1, col, Y13 \
	VBROADCASTSS (64*j+8)(SI), Y4 \
	VFMADD231PS  Y4, col, Y14 \
	VBROADCASTSS (64*j+12)(SI), Y5 \
	VFMADD231PS  Y5, col, Y15

// QSTORE(o): the eight keys' four scores (Y12–Y15) to s[16·kk + 0…3],
// kk = 0…7, at DX + o (a 4×8 transpose: unpacks of pairs, then of halves).
#define QSTORE(o) \
	VUNPCKLPS    Y13, Y12, Y0 \
	VUNPCKHPS    Y13, Y12, Y1 \
	VUNPCKLPS    Y15, Y14, Y4 \
	VUNPCKHPS    Y15, Y14, Y5 \
	VUNPCKLPD    Y4, Y0, Y2 \
	VUNPCKHPD    Y4, Y0, Y3 \
	VUNPCKLPD    Y5, Y1, Y6 \
	VUNPCKHPD    Y5, Y1, Y7 \
	VMOVUPS      X2, (o)(DX) \
	VMOVUPS      X3, (o+64)(DX) \
	VMOVUPS      X6, (o+128)(DX) \
	VMOVUPS      X7, (o+192)(DX) \
	VEXTRACTF128 $1, Y2, (o+256)(DX) \
	VEXTRACTF128 $1, Y3, (o+320)(DX) \
	VEXTRACTF128 $1, Y6, (o+384)(DX) \
	VEXTRACTF128 $1, Y7, (o+448)(DX)

#define ZERO2 \
	VXORPS Y12, Y12, Y12 \
	VXORPS Y13, Y13, Y13
#define ZERO4 \
	ZERO2 \
	VXORPS Y14, Y14, Y14 \
	VXORPS Y15, Y15, Y15

// KSCORES256(name, sh, LD, el, ZERO, FMA, STORE): the score tile with
// keys in the lanes over keys of el bytes an element (2^sh), LD loading
// eight of a row: keys 0–7, then 8–15, each pass of eight dimensions one
// transpose and FMA's products for the two (PQFMA) or four (QQFMA)
// queries.
#define KSCORES256(name, sh, LD, el, ZERO, FMA, STORE) \
TEXT name, NOSPLIT, $0-40 \
	KEYS8ARGS(sh) \
pgroup: \
	MOVQ   qt+8(FP), SI \
	MOVQ   d+24(FP), CX \
	SHRQ   $3, CX \
	MOVQ   R13, DI \
	ZERO \
pj: \
	PROWS(LD) \
	TRANSPOSE8 \
	FMA(0, Y7) \
	FMA(1, Y10) \
	FMA(2, Y3) \
	FMA(3, Y2) \
	FMA(4, Y9) \
	FMA(5, Y11) \
	FMA(6, Y6) \
	FMA(7, Y8) \
	ADDQ $512, SI \
	ADDQ $(8*el), DI \
	DECQ CX \
	JNZ  pj \
	STORE(0) \
	ADDQ $512, DX \
	LEAQ (R13)(BX*8), R13 \
	DECQ R12 \
	JNZ  pgroup \
	VZEROUPPER \
	RET

// PROW4F32 / PROW4F16: a value row's 32 dimensions at DI into Y8–Y11.
#define PROW4F32 \
	VMOVUPS (DI), Y8 \
	VMOVUPS 32(DI), Y9 \
	VMOVUPS 64(DI), Y10 \
	VMOVUPS 96(DI), Y11
#define PROW4F16 \
	VCVTPH2PS (DI), Y8 \
	VCVTPH2PS 16(DI), Y9 \
	VCVTPH2PS 32(DI), Y10 \
	VCVTPH2PS 48(DI), Y11

// PACCUM256(name, STRIDE, ROW, w): the pair accumulation tile: ot held
// query by query, 32 dimensions a pass (w bytes of a value row), the
// two queries' outputs in Y0–Y3 and Y4–Y7.
#define PACCUM256(name, STRIDE, ROW, w) \
TEXT name, NOSPLIT, $0-48 \
	NARROWACCARGS \
	STRIDE \
	SHRQ $5, CX \
	VBROADCASTSS 0(AX), Y14 \
	VBROADCASTSS 4(AX), Y15 \
ploop: \
	VMULPS (DX), Y14, Y0 \
	VMULPS 32(DX), Y14, Y1 \
	VMULPS 64(DX), Y14, Y2 \
	VMULPS 96(DX), Y14, Y3 \
	VMULPS (DX)(R9*1), Y15, Y4 \
	VMULPS 32(DX)(R9*1), Y15, Y5 \
	VMULPS 64(DX)(R9*1), Y15, Y6 \
	VMULPS 96(DX)(R9*1), Y15, Y7 \
	MOVQ R8, DI \
	MOVQ SI, R11 \
	MOVQ $16, R12 \
pkk: \
	ROW \
	VBROADCASTSS 0(R11), Y12 \
	VBROADCASTSS 4(R11), Y13 \
	VFMADD231PS  Y8, Y12, Y0 \
	VFMADD231PS  Y9, Y12, Y1 \
	VFMADD231PS  Y10, Y12, Y2 \
	VFMADD231PS  Y11, Y12, Y3 \
	VFMADD231PS  Y8, Y13, Y4 \
	VFMADD231PS  Y9, Y13, Y5 \
	VFMADD231PS  Y10, Y13, Y6 \
	VFMADD231PS  Y11, Y13, Y7 \
	ADDQ $64, R11 \
	ADDQ BX, DI \
	DECQ R12 \
	JNZ  pkk \
	VMOVUPS Y0, (DX) \
	VMOVUPS Y1, 32(DX) \
	VMOVUPS Y2, 64(DX) \
	VMOVUPS Y3, 96(DX) \
	VMOVUPS Y4, (DX)(R9*1) \
	VMOVUPS Y5, 32(DX)(R9*1) \
	VMOVUPS Y6, 64(DX)(R9*1) \
	VMOVUPS Y7, 96(DX)(R9*1) \
	ADDQ $128, DX \
	ADDQ $w, R8 \
	DECQ CX \
	JNZ  ploop \
	VZEROUPPER \
	RET

// func attnScores256(s *float32, qt *float32, k *float32, d, kstride int)
// s[16·kk + lane] = Σ_j qt[16·j + lane] · k[kstride·kk + j], four keys a pass.
TEXT ·attnScores256(SB), NOSPLIT, $0-40
	SCORES256ARGS
	MOVQ $4, R12
sgroup:
	SCORES256GROUP
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

// EXPCONSTS256 loads the constants EXP256 uses into Y4–Y15 (those of
// EXPCONSTS in attn512_amd64.s, and 127 for the exponent).
#define EXPCONSTS256 \
	MOVL $0xc2ae999a, AX \
	MOVQ AX, X4 \
	VPBROADCASTD X4, Y4 \
	MOVL $0x42b16666, AX \
	MOVQ AX, X5 \
	VPBROADCASTD X5, Y5 \
	MOVL $0x3fb8aa3b, AX \
	MOVQ AX, X6 \
	VPBROADCASTD X6, Y6 \
	MOVL $0x3f318000, AX \
	MOVQ AX, X7 \
	VPBROADCASTD X7, Y7 \
	MOVL $0xb95e8083, AX \
	MOVQ AX, X8 \
	VPBROADCASTD X8, Y8 \
	MOVL $0x3ab60b61, AX \
	MOVQ AX, X9 \
	VPBROADCASTD X9, Y9 \
	MOVL $0x3c088889, AX \
	MOVQ AX, X10 \
	VPBROADCASTD X10, Y10 \
	MOVL $0x3d2aaaab, AX \
	MOVQ AX, X11 \
	VPBROADCASTD X11, Y11 \
	MOVL $0x3e2aaaab, AX \
	MOVQ AX, X12 \
	VPBROADCASTD X12, Y12 \
	MOVL $0x3f000000, AX \
	MOVQ AX, X13 \
	VPBROADCASTD X13, Y13 \
	MOVL $0x3f800000, AX \
	MOVQ AX, X14 \
	VPBROADCASTD X14, Y14 \
	MOVL $127, AX \
	MOVQ AX, X15 \
	VPBROADCASTD X15, Y15

// EXP256 is EXP (attn512_amd64.s) on 8 lanes: the same clamp, reduction
// and polynomial; 2^k is built from k's bits ((k + 127) << 23), which
// scales exactly as VSCALEFPS does for the clamped range.
#define EXP256(x, y, t) \
	VMAXPS       Y4, x, x \
	VMINPS       Y5, x, x \
	VMULPS       Y6, x, t \
	VROUNDPS     $0, t, t \
	VFNMADD231PS Y7, t, x \
	VFNMADD231PS Y8, t, x \
	VMOVAPS      Y9, y \
	VFMADD213PS  Y10, x, y \
	VFMADD213PS  Y11, x, y \
	VFMADD213PS  Y12, x, y \
	VFMADD213PS  Y13, x, y \
	VFMADD213PS  Y14, x, y \
	VFMADD213PS  Y14, x, y \
	VCVTPS2DQ    t, t \
	VPADDD       Y15, t, t \
	VPSLLD       $23, t, t \
	VMULPS       t, y, y

// func swiglu256(dst, gate, up *float32, n int)
// dst[i] = gate[i] / (1 + e^-gate[i]) · up[i], n a multiple of 8.
TEXT ·swiglu256(SB), NOSPLIT, $0-32
	MOVQ dst+0(FP), DX
	MOVQ gate+8(FP), SI
	MOVQ up+16(FP), DI
	MOVQ n+24(FP), CX
	EXPCONSTS256
	SHRQ $3, CX
	JZ   g2done
g2loop:
	VMOVUPS (SI), Y2          // g
	VXORPS  Y3, Y3, Y3
	VSUBPS  Y2, Y3, Y0        // −g
	EXP256(Y0, Y1, Y3)        // e^−g
	VADDPS  Y14, Y1, Y1       // 1 + e^−g
	VDIVPS  Y1, Y2, Y2        // g / (1 + e^−g)
	VMULPS  (DI), Y2, Y2      // · up
	VMOVUPS Y2, (DX)
	ADDQ $32, SI
	ADDQ $32, DI
	ADDQ $32, DX
	DECQ CX
	JNZ  g2loop
g2done:
	VZEROUPPER
	RET

// LANEMASK(p, y): y's lane i all ones if the 16-bit mask at (p) has the
// bit of this half's lane i (softmaxBits at R10), else zero. AX scratch.
#define LANEMASK(p, y) \
	MOVWLZX      (p), AX \
	MOVQ         AX, X2 \
	VPBROADCASTD X2, y \
	VPAND        (R10), y, y \
	VPCMPEQD     (R10), y, y

DATA softmaxBits<>+0(SB)/4, $1
DATA softmaxBits<>+4(SB)/4, $2
DATA softmaxBits<>+8(SB)/4, $4
DATA softmaxBits<>+12(SB)/4, $8
DATA softmaxBits<>+16(SB)/4, $16
DATA softmaxBits<>+20(SB)/4, $32
DATA softmaxBits<>+24(SB)/4, $64
DATA softmaxBits<>+28(SB)/4, $128
DATA softmaxBits<>+32(SB)/4, $256
DATA softmaxBits<>+36(SB)/4, $512
DATA softmaxBits<>+40(SB)/4, $1024
DATA softmaxBits<>+44(SB)/4, $2048
DATA softmaxBits<>+48(SB)/4, $4096
DATA softmaxBits<>+52(SB)/4, $8192
DATA softmaxBits<>+56(SB)/4, $16384
DATA softmaxBits<>+60(SB)/4, $32768
GLOBL softmaxBits<>(SB), RODATA|NOPTR, $64

// func attnSoftmax256(s, m, l, mult *float32, masks *uint16, end int)
// The online-softmax step of one score tile (see attnSoftmaxGo) in AVX2,
// lanes 0–7 then 8–15: per lane, the new running maximum over the keys its
// mask admits, the rescale factor (exactly 1 where the maximum did not
// grow), the probabilities (exactly 0 where masked) in place of the scores,
// and the running sum, added key by key. A key's 16-bit mask becomes lane
// masks by broadcasting it and comparing each lane's bit (softmaxBits).
// Y0–Y3 work, Y4–Y15 EXP256's constants.
// end is 64 for both halves, 32 for lanes 0–7 only (decode's few
// queries: lanes 8–15 are left as they are).
TEXT ·attnSoftmax256(SB), NOSPLIT, $0-48
	EXPCONSTS256
	XORQ R11, R11 // the half's byte offset: 0, then 32
shalf:
	MOVQ s+0(FP), SI
	MOVQ m+8(FP), R8
	MOVQ l+16(FP), BX
	MOVQ mult+24(FP), DX
	MOVQ masks+32(FP), DI
	ADDQ R11, SI
	ADDQ R11, R8
	ADDQ R11, BX
	ADDQ R11, DX
	LEAQ softmaxBits<>(SB), R10
	ADDQ R11, R10
	VMOVUPS (R8), Y0 // the running maximum, grown key by key
	MOVQ    SI, R9
	MOVQ    DI, R12
	MOVQ    $16, CX
smax:
	LANEMASK(R12, Y2)
	VMOVUPS   (R9), Y1
	VMAXPS    Y0, Y1, Y1 // s > max ? s : max
	VBLENDVPS Y2, Y1, Y0, Y0
	ADDQ      $64, R9
	ADDQ      $2, R12
	DECQ      CX
	JNZ       smax
	VMOVUPS   (R8), Y1
	VMOVUPS   Y0, (R8)
	VCMPPS    $0x0e, Y1, Y0, Y2 // new > old
	VSUBPS    Y0, Y1, Y1        // old − new
	EXP256(Y1, Y3, Y0)
	VBLENDVPS Y2, Y3, Y14, Y3 // e^(old − new) where it grew, else 1
	VMOVUPS   Y3, (DX)
	VMULPS    (BX), Y3, Y3 // l·mult, then the probabilities in key order
	MOVQ      $16, CX
sexp:
	VMOVUPS (SI), Y0
	VSUBPS  (R8), Y0, Y0
	EXP256(Y0, Y1, Y2)
	LANEMASK(DI, Y2)
	VANDPS  Y2, Y1, Y1
	VMOVUPS Y1, (SI)
	VADDPS  Y1, Y3, Y3
	ADDQ    $64, SI
	ADDQ    $2, DI
	DECQ    CX
	JNZ     sexp
	VMOVUPS Y3, (BX)
	ADDQ    $32, R11
	CMPQ    R11, end+40(FP)
	JL      shalf
	VZEROUPPER
	RET

// func attnScoresQ256(s *float32, qt *float32, k *float32, d, kstride int)
// The narrow score tile for up to four queries (see attnScoresNarrowGo; d
// a multiple of 8): s[16·kk + q] for q = 0…3; lanes 4–15 of s are left as
// they are.
KSCORES256(·attnScoresQ256(SB), 2, VMOVUPS, 4, ZERO4, QQFMA, QSTORE)

// func attnScoresQH256(s *float32, qt *float32, k *uint16, d, kstride int)
// attnScoresQ256 reading the keys from an f16 cache where they lie.
KSCORES256(·attnScoresQH256(SB), 1, VCVTPH2PS, 2, ZERO4, QQFMA, QSTORE)

// func attnAccumN256(ot *float32, p *float32, v *float32, scale *float32, d, vstride int)
// The narrow accumulation tile (see attnAccumNarrowGo) in AVX2: ot held
// query by query, 16 dimensions a pass (d a multiple of 16), each output
// the same chain as in attnAccum256.
NARROWACC256(·attnAccumN256(SB), STRIDEF32, VALROW256F32, 64)

// func attnAccumNH256(ot *float32, p *float32, v *uint16, scale *float32, d, vstride int)
// attnAccumN256 reading the values from an f16 cache where they lie
// (vstride halves apart): the same arithmetic on the widened values.
NARROWACC256(·attnAccumNH256(SB), STRIDEF16, VALROW256F16, 32)

// func attnScoresP256(s *float32, qt *float32, k *float32, d, kstride int)
// The pair score tile (see attnScoresNarrowGo; d a multiple of 8):
// s[16·kk + q] for queries q = 0, 1; lanes 2–15 of s are left as they are.
KSCORES256(·attnScoresP256(SB), 2, VMOVUPS, 4, ZERO2, PQFMA, PSTORE)

// func attnScoresPH256(s *float32, qt *float32, k *uint16, d, kstride int)
// attnScoresP256 reading the keys from an f16 cache where they lie.
KSCORES256(·attnScoresPH256(SB), 1, VCVTPH2PS, 2, ZERO2, PQFMA, PSTORE)

// func attnAccumP256(ot *float32, p *float32, v *float32, scale *float32, d, vstride int)
// The pair accumulation tile (see attnAccumNarrowGo; d a multiple of 32):
// ot's two queries' rows, each output the same chain as in attnAccum256.
PACCUM256(·attnAccumP256(SB), STRIDEF32, PROW4F32, 128)

// func attnAccumPH256(ot *float32, p *float32, v *uint16, scale *float32, d, vstride int)
// attnAccumP256 reading the values from an f16 cache where they lie.
PACCUM256(·attnAccumPH256(SB), STRIDEF16, PROW4F16, 64)
