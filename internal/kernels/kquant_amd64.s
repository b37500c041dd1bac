//go:build amd64 && !purego

#include "textflag.h"
#include "kquant_amd64.h"

// K-quant × int8 kernels (kquant.go) with AVX512_VNNI over 16-row panels:
// dotKQuantGo's arithmetic in every lane. Per 32-weight block the four
// 64-byte chunks of low bits unpack as Q4_0's do (q4_amd64.s) into eight
// vectors of four quants per row, Z16–Z19 (weights 4c…4c+3) and Z20–Z23
// (16+4c…); Q5_K's and Q6_K's higher bits are shifted into place and
// merged with one bit-select each (VPTERNLOGD). VPDPBUSD multiplies them
// by each activation plane's four int8, broadcast; the sums are scaled by
// the sub-block scales (VPMULLD: exact integers), converted, and
// fused-multiply-added times the plane's scale into the super-block's
// accumulator (Z8–Z11), the mins times bsum into a second one (Z12–Z15);
// at the end of a super-block d and −dmin bring them into the rows' sums
// (Z0–Z3).
//
// Registers: SI, R8 the activation planes (int8), DX their floats and R15
// their integers (16 bytes a block each; roundActKGo); panels' super-
// blocks at DI (and R11–R13); BX the block's offset in the super-block
// (k × block bytes), R10 its scales' (k × 16 or 32); AX blocks left in
// the super-block, CX super-blocks left. Z31 holds 0x0f in every byte, Z30
// the mask of the higher bits.

// KQUNPACK(b): the low bits of the block at 320(b)(BX*1).
#define KQUNPACK(b) \
	VMOVDQU32 320(b)(BX*1), Z16 \
	VMOVDQU32 384(b)(BX*1), Z17 \
	VMOVDQU32 448(b)(BX*1), Z18 \
	VMOVDQU32 512(b)(BX*1), Z19 \
	VPSRLW    $4, Z16, Z20 \
	VPSRLW    $4, Z17, Z21 \
	VPSRLW    $4, Z18, Z22 \
	VPSRLW    $4, Z19, Z23 \
	VPANDD    Z31, Z16, Z16 \
	VPANDD    Z31, Z17, Z17 \
	VPANDD    Z31, Z18, Z18 \
	VPANDD    Z31, Z19, Z19 \
	VPANDD    Z31, Z20, Z20 \
	VPANDD    Z31, Z21, Z21 \
	VPANDD    Z31, Z22, Z22 \
	VPANDD    Z31, Z23, Z23

// KQUNPACKN(b): as KQUNPACK, but Z20–Z23 keep the high nibbles in place
// (16 × the quant), which saves four shifts a block where no higher bits
// are merged in (Q4_K); F_HIGHSUM shifts their dot products back down.
#define KQUNPACKN(b) \
	VMOVDQU32 320(b)(BX*1), Z16 \
	VMOVDQU32 384(b)(BX*1), Z17 \
	VMOVDQU32 448(b)(BX*1), Z18 \
	VMOVDQU32 512(b)(BX*1), Z19 \
	VPANDND   Z16, Z31, Z20 \
	VPANDND   Z17, Z31, Z21 \
	VPANDND   Z18, Z31, Z22 \
	VPANDND   Z19, Z31, Z23 \
	VPANDD    Z31, Z16, Z16 \
	VPANDD    Z31, Z17, Z17 \
	VPANDD    Z31, Z18, Z18 \
	VPANDD    Z31, Z19, Z19

// MERGE(h, v): v |= h & Z30 (a bit-select: A | B&C).
#define MERGE(h, v) VPTERNLOGD $0xf8, Z30, h, v

// KQHIGH5(b): Q5_K's fifth bits (64 bytes after the low bits; bit c of a
// byte for chunk c's low-nibble weights, bit 4+c for its high ones) into
// bit 4 of Z16–Z23. Z30 = 0x10.
#define KQHIGH5(b) \
	VMOVDQU32 576(b)(BX*1), Z24 \
	VPSLLW    $4, Z24, Z28 \
	MERGE(Z28, Z16) \
	VPSLLW    $3, Z24, Z28 \
	MERGE(Z28, Z17) \
	VPSLLW    $2, Z24, Z28 \
	MERGE(Z28, Z18) \
	VPSLLW    $1, Z24, Z28 \
	MERGE(Z28, Z19) \
	MERGE(Z24, Z20) \
	VPSRLW    $1, Z24, Z28 \
	MERGE(Z28, Z21) \
	VPSRLW    $2, Z24, Z28 \
	MERGE(Z28, Z22) \
	VPSRLW    $3, Z24, Z28 \
	MERGE(Z28, Z23)

// KQHIGH6(b): Q6_K's top two bits (two 64-byte planes after the low bits,
// bits 2c, 2c+1 for chunk c) into bits 4–5 of Z16–Z23. Z30 = 0x30.
#define KQHIGH6(b) \
	VMOVDQU32 576(b)(BX*1), Z24 \
	VMOVDQU32 640(b)(BX*1), Z25 \
	VPSLLW    $4, Z24, Z28 \
	MERGE(Z28, Z16) \
	VPSLLW    $2, Z24, Z28 \
	MERGE(Z28, Z17) \
	MERGE(Z24, Z18) \
	VPSRLW    $2, Z24, Z28 \
	MERGE(Z28, Z19) \
	VPSLLW    $4, Z25, Z28 \
	MERGE(Z28, Z20) \
	VPSLLW    $2, Z25, Z28 \
	MERGE(Z28, Z21) \
	MERGE(Z25, Z22) \
	VPSRLW    $2, Z25, Z28 \
	MERGE(Z28, Z23)

// KQSCALES4(b): the block's 6-bit scales (Z24, int32) and mins (Z25, float).
#define KQSCALES4(b) \
	VPMOVZXBD 64(b)(R10*1), Z24 \
	VPMOVZXBD 192(b)(R10*1), Z25 \
	VCVTDQ2PS Z25, Z25

// KQSCALES6(b): the block's two int8 sub-block scales (Z24, Z25).
#define KQSCALES6(b) \
	VPMOVSXBD 64(b)(R10*1), Z24 \
	VPMOVSXBD 80(b)(R10*1), Z25

// DOTS(x, i0, i1): the unpacked block times four int8 at a time of the
// activation block at x: low-nibble weights into i0, high into i1.
#define DOTS(x, i0, i1) \
	VPDPBUSD.BCST 0 x, Z16, i0 \
	VPDPBUSD.BCST 4 x, Z17, i0 \
	VPDPBUSD.BCST 8 x, Z18, i0 \
	VPDPBUSD.BCST 12 x, Z19, i0 \
	VPDPBUSD.BCST 16 x, Z20, i1 \
	VPDPBUSD.BCST 20 x, Z21, i1 \
	VPDPBUSD.BCST 24 x, Z22, i1 \
	VPDPBUSD.BCST 28 x, Z23, i1

// KQROW4(xq, xl, kf, accD, accM): one activation row's block (planes at xq
// and xl, floats at kf) against a Q4_K/Q5_K block; Z4–Z7 scratch.
// F_HIGHSUM(r) brings the high nibbles' sums to scale: an arithmetic shift
// by 4 after KQUNPACKN (exactly divisible by 16; at most 16 · 15 · 128 ·
// 16 in magnitude), nothing after KQUNPACK.
#define KQROW4(xq, xl, kf, accD, accM) \
	VPXORD           Z4, Z4, Z4 \
	VPXORD           Z5, Z5, Z5 \
	VPXORD           Z6, Z6, Z6 \
	VPXORD           Z7, Z7, Z7 \
	DOTS(xq, Z4, Z5) \
	DOTS(xl, Z6, Z7) \
	F_HIGHSUM(Z5) \
	F_HIGHSUM(Z7) \
	VPADDD           Z5, Z4, Z4 \
	VPADDD           Z7, Z6, Z6 \
	VPMULLD          Z24, Z4, Z4 \
	VPMULLD          Z24, Z6, Z6 \
	VCVTDQ2PS        Z4, Z4 \
	VCVTDQ2PS        Z6, Z6 \
	VFMADD231PS.BCST 0 kf, Z4, accD \
	VFMADD231PS.BCST 4 kf, Z6, accD \
	VFMADD231PS.BCST 8 kf, Z25, accM

// KQROW6(xq, xl, kf, ki, accD): the same against a Q6_K block, each
// sub-block's sum started from its offset −32·Σx (ki).
#define KQROW6(xq, xl, kf, ki, accD) \
	VPBROADCASTD     0 ki, Z4 \
	VPBROADCASTD     4 ki, Z5 \
	VPBROADCASTD     8 ki, Z6 \
	VPBROADCASTD     12 ki, Z7 \
	DOTS(xq, Z4, Z5) \
	DOTS(xl, Z6, Z7) \
	VPMULLD          Z24, Z4, Z4 \
	VPMULLD          Z25, Z5, Z5 \
	VPMULLD          Z24, Z6, Z6 \
	VPMULLD          Z25, Z7, Z7 \
	VPADDD           Z5, Z4, Z4 \
	VPADDD           Z7, Z6, Z6 \
	VCVTDQ2PS        Z4, Z4 \
	VCVTDQ2PS        Z6, Z6 \
	VFMADD231PS.BCST 0 kf, Z4, accD \
	VFMADD231PS.BCST 4 kf, Z6, accD

// SUPER4(b, accD, accM, acc): acc += d·accD − dmin·accM (the super-block
// at b), and clears accD and accM.
#define SUPER4(b, accD, accM, acc) \
	VCVTPH2PS    (b), Z26 \
	VCVTPH2PS    32(b), Z27 \
	VFMADD231PS  Z26, accD, acc \
	VFNMADD231PS Z27, accM, acc \
	VPXORD       accD, accD, accD \
	VPXORD       accM, accM, accM

// SUPER6(b, accD, acc): acc += d·accD; clears accD.
#define SUPER6(b, accD, acc) \
	VCVTPH2PS   (b), Z26 \
	VFMADD231PS Z26, accD, acc \
	VPXORD      accD, accD, accD

// PREFETCHBLOCK(b, bb): the block 2 KiB ahead (bb/64 lines), into L2
// (PREFETCHT1). Prefetches into L1 hold one of the core's few L1 miss
// buffers each until the line arrives: on Zen 4 (2 vCPUs of an EPYC
// 9004) that capped the four-stream decode kernels at 17–23 GB/s where
// the machine reads 29–36; into L2 they stream at 28–38 (go test -bench
// 'MatMulDecodeWeightFormats/(q4|q4_k|q6_k|q8_0)$', alternating builds).
// The kernels' loads then hit L2, which the arithmetic hides.
#define PREFETCHBLOCK4(b) \
	PREFETCHT1 2368(b)(BX*1) \
	PREFETCHT1 2432(b)(BX*1) \
	PREFETCHT1 2496(b)(BX*1) \
	PREFETCHT1 2560(b)(BX*1)
#define PREFETCHBLOCK5(b) \
	PREFETCHBLOCK4(b) \
	PREFETCHT1 2624(b)(BX*1)
#define PREFETCHBLOCK6(b) \
	PREFETCHBLOCK5(b) \
	PREFETCHT1 2688(b)(BX*1)

// PREFETCHGAP(b, sb): bytes 2048–2367 of the next super-block (sb bytes
// on), the five lines no PREFETCHBLOCK reaches, into L2. Block k's lines
// are fetched 2 KiB past its data, which starts at 320 + k·bb (after the
// header), so a super-block's eight blocks fetch the 8·bb bytes that
// begin 2368 past its start, and the next super-block's eight begin 320
// bytes after those end: the bytes between, one line in 7 (Q4_K) to 14
// (Q8_0) of the stream, were left to the hardware prefetcher.
// Until 2026-12-04 these five prefetches fetched the header two
// super-blocks ahead, which the block prefetches already had; on the Zen
// 4 VM (go test -bench DecodeFormatsAlternating, four alternating runs a
// build) q4_k then streamed at 0.74–0.91 of bf16's rate and q6_k at
// 0.69–0.86, now 0.92–0.95 and 0.88–0.94.
#define PREFETCHGAP(b, sb) \
	PREFETCHT1 (sb+2048)(b) \
	PREFETCHT1 (sb+2112)(b) \
	PREFETCHT1 (sb+2176)(b) \
	PREFETCHT1 (sb+2240)(b) \
	PREFETCHT1 (sb+2304)(b)

#define MASKS(high) \
	MOVL         $0x0f0f0f0f, AX \
	VPBROADCASTD AX, Z31 \
	MOVL         $high, AX \
	VPBROADCASTD AX, Z30

// ARGS1X4: a four-panel kernel's (xq, xl, kf, ki, panel, ps, nsb).
#define ARGS1X4 \
	KQARGS \
	MOVQ ps+40(FP), R9 \
	LEAQ (DI)(R9*1), R11 \
	LEAQ (R11)(R9*1), R12 \
	LEAQ (R12)(R9*1), R13 \
	MOVQ nsb+48(FP), CX

// ARGS4: a four-row kernel's (xq, xl, kf, ki, k, panel, nsb): R9 the
// bytes between rows' planes (k), R11 between their floats and integers
// (k/2), R12 and R13 three times those.
#define ARGS4 \
	MOVQ xq+0(FP), SI \
	MOVQ xl+8(FP), R8 \
	MOVQ kf+16(FP), DX \
	MOVQ ki+24(FP), R15 \
	MOVQ k+32(FP), R9 \
	MOVQ panel+40(FP), DI \
	MOVQ nsb+48(FP), CX \
	MOVQ R9, R11 \
	SHRQ $1, R11 \
	LEAQ (R9)(R9*2), R12 \
	LEAQ (R11)(R11*2), R13

#define ZERO4(a, b, c, d) \
	VPXORD a, a, a \
	VPXORD b, b, b \
	VPXORD c, c, c \
	VPXORD d, d, d

#define STORE4(o, s) \
	MOVQ    o, AX \
	MOVQ    s, BX \
	SHLQ    $2, BX \
	VMOVUPS Z0, (AX) \
	VMOVUPS Z1, (AX)(BX*1) \
	VMOVUPS Z2, (AX)(BX*2) \
	LEAQ    (AX)(BX*2), AX \
	VMOVUPS Z3, (AX)(BX*1)

// The kernels, written once as macros over the format's: F_UNPACK(b),
// F_SCALES(b), F_ROW(xq, xl, kf, ki, accD, accM), F_SUPER(b, accD, accM,
// acc), F_PREFETCH(b); F_SB its super-block bytes, F_BB its block bytes,
// F_SC its scale bytes per block, F_HIGH the mask of its higher bits.
// Each format below defines those, then instantiates the kernels.

// KERNEL1(name): func(xq, xl *int8, kf *float32, ki *int32, panel *byte, nsb int, out *float32)
// One activation row against one panel.
#define KERNEL1(name) \
TEXT name, NOSPLIT, $0-56 \
	KQARGS \
	MOVQ nsb+40(FP), CX \
	MASKS(F_HIGH) \
	ZERO4(Z0, Z8, Z12, Z1) \
	TESTQ CX, CX \
	JZ    done \
super: \
	PREFETCHGAP(DI, F_SB) \
	XORQ BX, BX \
	XORQ R10, R10 \
	MOVQ $8, AX \
block: \
	F_PREFETCH(DI) \
	F_UNPACK(DI) \
	F_SCALES(DI) \
	F_ROW((SI), (R8), (DX), (R15), Z8, Z12) \
	KQNEXTBLOCK(F_BB, F_SC) \
	DECQ AX \
	JNZ  block \
	F_SUPER(DI, Z8, Z12, Z0) \
	ADDQ $F_SB, DI \
	DECQ CX \
	JNZ  super \
done: \
	MOVQ    out+48(FP), AX \
	VMOVUPS Z0, (AX) \
	VZEROUPPER \
	RET

// KERNEL4(name): func(xq, xl *int8, kf *float32, ki *int32, k int, panel *byte, nsb int, out *float32, ostride int)
// Four activation rows (k int8 apart) against one panel; row t's outputs
// at out + t·ostride floats, each with KERNEL1's arithmetic exactly.
#define KERNEL4(name) \
TEXT name, NOSPLIT, $0-72 \
	ARGS4 \
	MASKS(F_HIGH) \
	ZERO4(Z0, Z1, Z2, Z3) \
	ZERO4(Z8, Z9, Z10, Z11) \
	ZERO4(Z12, Z13, Z14, Z15) \
	TESTQ CX, CX \
	JZ    done \
super: \
	XORQ BX, BX \
	XORQ R10, R10 \
	MOVQ $8, AX \
block: \
	F_UNPACK(DI) \
	F_SCALES(DI) \
	F_ROW((SI), (R8), (DX), (R15), Z8, Z12) \
	F_ROW((SI)(R9*1), (R8)(R9*1), (DX)(R11*1), (R15)(R11*1), Z9, Z13) \
	F_ROW((SI)(R9*2), (R8)(R9*2), (DX)(R11*2), (R15)(R11*2), Z10, Z14) \
	F_ROW((SI)(R12*1), (R8)(R12*1), (DX)(R13*1), (R15)(R13*1), Z11, Z15) \
	KQNEXTBLOCK(F_BB, F_SC) \
	DECQ AX \
	JNZ  block \
	F_SUPER(DI, Z8, Z12, Z0) \
	F_SUPER(DI, Z9, Z13, Z1) \
	F_SUPER(DI, Z10, Z14, Z2) \
	F_SUPER(DI, Z11, Z15, Z3) \
	ADDQ $F_SB, DI \
	DECQ CX \
	JNZ  super \
done: \
	STORE4(out+56(FP), ostride+64(FP)) \
	VZEROUPPER \
	RET

// KERNEL1X4(name): func(xq, xl *int8, kf *float32, ki *int32, panel *byte, ps int, nsb int, out *float32, ostride int)
// One activation row against four panels ps bytes apart: four streams,
// which memory serves faster than one; panel j's outputs at
// out + j·ostride floats, each with KERNEL1's arithmetic exactly.
#define KERNEL1X4(name) \
TEXT name, NOSPLIT, $0-72 \
	ARGS1X4 \
	MASKS(F_HIGH) \
	ZERO4(Z0, Z1, Z2, Z3) \
	ZERO4(Z8, Z9, Z10, Z11) \
	ZERO4(Z12, Z13, Z14, Z15) \
	TESTQ CX, CX \
	JZ    done \
super: \
	PREFETCHGAP(DI, F_SB) \
	PREFETCHGAP(R11, F_SB) \
	PREFETCHGAP(R12, F_SB) \
	PREFETCHGAP(R13, F_SB) \
	XORQ BX, BX \
	XORQ R10, R10 \
	MOVQ $8, AX \
block: \
	F_PREFETCH(DI) \
	F_PREFETCH(R11) \
	F_PREFETCH(R12) \
	F_PREFETCH(R13) \
	F_UNPACK(DI) \
	F_SCALES(DI) \
	F_ROW((SI), (R8), (DX), (R15), Z8, Z12) \
	F_UNPACK(R11) \
	F_SCALES(R11) \
	F_ROW((SI), (R8), (DX), (R15), Z9, Z13) \
	F_UNPACK(R12) \
	F_SCALES(R12) \
	F_ROW((SI), (R8), (DX), (R15), Z10, Z14) \
	F_UNPACK(R13) \
	F_SCALES(R13) \
	F_ROW((SI), (R8), (DX), (R15), Z11, Z15) \
	KQNEXTBLOCK(F_BB, F_SC) \
	DECQ AX \
	JNZ  block \
	F_SUPER(DI, Z8, Z12, Z0) \
	F_SUPER(R11, Z9, Z13, Z1) \
	F_SUPER(R12, Z10, Z14, Z2) \
	F_SUPER(R13, Z11, Z15, Z3) \
	ADDQ $F_SB, DI \
	ADDQ $F_SB, R11 \
	ADDQ $F_SB, R12 \
	ADDQ $F_SB, R13 \
	DECQ CX \
	JNZ  super \
done: \
	STORE4(out+56(FP), ostride+64(FP)) \
	VZEROUPPER \
	RET

// Q4_K: 4-bit quants, a 6-bit scale and min per 32.
#define F_SB 2368
#define F_BB 256
#define F_SC 16
#define F_HIGH 0
#define F_UNPACK(b) KQUNPACKN(b)
#define F_HIGHSUM(r) VPSRAD $4, r, r
#define F_SCALES(b) KQSCALES4(b)
#define F_ROW(xq, xl, kf, ki, accD, accM) KQROW4(xq, xl, kf, accD, accM)
#define F_SUPER(b, accD, accM, acc) SUPER4(b, accD, accM, acc)
#define F_PREFETCH(b) PREFETCHBLOCK4(b)
KERNEL1(·kq4Panel1_512(SB))
KERNEL4(·kq4Panel4_512(SB))
KERNEL1X4(·kq4Panel1x4_512(SB))

// Q5_K: Q4_K with a fifth bit.
#undef F_SB
#undef F_BB
#undef F_HIGH
#undef F_UNPACK
#undef F_HIGHSUM
#undef F_PREFETCH
#define F_SB 2880
#define F_BB 320
#define F_HIGH 0x10101010
#define F_UNPACK(b) KQUNPACK(b) KQHIGH5(b)
#define F_HIGHSUM(r)
#define F_PREFETCH(b) PREFETCHBLOCK5(b)
KERNEL1(·kq5Panel1_512(SB))
KERNEL4(·kq5Panel4_512(SB))
KERNEL1X4(·kq5Panel1x4_512(SB))

// Q6_K: 6-bit quants less 32, an int8 scale per 16.
#undef F_SB
#undef F_BB
#undef F_SC
#undef F_HIGH
#undef F_UNPACK
#undef F_SCALES
#undef F_ROW
#undef F_SUPER
#undef F_PREFETCH
#define F_SB 3392
#define F_BB 384
#define F_SC 32
#define F_HIGH 0x30303030
#define F_UNPACK(b) KQUNPACK(b) KQHIGH6(b)
#define F_SCALES(b) KQSCALES6(b)
#define F_ROW(xq, xl, kf, ki, accD, accM) KQROW6(xq, xl, kf, ki, accD)
#define F_SUPER(b, accD, accM, acc) SUPER6(b, accD, acc)
#define F_PREFETCH(b) PREFETCHBLOCK6(b)
KERNEL1(·kq6Panel1_512(SB))
KERNEL4(·kq6Panel4_512(SB))
KERNEL1X4(·kq6Panel1x4_512(SB))

// Q8_0: int8 + 128 and a scale per 32 (q8panels.go): the sums start from
// −128·Σx (4 × the sum of the two −32·Σx over 16), each plane is scaled by
// its scale × the block's, and a super-block's sum goes into the result.
#undef F_SB
#undef F_BB
#undef F_SC
#undef F_HIGH
#undef F_UNPACK
#undef F_SCALES
#undef F_ROW
#undef F_SUPER
#undef F_PREFETCH
#define F_SB 4416
#define F_BB 512
#define F_SC 32
#define F_HIGH 0
#define F_UNPACK(b) \
	VMOVDQU32 320(b)(BX*1), Z16 \
	VMOVDQU32 384(b)(BX*1), Z17 \
	VMOVDQU32 448(b)(BX*1), Z18 \
	VMOVDQU32 512(b)(BX*1), Z19 \
	VMOVDQU32 576(b)(BX*1), Z20 \
	VMOVDQU32 640(b)(BX*1), Z21 \
	VMOVDQU32 704(b)(BX*1), Z22 \
	VMOVDQU32 768(b)(BX*1), Z23
#define F_SCALES(b) VCVTPH2PS (b)(R10*1), Z24
#define F_ROW(xq, xl, kf, ki, accD, accM) \
	VPBROADCASTD     0 ki, Z4 \
	VPADDD.BCST      4 ki, Z4, Z4 \
	VPSLLD           $2, Z4, Z4 \
	VPXORD           Z5, Z5, Z5 \
	VPBROADCASTD     8 ki, Z6 \
	VPADDD.BCST      12 ki, Z6, Z6 \
	VPSLLD           $2, Z6, Z6 \
	VPXORD           Z7, Z7, Z7 \
	DOTS(xq, Z4, Z5) \
	DOTS(xl, Z6, Z7) \
	VPADDD           Z5, Z4, Z4 \
	VPADDD           Z7, Z6, Z6 \
	VCVTDQ2PS        Z4, Z4 \
	VCVTDQ2PS        Z6, Z6 \
	VMULPS.BCST      0 kf, Z24, Z5 \
	VFMADD231PS      Z5, Z4, accD \
	VMULPS.BCST      4 kf, Z24, Z7 \
	VFMADD231PS      Z7, Z6, accD
#define F_SUPER(b, accD, accM, acc) \
	VADDPS accD, acc, acc \
	VPXORD accD, accD, accD
#define F_PREFETCH(b) \
	PREFETCHBLOCK6(b) \
	PREFETCHT1 2752(b)(BX*1) \
	PREFETCHT1 2816(b)(BX*1)
KERNEL1(·kq8Panel1_512(SB))
KERNEL4(·kq8Panel4_512(SB))
KERNEL1X4(·kq8Panel1x4_512(SB))
