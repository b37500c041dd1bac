//go:build amd64 && !purego

#include "textflag.h"
#include "attn_amd64.h"

// Narrow attention tiles for decode: up to four queries (a token's query
// heads of one kv head) against a chunk of 16 keys. The 16-lane tiles
// (attn512_amd64.s) put a query in each lane and so compute 16 where
// decode has two to four; these put keys (scores) or head dimensions
// (accumulation) in the lanes. Each output is the same chain of rounded
// operations in the same order as in the 16-lane tiles, so a query's
// result does not depend on which tile computed it.

// T2(a, b, t): a, b ← unpacklo(a, b), unpackhi(a, b) of 32-bit elements
// (t is scratch).
#define T2(a, b, t) \
	VUNPCKLPS b, a, t \
	VUNPCKHPS b, a, b \
	VMOVAPS   t, a

// T4(a0, a1, a2, a3, t0, t1, t2): the 64-bit step: a0..a3 ← unpacklo(a0, a2),
// unpackhi(a0, a2), unpacklo(a1, a3), unpackhi(a1, a3).
#define T4(a0, a1, a2, a3, t0, t1, t2) \
	VUNPCKLPD a2, a0, t0 \
	VUNPCKHPD a2, a0, t1 \
	VUNPCKLPD a3, a1, t2 \
	VUNPCKHPD a3, a1, a3 \
	VMOVAPS   t0, a0 \
	VMOVAPS   t1, a1 \
	VMOVAPS   t2, a2

// T16(x0, x1, x2, x3): the 128-bit step for one element e of the 4×4
// groups: x0..x3 (rows 0–3, 4–7, 8–11, 12–15) ← columns e, 4+e, 8+e, 12+e.
#define T16(x0, x1, x2, x3) \
	VSHUFF32X4 $0x44, x1, x0, Z20 \
	VSHUFF32X4 $0xEE, x1, x0, Z21 \
	VSHUFF32X4 $0x44, x3, x2, Z22 \
	VSHUFF32X4 $0xEE, x3, x2, Z23 \
	VSHUFF32X4 $0x88, Z22, Z20, x0 \
	VSHUFF32X4 $0xDD, Z22, Z20, x1 \
	VSHUFF32X4 $0x88, Z23, Z21, x2 \
	VSHUFF32X4 $0xDD, Z23, Z21, x3

// QFMA(j, col): column j of the block (the 16 keys' element j) times each
// of the four queries' element j, into their accumulators Z28–Z31.
#define QFMA(j, col) \
	VFMADD231PS.BCST (64*j)(SI), col, Z28 \
	VFMADD231PS.BCST (64*j+4)(SI), col, Z29 \
	VFMADD231PS.BCST (64*j+8)(SI), col, Z30 \
	VFMADD231PS.BCST (64*j+12)(SI), col, Z31

// TR4(a, b, c, d, t0, t1, t2, t3, o0, o1, o2, o3): in each 128-bit lane,
// the 4×4 transpose of a–d (one row each) into o0–o3 (t0–t3 scratch):
// four queries' sums of four keys become four keys' rows of four queries,
// and back.
#define TR4(a, b, c, d, t0, t1, t2, t3, o0, o1, o2, o3) \
	VUNPCKLPS b, a, t0 \
	VUNPCKHPS b, a, t1 \
	VUNPCKLPS d, c, t2 \
	VUNPCKHPS d, c, t3 \
	VUNPCKLPD t2, t0, o0 \
	VUNPCKHPD t2, t0, o1 \
	VUNPCKLPD t3, t1, o2 \
	VUNPCKHPD t3, t1, o3

// STOREROWS(p): lane L of Z4–Z7 (keys 4L…4L+3, four queries each) to the
// key rows of the tile at p (64 bytes a row).
#define STOREROWS(p) \
	VMOVUPS       X4, 0(p) \
	VMOVUPS       X5, 64(p) \
	VMOVUPS       X6, 128(p) \
	VMOVUPS       X7, 192(p) \
	VEXTRACTF32X4 $1, Z4, 256(p) \
	VEXTRACTF32X4 $1, Z5, 320(p) \
	VEXTRACTF32X4 $1, Z6, 384(p) \
	VEXTRACTF32X4 $1, Z7, 448(p) \
	VEXTRACTF32X4 $2, Z4, 512(p) \
	VEXTRACTF32X4 $2, Z5, 576(p) \
	VEXTRACTF32X4 $2, Z6, 640(p) \
	VEXTRACTF32X4 $2, Z7, 704(p) \
	VEXTRACTF32X4 $3, Z4, 768(p) \
	VEXTRACTF32X4 $3, Z5, 832(p) \
	VEXTRACTF32X4 $3, Z6, 896(p) \
	VEXTRACTF32X4 $3, Z7, 960(p)

// ROWS8(p, z0…z7): 16 columns of eight key rows from p, BX bytes apart
// (R9, R10, R11 holding three, five and seven times BX).
#define ROWS8(p, z0, z1, z2, z3, z4, z5, z6, z7) \
	VMOVUPS (p), z0 \
	VMOVUPS (p)(BX*1), z1 \
	VMOVUPS (p)(BX*2), z2 \
	VMOVUPS (p)(R9*1), z3 \
	VMOVUPS (p)(BX*4), z4 \
	VMOVUPS (p)(R10*1), z5 \
	VMOVUPS (p)(R9*2), z6 \
	VMOVUPS (p)(R11*1), z7

// ROWS8H(p, z0…z7): ROWS8 from rows of halves (an f16 KV cache), BX
// bytes apart, widened exactly.
#define ROWS8H(p, z0, z1, z2, z3, z4, z5, z6, z7) \
	VCVTPH2PS (p), z0 \
	VCVTPH2PS (p)(BX*1), z1 \
	VCVTPH2PS (p)(BX*2), z2 \
	VCVTPH2PS (p)(R9*1), z3 \
	VCVTPH2PS (p)(BX*4), z4 \
	VCVTPH2PS (p)(R10*1), z5 \
	VCVTPH2PS (p)(R9*2), z6 \
	VCVTPH2PS (p)(R11*1), z7

// NSCOLUMNS: the 16×16 transpose of the key rows in Z0–Z15, a column a
// register (column j in Zj).
#define NSCOLUMNS \
	T2(Z0, Z1, Z16) \
	T2(Z2, Z3, Z17) \
	T2(Z4, Z5, Z18) \
	T2(Z6, Z7, Z19) \
	T2(Z8, Z9, Z16) \
	T2(Z10, Z11, Z17) \
	T2(Z12, Z13, Z18) \
	T2(Z14, Z15, Z19) \
	T4(Z0, Z1, Z2, Z3, Z16, Z17, Z18) \
	T4(Z4, Z5, Z6, Z7, Z16, Z17, Z18) \
	T4(Z8, Z9, Z10, Z11, Z16, Z17, Z18) \
	T4(Z12, Z13, Z14, Z15, Z16, Z17, Z18) \
	T16(Z0, Z4, Z8, Z12) \
	T16(Z1, Z5, Z9, Z13) \
	T16(Z2, Z6, Z10, Z14) \
	T16(Z3, Z7, Z11, Z15)

// NSFMA4: each column Zj times the four queries' elements j into
// Z28–Z31, in order j; SI on to the next 16 dimensions of the queries.
#define NSFMA4 \
	QFMA(0, Z0) \
	QFMA(1, Z1) \
	QFMA(2, Z2) \
	QFMA(3, Z3) \
	QFMA(4, Z4) \
	QFMA(5, Z5) \
	QFMA(6, Z6) \
	QFMA(7, Z7) \
	QFMA(8, Z8) \
	QFMA(9, Z9) \
	QFMA(10, Z10) \
	QFMA(11, Z11) \
	QFMA(12, Z12) \
	QFMA(13, Z13) \
	QFMA(14, Z14) \
	QFMA(15, Z15) \
	ADDQ $1024, SI

// QFMA2(j, col): QFMA for two queries (Z28, Z29).
#define QFMA2(j, col) \
	VFMADD231PS.BCST (64*j)(SI), col, Z28 \
	VFMADD231PS.BCST (64*j+4)(SI), col, Z29

// NSFMA2: NSFMA4 for two queries; Z30 and Z31 stay zero.
#define NSFMA2 \
	QFMA2(0, Z0) \
	QFMA2(1, Z1) \
	QFMA2(2, Z2) \
	QFMA2(3, Z3) \
	QFMA2(4, Z4) \
	QFMA2(5, Z5) \
	QFMA2(6, Z6) \
	QFMA2(7, Z7) \
	QFMA2(8, Z8) \
	QFMA2(9, Z9) \
	QFMA2(10, Z10) \
	QFMA2(11, Z11) \
	QFMA2(12, Z12) \
	QFMA2(13, Z13) \
	QFMA2(14, Z14) \
	QFMA2(15, Z15) \
	ADDQ $1024, SI

// NSARGS(shift): a narrow score tile's arguments (s, qt, k, d, kstride),
// k's values 1<<shift bytes each (2: f32, 1: f16): DX s, SI qt, DI the first
// eight key rows and R8 the next eight, CX the 16-column blocks, BX the
// row stride in bytes and R9, R10, R11 three, five and seven times it;
// the four queries' accumulators Z28–Z31 cleared.
#define NSARGS(shift) \
	MOVQ s+0(FP), DX \
	MOVQ qt+8(FP), SI \
	MOVQ k+16(FP), DI \
	MOVQ d+24(FP), CX \
	MOVQ kstride+32(FP), BX \
	SHLQ $shift, BX \
	SHRQ $4, CX \
	LEAQ (DI)(BX*8), R8 \
	MOVQ BX, R9 \
	IMULQ $3, R9 \
	MOVQ BX, R10 \
	IMULQ $5, R10 \
	MOVQ BX, R11 \
	IMULQ $7, R11 \
	VPXORD Z28, Z28, Z28 \
	VPXORD Z29, Z29, Z29 \
	VPXORD Z30, Z30, Z30 \
	VPXORD Z31, Z31, Z31

// NSSTORE: back to a key a row: per 128-bit lane L, the four queries'
// sums of keys 4L..4L+3 (Z28–Z31), each group stored at s[16·kk] (DX).
#define NSSTORE \
	TR4(Z28, Z29, Z30, Z31, Z0, Z1, Z2, Z3, Z4, Z5, Z6, Z7) \
	STOREROWS(DX) \
	VZEROUPPER

// NSTILE(name, shift, rows, fma): a narrow score tile, func(s, qt *float32,
// k *T, d, kstride int) with keys of 1<<shift bytes (rows reads and widens
// them: ROWS8 or ROWS8H) and fma the queries' products (NSFMA4, NSFMA2).
#define NSTILE(name, shift, rows, fma) \
TEXT name, NOSPLIT, $0-40 \
	NSARGS(shift) \
loop: \
	rows(DI, Z0, Z1, Z2, Z3, Z4, Z5, Z6, Z7) \
	rows(R8, Z8, Z9, Z10, Z11, Z12, Z13, Z14, Z15) \
	NSCOLUMNS \
	fma \
	ADDQ $(16<<shift), DI \
	ADDQ $(16<<shift), R8 \
	DECQ CX \
	JNZ  loop \
	NSSTORE \
	RET

// func attnScoresN512(s *float32, qt *float32, k *float32, d, kstride int)
// s[16·kk + q] = Σ_j qt[16·j + q] · k[kstride·kk + j] for the 16 keys kk
// and queries q < 4 (lanes 4–15 of s are left as they are); d is a
// multiple of 16. Per 16 columns of the keys, a 16×16 transpose puts
// column j in register Zj; each query's sums are one register, a key a
// lane, FMA'd column by column in order j.
NSTILE(·attnScoresN512(SB), 2, ROWS8, NSFMA4)

// func attnScoresNH512(s *float32, qt *float32, k *uint16, d, kstride int)
// attnScoresN512 reading the keys from an f16 cache where they lie
// (kstride halves apart): the same arithmetic on the widened keys.
NSTILE(·attnScoresNH512(SB), 1, ROWS8H, NSFMA4)

// PACC(kk): key kk's values in two 16-dimension blocks (DI, DI+64) times
// each query's probability of it, into the eight accumulators.
#define PACC(kk) \
	VMOVUPS (DI), Z0 \
	VMOVUPS 64(DI), Z1 \
	PFMA(kk)

// PACCH(kk): PACC from a row of halves (an f16 KV cache), widened exactly.
#define PACCH(kk) \
	VCVTPH2PS (DI), Z0 \
	VCVTPH2PS 32(DI), Z1 \
	PFMA(kk)

// PFMA(kk): key kk's values (Z0, Z1) times each query's probability of
// it, into the eight accumulators; DI on to the next key's row.
#define PFMA(kk) \
	VFMADD231PS.BCST (64*kk)(SI), Z0, Z16 \
	VFMADD231PS.BCST (64*kk+4)(SI), Z0, Z17 \
	VFMADD231PS.BCST (64*kk+8)(SI), Z0, Z18 \
	VFMADD231PS.BCST (64*kk+12)(SI), Z0, Z19 \
	VFMADD231PS.BCST (64*kk)(SI), Z1, Z20 \
	VFMADD231PS.BCST (64*kk+4)(SI), Z1, Z21 \
	VFMADD231PS.BCST (64*kk+8)(SI), Z1, Z22 \
	VFMADD231PS.BCST (64*kk+12)(SI), Z1, Z23 \
	ADDQ BX, DI

// NASTORE: the eight accumulators back to the outputs (DX, R9 bytes a
// query), DX on by 32 dimensions.
#define NASTORE \
	VMOVUPS Z16, (DX) \
	VMOVUPS Z17, (DX)(R9*1) \
	VMOVUPS Z18, (DX)(R9*2) \
	VMOVUPS Z19, (DX)(R10*1) \
	VMOVUPS Z20, 64(DX) \
	VMOVUPS Z21, 64(DX)(R9*1) \
	VMOVUPS Z22, 64(DX)(R9*2) \
	VMOVUPS Z23, 64(DX)(R10*1) \
	ADDQ $128, DX

// func attnAccumN512(ot *float32, p *float32, v *float32, scale *float32, d, vstride int)
// ot[d·q + j] = ot[d·q + j]·scale[q] + Σ_kk p[16·kk + q]·v[vstride·kk + j]
// for queries q < 4, keys in order kk = 0..15; d is a multiple of 32. A
// register holds one query's 16 dimensions; 32 dimensions a pass.
TEXT ·attnAccumN512(SB), NOSPLIT, $0-48
	NARROWACCARGS
	SHRQ $5, CX
	NARROWSCALES(Z24, Z25, Z26, Z27)
naloop:
	NARROWRESCALE(64, Z24, Z25, Z26, Z27, Z16, Z17, Z18, Z19, Z20, Z21, Z22, Z23)
	MOVQ R8, DI
	PACC(0)
	PACC(1)
	PACC(2)
	PACC(3)
	PACC(4)
	PACC(5)
	PACC(6)
	PACC(7)
	PACC(8)
	PACC(9)
	PACC(10)
	PACC(11)
	PACC(12)
	PACC(13)
	PACC(14)
	PACC(15)
	NASTORE
	ADDQ $128, R8
	DECQ CX
	JNZ  naloop
	VZEROUPPER
	RET

// ROWS4(r, o): 128-bit lane L of r ← queries 0–3 of key row 4L + o of
// the tile at SI.
#define ROWS4(r, x, o) \
	VMOVUPS       (64*o)(SI), x \
	VINSERTF32X4  $1, (64*o+256)(SI), r, r \
	VINSERTF32X4  $2, (64*o+512)(SI), r, r \
	VINSERTF32X4  $3, (64*o+768)(SI), r, r

// QMAX(z, k, q, mq): mq ← in every lane the larger of query q's running
// maximum and its scores z where k admits them (the largest of a set of
// numbers: the order the 16-lane tile takes them in does not change it).
#define QMAX(z, k, q, mq) \
	VMOVAPS      Z31, Z14 \
	VMOVAPS      z, k, Z14 \
	VSHUFF32X4   $0x4E, Z14, Z14, Z15 \
	VMAXPS       Z15, Z14, Z14 \
	VSHUFF32X4   $0xB1, Z14, Z14, Z15 \
	VMAXPS       Z15, Z14, Z14 \
	VPERMILPS    $0x4E, Z14, Z15 \
	VMAXPS       Z15, Z14, Z14 \
	VPERMILPS    $0xB1, Z14, Z15 \
	VMAXPS       Z15, Z14, Z14 \
	VBROADCASTSS (4*q)(R8), Z15 \
	VMAXPS       Z15, Z14, mq

// PROBS(z, k, mq): query's scores z (a key a lane) become e^(z − mq)
// where k admits them, exactly 0 elsewhere.
#define PROBS(z, k, mq) \
	VSUBPS    mq, z, z \
	EXP(z, Z14, Z15) \
	VMOVAPS.Z Z14, k, z

// QMASK(q, k): k ← bit kk set where masks[kk] admits query q (Z12 holds
// the 16 masks, one a dword).
#define QMASK(q, k) \
	MOVL         $(1<<q), AX \
	VPBROADCASTD AX, Z13 \
	VPTESTMD     Z13, Z12, k

// func attnSoftmaxN512(s, m, l, mult *float32, masks *uint16)
// The online-softmax step (see attnSoftmaxGo) for lanes 0–3 only; lanes
// 4–15 of m, l and mult are left as they are. The 16-lane tile takes a
// query a lane and computes sixteen exponentials a key; this puts the four
// queries' scores a key a lane (a transpose in registers), so a query's
// probabilities are one exponential, skipped for a query no key of the
// chunk is visible to. Each value is the 16-lane tile's operation on the
// same operands, and the running sum still adds the probabilities in key
// order, so each lane's result is bit-identical.
TEXT ·attnSoftmaxN512(SB), NOSPLIT, $0-40
	SOFTMAXARGS
	MOVL         $0xff800000, AX
	VPBROADCASTD AX, Z31 // −∞
	VPMOVZXWD    (DI), Z12
	QMASK(0, K1)
	QMASK(1, K2)
	QMASK(2, K3)
	QMASK(3, K4)
	// Key rows 4L+o in lane L of Z4+o, then queries 0–3 in Z0–Z3, key kk
	// in lane kk.
	ROWS4(Z4, X4, 0)
	ROWS4(Z5, X5, 1)
	ROWS4(Z6, X6, 2)
	ROWS4(Z7, X7, 3)
	TR4(Z4, Z5, Z6, Z7, Z8, Z9, Z10, Z11, Z0, Z1, Z2, Z3)
	QMAX(Z0, K1, 0, Z8)
	QMAX(Z1, K2, 1, Z9)
	QMAX(Z2, K3, 2, Z10)
	QMAX(Z3, K4, 3, Z11)
	// The new maxima in lanes 0–3 of X12; mult = e^(old − new) where the
	// maximum grew, else exactly 1; X13 = l·mult.
	VMOVAPS   X8, X12
	VBLENDPS  $2, X9, X12, X12
	VBLENDPS  $4, X10, X12, X12
	VBLENDPS  $8, X11, X12, X12
	VMOVUPS   (R8), X13
	VMOVUPS   X12, (R8)
	RESCALEBY(X12, X13, X14, Z14, Z15, Z7, K5, Z6)
	VMOVUPS   X6, (DX)
	VMULPS    (BX), X6, X13
	KORTESTW  K1, K1
	JZ        p0none
	PROBS(Z0, K1, Z8)
	JMP       p1
p0none:
	VXORPS    Z0, Z0, Z0
p1:
	KORTESTW  K2, K2
	JZ        p1none
	PROBS(Z1, K2, Z9)
	JMP       p2
p1none:
	VXORPS    Z1, Z1, Z1
p2:
	KORTESTW  K3, K3
	JZ        p2none
	PROBS(Z2, K3, Z10)
	JMP       p3
p2none:
	VXORPS    Z2, Z2, Z2
p3:
	KORTESTW  K4, K4
	JZ        p3none
	PROBS(Z3, K4, Z11)
	JMP       back
p3none:
	VXORPS    Z3, Z3, Z3
back:
	// Back to a key a row, stored in place of the scores.
	TR4(Z0, Z1, Z2, Z3, Z8, Z9, Z10, Z11, Z4, Z5, Z6, Z7)
	STOREROWS(SI)
	// The running sum: l·mult plus the probabilities in key order.
	VADDPS 0(SI), X13, X13
	VADDPS 64(SI), X13, X13
	VADDPS 128(SI), X13, X13
	VADDPS 192(SI), X13, X13
	VADDPS 256(SI), X13, X13
	VADDPS 320(SI), X13, X13
	VADDPS 384(SI), X13, X13
	VADDPS 448(SI), X13, X13
	VADDPS 512(SI), X13, X13
	VADDPS 576(SI), X13, X13
	VADDPS 640(SI), X13, X13
	VADDPS 704(SI), X13, X13
	VADDPS 768(SI), X13, X13
	VADDPS 832(SI), X13, X13
	VADDPS 896(SI), X13, X13
	VADDPS 960(SI), X13, X13
	VMOVUPS X13, (BX)
	VZEROUPPER
	RET

// func attnAccumNH512(ot *float32, p *float32, v *uint16, scale *float32, d, vstride int)
// attnAccumN512 reading the values from an f16 cache where they lie
// (vstride halves apart): the same arithmetic on the widened values.
TEXT ·attnAccumNH512(SB), NOSPLIT, $0-48
	NARROWACCARGS
	SHRQ $1, BX // halves, not floats
	SHRQ $5, CX
	NARROWSCALES(Z24, Z25, Z26, Z27)
nhaloop:
	NARROWRESCALE(64, Z24, Z25, Z26, Z27, Z16, Z17, Z18, Z19, Z20, Z21, Z22, Z23)
	MOVQ R8, DI
	PACCH(0)
	PACCH(1)
	PACCH(2)
	PACCH(3)
	PACCH(4)
	PACCH(5)
	PACCH(6)
	PACCH(7)
	PACCH(8)
	PACCH(9)
	PACCH(10)
	PACCH(11)
	PACCH(12)
	PACCH(13)
	PACCH(14)
	PACCH(15)
	NASTORE
	ADDQ $64, R8
	DECQ CX
	JNZ  nhaloop
	VZEROUPPER
	RET

// Pair tiles: the narrow tiles for one or two queries (LFM2-350M's two
// query heads a kv head), each output the same chain of operations as in
// the four-query tiles; they leave out the other two queries' products.

// func attnScoresP512(s *float32, qt *float32, k *float32, d, kstride int)
// attnScoresN512 for queries 0 and 1: lanes 2 and 3 of s become 0.
NSTILE(·attnScoresP512(SB), 2, ROWS8, NSFMA2)

// func attnScoresPH512(s *float32, qt *float32, k *uint16, d, kstride int)
// attnScoresP512 reading the keys from an f16 cache where they lie.
NSTILE(·attnScoresPH512(SB), 1, ROWS8H, NSFMA2)

// PFMA2(kk): PFMA for two queries, into Z16, Z17 (dimensions 0–15 of the
// pass) and Z20, Z21 (16–31).
#define PFMA2(kk) \
	VFMADD231PS.BCST (64*kk)(SI), Z0, Z16 \
	VFMADD231PS.BCST (64*kk+4)(SI), Z0, Z17 \
	VFMADD231PS.BCST (64*kk)(SI), Z1, Z20 \
	VFMADD231PS.BCST (64*kk+4)(SI), Z1, Z21 \
	ADDQ BX, DI

#define PACC2(kk) \
	VMOVUPS (DI), Z0 \
	VMOVUPS 64(DI), Z1 \
	PFMA2(kk)

#define PACCH2(kk) \
	VCVTPH2PS (DI), Z0 \
	VCVTPH2PS 32(DI), Z1 \
	PFMA2(kk)

// PRESCALE: a pair pass's start: each query's outputs (at DX, and R9
// bytes on) times its rescale factor (Z24, Z25).
#define PRESCALE \
	VMULPS (DX), Z24, Z16 \
	VMULPS (DX)(R9*1), Z25, Z17 \
	VMULPS 64(DX), Z24, Z20 \
	VMULPS 64(DX)(R9*1), Z25, Z21

// PSTORE: the pair's accumulators back to the outputs, DX on by 32
// dimensions.
#define PSTORE \
	VMOVUPS Z16, (DX) \
	VMOVUPS Z17, (DX)(R9*1) \
	VMOVUPS Z20, 64(DX) \
	VMOVUPS Z21, 64(DX)(R9*1) \
	ADDQ $128, DX

// func attnAccumP512(ot *float32, p *float32, v *float32, scale *float32, d, vstride int)
// attnAccumN512 for queries 0 and 1 (ot holds two rows of d).
TEXT ·attnAccumP512(SB), NOSPLIT, $0-48
	NARROWACCARGS
	SHRQ $5, CX
	VBROADCASTSS 0(AX), Z24
	VBROADCASTSS 4(AX), Z25
paloop:
	PRESCALE
	MOVQ R8, DI
	PACC2(0)
	PACC2(1)
	PACC2(2)
	PACC2(3)
	PACC2(4)
	PACC2(5)
	PACC2(6)
	PACC2(7)
	PACC2(8)
	PACC2(9)
	PACC2(10)
	PACC2(11)
	PACC2(12)
	PACC2(13)
	PACC2(14)
	PACC2(15)
	PSTORE
	ADDQ $128, R8
	DECQ CX
	JNZ  paloop
	VZEROUPPER
	RET

// func attnAccumPH512(ot *float32, p *float32, v *uint16, scale *float32, d, vstride int)
// attnAccumP512 reading the values from an f16 cache where they lie.
TEXT ·attnAccumPH512(SB), NOSPLIT, $0-48
	NARROWACCARGS
	SHRQ $1, BX // halves, not floats
	SHRQ $5, CX
	VBROADCASTSS 0(AX), Z24
	VBROADCASTSS 4(AX), Z25
phaloop:
	PRESCALE
	MOVQ R8, DI
	PACCH2(0)
	PACCH2(1)
	PACCH2(2)
	PACCH2(3)
	PACCH2(4)
	PACCH2(5)
	PACCH2(6)
	PACCH2(7)
	PACCH2(8)
	PACCH2(9)
	PACCH2(10)
	PACCH2(11)
	PACCH2(12)
	PACCH2(13)
	PACCH2(14)
	PACCH2(15)
	PSTORE
	ADDQ $64, R8
	DECQ CX
	JNZ  phaloop
	VZEROUPPER
	RET
