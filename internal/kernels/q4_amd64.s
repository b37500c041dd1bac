//go:build amd64 && !purego

#include "textflag.h"
#include "q4_amd64.h"

// 4-bit × int8 kernels (q4.go) with AVX512_VNNI over one 16-row panel.
// Per 32-weight block: the four 64-byte chunks unpack into eight vectors
// of four nibbles per row (low halves: weights 4c…4c+3, high halves:
// 16+4c…); VPDPBUSD multiplies each by the activations' matching four
// int8, broadcast, into two lane sums per row (started from the block's
// correction and from zero), which are added (exact integers), converted
// to float32 and fused-multiply-added, times the combined scales (the
// sixteen rows' f16 scales widened, × the activation block's scale), into
// the rows' accumulator: dotQ4Go's arithmetic in every lane.

// Q4UNPACK: the block at (p) into Z16–Z19 (low nibbles of chunks 0–3)
// and Z20–Z23 (high nibbles, left in place: 16 × the nibble); Z31 holds
// 0x0f in every byte. Masking the high nibbles instead of shifting them
// down saves four instructions a block, which decode, with one activation
// row per unpacked block, feels: Q4BLOCK divides their sum by 16.
#define Q4UNPACK(p) \
	VMOVDQU32 (p), Z16 \
	VMOVDQU32 64(p), Z17 \
	VMOVDQU32 128(p), Z18 \
	VMOVDQU32 192(p), Z19 \
	VPANDND   Z16, Z31, Z20 \
	VPANDND   Z17, Z31, Z21 \
	VPANDND   Z18, Z31, Z22 \
	VPANDND   Z19, Z31, Z23 \
	VPANDD    Z31, Z16, Z16 \
	VPANDD    Z31, Z17, Z17 \
	VPANDD    Z31, Z18, Z18 \
	VPANDD    Z31, Z19, Z19

// Q4BLOCK: one activation row's block (int8 at x, its correction at c, its
// scale at s) against the unpacked panel block (scales in Z24) into acc;
// i0, i1, d scratch. i0 sums the low nibbles' products from the
// correction, i1 the high nibbles' at 16 times their value (at most
// 16 · 15 · 128 · 16 in magnitude: no overflow), exactly divisible by 16,
// so the arithmetic shift gives their sum exactly.
#define Q4BLOCK(x, c, s, i0, i1, d, acc) \
	VPBROADCASTD      c, i0 \
	VPXORD            i1, i1, i1 \
	VPDPBUSD.BCST     0 x, Z16, i0 \
	VPDPBUSD.BCST     16 x, Z20, i1 \
	VPDPBUSD.BCST     4 x, Z17, i0 \
	VPDPBUSD.BCST     20 x, Z21, i1 \
	VPDPBUSD.BCST     8 x, Z18, i0 \
	VPDPBUSD.BCST     24 x, Z22, i1 \
	VPDPBUSD.BCST     12 x, Z19, i0 \
	VPDPBUSD.BCST     28 x, Z23, i1 \
	VPSRAD            $4, i1, i1 \
	VPADDD            i1, i0, i0 \
	VCVTDQ2PS         i0, i0 \
	VMULPS.BCST       s, Z24, d \
	VFMADD231PS       d, i0, acc

// STORE4ROWS writes Z0–Z3 (16 floats each) at AX, AX + BX·4, … (BX is the
// output stride in floats; AX and BX are clobbered).
#define STORE4ROWS \
	SHLQ    $2, BX \
	VMOVUPS Z0, (AX) \
	VMOVUPS Z1, (AX)(BX*1) \
	VMOVUPS Z2, (AX)(BX*2) \
	LEAQ    (AX)(BX*2), AX \
	VMOVUPS Z3, (AX)(BX*1)

#define Q4MASK \
	MOVL         $0x0f0f0f0f, AX \
	VPBROADCASTD AX, Z31

// func q4Panel1_512(xq *int8, corr *int32, xs *float32, nib *byte, sc *uint16, nb int, out *float32)
// One prepared activation row (xq, corr, xs from the row's start) against
// one panel (nib, sc from its start; nb blocks): 16 outputs at out.
TEXT ·q4Panel1_512(SB), NOSPLIT, $0-56
	Q4ARGS1
	Q4MASK
	VPXORD Z0, Z0, Z0
	TESTQ CX, CX
	JZ    p1done
p1loop:
	PREFETCHPANEL(DI)
	PREFETCHT0 256(R8)
	Q4UNPACK(DI)
	VCVTPH2PS (R8), Z24
	Q4BLOCK((SI), (R15), (DX), Z4, Z5, Z12, Z0)
	Q4NEXT
	DECQ CX
	JNZ  p1loop
p1done:
	MOVQ    out+48(FP), AX
	VMOVUPS Z0, (AX)
	VZEROUPPER
	RET

// func q4Panel4_512(xq *int8, corr *int32, xs *float32, k int, nib *byte, sc *uint16, nb int, out *float32, ostride int)
// Four prepared activation rows (k int8 apart; corrections and scales k/32
// apart) against one panel: row t's 16 outputs at out + t·ostride floats.
// Each output has q4Panel1_512's arithmetic exactly.
TEXT ·q4Panel4_512(SB), NOSPLIT, $0-72
	MOVQ xq+0(FP), SI
	MOVQ corr+8(FP), R15
	MOVQ xs+16(FP), DX
	MOVQ k+24(FP), BX
	MOVQ nib+32(FP), DI
	MOVQ sc+40(FP), R8
	MOVQ nb+48(FP), CX
	MOVQ BX, R9
	SHRQ $3, R9                // bytes between rows' corrections (and scales)
	LEAQ (BX)(BX*2), R10
	LEAQ (R9)(R9*2), R11
	Q4MASK
	VPXORD Z0, Z0, Z0
	VPXORD Z1, Z1, Z1
	VPXORD Z2, Z2, Z2
	VPXORD Z3, Z3, Z3
	TESTQ CX, CX
	JZ    p4done
p4loop:
	Q4UNPACK(DI)
	VCVTPH2PS (R8), Z24
	Q4BLOCK((SI), (R15), (DX), Z4, Z5, Z12, Z0)
	Q4BLOCK((SI)(BX*1), (R15)(R9*1), (DX)(R9*1), Z6, Z7, Z13, Z1)
	Q4BLOCK((SI)(BX*2), (R15)(R9*2), (DX)(R9*2), Z8, Z9, Z14, Z2)
	Q4BLOCK((SI)(R10*1), (R15)(R11*1), (DX)(R11*1), Z10, Z11, Z15, Z3)
	Q4NEXT
	DECQ CX
	JNZ  p4loop
p4done:
	MOVQ    out+56(FP), AX
	MOVQ    ostride+64(FP), BX
	STORE4ROWS
	VZEROUPPER
	RET

// func q4Panel1x4_512(xq *int8, corr *int32, xs *float32, nib *byte, ns int, sc *uint16, ss int, nb int, out *float32, ostride int)
// One prepared activation row against four panels (nib + j·ns bytes, their
// scales sc + j·ss bytes): four streams at once, which the memory system
// serves faster than one. Panel j's 16 outputs at out + j·ostride floats;
// each has q4Panel1_512's arithmetic exactly.
TEXT ·q4Panel1x4_512(SB), NOSPLIT, $0-80
	Q4ARGS1X4
	Q4MASK
	VPXORD Z0, Z0, Z0
	VPXORD Z1, Z1, Z1
	VPXORD Z2, Z2, Z2
	VPXORD Z3, Z3, Z3
	TESTQ CX, CX
	JZ    p14done
p14loop:
	PREFETCHPANEL(DI)
	PREFETCHPANEL(R11)
	PREFETCHPANEL(R12)
	PREFETCHPANEL(R13)
	Q4UNPACK(DI)
	VCVTPH2PS (R8), Z24
	Q4BLOCK((SI), (R15), (DX), Z4, Z5, Z12, Z0)
	Q4UNPACK(R11)
	VCVTPH2PS (R9), Z24
	Q4BLOCK((SI), (R15), (DX), Z6, Z7, Z13, Z1)
	Q4UNPACK(R12)
	VCVTPH2PS (R10), Z24
	Q4BLOCK((SI), (R15), (DX), Z8, Z9, Z14, Z2)
	Q4UNPACK(R13)
	VCVTPH2PS (R14), Z24
	Q4BLOCK((SI), (R15), (DX), Z10, Z11, Z15, Z3)
	Q4NEXT4
	DECQ CX
	JNZ  p14loop
p14done:
	MOVQ    out+64(FP), AX
	MOVQ    ostride+72(FP), BX
	STORE4ROWS
	VZEROUPPER
	RET
