//go:build arm64 && !purego

#include "textflag.h"
#include "neon_arm64.h"
#include "exp_arm64.h"

// NEON attention tiles: sixteen query lanes in four registers, each
// output lane accumulated in the specification's order (attention.go).

// SCORES4ARGS(sh) loads a narrow score tile's arguments: R0 s, R1 qt, R2
// k, R3 d, R4 the key row stride in bytes (kstride << sh), R9 = 64 (a row
// of qt or s), R5 the four groups of four keys.
// SCALE4(a, b, c, d, m): Va–Vd times Vm (four rows of an output chunk
// rescaled by their query's multiplier).
#define SCALE4(a, b, c, d, m) \
	FMUL_4S(a, a, m) \
	FMUL_4S(b, b, m) \
	FMUL_4S(c, c, m) \
	FMUL_4S(d, d, m)

#define SCORES4ARGS(sh) \
	MOVD s+0(FP), R0 \
	MOVD qt+8(FP), R1 \
	MOVD k+16(FP), R2 \
	MOVD d+24(FP), R3 \
	MOVD kstride+32(FP), R4 \
	LSL  $sh, R4, R4 \
	MOVD $64, R9 \
	MOVD $4, R5

// KEYROWS4 starts a group: R6 the queries, R10–R13 its four key rows.
#define KEYROWS4 \
	MOVD R1, R6 \
	MOVD R2, R10 \
	ADD  R4, R10, R11 \
	ADD  R4, R11, R12 \
	ADD  R4, R12, R13

// KEYF32 / KEYF16(r, v, n): the next element of the key row at r (moved
// on) in every lane of v (register number n): as stored, or widened
// exactly from a half (FCVTL).
#define KEYF32(r, v, n) VLD1R.P 4(r), [v.S4]
#define KEYF16(r, v, n) \
	VLD1R.P 2(r), [v.H8] \
	FCVTL_4S(n, n)

// NSCORES(name, sh, KEY): the narrow score tile over keys of 2^sh bytes
// an element, KEY loading one.
#define NSCORES(name, sh, KEY) \
TEXT name, NOSPLIT, $0-40 \
	SCORES4ARGS(sh) \
nsgroup: \
	VEOR V0.B16, V0.B16, V0.B16 \
	VEOR V1.B16, V1.B16, V1.B16 \
	VEOR V2.B16, V2.B16, V2.B16 \
	VEOR V3.B16, V3.B16, V3.B16 \
	KEYROWS4 \
	MOVD R3, R8 \
	CBZ  R8, nsstore \
nsdim: \
	VLD1.P  (R6)(R9), [V16.S4] \
	KEY(R10, V20, 20) \
	KEY(R11, V21, 21) \
	KEY(R12, V22, 22) \
	KEY(R13, V23, 23) \
	VFMLA   V20.S4, V16.S4, V0.S4 \
	VFMLA   V21.S4, V16.S4, V1.S4 \
	VFMLA   V22.S4, V16.S4, V2.S4 \
	VFMLA   V23.S4, V16.S4, V3.S4 \
	SUBS    $1, R8, R8 \
	BNE     nsdim \
nsstore: \
	VST1.P [V0.S4], (R0)(R9) \
	VST1.P [V1.S4], (R0)(R9) \
	VST1.P [V2.S4], (R0)(R9) \
	VST1.P [V3.S4], (R0)(R9) \
	ADD    R4<<2, R2, R2 \
	SUBS   $1, R5, R5 \
	BNE    nsgroup \
	RET

// ACCUMARGS(sh) loads a narrow accumulation tile's arguments: R0 ot, R1
// p, R2 v, R3 mult, R4 d, R5 the value row stride in bytes (vstride << sh).
#define ACCUMARGS(sh) \
	MOVD ot+0(FP), R0 \
	MOVD p+8(FP), R1 \
	MOVD v+16(FP), R2 \
	MOVD mult+24(FP), R3 \
	MOVD d+32(FP), R4 \
	MOVD vstride+40(FP), R5 \
	LSL  $sh, R5, R5

// VALF32 / VALF16: a value row's 16 dimensions at R7 into V16–V19, as
// stored or widened exactly from halves (V28, V29 scratch).
#define VALF32 VLD1 (R7), [V16.S4, V17.S4, V18.S4, V19.S4]
#define VALF16 \
	VLD1 (R7), [V28.H8, V29.H8] \
	FCVTL_4S(16, 28) \
	FCVTL2_4S(17, 28) \
	FCVTL_4S(18, 29) \
	FCVTL2_4S(19, 29)

// NACCUM(name, sh, VAL, w): the narrow accumulation tile over values of
// 2^sh bytes an element, VAL loading a row's 16 dimensions (w bytes).
#define NACCUM(name, sh, VAL, w) \
TEXT name, NOSPLIT, $0-48 \
	ACCUMARGS(sh) \
	LSR  $4, R4, R4 \
	MOVD $64, R9 \
	MOVD $4, R10 \
naquery: \
	VLD1R.P 4(R3), [V24.S4] \
	MOVD    R2, R11 \
	MOVD    R4, R12 \
	CBZ     R12, nanext \
nadim: \
	VLD1 (R0), [V0.S4, V1.S4, V2.S4, V3.S4] \
	SCALE4(0, 1, 2, 3, 24) \
	MOVD R1, R6 \
	MOVD R11, R7 \
	MOVD $16, R8 \
nakey: \
	VLD1R.P (R6)(R9), [V20.S4] \
	VAL \
	VFMLA   V20.S4, V16.S4, V0.S4 \
	VFMLA   V20.S4, V17.S4, V1.S4 \
	VFMLA   V20.S4, V18.S4, V2.S4 \
	VFMLA   V20.S4, V19.S4, V3.S4 \
	ADD     R5, R7, R7 \
	SUBS    $1, R8, R8 \
	BNE     nakey \
	VST1.P [V0.S4, V1.S4, V2.S4, V3.S4], 64(R0) \
	ADD    $w, R11, R11 \
	SUBS   $1, R12, R12 \
	BNE    nadim \
nanext: \
	ADD  $4, R1, R1 \
	SUBS $1, R10, R10 \
	BNE  naquery \
	RET

// Pair tiles (decode's two queries a kv head, LFM2-350M's case): keys
// (scores) or head dimensions (accumulation) in the lanes instead of
// queries, the queries' elements taken by FMLA by element; each output the
// same chain of fused multiply-adds as in the 16-lane tiles.

// P2ROWF32 / P2ROWF16(r, v, n): four dimensions of the key row at r (moved
// on) into v (register number n), as stored or widened exactly (FCVTL).
#define P2ROWF32(r, v, n) VLD1.P 16(r), [v.S4]
#define P2ROWF16(r, v, n) \
	VLD1.P 8(r), [v.H4] \
	FCVTL_4S(n, n)

// P2SCORES(name, sh, ROW): the pair score tile over keys of 2^sh bytes an
// element: four keys a group (rows at R10–R13), four dimensions a pass,
// the 4×4 block transposed (TRN1/TRN2) so that dimension j's four keys
// meet the two queries' element j (V4–V7: q0, q1 of dimensions j…j+3).
#define P2SCORES(name, sh, ROW) \
TEXT name, NOSPLIT, $0-40 \
	SCORES4ARGS(sh) \
p2group: \
	VEOR V8.B16, V8.B16, V8.B16 \
	VEOR V9.B16, V9.B16, V9.B16 \
	KEYROWS4 \
	LSR  $2, R3, R8 \
p2dim: \
	ROW(R10, V0, 0) \
	ROW(R11, V1, 1) \
	ROW(R12, V2, 2) \
	ROW(R13, V3, 3) \
	VLD1.P (R6)(R9), [V4.S2] \
	VLD1.P (R6)(R9), [V5.S2] \
	VLD1.P (R6)(R9), [V6.S2] \
	VLD1.P (R6)(R9), [V7.S2] \
	VTRN1  V1.S4, V0.S4, V16.S4 \
	VTRN2  V1.S4, V0.S4, V17.S4 \
	VTRN1  V3.S4, V2.S4, V18.S4 \
	VTRN2  V3.S4, V2.S4, V19.S4 \
	VTRN1  V18.D2, V16.D2, V20.D2 \
	VTRN1  V19.D2, V17.D2, V21.D2 \
	VTRN2  V18.D2, V16.D2, V22.D2 \
	VTRN2  V19.D2, V17.D2, V23.D2 \
	FMLA_4S_E0(8, 20, 4) \
	FMLA_4S_E1(9, 20, 4) \
	FMLA_4S_E0(8, 21, 5) \
	FMLA_4S_E1(9, 21, 5) \
	FMLA_4S_E0(8, 22, 6) \
	FMLA_4S_E1(9, 22, 6) \
	FMLA_4S_E0(8, 23, 7) \
	FMLA_4S_E1(9, 23, 7) \
	SUBS   $1, R8, R8 \
	BNE    p2dim \
	VZIP1  V9.S4, V8.S4, V10.S4 \
	VZIP2  V9.S4, V8.S4, V11.S4 \
	FMOVD  F10, (R0) \
	VMOV   V10.D[1], R7 \
	MOVD   R7, 64(R0) \
	FMOVD  F11, 128(R0) \
	VMOV   V11.D[1], R7 \
	MOVD   R7, 192(R0) \
	ADD    $256, R0, R0 \
	ADD    R4<<2, R2, R2 \
	SUBS   $1, R5, R5 \
	BNE    p2group \
	RET

// P2ACCUM(name, sh, VAL, w): the pair accumulation tile over values of
// 2^sh bytes an element: the two queries' 16 dimensions of a pass in
// V0–V3 and V4–V7, a key's two probabilities in V20 (by element), VAL
// loading its 16 values (w bytes).
#define P2ACCUM(name, sh, VAL, w) \
TEXT name, NOSPLIT, $0-48 \
	ACCUMARGS(sh) \
	LSL  $2, R4, R9 \
	LSR  $4, R4, R12 \
	MOVD $64, R10 \
	VLD1R.P 4(R3), [V24.S4] \
	VLD1R   (R3), [V25.S4] \
	MOVD R2, R11 \
p2pass: \
	ADD  R9, R0, R13 \
	VLD1 (R0), [V0.S4, V1.S4, V2.S4, V3.S4] \
	VLD1 (R13), [V4.S4, V5.S4, V6.S4, V7.S4] \
	SCALE4(0, 1, 2, 3, 24) \
	SCALE4(4, 5, 6, 7, 25) \
	MOVD R1, R6 \
	MOVD R11, R7 \
	MOVD $16, R8 \
p2key: \
	VLD1.P (R6)(R10), [V20.S2] \
	VAL \
	FMLA_4S_E0(0, 16, 20) \
	FMLA_4S_E0(1, 17, 20) \
	FMLA_4S_E0(2, 18, 20) \
	FMLA_4S_E0(3, 19, 20) \
	FMLA_4S_E1(4, 16, 20) \
	FMLA_4S_E1(5, 17, 20) \
	FMLA_4S_E1(6, 18, 20) \
	FMLA_4S_E1(7, 19, 20) \
	ADD  R5, R7, R7 \
	SUBS $1, R8, R8 \
	BNE  p2key \
	VST1 [V0.S4, V1.S4, V2.S4, V3.S4], (R0) \
	VST1 [V4.S4, V5.S4, V6.S4, V7.S4], (R13) \
	ADD  $64, R0, R0 \
	ADD  $w, R11, R11 \
	SUBS $1, R12, R12 \
	BNE  p2pass \
	RET

// func attnScoresNEON(s, qt, k *float32, d, kstride int)
// s[16·kk + i] = Σ_j qt[16·j + i] · k[kk·kstride + j] for 16 keys kk.
TEXT ·attnScoresNEON(SB), NOSPLIT, $0-40
	MOVD s+0(FP), R0
	MOVD qt+8(FP), R1
	MOVD k+16(FP), R2
	MOVD d+24(FP), R3
	MOVD kstride+32(FP), R4
	LSL  $2, R4, R4
	MOVD $16, R5
askey:
	VEOR V0.B16, V0.B16, V0.B16
	VEOR V1.B16, V1.B16, V1.B16
	VEOR V2.B16, V2.B16, V2.B16
	VEOR V3.B16, V3.B16, V3.B16
	MOVD R1, R6
	MOVD R2, R7
	MOVD R3, R8
	CBZ  R8, asstore
asdim:
	VLD1R.P 4(R7), [V20.S4]
	VLD1.P  64(R6), [V16.S4, V17.S4, V18.S4, V19.S4]
	VFMLA   V20.S4, V16.S4, V0.S4
	VFMLA   V20.S4, V17.S4, V1.S4
	VFMLA   V20.S4, V18.S4, V2.S4
	VFMLA   V20.S4, V19.S4, V3.S4
	SUBS    $1, R8, R8
	BNE     asdim
asstore:
	VST1.P [V0.S4, V1.S4, V2.S4, V3.S4], 64(R0)
	ADD    R4, R2, R2
	SUBS   $1, R5, R5
	BNE    askey
	RET

// func attnAccumNEON(ot, p, v, mult *float32, d, vstride int)
// For each dimension j: o = ot[16·j:] ⊙ mult, then o += p[16·kk:] ·
// v[kk·vstride + j] for the 16 keys kk in order.
TEXT ·attnAccumNEON(SB), NOSPLIT, $0-48
	MOVD ot+0(FP), R0
	MOVD p+8(FP), R1
	MOVD v+16(FP), R2
	MOVD mult+24(FP), R3
	MOVD d+32(FP), R4
	MOVD vstride+40(FP), R5
	LSL  $2, R5, R5
	VLD1 (R3), [V24.S4, V25.S4, V26.S4, V27.S4]
	CBZ  R4, acdone
acdim:
	VLD1 (R0), [V0.S4, V1.S4, V2.S4, V3.S4]
	FMUL_4S(0, 0, 24)
	FMUL_4S(1, 1, 25)
	FMUL_4S(2, 2, 26)
	FMUL_4S(3, 3, 27)
	MOVD R1, R6
	MOVD R2, R7
	MOVD $16, R8
ackey:
	VLD1R  (R7), [V20.S4]
	VLD1.P 64(R6), [V16.S4, V17.S4, V18.S4, V19.S4]
	VFMLA  V20.S4, V16.S4, V0.S4
	VFMLA  V20.S4, V17.S4, V1.S4
	VFMLA  V20.S4, V18.S4, V2.S4
	VFMLA  V20.S4, V19.S4, V3.S4
	ADD    R5, R7, R7
	SUBS   $1, R8, R8
	BNE    ackey
	VST1.P [V0.S4, V1.S4, V2.S4, V3.S4], 64(R0)
	ADD    $4, R2, R2
	SUBS   $1, R4, R4
	BNE    acdim
acdone:
	RET

// func attnScoresN4NEON(s, qt, k *float32, d, kstride int)
// The narrow score tile for up to four queries (see attnScoresNarrowGo):
// s[16·kk + i] for lanes i < 4, four keys a pass, each lane's sum the
// same chain as in attnScoresNEON. Lanes 4–15 of s are left as they are.
NSCORES(·attnScoresN4NEON(SB), 2, KEYF32)

// func attnScoresN4HNEON(s, qt *float32, k *uint16, d, kstride int)
// attnScoresN4NEON reading the keys from an f16 cache where they lie
// (kstride halves apart): the same arithmetic on the widened keys.
NSCORES(·attnScoresN4HNEON(SB), 1, KEYF16)

// func attnAccumN4NEON(ot, p, v, mult *float32, d, vstride int)
// The narrow accumulation tile for four queries (see attnAccumNarrowGo),
// ot held query by query: for each query q and 16 dimensions j at a time,
// o = ot[d·q + j] · mult[q], then o += p[16·kk + q] · v[kk·vstride + j]
// for the 16 keys kk in order, the chain of attnAccumNEON. d a multiple
// of 16.
NACCUM(·attnAccumN4NEON(SB), 2, VALF32, 64)

// func attnAccumN4HNEON(ot, p *float32, v *uint16, mult *float32, d, vstride int)
// attnAccumN4NEON reading the values from an f16 cache where they lie
// (vstride halves apart): the same arithmetic on the widened values.
NACCUM(·attnAccumN4HNEON(SB), 1, VALF16, 32)

// softmaxLaneBits: lane i's bit of a key's mask, 1 << i.
DATA softmaxLaneBits<>+0(SB)/4, $0x1
DATA softmaxLaneBits<>+4(SB)/4, $0x2
DATA softmaxLaneBits<>+8(SB)/4, $0x4
DATA softmaxLaneBits<>+12(SB)/4, $0x8
DATA softmaxLaneBits<>+16(SB)/4, $0x10
DATA softmaxLaneBits<>+20(SB)/4, $0x20
DATA softmaxLaneBits<>+24(SB)/4, $0x40
DATA softmaxLaneBits<>+28(SB)/4, $0x80
DATA softmaxLaneBits<>+32(SB)/4, $0x100
DATA softmaxLaneBits<>+36(SB)/4, $0x200
DATA softmaxLaneBits<>+40(SB)/4, $0x400
DATA softmaxLaneBits<>+44(SB)/4, $0x800
DATA softmaxLaneBits<>+48(SB)/4, $0x1000
DATA softmaxLaneBits<>+52(SB)/4, $0x2000
DATA softmaxLaneBits<>+56(SB)/4, $0x4000
DATA softmaxLaneBits<>+60(SB)/4, $0x8000
GLOBL softmaxLaneBits<>(SB), RODATA|NOPTR, $64

// LANEMASK: the next key's mask (R21, moved on) as lane masks of the
// group's lanes (V31 their bits) in V2.
#define LANEMASK \
	MOVHU.P 2(R21), R8 \
	VDUP    R8, V2.S4 \
	VCMTST  V31.S4, V2.S4, V2.S4

// func attnSoftmaxNEON(s, m, l, mult *float32, masks *uint16)
// The online-softmax step of one score tile (see attnSoftmaxGo), four
// lanes at a time: per lane, the new running maximum over the keys its
// mask admits (taken where s > max: never for NaN, as in Go), the rescale
// factor (exactly 1 where the maximum did not grow), the probabilities
// (exactly 0 where masked) in place of the scores, and the running sum,
// added key by key; e^x by EXP. A group of four lanes that no key admits
// (decode: the tile's empty query lanes) only gets what the step gives
// such lanes: probabilities 0 and factor 1.
// V0 the running maximum, V1 a key's scores, V2 its lane masks, V6 the
// sum, V7 the factor, V8 the old maximum, V9–V13 scratch, V20–V30 EXP's.
TEXT ·attnSoftmaxNEON(SB), NOSPLIT, $0-40
	MOVD s+0(FP), R0
	MOVD m+8(FP), R1
	MOVD l+16(FP), R2
	MOVD mult+24(FP), R3
	MOVD masks+32(FP), R4
	EXPCONSTS
	MOVD R4, R6
	MOVD $16, R7
	MOVD ZR, R5
smor:
	MOVHU.P 2(R6), R8 // R5: the lanes some key admits
	ORR     R8, R5, R5
	SUBS    $1, R7, R7
	BNE     smor
	MOVD    $softmaxLaneBits<>(SB), R10
	MOVD    $64, R19
	MOVD    ZR, R11 // the group's byte offset: 0, 16, 32, 48
sgroup:
	ADD  R11, R0, R20
	ADD  R11, R1, R13
	ADD  R11, R2, R14
	ADD  R11, R3, R15
	LSR  $2, R11, R12
	LSR  R12, R5, R12
	ANDS $15, R12, R12
	BNE  sactive
	VEOR V1.B16, V1.B16, V1.B16
	MOVD $16, R7
szero:
	VST1.P [V1.S4], (R20)(R19)
	SUBS   $1, R7, R7
	BNE    szero
	VST1   [V30.S4], (R15)
	B      snext
sactive:
	ADD    R11, R10, R12
	VLD1   (R12), [V31.S4]
	VLD1   (R13), [V0.S4]
	VMOV   V0.B16, V8.B16
	MOVD   R4, R21
	MOVD   R20, R22
	MOVD   $16, R7
smax:
	VLD1.P (R22)(R19), [V1.S4]
	LANEMASK
	FCMGT_4S(3, 1, 0) // s > max
	VAND   V2.B16, V3.B16, V3.B16
	VBIT   V3.B16, V1.B16, V0.B16
	SUBS   $1, R7, R7
	BNE    smax
	VST1   [V0.S4], (R13)
	FCMGT_4S(9, 0, 8) // new > old
	FSUB_4S(10, 8, 0) // old − new
	EXP(10, 11, 12, 13)
	ORR_16B(7, 30, 30)
	VBIT   V9.B16, V13.B16, V7.B16 // e^(old − new) where it grew, else 1
	VST1   [V7.S4], (R15)
	VLD1   (R14), [V6.S4]
	FMUL_4S(6, 6, 7) // l·mult, then the probabilities in key order
	MOVD   R4, R21
	MOVD   $16, R7
sexp:
	VLD1   (R20), [V1.S4]
	FSUB_4S(1, 1, 0)
	EXP(1, 11, 12, 13)
	LANEMASK
	VAND   V2.B16, V13.B16, V13.B16
	VST1.P [V13.S4], (R20)(R19)
	FADD_4S(6, 6, 13)
	SUBS   $1, R7, R7
	BNE    sexp
	VST1   [V6.S4], (R14)
snext:
	ADD  $16, R11
	CMP  $64, R11
	BLT  sgroup
	RET

// func attnScoresP2NEON(s, qt, k *float32, d, kstride int)
// The pair score tile (see attnScoresNarrowGo; d a multiple of 4):
// s[16·kk + q] for queries q = 0, 1; lanes 2–15 of s are left as they are.
P2SCORES(·attnScoresP2NEON(SB), 2, P2ROWF32)

// func attnScoresP2HNEON(s, qt *float32, k *uint16, d, kstride int)
// attnScoresP2NEON reading the keys from an f16 cache where they lie.
P2SCORES(·attnScoresP2HNEON(SB), 1, P2ROWF16)

// func attnAccumP2NEON(ot, p, v, mult *float32, d, vstride int)
// The pair accumulation tile (see attnAccumNarrowGo; d a multiple of 16):
// ot's two queries' rows, each output the chain of attnAccumNEON.
P2ACCUM(·attnAccumP2NEON(SB), 2, VALF32, 64)

// func attnAccumP2HNEON(ot, p *float32, v *uint16, mult *float32, d, vstride int)
// attnAccumP2NEON reading the values from an f16 cache where they lie.
P2ACCUM(·attnAccumP2HNEON(SB), 1, VALF16, 32)
