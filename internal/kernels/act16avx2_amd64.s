//go:build amd64 && !purego

#include "textflag.h"

// The panel kernels on int16 activations (act16.go) for AVX2 without
// AVX-VNNI: Q8_0, then Q4_K.

// TILEARGS(floats2): a tile kernel's pass start, both tiles' arguments
// being (x, floats, floats2, k, panel, nsb, out, ostride): SI the
// activations (rows R8 bytes apart), DX and R13 their per-block words
// (rows R9 bytes apart), DI the panel, CX its super-blocks.
#define TILEARGS(floats2) \
	MOVQ x+0(FP), SI \
	MOVQ xs+8(FP), DX \
	MOVQ floats2+16(FP), R13 \
	MOVQ k+24(FP), R8 \
	MOVQ R8, R9 \
	SHLQ $1, R8 \
	SHRQ $3, R9 \
	MOVQ panel+32(FP), DI \
	MOVQ nsb+40(FP), CX

// TILEOUT: R10 the pass's first output (out plus 32 bytes a pass), AX a
// row of outputs (ostride floats).
#define TILEOUT \
	MOVQ out+48(FP), R10 \
	MOVQ BX, AX \
	SHLQ $5, AX \
	ADDQ AX, R10 \
	MOVQ ostride+56(FP), AX \
	SHLQ $2, AX

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
	TILEARGS(xc)
	LEAQ   (R8)(R8*2), R14
	LEAQ   (R9)(R9*2), R15
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
	TILEOUT
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

// Q4_K panels (kquant.go) against int16 activations: dotQ4KI16Go's
// arithmetic in every output. A chunk holds bytes 4c…4c+3 of each row's
// block, byte j holding weight j in its low nibble and j+16 in its high:
// the nibbles of eight rows (32 bytes), masked (Y15 = 0x0f bytes) and
// interleaved with zeros (Y14), give words of rows 0, 1, 4, 5 (VPUNPCKLBW)
// and 2, 3, 6, 7 (VPUNPCKHBW), so VPHADDD of the two sums at the block's
// end is rows 0–7 in order. A block's integer sums stay below 2²⁴.

// K4WORDS(src): the eight rows' quants in the bytes of src (clobbered:
// masked) as words, rows 0 1 4 5 into Y10 and 2 3 6 7 into Y11.
#define K4WORDS(src) \
	VPAND      Y15, src, src \
	VPUNPCKHBW Y14, src, Y11 \
	VPUNPCKLBW Y14, src, Y10

// K4DOT(x, a, b): Y10 and Y11 against the four activations x (a
// broadcast quadword register), added into a and b.
#define K4DOT(x, a, b) \
	VPMADDWD x, Y10, Y13 \
	VPADDD   Y13, a, a \
	VPMADDWD x, Y11, Y13 \
	VPADDD   Y13, b, b

// K4DOTFIRST(x, a, b): K4DOT for a block's first products, which start
// the sums.
#define K4DOTFIRST(x, a, b) \
	VPMADDWD x, Y10, a \
	VPMADDWD x, Y11, b

// K4SCALES(sc, d): Y9 = d·scale and Y10 = dmin·min of eight rows, their
// integer scales at sc (mins 128 bytes on), their d at d (dmin 32 on).
#define K4SCALES(sc, d) \
	VPMOVZXBD sc, Y9 \
	VCVTDQ2PS Y9, Y9 \
	VCVTPH2PS d, Y13 \
	VMULPS    Y13, Y9, Y9 \
	VPMOVZXBD 128+sc, Y10 \
	VCVTDQ2PS Y10, Y10 \
	VCVTPH2PS 32+d, Y13 \
	VMULPS    Y13, Y10, Y10

// K4END(a, b, xs, bsum, acc): a block's end for eight rows and one
// activation row: acc += Σ·(xs·d·scale), then −= (dmin·min)·bsum.
#define K4END(a, b, xs, bsum, acc) \
	VPHADDD      b, a, a \
	VCVTDQ2PS    a, a \
	VBROADCASTSS xs, Y12 \
	VMULPS       Y9, Y12, Y12 \
	VFMADD231PS  Y12, a, acc \
	VBROADCASTSS bsum, Y12 \
	VFNMADD231PS Y12, Y10, acc

// K4CONST: Y14 zero, Y15 0x0f bytes.
#define K4CONST \
	VPXOR        Y14, Y14, Y14 \
	MOVL         $0x0f0f0f0f, AX \
	MOVQ         AX, X15 \
	VPBROADCASTD X15, Y15

// func kq4i16Panel1AVX2(xh *int8, xl *uint8, xs, bsum *float32, panel *byte, nsb int, out *float32)
//
// One activation row against a panel's sixteen rows in one pass, on the
// same exact integers by another route: one row shares no widened words,
// and widening costs a row more than it saves. Each activation is
// 256·xh + xl (its high byte signed, its low byte unsigned: act16's byte
// planes), so Σ q·x = 256·Σ q·xh + Σ q·xl, each a VPMADDUBSW of bytes
// (q unsigned against xh; xl unsigned against q, at most 15), summed in
// words: q·xh pairs reach ±2·15·128, four chunks ±30720; xl·q pairs
// 2·255·15, widened every two chunks (30600). At the block's end the
// words widen against 256 (xh) and 1 (xl) into the row's integer sum.
//
// SI the high bytes, R8 the low bytes, DX the activations' scales, R13
// their sums, DI the super-block, R11 the block, R12 the scales' column,
// CX super-blocks left, AX blocks left. Rows 0–7: Y0 the xh words, Y1 the
// xl words, Y2 the sum; rows 8–15: Y3, Y4, Y5; Y6/Y7 the float sums;
// Y8/Y9 the chunk's xh and xl of its low quants, Y10/Y11 of its high
// ones; Y12/Y13 the quants, Y14 scratch, Y15 0x0f bytes.

DATA k4Words1<>+0(SB)/8, $0x0001000100010001
DATA k4Words1<>+8(SB)/8, $0x0001000100010001
DATA k4Words1<>+16(SB)/8, $0x0001000100010001
DATA k4Words1<>+24(SB)/8, $0x0001000100010001
GLOBL k4Words1<>(SB), RODATA|NOPTR, $32
DATA k4Words256<>+0(SB)/8, $0x0100010001000100
DATA k4Words256<>+8(SB)/8, $0x0100010001000100
DATA k4Words256<>+16(SB)/8, $0x0100010001000100
DATA k4Words256<>+24(SB)/8, $0x0100010001000100
GLOBL k4Words256<>(SB), RODATA|NOPTR, $32

// B1ADD(q, xh, xl, wh, wl): the quants q (bytes) against xh and xl,
// added into the word sums wh and wl; B1FIRST sets them.
#define B1ADD(q, xh, xl, wh, wl) \
	VPMADDUBSW xh, q, Y14 \
	VPADDW     Y14, wh, wh \
	VPMADDUBSW q, xl, Y14 \
	VPADDW     Y14, wl, wl
#define B1FIRST(q, xh, xl, wh, wl) \
	VPMADDUBSW xh, q, wh \
	VPMADDUBSW q, xl, wl

// B1RESTART: B1ADD with the xl words restarted (the first two chunks'
// widened already).
#define B1RESTART(q, xh, xl, wh, wl) \
	VPMADDUBSW xh, q, Y14 \
	VPADDW     Y14, wh, wh \
	VPMADDUBSW q, xl, wl

// B1HALF(c, h, wh, wl, LOW): half h of chunk c into the word sums wh and
// wl, the low quants by LOW (B1ADD, or B1FIRST/B1RESTART where sums start).
#define B1HALF(c, h, wh, wl, LOW) \
	VMOVDQU (64*c+32*h)(R11), Y12 \
	VPSRLW  $4, Y12, Y13 \
	VPAND   Y15, Y12, Y12 \
	VPAND   Y15, Y13, Y13 \
	LOW(Y12, Y8, Y9, wh, wl) \
	B1ADD(Y13, Y10, Y11, wh, wl)
#define B1CHUNK(c, LOW) \
	PREFETCHT0   (1024+64*c)(R11) \
	VPBROADCASTD (4*c)(SI), Y8 \
	VPBROADCASTD (4*c)(R8), Y9 \
	VPBROADCASTD (16+4*c)(SI), Y10 \
	VPBROADCASTD (16+4*c)(R8), Y11 \
	B1HALF(c, 0, Y0, Y1, LOW) \
	B1HALF(c, 1, Y3, Y4, LOW)

// B1END(sc, d, wh, wl, sum, acc): eight rows' block end: the word sums
// widened into sum, then K4END's float steps into acc.
#define B1END(sc, d, wh, wl, sum, acc) \
	VPMADDWD     k4Words1<>(SB), wl, Y14 \
	VPADDD       Y14, sum, sum \
	VPMADDWD     k4Words256<>(SB), wh, Y14 \
	VPADDD       Y14, sum, sum \
	K4SCALES(sc, d) \
	VCVTDQ2PS    sum, sum \
	VBROADCASTSS (DX), Y12 \
	VMULPS       Y9, Y12, Y12 \
	VFMADD231PS  Y12, sum, acc \
	VBROADCASTSS (R13), Y12 \
	VFNMADD231PS Y12, Y10, acc

TEXT ·kq4i16Panel1AVX2(SB), NOSPLIT, $0-56
	MOVQ   xh+0(FP), SI
	MOVQ   xl+8(FP), R8
	MOVQ   xs+16(FP), DX
	MOVQ   bsum+24(FP), R13
	MOVQ   panel+32(FP), DI
	MOVQ   nsb+40(FP), CX
	MOVL   $0x0f0f0f0f, AX
	MOVQ   AX, X15
	VPBROADCASTD X15, Y15
	VXORPS Y6, Y6, Y6
	VXORPS Y7, Y7, Y7
	TESTQ  CX, CX
	JZ     b1done

b1super:
	LEAQ 320(DI), R11
	MOVQ DI, R12
	MOVQ $8, AX

b1block:
	B1CHUNK(0, B1FIRST)
	B1CHUNK(1, B1ADD)
	VPMADDWD k4Words1<>(SB), Y1, Y2
	VPMADDWD k4Words1<>(SB), Y4, Y5
	B1CHUNK(2, B1RESTART)
	B1CHUNK(3, B1ADD)
	B1END(64(R12), 0(DI), Y0, Y1, Y2, Y6)
	B1END(72(R12), 16(DI), Y3, Y4, Y5, Y7)
	ADDQ $32, SI
	ADDQ $32, R8
	ADDQ $4, DX
	ADDQ $4, R13
	ADDQ $256, R11
	ADDQ $16, R12
	DECQ AX
	JNZ  b1block

	ADDQ $2368, DI
	DECQ CX
	JNZ  b1super

b1done:
	MOVQ    out+48(FP), AX
	VMOVUPS Y6, (AX)
	VMOVUPS Y7, 32(AX)
	VZEROUPPER
	RET

// func kq4i16Panel3AVX2(x *int16, xs, bsum *float32, k int, panel *byte, nsb int, out *float32, ostride int)
//
// Three activation rows (k values apart) against a panel, in two passes of
// eight rows (BX the pass), sharing each chunk's words. SI the
// activations (rows R8 bytes apart), DX their scales and R13 their sums
// (rows R9 bytes apart), DI the super-block, R11 the block plus the pass's
// 32 bytes, R12 the super-block plus the pass's 8 bytes plus 16 a block
// (scales), R15 the super-block plus the pass's 16 bytes (d), CX
// super-blocks left, AX blocks left, R10 scratch. Y0–Y5 the integer sums
// (row r: Y(2r), Y(2r+1)), Y6–Y8 the float sums, Y9 the chunk's bytes,
// Y12 activations, Y10/Y11/Y13 as in the macros.

// K4ROW(off, a, b, DOT): one activation row's four at off against the
// words, by DOT (K4DOT, or K4DOTFIRST in a block's first chunk).
#define K4ROW(off, a, b, DOT) \
	VPBROADCASTQ off, Y12 \
	DOT(Y12, a, b)
#define K4CHUNK3(c, LOW) \
	VMOVDQU (64*c)(R11), Y9 \
	VPAND   Y15, Y9, Y10 \
	VPUNPCKHBW Y14, Y10, Y11 \
	VPUNPCKLBW Y14, Y10, Y10 \
	K4ROW((8*c)(SI), Y0, Y1, LOW) \
	K4ROW((8*c)(SI)(R8*1), Y2, Y3, LOW) \
	K4ROW((8*c)(SI)(R8*2), Y4, Y5, LOW) \
	VPSRLW  $4, Y9, Y9 \
	K4WORDS(Y9) \
	K4ROW((32+8*c)(SI), Y0, Y1, K4DOT) \
	K4ROW((32+8*c)(SI)(R8*1), Y2, Y3, K4DOT) \
	K4ROW((32+8*c)(SI)(R8*2), Y4, Y5, K4DOT)

TEXT ·kq4i16Panel3AVX2(SB), NOSPLIT, $0-64
	K4CONST
	XORQ BX, BX

k3pass:
	TILEARGS(bsum)
	VXORPS Y6, Y6, Y6
	VXORPS Y7, Y7, Y7
	VXORPS Y8, Y8, Y8
	TESTQ  CX, CX
	JZ     k3passdone

k3super:
	MOVQ BX, R10
	SHLQ $3, R10
	LEAQ (DI)(R10*1), R12      // scales: the pass's 8 bytes in
	LEAQ (DI)(R10*2), R15      // d: 16 bytes in
	LEAQ 320(DI)(R10*4), R11   // chunks: 32 bytes in
	MOVQ $8, AX

k3block:
	K4CHUNK3(0, K4DOTFIRST)
	K4CHUNK3(1, K4DOT)
	K4CHUNK3(2, K4DOT)
	K4CHUNK3(3, K4DOT)
	K4SCALES(64(R12), 0(R15))
	K4END(Y0, Y1, (DX), (R13), Y6)
	K4END(Y2, Y3, (DX)(R9*1), (R13)(R9*1), Y7)
	K4END(Y4, Y5, (DX)(R9*2), (R13)(R9*2), Y8)
	ADDQ $64, SI
	ADDQ $4, DX
	ADDQ $4, R13
	ADDQ $256, R11
	ADDQ $16, R12
	DECQ AX
	JNZ  k3block

	ADDQ $2368, DI
	DECQ CX
	JNZ  k3super

k3passdone:
	TILEOUT
	VMOVUPS Y6, (R10)
	VMOVUPS Y7, (R10)(AX*1)
	VMOVUPS Y8, (R10)(AX*2)
	INCQ    BX
	CMPQ    BX, $2
	JL      k3pass
	VZEROUPPER
	RET

// Q6_K panels (kquant.go) against int16 activations: dotQ6KI16Go's
// arithmetic in every output. A block's sub-block 0 is the low nibbles of
// its four chunks (weights 0–15), sub-block 1 the high ones (16–31); the
// top two bits of a chunk's weights are bits 2c, 2c+1 of the bytes of the
// block's first (sub-block 0) or second (sub-block 1) 64-byte plane. The
// quants of eight rows, as K4WORDS lays them out (0–63), VPMADDWD against
// each activation row's four int16, into sums that start from −16·Σx a
// lane (K6START), which takes off the quants' 32; VPHADDD at the
// sub-block's end is rows 0–7 in order. A lane stays below 2²⁵. The
// three-row kernel makes one pass over the chunks a sub-block, the
// one-row kernel one pass for both.
//
// A super-block is taken in two halves, rows 0–7 (the first 32 bytes of
// its lines) then rows 8–15 (the second, from L1), the halves' float sums
// kept in out between them, so a cold panel (decode) streams once.
//
// SI the block's activations (rows R8 bytes apart), DX their scales (rows
// R9 bytes apart), R10 their offsets (rows 2·R9 apart), the super-block's
// three on the stack (xsup, xssup, offsup); DI the super-block, R11
// the block plus the half's 32 bytes, R12 the super-block plus the half's
// 8 bytes plus 32 a block (scales), R15 the super-block plus the half's 16
// bytes (d), R14 the half's outputs, BX the half, CX super-blocks left, AX
// blocks left. Y0–Y5 the integer sums (row r: Y(2r), Y(2r+1)), Y6–Y8 the
// float sums, Y9 the quants, Y10/Y11 their words, Y12 activations, Y13
// scratch, Y14 zero, Y15 0x0f bytes.

DATA k6High<>+0(SB)/8, $0x3030303030303030
DATA k6High<>+8(SB)/8, $0x3030303030303030
DATA k6High<>+16(SB)/8, $0x3030303030303030
DATA k6High<>+24(SB)/8, $0x3030303030303030
GLOBL k6High<>(SB), RODATA|NOPTR, $32

// K6QUANTS(c, h, NIB, TOP): chunk c's quants of sub-block h for the
// half's eight rows as words in Y10, Y11: NIB takes the nibble, TOP moves
// bits 2c, 2c+1 of the plane to bits 4–5.
#define K6QUANTS(c, h, NIB, TOP) \
	VMOVDQU    (64*c)(R11), Y9 \
	NIB \
	VPAND      Y15, Y9, Y9 \
	VMOVDQU    (256+64*h)(R11), Y10 \
	TOP \
	VPAND      k6High<>(SB), Y10, Y10 \
	VPOR       Y10, Y9, Y9 \
	VPUNPCKHBW Y14, Y9, Y11 \
	VPUNPCKLBW Y14, Y9, Y10
#define K6LOW
#define K6HIGH VPSRLW $4, Y9, Y9
#define K6TOP0 VPSLLW $4, Y10, Y10
#define K6TOP1 VPSLLW $2, Y10, Y10
#define K6TOP2
#define K6TOP3 VPSRLW $2, Y10, Y10

// K6START(off, a, b): an activation row's sub-block sums start from its
// offset −16·Σx in every lane: VPHADDD adds two lanes a row, −32·Σx.
#define K6START(off, a, b) \
	VPBROADCASTD off, a \
	VMOVDQA      a, b

// K6SCALES(h): Y9 = d·scale of sub-block h of the half's eight rows.
#define K6SCALES(h) \
	VPMOVSXBD (64+16*h)(R12), Y9 \
	VCVTDQ2PS Y9, Y9 \
	VCVTPH2PS (R15), Y13 \
	VMULPS    Y13, Y9, Y9

// K6END(a, b, xs, acc): a sub-block's end for eight rows and one
// activation row: acc += Σ·(xs·d·scale).
#define K6END(a, b, xs, acc) \
	VPHADDD      b, a, a \
	VCVTDQ2PS    a, a \
	VBROADCASTSS xs, Y12 \
	VMULPS       Y9, Y12, Y12 \
	VFMADD231PS  Y12, a, acc

// K6ARGS: the arguments common to both kernels, and the constants.
#define K6ARGS \
	MOVQ         x+0(FP), AX \
	MOVQ         AX, xsup-8(SP) \
	MOVQ         xs+8(FP), AX \
	MOVQ         AX, xssup-16(SP) \
	MOVQ         off+16(FP), AX \
	MOVQ         AX, offsup-24(SP) \
	VPXOR        Y14, Y14, Y14 \
	MOVL         $0x0f0f0f0f, AX \
	MOVQ         AX, X15 \
	VPBROADCASTD X15, Y15

// K6SUPERS(out, HALFIN, BLOCK, HALFOUT): the CX super-blocks at DI, each
// in two halves: HALFIN loads the half's float sums from R14 (AX a row of
// outputs), BLOCK does one block, HALFOUT stores them; then returns.
#define K6SUPERS(out, HALFIN, BLOCK, HALFOUT) \
	TESTQ CX, CX \
	JZ    k6done \
k6super: \
	XORQ BX, BX \
k6half: \
	MOVQ xsup-8(SP), SI \
	MOVQ xssup-16(SP), DX \
	MOVQ offsup-24(SP), R10 \
	MOVQ BX, AX \
	SHLQ $3, AX \
	LEAQ (DI)(AX*1), R12 \
	LEAQ (DI)(AX*2), R15 \
	LEAQ 320(DI)(AX*4), R11 \
	SHLQ $2, AX \
	MOVQ out, R14 \
	ADDQ AX, R14 \
	HALFIN \
	MOVQ $8, AX \
k6block: \
	BLOCK \
	ADDQ $64, SI \
	ADDQ $4, DX \
	ADDQ $8, R10 \
	ADDQ $384, R11 \
	ADDQ $32, R12 \
	DECQ AX \
	JNZ  k6block \
	HALFOUT \
	INCQ BX \
	CMPQ BX, $2 \
	JL   k6half \
	ADDQ $512, xsup-8(SP) \
	ADDQ $32, xssup-16(SP) \
	ADDQ $64, offsup-24(SP) \
	ADDQ $3392, DI \
	DECQ CX \
	JNZ  k6super \
k6done: \
	VZEROUPPER \
	RET

// func kq6i16Panel1AVX2(x *int16, xs *float32, off *int32, panel *byte, nsb int, out *float32)
//
// One activation row against a panel (decode, and rows left over).
// The one-row kernel takes both sub-blocks of a chunk together (two
// independent chains, and each chunk and plane loaded once): sub-block 0
// in Y0/Y1, 1 in Y2/Y3; the planes in Y4/Y5, the high nibbles in Y8.
#define K6SH0(p) VPSLLW $4, p, Y10
#define K6SH1(p) VPSLLW $2, p, Y10
#define K6SH2(p) VMOVDQA p, Y10
#define K6SH3(p) VPSRLW $2, p, Y10
#define K6TOPIN(SH, p, q) \
	SH(p) \
	VPAND k6High<>(SB), Y10, Y10 \
	VPOR  Y10, q, q
#define K6DOT1(q, x, a, b) \
	VPUNPCKHBW   Y14, q, Y11 \
	VPUNPCKLBW   Y14, q, Y10 \
	VPBROADCASTQ x, Y12 \
	K4DOT(Y12, a, b)
#define K6CHUNK1(c, SH) \
	VMOVDQU (64*c)(R11), Y9 \
	VPSRLW  $4, Y9, Y8 \
	VPAND   Y15, Y9, Y9 \
	VPAND   Y15, Y8, Y8 \
	K6TOPIN(SH, Y4, Y9) \
	K6TOPIN(SH, Y5, Y8) \
	K6DOT1(Y9, (8*c)(SI), Y0, Y1) \
	K6DOT1(Y8, (32+8*c)(SI), Y2, Y3)
#define K6BLOCK1 \
	PREFETCHT0 2048(R11) \
	PREFETCHT0 2112(R11) \
	PREFETCHT0 2176(R11) \
	PREFETCHT0 2240(R11) \
	PREFETCHT0 2304(R11) \
	PREFETCHT0 2368(R11) \
	K6START(0(R10), Y0, Y1) \
	K6START(4(R10), Y2, Y3) \
	VMOVDQU 256(R11), Y4 \
	VMOVDQU 320(R11), Y5 \
	K6CHUNK1(0, K6SH0) \
	K6CHUNK1(1, K6SH1) \
	K6CHUNK1(2, K6SH2) \
	K6CHUNK1(3, K6SH3) \
	K6SCALES(0) \
	K6END(Y0, Y1, (DX), Y6) \
	K6SCALES(1) \
	K6END(Y2, Y3, (DX), Y6)
#define K6IN1 VMOVUPS (R14), Y6
#define K6OUT1 VMOVUPS Y6, (R14)

TEXT ·kq6i16Panel1AVX2(SB), NOSPLIT, $24-48
	K6ARGS
	MOVQ    panel+24(FP), DI
	MOVQ    nsb+32(FP), CX
	MOVQ    out+40(FP), AX
	VXORPS  Y6, Y6, Y6
	VMOVUPS Y6, (AX)
	VMOVUPS Y6, 32(AX)
	K6SUPERS(out+40(FP), K6IN1, K6BLOCK1, K6OUT1)

// func kq6i16Panel3AVX2(x *int16, xs *float32, off *int32, k int, panel *byte, nsb int, out *float32, ostride int)
//
// Three activation rows (k values apart) against a panel, sharing each
// chunk's words; row t's outputs at out + t·ostride floats.
#define K6ROW3(c, h, NIB, TOP) \
	K6QUANTS(c, h, NIB, TOP) \
	VPBROADCASTQ (32*h+8*c)(SI), Y12 \
	K4DOT(Y12, Y0, Y1) \
	VPBROADCASTQ (32*h+8*c)(SI)(R8*1), Y12 \
	K4DOT(Y12, Y2, Y3) \
	VPBROADCASTQ (32*h+8*c)(SI)(R8*2), Y12 \
	K4DOT(Y12, Y4, Y5)
#define K6SUB3(h, NIB) \
	K6START((4*h)(R10), Y0, Y1) \
	K6START((4*h)(R10)(R9*2), Y2, Y3) \
	K6START((4*h)(R10)(R9*4), Y4, Y5) \
	K6ROW3(0, h, NIB, K6TOP0) \
	K6ROW3(1, h, NIB, K6TOP1) \
	K6ROW3(2, h, NIB, K6TOP2) \
	K6ROW3(3, h, NIB, K6TOP3) \
	K6SCALES(h) \
	K6END(Y0, Y1, (DX), Y6) \
	K6END(Y2, Y3, (DX)(R9*1), Y7) \
	K6END(Y4, Y5, (DX)(R9*2), Y8)
#define K6BLOCK3 \
	K6SUB3(0, K6LOW) \
	K6SUB3(1, K6HIGH)
#define K6IN3(os) \
	MOVQ    os, AX \
	SHLQ    $2, AX \
	VMOVUPS (R14), Y6 \
	VMOVUPS (R14)(AX*1), Y7 \
	VMOVUPS (R14)(AX*2), Y8
#define K6OUT3(os) \
	MOVQ    os, AX \
	SHLQ    $2, AX \
	VMOVUPS Y6, (R14) \
	VMOVUPS Y7, (R14)(AX*1) \
	VMOVUPS Y8, (R14)(AX*2)

TEXT ·kq6i16Panel3AVX2(SB), NOSPLIT, $24-64
	K6ARGS
	MOVQ    k+24(FP), R8
	MOVQ    R8, R9
	SHLQ    $1, R8
	SHRQ    $3, R9
	MOVQ    panel+32(FP), DI
	MOVQ    nsb+40(FP), CX
	MOVQ    out+48(FP), R14
	MOVQ    ostride+56(FP), AX
	SHLQ    $2, AX
	VXORPS  Y6, Y6, Y6
	VMOVUPS Y6, (R14)
	VMOVUPS Y6, 32(R14)
	VMOVUPS Y6, (R14)(AX*1)
	VMOVUPS Y6, 32(R14)(AX*1)
	VMOVUPS Y6, (R14)(AX*2)
	VMOVUPS Y6, 32(R14)(AX*2)
	K6SUPERS(out+48(FP), K6IN3(ostride+56(FP)), K6BLOCK3, K6OUT3(ostride+56(FP)))
