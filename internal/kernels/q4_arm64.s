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
