//go:build arm64 && !purego

#include "textflag.h"
#include "neon_arm64.h"
#include "reduce_arm64.h"

// NEON bf16 kernels (the neon family's bf16Tiles). Every dot, in every
// kernel, accumulates in two 4-lane registers per output — columns
// 8i+j in lane j of the first (j < 4) or lane j−4 of the second, by FMLA
// on the weights widened with SHLL — and ends in REDUCE: the eight
// partial sums of dotBF16Go, summed in its order. A row's result is the
// same whichever kernel computed it (batch invariance).


// WIDEN loads 8 bf16 at (p), advancing p, as f32: lanes 0–3 into lo, 4–7
// into hi.
#define WIDEN(p, lo, hi, lon, hin) VLD1.P 16(p), [hi.H8]; SHLL_4S(lon, hin); SHLL2_4S(hin, hin)

// ZERO8 clears eight registers.
#define ZERO8(a, b, c, d, e, f, g, h) \
	VEOR a.B16, a.B16, a.B16 \
	VEOR b.B16, b.B16, b.B16 \
	VEOR c.B16, c.B16, c.B16 \
	VEOR d.B16, d.B16, d.B16 \
	VEOR e.B16, e.B16, e.B16 \
	VEOR f.B16, f.B16, f.B16 \
	VEOR g.B16, g.B16, g.B16 \
	VEOR h.B16, h.B16, h.B16

// ROW4X3(p, a0, …, a5): the next 8 activations of the row at p (V30,
// V31; p advanced) times the three widened weight rows V24–V29 into the
// row's accumulators a0–a5.
#define ROW4X3(p, a0, a1, a2, a3, a4, a5) \
	VLD1.P 32(p), [V30.S4, V31.S4] \
	VFMLA  V24.S4, V30.S4, a0.S4 \
	VFMLA  V25.S4, V31.S4, a1.S4 \
	VFMLA  V26.S4, V30.S4, a2.S4 \
	VFMLA  V27.S4, V31.S4, a3.S4 \
	VFMLA  V28.S4, V30.S4, a4.S4 \
	VFMLA  V29.S4, V31.S4, a5.S4

// OUT(o, lo, hi, f, off): the dot in Vlo, Vhi (REDUCE) to off(o); f is Flo.
#define OUT(o, lo, hi, f, off) \
	REDUCE(lo, hi) \
	FMOVS f, off(o)

// func bf16Dot1x1NEON(x *float32, w *uint16, n int) float32
// n a multiple of 8.
TEXT ·bf16Dot1x1NEON(SB), NOSPLIT, $0-28
	MOVD x+0(FP), R0
	MOVD w+8(FP), R1
	MOVD n+16(FP), R2
	VEOR V0.B16, V0.B16, V0.B16
	VEOR V1.B16, V1.B16, V1.B16
	LSR  $3, R2, R2
	CBZ  R2, d11done
d11loop:
	VLD1.P 32(R0), [V2.S4, V3.S4]
	WIDEN(R1, V5, V4, 5, 4)
	VFMLA V5.S4, V2.S4, V0.S4
	VFMLA V4.S4, V3.S4, V1.S4
	SUBS $1, R2, R2
	BNE  d11loop
d11done:
	REDUCE(0, 1)
	FMOVS F0, ret+24(FP)
	RET

// func f32Dot1x1NEON(x, w *float32, n int) float32
// n a multiple of 8; dotGo's eight partial sums and order.
TEXT ·f32Dot1x1NEON(SB), NOSPLIT, $0-28
	MOVD x+0(FP), R0
	MOVD w+8(FP), R1
	MOVD n+16(FP), R2
	VEOR V0.B16, V0.B16, V0.B16
	VEOR V1.B16, V1.B16, V1.B16
	LSR  $3, R2, R2
	CBZ  R2, f11done
f11loop:
	VLD1.P 32(R0), [V2.S4, V3.S4]
	VLD1.P 32(R1), [V4.S4, V5.S4]
	VFMLA V4.S4, V2.S4, V0.S4
	VFMLA V5.S4, V3.S4, V1.S4
	SUBS $1, R2, R2
	BNE  f11loop
f11done:
	REDUCE(0, 1)
	FMOVS F0, ret+24(FP)
	RET

// func bf16Dot4x1NEON(x *float32, stride int, w *uint16, n int, out *float32)
// One weight row against activation rows x + r·stride (floats); out[r].
TEXT ·bf16Dot4x1NEON(SB), NOSPLIT, $0-40
	MOVD x+0(FP), R0
	MOVD stride+8(FP), R1
	LSL  $2, R1, R1
	MOVD w+16(FP), R2
	MOVD n+24(FP), R3
	MOVD out+32(FP), R4
	ADD  R0, R1, R5
	ADD  R5, R1, R6
	ADD  R6, R1, R7
	ZERO8(V0, V1, V2, V3, V4, V5, V6, V7)
	LSR  $3, R3, R3
	CBZ  R3, d41done
d41loop:
	WIDEN(R2, V17, V16, 17, 16)
	VLD1.P 32(R0), [V18.S4, V19.S4]
	VFMLA V17.S4, V18.S4, V0.S4
	VFMLA V16.S4, V19.S4, V1.S4
	VLD1.P 32(R5), [V18.S4, V19.S4]
	VFMLA V17.S4, V18.S4, V2.S4
	VFMLA V16.S4, V19.S4, V3.S4
	VLD1.P 32(R6), [V18.S4, V19.S4]
	VFMLA V17.S4, V18.S4, V4.S4
	VFMLA V16.S4, V19.S4, V5.S4
	VLD1.P 32(R7), [V18.S4, V19.S4]
	VFMLA V17.S4, V18.S4, V6.S4
	VFMLA V16.S4, V19.S4, V7.S4
	SUBS $1, R3, R3
	BNE  d41loop
d41done:
	OUT(R4, 0, 1, F0, 0)
	OUT(R4, 2, 3, F2, 4)
	OUT(R4, 4, 5, F4, 8)
	OUT(R4, 6, 7, F6, 12)
	RET

// func bf16Dot1x4qNEON(x *float32, w *uint16, k int, n int, q int, out *float32)
// One activation row against the 4q weight rows of w (k elements each), q
// tiles in one call: tile i takes rows i, q+i, 2q+i, 3q+i into out[i],
// out[q+i], out[2q+i], out[3q+i], n columns of each (a multiple of 8).
// Decode: four weight streams, each running on through a quarter's
// consecutive rows, eight FMLA chains.
TEXT ·bf16Dot1x4qNEON(SB), NOSPLIT, $0-48
	MOVD x+0(FP), R8
	MOVD w+8(FP), R9
	MOVD k+16(FP), R10
	MOVD n+24(FP), R11
	MOVD q+32(FP), R12
	MOVD out+40(FP), R4
	MUL  R12, R10, R13
	LSL  $1, R13, R13 // bytes from one stream's row to the next stream's
	LSL  $1, R10, R10 // bytes from one tile's first row to the next tile's
	LSL  $2, R12, R14 // bytes from one output of a tile to the next
	LSR  $3, R11, R11
	CBZ  R12, d14ret
d14tile:
	MOVD R8, R0
	MOVD R9, R1
	ADD  R1, R13, R5
	ADD  R5, R13, R6
	ADD  R6, R13, R7
	ZERO8(V0, V1, V2, V3, V4, V5, V6, V7)
	MOVD R11, R3
	CBZ  R3, d14done
d14loop:
	VLD1.P 32(R0), [V16.S4, V17.S4]
	WIDEN(R1, V19, V18, 19, 18)
	WIDEN(R5, V21, V20, 21, 20)
	WIDEN(R6, V23, V22, 23, 22)
	WIDEN(R7, V25, V24, 25, 24)
	VFMLA V19.S4, V16.S4, V0.S4
	VFMLA V18.S4, V17.S4, V1.S4
	VFMLA V21.S4, V16.S4, V2.S4
	VFMLA V20.S4, V17.S4, V3.S4
	VFMLA V23.S4, V16.S4, V4.S4
	VFMLA V22.S4, V17.S4, V5.S4
	VFMLA V25.S4, V16.S4, V6.S4
	VFMLA V24.S4, V17.S4, V7.S4
	SUBS $1, R3, R3
	BNE  d14loop
d14done:
	MOVD R4, R15
	OUT(R15, 0, 1, F0, 0)
	ADD  R14, R15, R15
	OUT(R15, 2, 3, F2, 0)
	ADD  R14, R15, R15
	OUT(R15, 4, 5, F4, 0)
	ADD  R14, R15, R15
	OUT(R15, 6, 7, F6, 0)
	ADD  $4, R4, R4
	ADD  R10, R9, R9
	SUBS $1, R12, R12
	BNE  d14tile
d14ret:
	RET

// func bf16Dot4x3NEON(x *float32, xs int, w *uint16, ws int, n int, out *float32)
// Activation rows x + r·xs (floats) against weight rows w + c·ws
// (elements); out[3r+c]. Prefill: 24 accumulators (V0–V23), three widened
// weight rows (V24–V29), one activation row (V30–V31) at a time.
TEXT ·bf16Dot4x3NEON(SB), NOSPLIT, $0-48
	MOVD x+0(FP), R0
	MOVD xs+8(FP), R1
	LSL  $2, R1, R1
	MOVD w+16(FP), R2
	MOVD ws+24(FP), R3
	LSL  $1, R3, R3
	MOVD n+32(FP), R4
	MOVD out+40(FP), R5
	ADD  R0, R1, R6
	ADD  R6, R1, R7
	ADD  R7, R1, R8
	ADD  R2, R3, R9
	ADD  R9, R3, R10
	ZERO8(V0, V1, V2, V3, V4, V5, V6, V7)
	ZERO8(V8, V9, V10, V11, V12, V13, V14, V15)
	ZERO8(V16, V17, V18, V19, V20, V21, V22, V23)
	LSR  $3, R4, R4
	CBZ  R4, d43done
d43loop:
	WIDEN(R2, V24, V25, 24, 25)
	WIDEN(R9, V26, V27, 26, 27)
	WIDEN(R10, V28, V29, 28, 29)
	ROW4X3(R0, V0, V1, V2, V3, V4, V5)
	ROW4X3(R6, V6, V7, V8, V9, V10, V11)
	ROW4X3(R7, V12, V13, V14, V15, V16, V17)
	ROW4X3(R8, V18, V19, V20, V21, V22, V23)
	SUBS $1, R4, R4
	BNE  d43loop
d43done:
	OUT(R5, 0, 1, F0, 0)
	OUT(R5, 2, 3, F2, 4)
	OUT(R5, 4, 5, F4, 8)
	OUT(R5, 6, 7, F6, 12)
	OUT(R5, 8, 9, F8, 16)
	OUT(R5, 10, 11, F10, 20)
	OUT(R5, 12, 13, F12, 24)
	OUT(R5, 14, 15, F14, 28)
	OUT(R5, 16, 17, F16, 32)
	OUT(R5, 18, 19, F18, 36)
	OUT(R5, 20, 21, F20, 40)
	OUT(R5, 22, 23, F22, 44)
	RET
