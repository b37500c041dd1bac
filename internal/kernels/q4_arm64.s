//go:build arm64 && !purego

#include "textflag.h"
#include "neon_arm64.h"

// NIBCHUNK(lo, hi): the panel block's next 64-byte chunk at R3 (bytes
// 4c…4c+3 of rows 0–3, 4–7, 8–11, 12–15): its low nibbles against the
// activation group in V<lo>, its high nibbles against V<hi>, summed by
// SDOT into the row sums V4–V7. V16–V19, V24–V27 scratch; V31 = 0x0f.
#define NIBCHUNK(lo, hi) \
	VLD1.P 64(R3), [V16.B16, V17.B16, V18.B16, V19.B16] \
	VAND   V31.B16, V16.B16, V24.B16 \
	VAND   V31.B16, V17.B16, V25.B16 \
	VAND   V31.B16, V18.B16, V26.B16 \
	VAND   V31.B16, V19.B16, V27.B16 \
	SDOT_4S(4, 24, lo) \
	SDOT_4S(5, 25, lo) \
	SDOT_4S(6, 26, lo) \
	SDOT_4S(7, 27, lo) \
	VUSHR  $4, V16.B16, V24.B16 \
	VUSHR  $4, V17.B16, V25.B16 \
	VUSHR  $4, V18.B16, V26.B16 \
	VUSHR  $4, V19.B16, V27.B16 \
	SDOT_4S(4, 24, hi) \
	SDOT_4S(5, 25, hi) \
	SDOT_4S(6, 26, hi) \
	SDOT_4S(7, 27, hi)

// func q4Panel1SDOT(xq *int8, corr *int32, xs *float32, nib *byte, sc *uint16, nb int, out *float32)
// One prepared activation row (act8: xq, corr, xs from the row's start)
// against one 16-row 4-bit panel (q4.go: nib, sc from its start, nb
// blocks): per block, each chunk's low and high nibbles (unsigned 0–15,
// the same as signed for SDOT) meet the activations' matching four int8,
// replicated, in SDOT: four row sums per vector, started from the block's
// correction (exact integers); converted to f32 and fused-multiply-added,
// times the combined scales (the rows' f16 scales widened, × the
// activation block's scale), into the rows' accumulators: dotQ4Go's
// arithmetic in every lane. Sixteen outputs at out.
TEXT ·q4Panel1SDOT(SB), NOSPLIT, $0-56
	MOVD xq+0(FP), R0
	MOVD corr+8(FP), R1
	MOVD xs+16(FP), R2
	MOVD nib+24(FP), R3
	MOVD sc+32(FP), R4
	MOVD nb+40(FP), R5
	VEOR V0.B16, V0.B16, V0.B16
	VEOR V1.B16, V1.B16, V1.B16
	VEOR V2.B16, V2.B16, V2.B16
	VEOR V3.B16, V3.B16, V3.B16
	VMOVI $15, V31.B16
	CBZ  R5, q4pdone
q4ploop:
	// the activations' eight groups of four, each across the lanes
	VLD1R.P 4(R0), [V8.S4]
	VLD1R.P 4(R0), [V9.S4]
	VLD1R.P 4(R0), [V10.S4]
	VLD1R.P 4(R0), [V11.S4]
	VLD1R.P 4(R0), [V12.S4]
	VLD1R.P 4(R0), [V13.S4]
	VLD1R.P 4(R0), [V14.S4]
	VLD1R.P 4(R0), [V15.S4]
	VLD1R.P 4(R1), [V4.S4]
	VMOV  V4.B16, V5.B16
	VMOV  V4.B16, V6.B16
	VMOV  V4.B16, V7.B16
	NIBCHUNK(8, 12)
	NIBCHUNK(9, 13)
	NIBCHUNK(10, 14)
	NIBCHUNK(11, 15)
	SCVTF_4S(4, 4)
	SCVTF_4S(5, 5)
	SCVTF_4S(6, 6)
	SCVTF_4S(7, 7)
	// combined scales: the rows' f16 scales widened, × the activations'
	VLD1.P 32(R4), [V28.H8, V29.H8]
	VLD1R.P 4(R2), [V30.S4]
	FCVTL_4S(16, 28)
	FCVTL2_4S(17, 28)
	FCVTL_4S(18, 29)
	FCVTL2_4S(19, 29)
	FMUL_4S(16, 16, 30)
	FMUL_4S(17, 17, 30)
	FMUL_4S(18, 18, 30)
	FMUL_4S(19, 19, 30)
	VFMLA V16.S4, V4.S4, V0.S4
	VFMLA V17.S4, V5.S4, V1.S4
	VFMLA V18.S4, V6.S4, V2.S4
	VFMLA V19.S4, V7.S4, V3.S4
	SUBS $1, R5, R5
	BNE  q4ploop
q4pdone:
	MOVD out+48(FP), R6
	VST1 [V0.S4, V1.S4, V2.S4, V3.S4], (R6)
	RET

// The four-row kernel (q4Panel4SDOT) takes the panel in two passes of
// eight rows, so that four activation rows, their sums and accumulators
// fit the 32 registers: per pass V0–V7 accumulate rows t = 0–3 (V2t rows
// 0–3 of the half, V2t+1 rows 4–7), V8–V15 hold the activation blocks (V8+2t
// bytes 0–15, V9+2t bytes 16–31), V16–V23 their integer sums (V16+2t,
// V17+2t), V24–V27 a chunk unpacked, V28–V30 the half's row scales, V31
// the nibble mask. SDOT by element takes an activation group (element c)
// where the one-row kernel replicates it: the same exact sums.

// Q4ROW4(E, s, x): chunk c's unpacked half-panel (low nibbles V26, V27,
// high V24, V25) against an activation row (Vx bytes 0–15, Vx+1 16–31;
// E = SDOT by element c: group c for the low nibbles, 4+c for the high)
// into its sums Vs, Vs+1.
#define Q4ROW4(E, s, x) \
	E(s, 26, x) \
	E(s+1, 27, x) \
	E(s, 24, x+1) \
	E(s+1, 25, x+1)

// Q4CHUNK4(E): the half-panel's next chunk (at R24; R24 on by 64)
// unpacked and multiplied by the four activation rows.
#define Q4CHUNK4(E) \
	VLD1.P (R24)(R1), [V24.B16, V25.B16] \
	VAND   V31.B16, V24.B16, V26.B16 \
	VAND   V31.B16, V25.B16, V27.B16 \
	VUSHR  $4, V24.B16, V24.B16 \
	VUSHR  $4, V25.B16, V25.B16 \
	Q4ROW4(E, 16, 8) \
	Q4ROW4(E, 18, 10) \
	Q4ROW4(E, 20, 12) \
	Q4ROW4(E, 22, 14)

// Q4START4(a, c, X, Y, S, s): an activation row's block (at a; a on by 32)
// into VX, VY, its sums VS (number s) and Vs+1 started from its correction
// (at c; c on by 4).
#define Q4START4(a, c, X, Y, S, s) \
	VLD1.P 32(a), [X.B16, Y.B16] \
	VLD1R.P 4(c), [S.S4] \
	ORR_16B(s+1, s, s)

// Q4SCALE4(c, s, acc): an activation row's sums Vs, Vs+1 converted and
// fused-multiply-added, times the half's row scales (V29, V30) × the row's
// activation scale (at c + R22: beside the correction c has passed), into
// its accumulators Vacc, Vacc+1.
#define Q4SCALE4(c, s, acc) \
	ADD   R22, c, R23 \
	VLD1R (R23), [V24.S4] \
	FMUL_4S(26, 29, 24) \
	FMUL_4S(27, 30, 24) \
	SCVTF_4S(s, s) \
	SCVTF_4S(s+1, s+1) \
	FMLA_4S(acc, 26, s) \
	FMLA_4S(acc+1, 27, s+1)

// Q4STORE4(r, X, Y): a row's accumulators VX, VY to (r); r on by R8.
#define Q4STORE4(r, X, Y) \
	VST1 [X.S4, Y.S4], (r) \
	ADD  R8, r, r

// func q4Panel4SDOT(xq *int8, corr *int32, xs *float32, k int, nib *byte, sc *uint16, nb int, out *float32, ostride int)
// Four prepared activation rows (k int8 apart; corrections and scales
// k/32 apart) against one panel: row t's 16 outputs at out + t·ostride
// floats, each with q4Panel1SDOT's arithmetic exactly.
//
// Registers: R11–R14 the rows' activations, R15, R19–R21 their
// corrections, R22 the distance from a correction to its scale less 4;
// R4 the panel, R5 its scales, R24, R25 the pass's pointers into them; R6
// blocks, R0 blocks left; R7 the pass's outputs, R8 the output stride in
// bytes; R3, R9 the bytes a pass moves the activations and corrections
// on; R10 passes left; R1 = 64, R2 = 32.
TEXT ·q4Panel4SDOT(SB), NOSPLIT, $0-72
	MOVD xq+0(FP), R11
	MOVD corr+8(FP), R15
	MOVD xs+16(FP), R22
	MOVD k+24(FP), R3
	MOVD nib+32(FP), R4
	MOVD sc+40(FP), R5
	MOVD nb+48(FP), R6
	MOVD out+56(FP), R7
	MOVD ostride+64(FP), R8
	LSL  $2, R8, R8
	SUB  R15, R22, R22
	SUB  $4, R22, R22
	ADD  R3, R11, R12
	ADD  R3, R12, R13
	ADD  R3, R13, R14
	LSR  $3, R3, R9
	ADD  R9, R15, R19
	ADD  R9, R19, R20
	ADD  R9, R20, R21
	LSL  $5, R6, R3
	LSL  $2, R6, R9
	MOVD $64, R1
	MOVD $32, R2
	VMOVI $15, V31.B16
	MOVD R4, R24
	MOVD R5, R25
	MOVD $2, R10
q4p4pass:
	VEOR V0.B16, V0.B16, V0.B16
	VEOR V1.B16, V1.B16, V1.B16
	VEOR V2.B16, V2.B16, V2.B16
	VEOR V3.B16, V3.B16, V3.B16
	VEOR V4.B16, V4.B16, V4.B16
	VEOR V5.B16, V5.B16, V5.B16
	VEOR V6.B16, V6.B16, V6.B16
	VEOR V7.B16, V7.B16, V7.B16
	MOVD R6, R0
	CBZ  R0, q4p4store
q4p4loop:
	Q4START4(R11, R15, V8, V9, V16, 16)
	Q4START4(R12, R19, V10, V11, V18, 18)
	Q4START4(R13, R20, V12, V13, V20, 20)
	Q4START4(R14, R21, V14, V15, V22, 22)
	Q4CHUNK4(SDOT_4S_E0)
	Q4CHUNK4(SDOT_4S_E1)
	Q4CHUNK4(SDOT_4S_E2)
	Q4CHUNK4(SDOT_4S_E3)
	VLD1.P (R25)(R2), [V28.H8]
	FCVTL_4S(29, 28)
	FCVTL2_4S(30, 28)
	Q4SCALE4(R15, 16, 0)
	Q4SCALE4(R19, 18, 2)
	Q4SCALE4(R20, 20, 4)
	Q4SCALE4(R21, 22, 6)
	SUBS $1, R0, R0
	BNE  q4p4loop
q4p4store:
	MOVD R7, R23
	Q4STORE4(R23, V0, V1)
	Q4STORE4(R23, V2, V3)
	Q4STORE4(R23, V4, V5)
	Q4STORE4(R23, V6, V7)
	// the second pass: rows 8–15, the same activations again
	SUB  R3, R11
	SUB  R3, R12
	SUB  R3, R13
	SUB  R3, R14
	SUB  R9, R15
	SUB  R9, R19
	SUB  R9, R20
	SUB  R9, R21
	ADD  $32, R4, R24
	ADD  $16, R5, R25
	ADD  $32, R7
	SUBS $1, R10, R10
	BNE  q4p4pass
	RET
