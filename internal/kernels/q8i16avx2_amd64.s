//go:build amd64 && !purego

#include "textflag.h"

// Q8_0 panels (q8panels.go) against int16 activations (act16.go) for AVX2
// without AVX-VNNI: dotQ8PanelsI16Go's arithmetic in every output.
//
// A panel chunk holds four consecutive weights of each of 16 rows (row l
// at byte 4l) as q + 128. VPMOVZXBW widens 16 of its bytes (four rows)
// to words, and VPMADDWD multiplies them by the chunk's four activations
// (broadcast as a quadword) and sums pairs: each dword lane holds two
// products of one row, lanes 2r and 2r+1 row r. Within a block (eight
// chunks) a lane sums sixteen products, at most 16·255·32767 < 2²⁹. At
// the block's end VPHADDD adds the lane pairs of two such registers
// (rows 0–3 and 4–7) into one, rows in the order 0 1 4 5 | 2 3 6 7, and
// subtracting 128·Σx leaves the exact Σ q·x of each row. The block's f16
// weight scales take the same order (VPERMQ $0xD8, its own inverse), and
// so do the float accumulators until they are stored.

// Q8I16SCALES(off, y): the eight f16 weight scales at off as float32 in
// the VPHADDD order.
#define Q8I16SCALES(off, y) \
	VCVTPH2PS off, y \
	VPERMQ    $0xD8, y, y

// func q8i16Panel1AVX2(x *int16, xs *float32, xc *int32, panel *byte, nsb int, out *float32)
//
// One activation row against a panel's sixteen rows in one pass (a single
// sequential stream: decode reads the panel from memory). SI the
// activations, DX their scales, R8 their corrections, DI the super-block,
// R11 the block's chunks, R12 its scales, CX super-blocks left, AX blocks
// left. Y0–Y3 the integer sums of rows 0–3, 4–7, 8–11, 12–15, Y4/Y5 the
// float sums of rows 0–7 and 8–15, Y6 the activations, Y7 a chunk's
// words, Y8–Y10 scratch.

// P1CHUNK(c): chunk c (1–7) of the block; P1FIRST the first chunk's
// quarters, whose products are the sums.
#define P1QUARTER(c, q, acc) \
	VPMOVZXBW (64*c+16*q)(R11), Y7 \
	VPMADDWD  Y6, Y7, Y7 \
	VPADDD    Y7, acc, acc
#define P1FIRST(q, acc) \
	VPMOVZXBW (16*q)(R11), Y7 \
	VPMADDWD  Y6, Y7, acc
#define P1CHUNK(c) \
	PREFETCHT0   (1024+64*c)(R11) \
	VPBROADCASTQ (8*c)(SI), Y6 \
	P1QUARTER(c, 0, Y0) \
	P1QUARTER(c, 1, Y1) \
	P1QUARTER(c, 2, Y2) \
	P1QUARTER(c, 3, Y3)

TEXT ·q8i16Panel1AVX2(SB), NOSPLIT, $0-48
	MOVQ   x+0(FP), SI
	MOVQ   xs+8(FP), DX
	MOVQ   xc+16(FP), R8
	MOVQ   panel+24(FP), DI
	MOVQ   nsb+32(FP), CX
	VXORPS Y4, Y4, Y4
	VXORPS Y5, Y5, Y5
	TESTQ  CX, CX
	JZ     p1done

p1super:
	LEAQ 320(DI), R11
	MOVQ DI, R12
	MOVQ $8, AX

p1block:
	PREFETCHT0   1024(R11)
	VPBROADCASTQ (SI), Y6
	P1FIRST(0, Y0)
	P1FIRST(1, Y1)
	P1FIRST(2, Y2)
	P1FIRST(3, Y3)
	P1CHUNK(1)
	P1CHUNK(2)
	P1CHUNK(3)
	P1CHUNK(4)
	P1CHUNK(5)
	P1CHUNK(6)
	P1CHUNK(7)
	VPHADDD      Y1, Y0, Y0
	VPHADDD      Y3, Y2, Y2
	VPBROADCASTD (R8), Y10
	VPSUBD       Y10, Y0, Y0
	VPSUBD       Y10, Y2, Y2
	VCVTDQ2PS    Y0, Y0
	VCVTDQ2PS    Y2, Y2
	Q8I16SCALES((R12), Y8)
	Q8I16SCALES(16(R12), Y9)
	VBROADCASTSS (DX), Y10
	VMULPS       Y10, Y8, Y8
	VMULPS       Y10, Y9, Y9
	VFMADD231PS  Y8, Y0, Y4
	VFMADD231PS  Y9, Y2, Y5
	ADDQ         $64, SI
	ADDQ         $4, DX
	ADDQ         $4, R8
	ADDQ         $512, R11
	ADDQ         $32, R12
	DECQ         AX
	JNZ          p1block

	ADDQ $4416, DI
	DECQ CX
	JNZ  p1super

p1done:
	VPERMQ  $0xD8, Y4, Y4
	VPERMQ  $0xD8, Y5, Y5
	MOVQ    out+40(FP), AX
	VMOVUPS Y4, (AX)
	VMOVUPS Y5, 32(AX)
	VZEROUPPER
	RET

// func q8i16Panel4AVX2(x *int16, xs *float32, xc *int32, k int, panel *byte, nsb int, out *float32, ostride int)
//
// Four activation rows (k values apart) against a panel, in two passes of
// eight rows (BX the pass: 0, 1), sharing each chunk's widened weights.
// SI the activations (rows R8 bytes apart; R14 = 3·R8), DX their scales
// and R13 their corrections (rows R9 bytes apart; R15 = 3·R9), DI the
// super-block, R11 the block's chunks and R12 its scales (plus the pass's
// offset), CX super-blocks left, AX blocks left, R10 scratch. Y0–Y7 the
// integer sums (row r: Y(2r) rows 0–3 of the pass, Y(2r+1) rows 4–7),
// Y8–Y11 the float sums, Y12/Y13 a chunk's words, Y14 activations, Y15
// scratch.

// P4ROW(c, xrow, lo, hi): chunk c's words against one activation row,
// added into its sums lo and hi; P4ROWFIRST for the block's first chunk.
#define P4ROW(c, xrow, lo, hi) \
	VPBROADCASTQ (8*c)xrow, Y14 \
	VPMADDWD     Y14, Y12, Y15 \
	VPADDD       Y15, lo, lo \
	VPMADDWD     Y14, Y13, Y15 \
	VPADDD       Y15, hi, hi
#define P4ROWFIRST(xrow, lo, hi) \
	VPBROADCASTQ xrow, Y14 \
	VPMADDWD     Y14, Y12, lo \
	VPMADDWD     Y14, Y13, hi
#define P4CHUNK(c) \
	VPMOVZXBW (64*c)(R11), Y12 \
	VPMOVZXBW (64*c+16)(R11), Y13 \
	P4ROW(c, (SI), Y0, Y1) \
	P4ROW(c, (SI)(R8*1), Y2, Y3) \
	P4ROW(c, (SI)(R8*2), Y4, Y5) \
	P4ROW(c, (SI)(R14*1), Y6, Y7)

// P4END(lo, hi, corr, scale, acc): the block's end for one activation
// row: its exact sums, times its scale × the weights' (Y12), into acc.
#define P4END(lo, hi, corr, scale, acc) \
	VPHADDD      hi, lo, lo \
	VPBROADCASTD corr, Y13 \
	VPSUBD       Y13, lo, lo \
	VCVTDQ2PS    lo, lo \
	VBROADCASTSS scale, Y13 \
	VMULPS       Y13, Y12, Y13 \
	VFMADD231PS  Y13, lo, acc

// P4STORE(acc, off): a row's eight sums, back in row order, to out + off.
#define P4STORE(acc, off) \
	VPERMQ  $0xD8, acc, acc \
	VMOVUPS acc, off

TEXT ·q8i16Panel4AVX2(SB), NOSPLIT, $0-64
	XORQ BX, BX

p4pass:
	MOVQ   x+0(FP), SI
	MOVQ   xs+8(FP), DX
	MOVQ   xc+16(FP), R13
	MOVQ   k+24(FP), R8
	MOVQ   R8, R9
	SHLQ   $1, R8          // a row of int16
	SHRQ   $3, R9          // a row's block scales: k/32 floats
	LEAQ   (R8)(R8*2), R14
	LEAQ   (R9)(R9*2), R15
	MOVQ   panel+32(FP), DI
	MOVQ   nsb+40(FP), CX
	VXORPS Y8, Y8, Y8
	VXORPS Y9, Y9, Y9
	VXORPS Y10, Y10, Y10
	VXORPS Y11, Y11, Y11
	TESTQ  CX, CX
	JZ     p4passdone

p4super:
	MOVQ BX, R10
	SHLQ $4, R10
	LEAQ (DI)(R10*1), R12      // the pass's eight scales: 16 bytes in
	LEAQ 320(DI)(R10*2), R11   // its eight rows' chunks: 32 bytes in
	MOVQ $8, AX

p4block:
	VPMOVZXBW (R11), Y12
	VPMOVZXBW 16(R11), Y13
	P4ROWFIRST((SI), Y0, Y1)
	P4ROWFIRST((SI)(R8*1), Y2, Y3)
	P4ROWFIRST((SI)(R8*2), Y4, Y5)
	P4ROWFIRST((SI)(R14*1), Y6, Y7)
	P4CHUNK(1)
	P4CHUNK(2)
	P4CHUNK(3)
	P4CHUNK(4)
	P4CHUNK(5)
	P4CHUNK(6)
	P4CHUNK(7)
	Q8I16SCALES((R12), Y12)
	P4END(Y0, Y1, (R13), (DX), Y8)
	P4END(Y2, Y3, (R13)(R9*1), (DX)(R9*1), Y9)
	P4END(Y4, Y5, (R13)(R9*2), (DX)(R9*2), Y10)
	P4END(Y6, Y7, (R13)(R15*1), (DX)(R15*1), Y11)
	ADDQ $64, SI
	ADDQ $4, DX
	ADDQ $4, R13
	ADDQ $512, R11
	ADDQ $32, R12
	DECQ AX
	JNZ  p4block

	ADDQ $4416, DI
	DECQ CX
	JNZ  p4super

p4passdone:
	MOVQ out+48(FP), R10
	MOVQ BX, AX
	SHLQ $5, AX
	ADDQ AX, R10               // the pass's eight outputs: 32 bytes in
	MOVQ ostride+56(FP), AX
	SHLQ $2, AX
	P4STORE(Y8, (R10))
	P4STORE(Y9, (R10)(AX*1))
	P4STORE(Y10, (R10)(AX*2))
	LEAQ (AX)(AX*2), AX
	P4STORE(Y11, (R10)(AX*1))
	INCQ BX
	CMPQ BX, $2
	JL   p4pass
	VZEROUPPER
	RET
