//go:build arm64 && !purego

#include "textflag.h"
#include "neon_arm64.h"

// K-quant and Q8_0 panel kernels (kquant.go, q8panels.go) on SDOT
// (FEAT_DotProd): dotKQuantGo's and dotQ8PanelsGo's arithmetic in every
// lane. A panel block's 64-byte chunk holds four bytes of each of the 16
// rows: four rows to a vector, so a vector of weights meets a group of four
// activations of each plane in SDOT by element (the four int8 of element c
// against every lane), as VPDPBUSD.BCST does on x86. The 16 rows are taken
// as two halves of eight (groups A and B of four rows each), which leaves
// registers for the integer sums of both planes (and Q6_K's two
// sub-blocks); a block's exact integer sums are then scaled by the
// sub-block scales (MUL: exact), converted, and fused-multiply-added times
// the planes' scales into the super-block's accumulators; at the end of a
// super-block d (and −dmin) bring them into the sixteen outputs, which
// are kept at out, so that a result register set is free for the higher
// bits. 4-bit quants are 0–15 and 6-bit 0–63, the same signed as
// unsigned; Q8_0's stored q + 128 is turned back into int8 q by flipping
// its top bit, so the sums need no −128·Σx.
//
// Registers: R0, R1 the activation planes (int8), R2 their floats and R3
// their integers (16 bytes a block each: roundActKGo); R4 the panel's
// super-block, R5 super-blocks left, R6 out; R10 the block, R13 its
// scales; R7, R8 pointers into the block; R9 = 64; R12 blocks left.
// V0–V3 the super-block's sums of groups 0–3 (Q8_0: its sum), V4–V7 the
// mins' (Q4_K, Q5_K); V8–V11 a half's higher bits (Q5_K, Q6_K); V12, V13
// the block's q plane (activations 0–15, 16–31), V14, V15 its residual
// plane; V16–V23 integer sums; V24–V27 unpacked weights, V28, V29 loaded
// ones; V30 0x0f in every byte (Q8_0: 0x80), V31 the mask of the higher
// bits.

// LOADCHUNK: the next chunk's bytes of the half's two groups (at R7) into
// V28, V29; R7 on by a chunk.
#define LOADCHUNK VLD1.P (R7)(R9), [V28.B16, V29.B16]

// NIBBLES: their low nibbles into V24, V25 (weights 4c…4c+3 of groups A,
// B), high into V26, V27 (16+4c…).
#define NIBBLES \
	VAND  V30.B16, V28.B16, V24.B16 \
	VAND  V30.B16, V29.B16, V25.B16 \
	VUSHR $4, V28.B16, V26.B16 \
	VUSHR $4, V29.B16, V27.B16

// Shifts of a byte's higher bits into place (by name, as macro arguments).
#define SHL4(s, d) VSHL $4, s, d
#define SHL3(s, d) VSHL $3, s, d
#define SHL2(s, d) VSHL $2, s, d
#define SHL1(s, d) VSHL $1, s, d
#define SHL0(s, d) VMOV s, d
#define SHR1(s, d) VUSHR $1, s, d
#define SHR2(s, d) VUSHR $2, s, d
#define SHR3(s, d) VUSHR $3, s, d

// INSERT(SH, ha, hb, ta, tb, da, db): the higher bits in Vha, Vhb (groups
// A, B) moved into place by SH (into Vta, Vtb) and inserted into the
// weights Vda, Vdb where V31 has bits (BIT).
#define INSERT(SH, ha, hb, ta, tb, da, db) \
	SH(ha.B16, ta.B16) \
	SH(hb.B16, tb.B16) \
	VBIT V31.B16, ta.B16, da.B16 \
	VBIT V31.B16, tb.B16, db.B16

// MERGE5(LO, HI): Q5_K's fifth bits of chunk c (V8, V9: bit c for the low
// nibbles' weights, 4+c for the high ones') shifted to bit 4 by LO and HI
// (V31 = 0x10); V20, V21 scratch.
#define MERGE5(LO, HI) \
	INSERT(LO, V8, V9, V20, V21, V24, V25) \
	INSERT(HI, V8, V9, V20, V21, V26, V27)

// MERGE6(SH): Q6_K's top two bits of chunk c (bits 2c, 2c+1 of V8, V9 for
// the low nibbles' weights, of V10, V11 for the high ones') shifted to
// bits 4–5 by SH (V31 = 0x30); V4, V5 scratch.
#define MERGE6(SH) \
	INSERT(SH, V8, V9, V4, V5, V24, V25) \
	INSERT(SH, V10, V11, V4, V5, V26, V27)

// DOTS45(E): chunk c's weights (E = SDOT by element c) into the sums of
// one sub-block per plane: V16, V17 group A's q and residual planes, V18,
// V19 group B's.
#define DOTS45(E) \
	E(16, 24, 12) \
	E(16, 26, 13) \
	E(17, 24, 14) \
	E(17, 26, 15) \
	E(18, 25, 12) \
	E(18, 27, 13) \
	E(19, 25, 14) \
	E(19, 27, 15)

// DOTS6(E): the same into Q6_K's two sub-blocks a plane: V16–V19 group
// A's (q low, q high, residual low, residual high), V20–V23 group B's.
#define DOTS6(E) \
	E(16, 24, 12) \
	E(17, 26, 13) \
	E(18, 24, 14) \
	E(19, 26, 15) \
	E(20, 25, 12) \
	E(21, 27, 13) \
	E(22, 25, 14) \
	E(23, 27, 15)

// WIDEN8(s, a, b): eight int8 in Vs's low half as int32: the first four
// into Va, the last four into Vb (s = b allowed).
#define WIDEN8(s, a, b) \
	SXTL_8H(s, s) \
	SXTL_4S(a, s) \
	SXTL2_4S(b, s)

// INTS2F(a, b, c, d): Va–Vd from int32 to float32.
#define INTS2F(a, b, c, d) \
	SCVTF_4S(a, a) \
	SCVTF_4S(b, b) \
	SCVTF_4S(c, c) \
	SCVTF_4S(d, d)

// KFLOATS: the block's floats {q scale, residual scale, bsum, 0}, each
// across V24–V27.
#define KFLOATS VLD4R (R2), [V24.S4, V25.S4, V26.S4, V27.S4]

#define ZEROSUMS \
	VEOR V16.B16, V16.B16, V16.B16 \
	VEOR V17.B16, V17.B16, V17.B16 \
	VEOR V18.B16, V18.B16, V18.B16 \
	VEOR V19.B16, V19.B16, V19.B16

// HALF4(h, dA, dB, mA, mB): half h of a Q4_K block (MORE loads and merges
// Q5_K's fifth bits): the four chunks' sums, times the sub-block scales
// (at R13 + 8h), into dA, dB; the mins (R13 + 128 + 8h) times bsum into
// mA, mB.
#define HALF4(h, dA, dB, mA, mB, MORE, M0, M1, M2, M3) \
	ADD $(32*h), R10, R7 \
	MORE(h) \
	ZEROSUMS \
	LOADCHUNK \
	NIBBLES \
	M0 \
	DOTS45(SDOT_4S_E0) \
	LOADCHUNK \
	NIBBLES \
	M1 \
	DOTS45(SDOT_4S_E1) \
	LOADCHUNK \
	NIBBLES \
	M2 \
	DOTS45(SDOT_4S_E2) \
	LOADCHUNK \
	NIBBLES \
	M3 \
	DOTS45(SDOT_4S_E3) \
	FMOVD (8*h)(R13), F28 \
	WIDEN8(28, 29, 28) \
	MUL_4S(16, 16, 29) \
	MUL_4S(17, 17, 29) \
	MUL_4S(18, 18, 28) \
	MUL_4S(19, 19, 28) \
	INTS2F(16, 17, 18, 19) \
	KFLOATS \
	VFMLA V24.S4, V16.S4, dA.S4 \
	VFMLA V25.S4, V17.S4, dA.S4 \
	VFMLA V24.S4, V18.S4, dB.S4 \
	VFMLA V25.S4, V19.S4, dB.S4 \
	FMOVD (128+8*h)(R13), F28 \
	WIDEN8(28, 29, 28) \
	SCVTF_4S(29, 29) \
	SCVTF_4S(28, 28) \
	VFMLA V26.S4, V29.S4, mA.S4 \
	VFMLA V26.S4, V28.S4, mB.S4

#define NOMORE(h)
#define NOMERGE

// HIGH5(h): half h's fifth bits (64 bytes after the low bits) into V8, V9.
#define HIGH5(h) \
	ADD  $(256+32*h), R10, R8 \
	VLD1 (R8), [V8.B16, V9.B16]

#define HALFQ4K(h, dA, dB, mA, mB) HALF4(h, dA, dB, mA, mB, NOMORE, NOMERGE, NOMERGE, NOMERGE, NOMERGE)
#define HALFQ5K(h, dA, dB, mA, mB) HALF4(h, dA, dB, mA, mB, HIGH5, MERGE5(SHL4, SHL0), MERGE5(SHL3, SHR1), MERGE5(SHL2, SHR2), MERGE5(SHL1, SHR3))

// HALFQ6K(h, dA, dB, mA, mB): half h of a Q6_K block: the sums of each
// 16-weight sub-block started from its offset −32·Σx (R3), times their
// int8 scales (R13 + 8h, R13 + 16 + 8h), added, into dA, dB.
#define HALFQ6K(h, dA, dB, mA, mB) \
	ADD  $(32*h), R10, R7 \
	ADD  $(256+32*h), R10, R8 \
	VLD1 (R8), [V8.B16, V9.B16] \
	ADD  $64, R8 \
	VLD1 (R8), [V10.B16, V11.B16] \
	VLD4R (R3), [V16.S4, V17.S4, V18.S4, V19.S4] \
	VMOV V16.B16, V20.B16 \
	VMOV V17.B16, V21.B16 \
	VMOV V18.B16, V22.B16 \
	VMOV V19.B16, V23.B16 \
	LOADCHUNK \
	NIBBLES \
	MERGE6(SHL4) \
	DOTS6(SDOT_4S_E0) \
	LOADCHUNK \
	NIBBLES \
	MERGE6(SHL2) \
	DOTS6(SDOT_4S_E1) \
	LOADCHUNK \
	NIBBLES \
	MERGE6(SHL0) \
	DOTS6(SDOT_4S_E2) \
	LOADCHUNK \
	NIBBLES \
	MERGE6(SHR2) \
	DOTS6(SDOT_4S_E3) \
	FMOVD (8*h)(R13), F28 \
	WIDEN8(28, 29, 28) \
	FMOVD (16+8*h)(R13), F26 \
	WIDEN8(26, 27, 26) \
	MUL_4S(16, 16, 29) \
	MUL_4S(17, 17, 27) \
	MUL_4S(18, 18, 29) \
	MUL_4S(19, 19, 27) \
	MUL_4S(20, 20, 28) \
	MUL_4S(21, 21, 26) \
	MUL_4S(22, 22, 28) \
	MUL_4S(23, 23, 26) \
	VADD V17.S4, V16.S4, V16.S4 \
	VADD V19.S4, V18.S4, V18.S4 \
	VADD V21.S4, V20.S4, V20.S4 \
	VADD V23.S4, V22.S4, V22.S4 \
	INTS2F(16, 18, 20, 22) \
	KFLOATS \
	VFMLA V24.S4, V16.S4, dA.S4 \
	VFMLA V25.S4, V18.S4, dA.S4 \
	VFMLA V24.S4, V20.S4, dB.S4 \
	VFMLA V25.S4, V22.S4, dB.S4

// CHUNK8(E, xq, xl): a Q8_0 chunk's weights (q + 128 back to q) against
// element c of the planes' vectors Vxq, Vxl.
#define CHUNK8(E, xq, xl) \
	LOADCHUNK \
	VEOR V30.B16, V28.B16, V24.B16 \
	VEOR V30.B16, V29.B16, V25.B16 \
	E(16, 24, xq) \
	E(17, 24, xl) \
	E(18, 25, xq) \
	E(19, 25, xl)

// HALFQ8(h, dA, dB, mA, mB): half h of a Q8_0 block: per plane the exact
// sum, times the plane's scale × the block's f16 scale (R13 + 16h), into
// the super-block's sums dA, dB.
#define HALFQ8(h, dA, dB, mA, mB) \
	ADD $(32*h), R10, R7 \
	ZEROSUMS \
	CHUNK8(SDOT_4S_E0, 12, 14) \
	CHUNK8(SDOT_4S_E1, 12, 14) \
	CHUNK8(SDOT_4S_E2, 12, 14) \
	CHUNK8(SDOT_4S_E3, 12, 14) \
	CHUNK8(SDOT_4S_E0, 13, 15) \
	CHUNK8(SDOT_4S_E1, 13, 15) \
	CHUNK8(SDOT_4S_E2, 13, 15) \
	CHUNK8(SDOT_4S_E3, 13, 15) \
	FMOVQ (16*h)(R13), F28 \
	FCVTL_4S(29, 28) \
	FCVTL2_4S(28, 28) \
	INTS2F(16, 17, 18, 19) \
	KFLOATS \
	FMUL_4S(20, 24, 29) \
	FMUL_4S(21, 25, 29) \
	FMUL_4S(22, 24, 28) \
	FMUL_4S(23, 25, 28) \
	VFMLA V20.S4, V16.S4, dA.S4 \
	VFMLA V21.S4, V17.S4, dA.S4 \
	VFMLA V22.S4, V18.S4, dB.S4 \
	VFMLA V23.S4, V19.S4, dB.S4

// The super-block's d (f16, 16 rows at R4) into V16–V19.
#define LOADD \
	VLD1 (R4), [V24.H8, V25.H8] \
	FCVTL_4S(16, 24) \
	FCVTL2_4S(17, 24) \
	FCVTL_4S(18, 25) \
	FCVTL2_4S(19, 25)

#define LOADOUT VLD1 (R6), [V8.S4, V9.S4, V10.S4, V11.S4]
#define STOREOUT VST1 [V8.S4, V9.S4, V10.S4, V11.S4], (R6)

#define ZERO8 \
	VEOR V0.B16, V0.B16, V0.B16 \
	VEOR V1.B16, V1.B16, V1.B16 \
	VEOR V2.B16, V2.B16, V2.B16 \
	VEOR V3.B16, V3.B16, V3.B16 \
	VEOR V4.B16, V4.B16, V4.B16 \
	VEOR V5.B16, V5.B16, V5.B16 \
	VEOR V6.B16, V6.B16, V6.B16 \
	VEOR V7.B16, V7.B16, V7.B16

// SUPER4: out += d·V0–V3 − dmin·V4–V7 (each fused), the sums cleared.
#define SUPER4 \
	LOADD \
	ADD  $32, R4, R7 \
	VLD1 (R7), [V26.H8, V27.H8] \
	FCVTL_4S(20, 26) \
	FCVTL2_4S(21, 26) \
	FCVTL_4S(22, 27) \
	FCVTL2_4S(23, 27) \
	LOADOUT \
	VFMLA V16.S4, V0.S4, V8.S4 \
	VFMLA V17.S4, V1.S4, V9.S4 \
	VFMLA V18.S4, V2.S4, V10.S4 \
	VFMLA V19.S4, V3.S4, V11.S4 \
	VFMLS V20.S4, V4.S4, V8.S4 \
	VFMLS V21.S4, V5.S4, V9.S4 \
	VFMLS V22.S4, V6.S4, V10.S4 \
	VFMLS V23.S4, V7.S4, V11.S4 \
	STOREOUT \
	ZERO8

// SUPER6: out += d·V0–V3.
#define SUPER6 \
	LOADD \
	LOADOUT \
	VFMLA V16.S4, V0.S4, V8.S4 \
	VFMLA V17.S4, V1.S4, V9.S4 \
	VFMLA V18.S4, V2.S4, V10.S4 \
	VFMLA V19.S4, V3.S4, V11.S4 \
	STOREOUT \
	ZERO8

// SUPER8: out += V0–V3 (Q8_0's super-block sums, added as they are).
#define SUPER8 \
	LOADOUT \
	FADD_4S(8, 8, 0) \
	FADD_4S(9, 9, 1) \
	FADD_4S(10, 10, 2) \
	FADD_4S(11, 11, 3) \
	STOREOUT \
	ZERO8

// KERNEL1(name, HALF, SUPER, masks, scoff, sc, bb, sb):
// func(xq, xl *int8, kf *float32, ki *int32, panel *byte, nsb int, out *float32)
// One activation row against one panel; sixteen outputs at out. scoff is
// where a super-block's per-block scales start, sc their bytes a block, bb
// a block's bytes, sb a super-block's.
#define KERNEL1(name, HALF, SUPER, MASKS, scoff, sc, bb, sb) \
TEXT name, NOSPLIT, $0-56 \
	MOVD xq+0(FP), R0 \
	MOVD xl+8(FP), R1 \
	MOVD kf+16(FP), R2 \
	MOVD ki+24(FP), R3 \
	MOVD panel+32(FP), R4 \
	MOVD nsb+40(FP), R5 \
	MOVD out+48(FP), R6 \
	MOVD $64, R9 \
	ZERO8 \
	VST1 [V0.S4, V1.S4, V2.S4, V3.S4], (R6) \
	MASKS \
	CBZ  R5, done \
super: \
	ADD  $320, R4, R10 \
	ADD  $scoff, R4, R13 \
	MOVD $8, R12 \
block: \
	VLD1.P 32(R0), [V12.B16, V13.B16] \
	VLD1.P 32(R1), [V14.B16, V15.B16] \
	HALF(0, V0, V1, V4, V5) \
	HALF(1, V2, V3, V6, V7) \
	ADD  $16, R2 \
	ADD  $16, R3 \
	ADD  $bb, R10 \
	ADD  $sc, R13 \
	SUBS $1, R12, R12 \
	BNE  block \
	SUPER \
	ADD  $sb, R4 \
	SUBS $1, R5, R5 \
	BNE  super \
done: \
	RET

#define MASK4 VMOVI $15, V30.B16
#define MASK5 VMOVI $15, V30.B16; VMOVI $16, V31.B16
#define MASK6 VMOVI $15, V30.B16; VMOVI $48, V31.B16
#define MASK8 VMOVI $128, V30.B16

KERNEL1(·kq4PanelSDOT(SB), HALFQ4K, SUPER4, MASK4, 64, 16, 256, 2368)
KERNEL1(·kq5PanelSDOT(SB), HALFQ5K, SUPER4, MASK5, 64, 16, 320, 2880)
KERNEL1(·kq6PanelSDOT(SB), HALFQ6K, SUPER6, MASK6, 64, 32, 384, 3392)
KERNEL1(·kq8PanelSDOT(SB), HALFQ8, SUPER8, MASK8, 0, 32, 512, 4416)
