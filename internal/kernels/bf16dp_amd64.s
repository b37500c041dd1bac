//go:build amd64 && !purego

#include "textflag.h"
#include "zmm_amd64.h"
#include "vdpbf16ps_amd64.h"

// AVX512_BF16 kernels: bf16 weights times activations packed as bf16 pairs
// (see packPairs), with VDPBF16PS, which adds to each f32 lane the product
// of its odd pair, then of its even pair, each rounded to f32 (products of
// two bf16 are exact). Go's assembler has no mnemonic for it, so it is
// hand-encoded (DP in vdpbf16ps_amd64.h, checked against GNU as).
//
// Exact tier: per 32-element chunk, the activations' high halves (16
// dwords) then their low halves (16 dwords); each accumulator takes the
// high product, then the low. Fast tier: the high halves only. Every dot,
// in every kernel, goes chunk by chunk into one zmm and ends in REDUCE512,
// so a row's result is the same whichever tile computed it.

// CVT2(d, hi16, lo16): VCVTNE2PS2BF16 Z<hi16>, Z<lo16> -> Z<d>: 32 bf16,
// rounded to nearest even, the elements of Z<lo16> in the low half. DP's
// EVEX layout with pp = F2 and opcode 72.
#define CVT2(d, hi16, lo16) BYTE $0x62; BYTE $((((d>>3)&1)^1)<<7 | (((lo16>>4)&1)^1)<<6 | (((lo16>>3)&1)^1)<<5 | (((d>>4)&1)^1)<<4 | 2); BYTE $((((hi16&15)^15)<<3) | 7); BYTE $(0x40 | (((hi16>>4)&1)^1)<<3); BYTE $0x72; BYTE $(0xC0 | (d&7)<<3 | (lo16&7))

// ZERO24 clears the 8×3 tiles' accumulators Z0–Z23.
#define ZERO24 \
	ZERO16 \
	VPXORD Z16, Z16, Z16 \
	VPXORD Z17, Z17, Z17 \
	VPXORD Z18, Z18, Z18 \
	VPXORD Z19, Z19, Z19 \
	VPXORD Z20, Z20, Z20 \
	VPXORD Z21, Z21, Z21 \
	VPXORD Z22, Z22, Z22 \
	VPXORD Z23, Z23, Z23

// LOADACC24(p) and STOREACC24(p) move the accumulators Z0–Z23 from and to
// 24 consecutive 64-byte rows at (p): a dot over K blocks is one dot
// chunk by chunk, its lanes parked between blocks (see runPairs).
#define LOADACC24(p) \
	VMOVUPS 0(p), Z0 \
	VMOVUPS 64(p), Z1 \
	VMOVUPS 128(p), Z2 \
	VMOVUPS 192(p), Z3 \
	VMOVUPS 256(p), Z4 \
	VMOVUPS 320(p), Z5 \
	VMOVUPS 384(p), Z6 \
	VMOVUPS 448(p), Z7 \
	VMOVUPS 512(p), Z8 \
	VMOVUPS 576(p), Z9 \
	VMOVUPS 640(p), Z10 \
	VMOVUPS 704(p), Z11 \
	VMOVUPS 768(p), Z12 \
	VMOVUPS 832(p), Z13 \
	VMOVUPS 896(p), Z14 \
	VMOVUPS 960(p), Z15 \
	VMOVUPS 1024(p), Z16 \
	VMOVUPS 1088(p), Z17 \
	VMOVUPS 1152(p), Z18 \
	VMOVUPS 1216(p), Z19 \
	VMOVUPS 1280(p), Z20 \
	VMOVUPS 1344(p), Z21 \
	VMOVUPS 1408(p), Z22 \
	VMOVUPS 1472(p), Z23

#define STOREACC24(p) \
	STORE16(p) \
	VMOVUPS Z16, 1024(p) \
	VMOVUPS Z17, 1088(p) \
	VMOVUPS Z18, 1152(p) \
	VMOVUPS Z19, 1216(p) \
	VMOVUPS Z20, 1280(p) \
	VMOVUPS Z21, 1344(p) \
	VMOVUPS Z22, 1408(p) \
	VMOVUPS Z23, 1472(p)

// REDUCE4X4 writes the 4×4 tiles' 16 dots (REDUCE16T), accumulator 4r+c
// to out row r (DX, R15 bytes apart) column c: after one VPERMPS row r's
// four dots are 128-bit lane r.
#define REDUCE4X4 \
	REDUCE16T \
	VMOVDQU32     ·reduceOrder16(SB), Z24 \
	VPERMPS       Z0, Z24, Z0 \
	VEXTRACTF32X4 $0, Z0, (DX) \
	ADDQ          R15, DX \
	VEXTRACTF32X4 $1, Z0, (DX) \
	ADDQ          R15, DX \
	VEXTRACTF32X4 $2, Z0, (DX) \
	ADDQ          R15, DX \
	VEXTRACTF32X4 $3, Z0, (DX)

// ROW3(off): the three dots at off(SP) to out row DX.
#define ROW3(off) \
	MOVQ off(SP), AX \
	MOVQ AX, (DX) \
	MOVL (off+8)(SP), AX \
	MOVL AX, 8(DX)

// REDUCE8X3 writes the 8×3 tiles' 24 dots (REDUCE16T, REDUCE8T),
// accumulator 3r+c to out row r (DX, R15 bytes apart) column c, through
// the 96-byte frame a row at a time. Each accumulator reduced alone
// (REDUCE512) had taken a third as long as the fast tier's tile over
// K = 512. Z24, Z25, AX scratch.
#define REDUCE8X3 \
	REDUCE16T \
	REDUCE8T \
	VMOVDQU32  ·reduceOrder16(SB), Z24 \
	VPERMPS    Z0, Z24, Z0 \
	VPERMPS    Z1, Z24, Z1 \
	VMOVUPS    Z0, (SP) \
	VMOVUPS    Y1, 64(SP) \
	ROW3(0) \
	ADDQ R15, DX \
	ROW3(12) \
	ADDQ R15, DX \
	ROW3(24) \
	ADDQ R15, DX \
	ROW3(36) \
	ADDQ R15, DX \
	ROW3(48) \
	ADDQ R15, DX \
	ROW3(60) \
	ADDQ R15, DX \
	ROW3(72) \
	ADDQ R15, DX \
	ROW3(84)

// BEGIN8X3(tile, zero, start, done): an 8×3 tile's start (label tile,
// where the next tile of the call starts again): its arguments into
// registers (SI, R8–R10 the activation rows, AX their stride; DI, R11, R12
// the weight rows, BX their stride; CX chunks; DX out, R15 its row stride;
// R14 acc; R13 pf, the offset of the rows to prefetch) and the
// accumulators from acc or zero, per mode; to done if there are no chunks.
#define BEGIN8X3(tile, zero, start, done) \
tile: \
	MOVQ x+0(FP), SI \
	MOVQ xs+8(FP), AX \
	SHLQ $2, AX \
	MOVQ w+16(FP), DI \
	MOVQ ws+24(FP), BX \
	SHLQ $1, BX \
	MOVQ chunks+32(FP), CX \
	MOVQ out+40(FP), DX \
	MOVQ os+48(FP), R15 \
	SHLQ $2, R15 \
	LEAQ (SI)(AX*1), R8 \
	LEAQ (R8)(AX*1), R9 \
	LEAQ (R9)(AX*1), R10 \
	LEAQ (DI)(BX*1), R11 \
	LEAQ (R11)(BX*1), R12 \
	MOVQ acc+56(FP), R14 \
	MOVQ mode+64(FP), R13 \
	TESTQ $1, R13 \
	JZ zero \
	LOADACC24(R14) \
	JMP start \
zero: \
	ZERO24 \
start: \
	MOVQ pf+80(FP), R13 \
	TESTQ CX, CX \
	JZ done

// END8X3(done, reduce, next, tile, ret): an 8×3 tile's end (label done):
// the accumulators parked in acc or reduced into out, per mode; then back
// to tile for the next one — three weight rows, three outputs and 24
// parked accumulators further on (the argument slots are the call's own) —
// or return after the last.
#define END8X3(done, reduce, next, tile, ret) \
done: \
	MOVQ mode+64(FP), R13 \
	TESTQ $2, R13 \
	JZ reduce \
	STOREACC24(R14) \
	JMP next \
reduce: \
	REDUCE8X3 \
next: \
	DECQ tiles+72(FP) \
	JLE  ret \
	MOVQ ws+24(FP), R13 \
	LEAQ (R13)(R13*2), R13 \
	SHLQ $1, R13 \
	ADDQ R13, w+16(FP) \
	ADDQ $12, out+40(FP) \
	ADDQ $1536, acc+56(FP) \
	JMP  tile \
ret: \
	VZEROUPPER \
	RET

// Each tile is written once, as a macro, for both tiers: LOLOAD(a, r)
// loads a chunk's low halves, 64 bytes after its high ones at a, into r,
// and LODP(acc, x, w) adds their products after the high halves' (the
// exact tier); NOLO and NODP leave both out (the fast tier). XSTEP is the
// bytes of a packed chunk: 128 exact, 64 fast.
#define LOLOAD(a, r) VMOVDQU32 64 a, r
#define LODP(acc, x, w) DP(acc, x, w)
#define NOLO(a, r)
#define NODP(acc, x, w)

// The tiles' rows: XROW4(LOLOAD, LODP, a, a0, a1, a2, a3) multiplies the
// activation chunk at a (high halves into Z24, low into Z25) by the weight
// chunks in Z16–Z19 into accumulators a0–a3; XROW3 the chunk at a (Z27,
// Z28) by Z24–Z26 into a0–a2; XROW1 by Z24 into a0. Each accumulator takes
// the high product, then the low (exact tier).
#define XROW4(LOLOAD, LODP, a, a0, a1, a2, a3) \
	VMOVDQU32 a, Z24 \
	LOLOAD(a, Z25) \
	DP(a0, 24, 16) \
	LODP(a0, 25, 16) \
	DP(a1, 24, 17) \
	LODP(a1, 25, 17) \
	DP(a2, 24, 18) \
	LODP(a2, 25, 18) \
	DP(a3, 24, 19) \
	LODP(a3, 25, 19)

#define XROW3(LOLOAD, LODP, a, a0, a1, a2) \
	VMOVDQU32 a, Z27 \
	LOLOAD(a, Z28) \
	DP(a0, 27, 24) \
	LODP(a0, 28, 24) \
	DP(a1, 27, 25) \
	LODP(a1, 28, 25) \
	DP(a2, 27, 26) \
	LODP(a2, 28, 26)

#define XROW1(LOLOAD, LODP, a, a0) \
	VMOVDQU32 a, Z27 \
	LOLOAD(a, Z28) \
	DP(a0, 27, 24) \
	LODP(a0, 28, 24)

// DP1X1(name, LOLOAD, LODP, XSTEP): func(x *uint32, w *uint16, chunks int) float32
#define DP1X1(name, LOLOAD, LODP, XSTEP) \
TEXT name, NOSPLIT, $0-28 \
	MOVQ x+0(FP), SI \
	MOVQ w+8(FP), DI \
	MOVQ chunks+16(FP), CX \
	VPXORD Z0, Z0, Z0 \
	TESTQ CX, CX \
	JZ done \
loop: \
	VMOVDQU32 (DI), Z16 \
	VMOVDQU32 (SI), Z24 \
	LOLOAD((SI), Z25) \
	DP(0, 24, 16) \
	LODP(0, 25, 16) \
	ADDQ $64, DI \
	ADDQ $XSTEP, SI \
	DECQ CX \
	JNZ  loop \
done: \
	REDUCE512(Z0, Y0, X0, Y1, X1) \
	VZEROUPPER \
	MOVSS X0, ret+24(FP) \
	RET

// DPX4(name, FRAME, AW, AK, ACH, AQ, AOUT, XS, LOLOAD, LODP, XSTEP, ZEROS, ROWS, STORES)
// One, two or three activation rows against the 4q weight rows at w (row
// stride k elements) as four quarters: tile t (q of them) takes rows t,
// q+t, 2q+t, 3q+t into out[t + c·q] (row r's at out + r·os floats). Each
// of the four streams the kernel reads thus runs on through consecutive
// rows: rows of 2 KiB one after another stream from memory at the read
// rate, four adjacent rows side by side did not; and the rows of two or
// three activation rows (batched decode of two or three sequences, the
// rows left past the 4- and 8-row tiles) are read once for all of them.
// FRAME and AW … AOUT are the frame and the arguments' offsets; XS loads
// the bytes between activation rows into R15; ZEROS clears, ROWS
// multiplies and STORES reduces and stores the rows' accumulators (Z0–Z3,
// Z4–Z7, Z8–Z11).
// Registers: R14 the row stride in bytes (then the tail a row has past
// its whole chunks), BX the bytes between a tile's rows, R9 between
// its outputs, AX the tiles left.
#define DPX4(name, FRAME, AW, AK, ACH, AQ, AOUT, XS, LOLOAD, LODP, XSTEP, ZEROS, ROWS, STORES) \
TEXT name, NOSPLIT, FRAME \
	MOVQ x+0(FP), R8 \
	XS \
	MOVQ w+AW(FP), DI \
	MOVQ k+AK(FP), R14 \
	SHLQ $1, R14 \
	MOVQ q+AQ(FP), R9 \
	MOVQ R9, BX \
	IMULQ R14, BX \
	SHLQ $2, R9 \
	MOVQ chunks+ACH(FP), CX \
	SHLQ $6, CX \
	SUBQ CX, R14 \
	MOVQ q+AQ(FP), AX \
	MOVQ out+AOUT(FP), DX \
	LEAQ (DI)(BX*1), R11 \
	LEAQ (R11)(BX*1), R12 \
	LEAQ (R12)(BX*1), R13 \
	TESTQ AX, AX \
	JZ end \
tile: \
	MOVQ R8, SI \
	MOVQ chunks+ACH(FP), CX \
	ZEROS \
	TESTQ CX, CX \
	JZ done \
loop: \
	VMOVDQU32 (DI), Z16 \
	VMOVDQU32 (R11), Z17 \
	VMOVDQU32 (R12), Z18 \
	VMOVDQU32 (R13), Z19 \
	ROWS(LOLOAD, LODP) \
	ADDQ $64, DI \
	ADDQ $64, R11 \
	ADDQ $64, R12 \
	ADDQ $64, R13 \
	ADDQ $XSTEP, SI \
	DECQ CX \
	JNZ  loop \
done: \
	STORES \
	ADDQ R14, DI \
	ADDQ R14, R11 \
	ADDQ R14, R12 \
	ADDQ R14, R13 \
	ADDQ $4, DX \
	DECQ AX \
	JNZ  tile \
end: \
	VZEROUPPER \
	RET

// DP1X4(name, LOLOAD, LODP, XSTEP): func(x *uint32, w *uint16, k int, chunks int, q int, out *float32)
#define DP1X4(name, LOLOAD, LODP, XSTEP) \
	DPX4(name, $0-48, 8, 16, 24, 32, 40, NOXS, LOLOAD, LODP, XSTEP, ZERO4ACC, ROWS1, STORES1)

// DP2X4, DP3X4(name, LOLOAD, LODP, XSTEP): func(x *uint32, xs int, w *uint16, k int, chunks int, q int, out *float32, os int)
#define DP2X4(name, LOLOAD, LODP, XSTEP) \
	DPX4(name, $0-64, 16, 24, 32, 40, 48, XSBYTES, LOLOAD, LODP, XSTEP, ZERO8, ROWS2, STORES2)
#define DP3X4(name, LOLOAD, LODP, XSTEP) \
	DPX4(name, $0-64, 16, 24, 32, 40, 48, XSBYTES, LOLOAD, LODP, XSTEP, ZERO12, ROWS3, STORES3)

#define NOXS
#define XSBYTES \
	MOVQ xs+8(FP), R15 \
	SHLQ $2, R15
#define ZERO4ACC \
	VPXORD Z0, Z0, Z0 \
	VPXORD Z1, Z1, Z1 \
	VPXORD Z2, Z2, Z2 \
	VPXORD Z3, Z3, Z3
#define ROWS1(LOLOAD, LODP) \
	XROW4(LOLOAD, LODP, (SI), 0, 1, 2, 3)
#define ROWS2(LOLOAD, LODP) \
	ROWS1(LOLOAD, LODP) \
	XROW4(LOLOAD, LODP, (SI)(R15*1), 4, 5, 6, 7)
#define ROWS3(LOLOAD, LODP) \
	ROWS2(LOLOAD, LODP) \
	XROW4(LOLOAD, LODP, (SI)(R15*2), 8, 9, 10, 11)

// STOREROW: one row's four outputs at R10, R10 + R9, …; R10 on by CX.
#define STOREROW(z0, y0, x0, z1, y1, x1, z2, y2, x2, z3, y3, x3) \
	REDUCE512(z0, y0, x0, Y16, X16) \
	MOVSS x0, (R10) \
	LEAQ (R10)(R9*1), SI \
	REDUCE512(z1, y1, x1, Y16, X16) \
	MOVSS x1, (SI) \
	REDUCE512(z2, y2, x2, Y16, X16) \
	MOVSS x2, (SI)(R9*1) \
	REDUCE512(z3, y3, x3, Y16, X16) \
	MOVSS x3, (SI)(R9*2) \
	ADDQ CX, R10
// STORES1: one row's outputs at DX, DX + R9, …
#define STORES1 \
	LEAQ (DX)(R9*1), R10 \
	REDUCE512(Z0, Y0, X0, Y16, X16) \
	MOVSS X0, (DX) \
	REDUCE512(Z1, Y1, X1, Y16, X16) \
	MOVSS X1, (R10) \
	REDUCE512(Z2, Y2, X2, Y16, X16) \
	MOVSS X2, (R10)(R9*1) \
	REDUCE512(Z3, Y3, X3, Y16, X16) \
	MOVSS X3, (R10)(R9*2)
// STORES2, STORES3: row r's at DX + r·os floats.
#define STORES2 \
	MOVQ os+56(FP), CX \
	SHLQ $2, CX \
	MOVQ DX, R10 \
	STOREROW(Z0, Y0, X0, Z1, Y1, X1, Z2, Y2, X2, Z3, Y3, X3) \
	STOREROW(Z4, Y4, X4, Z5, Y5, X5, Z6, Y6, X6, Z7, Y7, X7)
#define STORES3 \
	STORES2 \
	STOREROW(Z8, Y8, X8, Z9, Y9, X9, Z10, Y10, X10, Z11, Y11, X11)

// DP4X4(name, LOLOAD, LODP, XSTEP): func(x *uint32, xs int, w *uint16, ws int, chunks int, out *float32, os int)
// The loop prefetches the same line of the next four weight rows (the
// next tile): rows of 2 KiB are too short for the hardware prefetcher
// to ramp up. Into L2, not L1 (as DP8X3): in batched decode the rows come
// from memory, and a prefetch into L1 holds one of the core's few L1 miss
// buffers until its line arrives (Zen 4, BenchmarkMatMulBatchedCold at
// T = 4: 27 → 13–19 ms; no change in prefill, where the rows are in L2).
#define DP4X4(name, LOLOAD, LODP, XSTEP) \
TEXT name, NOSPLIT, $0-56 \
	MOVQ x+0(FP), SI \
	MOVQ xs+8(FP), AX \
	SHLQ $2, AX \
	MOVQ w+16(FP), DI \
	MOVQ ws+24(FP), BX \
	SHLQ $1, BX \
	MOVQ chunks+32(FP), CX \
	MOVQ out+40(FP), DX \
	MOVQ os+48(FP), R15 \
	SHLQ $2, R15 \
	LEAQ (SI)(AX*1), R8 \
	LEAQ (R8)(AX*1), R9 \
	LEAQ (R9)(AX*1), R10 \
	LEAQ (DI)(BX*1), R11 \
	LEAQ (R11)(BX*1), R12 \
	LEAQ (R12)(BX*1), R13 \
	ZERO16 \
	TESTQ CX, CX \
	JZ done \
loop: \
	PREFETCHT1 (DI)(BX*4) \
	PREFETCHT1 (R11)(BX*4) \
	PREFETCHT1 (R12)(BX*4) \
	PREFETCHT1 (R13)(BX*4) \
	VMOVDQU32 (DI), Z16 \
	VMOVDQU32 (R11), Z17 \
	VMOVDQU32 (R12), Z18 \
	VMOVDQU32 (R13), Z19 \
	XROW4(LOLOAD, LODP, (SI), 0, 1, 2, 3) \
	XROW4(LOLOAD, LODP, (R8), 4, 5, 6, 7) \
	XROW4(LOLOAD, LODP, (R9), 8, 9, 10, 11) \
	XROW4(LOLOAD, LODP, (R10), 12, 13, 14, 15) \
	ADDQ $64, DI \
	ADDQ $64, R11 \
	ADDQ $64, R12 \
	ADDQ $64, R13 \
	ADDQ $XSTEP, SI \
	ADDQ $XSTEP, R8 \
	ADDQ $XSTEP, R9 \
	ADDQ $XSTEP, R10 \
	DECQ CX \
	JNZ  loop \
done: \
	REDUCE4X4 \
	VZEROUPPER \
	RET

// DP8X3(name, LOLOAD, LODP, XSTEP): func(x *uint32, xs int, w *uint16, ws int, chunks int, out *float32, os int, acc *float32, mode int, tiles int, pf int)
// Eight activation rows x + r·xs (xs in dwords) against weight rows w + c·ws;
// out[3r+c]. Accumulators Z0–Z23, weights Z24–Z26, activations Z27 (and Z28).
// mode&accLoad: the accumulators start from acc's 24 rows (else zero);
// mode&accKeep: they are stored there (else reduced into out). Then the
// same for tiles−1 more tiles, each three weight rows, three outputs and
// 24×16 parked floats on (one call for a run of tiles: a call per tile
// had cost 4% of a K = 4608 matmul).
// The loop prefetches the same line of the three weight rows pf bytes on
// (the next tile, or the next span's: see runPairs8x3) into L2: in
// batched decode they come from memory, and prefetches into L1 each hold
// one of the core's few L1 miss buffers until the line arrives (Zen 4, 8
// and 16 rows of K = 1024: +10–30% streaming).
#define DP8X3(name, LOLOAD, LODP, XSTEP) \
TEXT name, NOSPLIT, $96-88 \
	BEGIN8X3(tile, zero, start, done) \
loop: \
	PREFETCHT1 (DI)(R13*1) \
	PREFETCHT1 (R11)(R13*1) \
	PREFETCHT1 (R12)(R13*1) \
	VMOVDQU32 (DI), Z24 \
	VMOVDQU32 (R11), Z25 \
	VMOVDQU32 (R12), Z26 \
	XROW3(LOLOAD, LODP, (SI), 0, 1, 2) \
	XROW3(LOLOAD, LODP, (R8), 3, 4, 5) \
	XROW3(LOLOAD, LODP, (R9), 6, 7, 8) \
	XROW3(LOLOAD, LODP, (R10), 9, 10, 11) \
	XROW3(LOLOAD, LODP, (SI)(AX*4), 12, 13, 14) \
	XROW3(LOLOAD, LODP, (R8)(AX*4), 15, 16, 17) \
	XROW3(LOLOAD, LODP, (R9)(AX*4), 18, 19, 20) \
	XROW3(LOLOAD, LODP, (R10)(AX*4), 21, 22, 23) \
	ADDQ $64, DI \
	ADDQ $64, R11 \
	ADDQ $64, R12 \
	ADDQ $XSTEP, SI \
	ADDQ $XSTEP, R8 \
	ADDQ $XSTEP, R9 \
	ADDQ $XSTEP, R10 \
	DECQ CX \
	JNZ  loop \
	END8X3(done, reduce, next, tile, ret)

// OUTROW(z, y, x): accumulator z's dot to out row DX, then DX on by R15.
#define OUTROW(z, y, x) \
	REDUCE512(z, y, x, Y29, X29) \
	MOVSS x, 0(DX) \
	ADDQ R15, DX

// DP8X1(name, LOLOAD, LODP, XSTEP): func(x *uint32, xs int, w *uint16, chunks int, out *float32, os int)
// Eight activation rows x + r·xs (xs in dwords) against one weight row;
// out[r]. Accumulators Z0–Z7, weights Z24, activations Z27 (and Z28).
// DX steps on by R15 to the next activation row's output.
#define DP8X1(name, LOLOAD, LODP, XSTEP) \
TEXT name, NOSPLIT, $0-48 \
	MOVQ x+0(FP), SI \
	MOVQ xs+8(FP), AX \
	SHLQ $2, AX \
	MOVQ w+16(FP), DI \
	MOVQ chunks+24(FP), CX \
	MOVQ out+32(FP), DX \
	MOVQ os+40(FP), R15 \
	SHLQ $2, R15 \
	LEAQ (SI)(AX*1), R8 \
	LEAQ (R8)(AX*1), R9 \
	LEAQ (R9)(AX*1), R10 \
	VPXORD Z0, Z0, Z0 \
	VPXORD Z1, Z1, Z1 \
	VPXORD Z2, Z2, Z2 \
	VPXORD Z3, Z3, Z3 \
	VPXORD Z4, Z4, Z4 \
	VPXORD Z5, Z5, Z5 \
	VPXORD Z6, Z6, Z6 \
	VPXORD Z7, Z7, Z7 \
	TESTQ CX, CX \
	JZ done \
loop: \
	VMOVDQU32 (DI), Z24 \
	XROW1(LOLOAD, LODP, (SI), 0) \
	XROW1(LOLOAD, LODP, (R8), 1) \
	XROW1(LOLOAD, LODP, (R9), 2) \
	XROW1(LOLOAD, LODP, (R10), 3) \
	XROW1(LOLOAD, LODP, (SI)(AX*4), 4) \
	XROW1(LOLOAD, LODP, (R8)(AX*4), 5) \
	XROW1(LOLOAD, LODP, (R9)(AX*4), 6) \
	XROW1(LOLOAD, LODP, (R10)(AX*4), 7) \
	ADDQ $64, DI \
	ADDQ $XSTEP, SI \
	ADDQ $XSTEP, R8 \
	ADDQ $XSTEP, R9 \
	ADDQ $XSTEP, R10 \
	DECQ CX \
	JNZ  loop \
done: \
	OUTROW(Z0, Y0, X0) \
	OUTROW(Z1, Y1, X1) \
	OUTROW(Z2, Y2, X2) \
	OUTROW(Z3, Y3, X3) \
	OUTROW(Z4, Y4, X4) \
	OUTROW(Z5, Y5, X5) \
	OUTROW(Z6, Y6, X6) \
	REDUCE512(Z7, Y7, X7, Y29, X29) \
	MOVSS X7, 0(DX) \
	VZEROUPPER \
	RET

// func packPairs512(dst *uint32, x *float32, chunks int, exact bool)
// Packs chunks×32 floats of x: per chunk 16 dwords of high bf16 pairs,
// then (exact) 16 of low pairs, lo = bf16(x − hi).
TEXT ·packPairs512(SB), NOSPLIT, $0-25
	MOVQ dst+0(FP), DI
	MOVQ x+8(FP), SI
	MOVQ chunks+16(FP), CX
	MOVBLZX exact+24(FP), DX
	TESTQ CX, CX
	JZ    pdone
ploop:
	VMOVUPS (SI), Z0
	VMOVUPS 64(SI), Z1
	CVT2(2, 1, 0)
	VMOVDQU32 Z2, (DI)
	TESTQ DX, DX
	JZ    pnext
	// hi as f32: each bf16 word widened and shifted to the top half
	VPMOVZXWD Y2, Z3
	VPSLLD    $16, Z3, Z3
	VEXTRACTI64X4 $1, Z2, Y4
	VPMOVZXWD Y4, Z4
	VPSLLD    $16, Z4, Z4
	VSUBPS    Z3, Z0, Z0
	VSUBPS    Z4, Z1, Z1
	CVT2(5, 1, 0)
	VMOVDQU32 Z5, 64(DI)
	ADDQ $64, DI
pnext:
	ADDQ $64, DI
	ADDQ $128, SI
	DECQ CX
	JNZ  ploop
pdone:
	VZEROUPPER
	RET

// func dpExact1x1(x *uint32, w *uint16, chunks int) float32
DP1X1(·dpExact1x1(SB), LOLOAD, LODP, 128)

// func dpFast1x1(x *uint32, w *uint16, chunks int) float32
DP1X1(·dpFast1x1(SB), NOLO, NODP, 64)

// func dpExact1x4(x *uint32, w *uint16, k int, chunks int, q int, out *float32)
DP1X4(·dpExact1x4(SB), LOLOAD, LODP, 128)

// func dpFast1x4(x *uint32, w *uint16, k int, chunks int, q int, out *float32)
DP1X4(·dpFast1x4(SB), NOLO, NODP, 64)

// func dpExact4x4(x *uint32, xs int, w *uint16, ws int, chunks int, out *float32, os int)
DP4X4(·dpExact4x4(SB), LOLOAD, LODP, 128)

// func dpFast4x4(x *uint32, xs int, w *uint16, ws int, chunks int, out *float32, os int)
DP4X4(·dpFast4x4(SB), NOLO, NODP, 64)

// func dpExact8x3(x *uint32, xs int, w *uint16, ws int, chunks int, out *float32, os int, acc *float32, mode int, tiles int)
DP8X3(·dpExact8x3(SB), LOLOAD, LODP, 128)

// func dpFast8x3(x *uint32, xs int, w *uint16, ws int, chunks int, out *float32, os int, acc *float32, mode int, tiles int)
DP8X3(·dpFast8x3(SB), NOLO, NODP, 64)

// func dpExact8x1(x *uint32, xs int, w *uint16, chunks int, out *float32, os int)
DP8X1(·dpExact8x1(SB), LOLOAD, LODP, 128)

// func dpFast8x1(x *uint32, xs int, w *uint16, chunks int, out *float32, os int)
DP8X1(·dpFast8x1(SB), NOLO, NODP, 64)

// func dpExact2x4(x *uint32, xs int, w *uint16, k int, chunks int, q int, out *float32, os int)
DP2X4(·dpExact2x4(SB), LOLOAD, LODP, 128)

// func dpExact3x4(x *uint32, xs int, w *uint16, k int, chunks int, q int, out *float32, os int)
DP3X4(·dpExact3x4(SB), LOLOAD, LODP, 128)

// func dpFast2x4(x *uint32, xs int, w *uint16, k int, chunks int, q int, out *float32, os int)
DP2X4(·dpFast2x4(SB), NOLO, NODP, 64)

// func dpFast3x4(x *uint32, xs int, w *uint16, k int, chunks int, q int, out *float32, os int)
DP3X4(·dpFast3x4(SB), NOLO, NODP, 64)
