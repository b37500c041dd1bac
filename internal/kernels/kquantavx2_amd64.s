//go:build amd64 && !purego

#include "textflag.h"
#include "q4_amd64.h"
#include "kquant_amd64.h"

// The panel kernels of the K-quants and Q8_0 (kquant.go, q8panels.go) for
// the AVX2 family: on CPUs with AVX-VNNI (ymm VPDPBUSD, hand-encoded), and
// the K-quants' with VPMADDUBSW on the others (at the end):
// dotKQuantGo's and dotQ8PanelsGo's arithmetic in every lane, bit-identical
// to the AVX-512 kernels (kquant_amd64.s). Sixteen ymm registers cannot
// hold a panel's sixteen rows with their accumulators, so KERNEL passes
// over the panel twice, rows 0–7 then 8–15 (one row a lane): the second
// pass reads the panel from cache. STREAMKERNEL, for a panel that comes
// from memory, alternates the halves super-block by super-block. Per chunk, the four bytes of eight rows
// unpack into low and high quants, each multiplied by both activation
// planes' matching four int8 (broadcast).
//
// Registers: SI, R8 the activation planes; DX their floats, R15 their
// integers (16 bytes a block); DI the super-block plus the pass's 32-byte
// lane offset (chunks), R12 plus 8 (byte arrays of the header), R13 plus
// 16 (f16 arrays); BX the block's offset, R10 its scales'; AX blocks left,
// CX super-blocks left, R9 the pass. Y0 the rows' sums, Y1 and Y2 the
// super-block's accumulators, Y3/Y4 (and Y14/Y15 for Q6_K's second
// sub-block) the integer sums of the planes, Y5 the chunk, Y6/Y7 its
// quants, Y8 activations, Y9 0x0f bytes, Y10 the higher bits' mask, Y11/
// Y12 the higher bits, Y13 scratch.

// QUANTS(c): chunk c of the block into Y6 (low quants) and Y7 (high).
#define QUANTS(c) \
	VMOVDQU (320+64*c)(DI)(BX*1), Y5 \
	VPAND   Y9, Y5, Y6 \
	VPSRLW  $4, Y5, Y7 \
	VPAND   Y9, Y7, Y7

// MERGEHIGH(src, shift, v): v |= (src shifted) & Y10; shift is a shift
// instruction and count, or nothing.
#define MERGEL(src, n, v) \
	VPSLLW $n, src, Y13 \
	VPAND  Y10, Y13, Y13 \
	VPOR   Y13, v, v
#define MERGER(src, n, v) \
	VPSRLW $n, src, Y13 \
	VPAND  Y10, Y13, Y13 \
	VPOR   Y13, v, v
#define MERGE0(src, v) \
	VPAND Y10, src, Y13 \
	VPOR  Y13, v, v

// DOT2(lo, hi, c, a, b, p, q): lo and hi quants of chunk c against both
// planes: lo·x[4c] into a, hi·x[16+4c] into b, lo·xl[4c] into p,
// hi·xl[16+4c] into q (register numbers).
#define DOT2(lo, hi, c, a, b, p, q) \
	VPBROADCASTD (4*c)(SI), Y8 \
	VPDPBUSD_Y(a, lo, 8) \
	VPBROADCASTD (16+4*c)(SI), Y8 \
	VPDPBUSD_Y(b, hi, 8) \
	VPBROADCASTD (4*c)(R8), Y8 \
	VPDPBUSD_Y(p, lo, 8) \
	VPBROADCASTD (16+4*c)(R8), Y8 \
	VPDPBUSD_Y(q, hi, 8)

// The chunk's dot products (chosen below per instruction set): DOTS4(c)
// all into Y3 (q) and Y4 (residual); DOTS6(c) the first 16 weights' into
// Y3/Y4, the last 16's into Y14/Y15.
#define DOTS4(c) DOT2(6, 7, c, 3, 3, 4, 4)
#define DOTS6(c) DOT2(6, 7, c, 3, 14, 4, 15)

// Q4CHUNK2(c): a Q4_K chunk.
#define Q4CHUNK2(c) \
	QUANTS(c) \
	DOTS4(c)

// Q5CHUNK2(c): a Q5_K chunk: the fifth bits (Y11: bit c for the low
// quants, 4+c for the high) into bit 4.
#define Q5CHUNK2(c, l, r) \
	QUANTS(c) \
	l \
	r \
	DOTS4(c)

// Q6CHUNK2(c): a Q6_K chunk: the top bits (Y11 low quants', Y12 high
// quants', bits 2c, 2c+1) into bits 4–5.
#define Q6CHUNK2(c, l, r) \
	QUANTS(c) \
	l \
	r \
	DOTS6(c)

// BLOCK4END: a Q4_K/Q5_K block's sums times its scale, into Y1 with the
// planes' scales; its min times bsum into Y2.
#define BLOCK4END \
	VPMOVZXBD    64(R12)(R10*1), Y13 \
	VPMULLD      Y13, Y3, Y3 \
	VPMULLD      Y13, Y4, Y4 \
	VCVTDQ2PS    Y3, Y3 \
	VCVTDQ2PS    Y4, Y4 \
	VBROADCASTSS (DX), Y8 \
	VFMADD231PS  Y8, Y3, Y1 \
	VBROADCASTSS 4(DX), Y8 \
	VFMADD231PS  Y8, Y4, Y1 \
	VPMOVZXBD    192(R12)(R10*1), Y13 \
	VCVTDQ2PS    Y13, Y13 \
	VBROADCASTSS 8(DX), Y8 \
	VFMADD231PS  Y8, Y13, Y2

#define ZEROSUMS \
	VPXOR Y3, Y3, Y3 \
	VPXOR Y4, Y4, Y4

// SUPER4: the rows' sums += d·Y1 − dmin·Y2; Y1, Y2 cleared.
#define SUPER4 \
	VCVTPH2PS    (R13), Y13 \
	VFMADD231PS  Y13, Y1, Y0 \
	VCVTPH2PS    32(R13), Y13 \
	VFNMADD231PS Y13, Y2, Y0 \
	VPXOR        Y1, Y1, Y1 \
	VPXOR        Y2, Y2, Y2

// Q6 block: the sums start from the offsets −32·Σx of each 16.
#define Q6START \
	VPBROADCASTD (R15), Y3 \
	VPBROADCASTD 4(R15), Y14 \
	VPBROADCASTD 8(R15), Y4 \
	VPBROADCASTD 12(R15), Y15

#define BLOCK6END \
	VPMOVSXBD    64(R12)(R10*1), Y11 \
	VPMOVSXBD    80(R12)(R10*1), Y12 \
	VPMULLD      Y11, Y3, Y3 \
	VPMULLD      Y12, Y14, Y14 \
	VPMULLD      Y11, Y4, Y4 \
	VPMULLD      Y12, Y15, Y15 \
	VPADDD       Y14, Y3, Y3 \
	VPADDD       Y15, Y4, Y4 \
	VCVTDQ2PS    Y3, Y3 \
	VCVTDQ2PS    Y4, Y4 \
	VBROADCASTSS (DX), Y8 \
	VFMADD231PS  Y8, Y3, Y1 \
	VBROADCASTSS 4(DX), Y8 \
	VFMADD231PS  Y8, Y4, Y1

#define SUPER6 \
	VCVTPH2PS   (R13), Y13 \
	VFMADD231PS Y13, Y1, Y0 \
	VPXOR       Y1, Y1, Y1

// Q8 block: the sums start from −128·Σx of each plane; chunk c is eight
// rows' weights 4c…4c+3 as q + 128.
#define Q8START \
	VPBROADCASTD (R15), Y3 \
	VPBROADCASTD 4(R15), Y13 \
	VPADDD       Y13, Y3, Y3 \
	VPSLLD       $2, Y3, Y3 \
	VPBROADCASTD 8(R15), Y4 \
	VPBROADCASTD 12(R15), Y13 \
	VPADDD       Y13, Y4, Y4 \
	VPSLLD       $2, Y4, Y4

#define Q8CHUNK(c) \
	VMOVDQU      (320+64*c)(DI)(BX*1), Y5 \
	VPBROADCASTD (4*c)(SI), Y8 \
	VPDPBUSD_Y(3, 5, 8) \
	VPBROADCASTD (4*c)(R8), Y8 \
	VPDPBUSD_Y(4, 5, 8)

#define BLOCK8END \
	VCVTDQ2PS    Y3, Y3 \
	VCVTDQ2PS    Y4, Y4 \
	VCVTPH2PS    (R13)(R10*1), Y13 \
	VBROADCASTSS (DX), Y8 \
	VMULPS       Y8, Y13, Y8 \
	VFMADD231PS  Y8, Y3, Y1 \
	VBROADCASTSS 4(DX), Y8 \
	VMULPS       Y8, Y13, Y8 \
	VFMADD231PS  Y8, Y4, Y1

#define SUPER8 \
	VADDPS Y1, Y0, Y0 \
	VPXOR  Y1, Y1, Y1

// PASS: load a pass's pointers (R9: 0 or 1, the rows' half).
#define PASS \
	KQARGS \
	MOVQ nsb+40(FP), CX \
	LEAQ (DI)(R9*8), R12 \
	LEAQ (R12)(R9*8), R13 \
	MOVQ R9, AX \
	SHLQ $5, AX \
	ADDQ AX, DI \
	VPXOR Y0, Y0, Y0 \
	VPXOR Y1, Y1, Y1 \
	VPXOR Y2, Y2, Y2

// MASKS(high): Y9 = 0x0f bytes, Y10 = the higher bits' mask.
#define MASKS(high) \
	MOVL         $0x0f0f0f0f, AX \
	MOVQ         AX, X9 \
	VPBROADCASTD X9, Y9 \
	MOVL         $high, AX \
	MOVQ         AX, X10 \
	VPBROADCASTD X10, Y10

// PASSEND: the pass's eight sums to out + 32·R9 bytes; the next pass.
#define PASSEND \
	MOVQ    out+48(FP), AX \
	MOVQ    R9, R11 \
	SHLQ    $5, R11 \
	VMOVUPS Y0, (AX)(R11*1) \
	INCQ    R9 \
	CMPQ    R9, $2

#define SUPERNEXT(sb) \
	ADDQ $sb, DI \
	ADDQ $sb, R12 \
	ADDQ $sb, R13

// KERNEL(name, high, sb, bb, sc, START, BODY, END, SUPER): func(xq, xl
// *int8, kf *float32, ki *int32, panel *byte, nsb int, out *float32): one
// activation row against one panel in cache, sixteen outputs at out.
#define KERNEL(name, high, sb, bb, sc, START, BODY, END, SUPER) \
TEXT name, NOSPLIT, $0-56 \
	MASKS(high) \
	XORQ R9, R9 \
pass: \
	PASS \
	TESTQ CX, CX \
	JZ    passdone \
super: \
	XORQ BX, BX \
	XORQ R10, R10 \
	MOVQ $8, AX \
block: \
	PREFETCHT0 2368(DI)(BX*1) \
	PREFETCHT0 2432(DI)(BX*1) \
	START \
	BODY \
	END \
	KQNEXTBLOCK(bb, sc) \
	DECQ AX \
	JNZ  block \
	SUPER \
	SUPERNEXT(sb) \
	DECQ CX \
	JNZ  super \
passdone: \
	PASSEND \
	JL pass \
	VZEROUPPER \
	RET

// PF4, PF5, PF6: prefetch the lines of a span of up to 192, 256, 320
// bytes at R14 (one more line than the span covers, wherever it starts).
#define PF4 \
	PREFETCHT0 (R14) \
	PREFETCHT0 64(R14) \
	PREFETCHT0 128(R14) \
	PREFETCHT0 192(R14)
#define PF5 \
	PF4 \
	PREFETCHT0 256(R14)
#define PF6 \
	PF5 \
	PREFETCHT0 320(R14)

// STREAMKERNEL(name, high, sb, bb, sc, START, BODY, END, SUPER, PF): KERNEL
// for a panel read from memory (decode), each row's arithmetic unchanged.
// Each super-block is taken in two halves, rows 0–7 (lanes 0–31 of its
// lines) then rows 8–15 (lanes 32–63, from L1), the halves' running sums
// kept in out between super-blocks. Both halves prefetch the next
// super-block, a sixteenth of it (sb/16 bytes, PF's span) per block: a
// steady stream. KERNEL's two passes read memory only in the first: on
// Zen 5 it streamed a cold Q4_K matrix at 17.7 GB/s on one core, this at
// 29. On panels in cache (prefill) KERNEL is faster with two threads
// (a quarter, on 64 rows against K = 1024 matrices), so it stays for them.
//
// R9 the half (0, 1), R11 its byte offset in out (32·R9), R14 the
// prefetch pointer.
#define STREAMKERNEL(name, high, sb, bb, sc, START, BODY, END, SUPER, PF) \
TEXT name, NOSPLIT, $0-56 \
	MASKS(high) \
	KQARGS \
	MOVQ    out+48(FP), AX \
	VPXOR   Y0, Y0, Y0 \
	VMOVUPS Y0, (AX) \
	VMOVUPS Y0, 32(AX) \
	MOVQ    nsb+40(FP), CX \
	TESTQ   CX, CX \
	JZ      done \
super: \
	LEAQ sb(DI), R14 \
	XORQ R9, R9 \
half: \
	LEAQ    (DI)(R9*8), R12 \
	LEAQ    (R12)(R9*8), R13 \
	MOVQ    R9, R11 \
	SHLQ    $5, R11 \
	ADDQ    R11, DI \
	MOVQ    out+48(FP), AX \
	VMOVUPS (AX)(R11*1), Y0 \
	VPXOR   Y1, Y1, Y1 \
	VPXOR   Y2, Y2, Y2 \
	XORQ    BX, BX \
	XORQ    R10, R10 \
	MOVQ    $8, AX \
block: \
	PF \
	ADDQ $(sb/16), R14 \
	START \
	BODY \
	END \
	KQNEXTBLOCK(bb, sc) \
	DECQ AX \
	JNZ  block \
	SUPER \
	MOVQ    out+48(FP), AX \
	VMOVUPS Y0, (AX)(R11*1) \
	SUBQ    R11, DI \
	INCQ    R9 \
	CMPQ    R9, $2 \
	JEQ     nextsuper \
	SUBQ    $256, SI \
	SUBQ    $256, R8 \
	SUBQ    $128, DX \
	SUBQ    $128, R15 \
	JMP     half \
nextsuper: \
	ADDQ $sb, DI \
	DECQ CX \
	JNZ  super \
done: \
	VZEROUPPER \
	RET

#define Q4BODY \
	Q4CHUNK2(0) \
	Q4CHUNK2(1) \
	Q4CHUNK2(2) \
	Q4CHUNK2(3)

#define Q5BODY \
	VMOVDQU (320+256)(DI)(BX*1), Y11 \
	Q5CHUNK2(0, MERGEL(Y11, 4, Y6), MERGE0(Y11, Y7)) \
	Q5CHUNK2(1, MERGEL(Y11, 3, Y6), MERGER(Y11, 1, Y7)) \
	Q5CHUNK2(2, MERGEL(Y11, 2, Y6), MERGER(Y11, 2, Y7)) \
	Q5CHUNK2(3, MERGEL(Y11, 1, Y6), MERGER(Y11, 3, Y7))

#define Q6BODY \
	VMOVDQU (320+256)(DI)(BX*1), Y11 \
	VMOVDQU (320+320)(DI)(BX*1), Y12 \
	Q6CHUNK2(0, MERGEL(Y11, 4, Y6), MERGEL(Y12, 4, Y7)) \
	Q6CHUNK2(1, MERGEL(Y11, 2, Y6), MERGEL(Y12, 2, Y7)) \
	Q6CHUNK2(2, MERGE0(Y11, Y6), MERGE0(Y12, Y7)) \
	Q6CHUNK2(3, MERGER(Y11, 2, Y6), MERGER(Y12, 2, Y7))

#define Q8BODY \
	Q8CHUNK(0) \
	Q8CHUNK(1) \
	Q8CHUNK(2) \
	Q8CHUNK(3) \
	Q8CHUNK(4) \
	Q8CHUNK(5) \
	Q8CHUNK(6) \
	Q8CHUNK(7)

// KQ4KERNELS … KQ8KERNELS(panel, stream, START, END): a format's two-pass
// (panel in cache) and streaming (panel from memory) kernels, named panel
// and stream, with the instruction set's block start and end (the dot
// products, DOTS4/DOTS6/Q8CHUNK, as defined where they are instantiated):
// func(xq, xl *int8, kf *float32, ki *int32, panel *byte, nsb int, out *float32).
#define KQ4KERNELS(panel, stream, START, END) \
	KERNEL(panel, 0, 2368, 256, 16, START, Q4BODY, END, SUPER4) \
	STREAMKERNEL(stream, 0, 2368, 256, 16, START, Q4BODY, END, SUPER4, PF4)
#define KQ5KERNELS(panel, stream, START, END) \
	KERNEL(panel, 0x10101010, 2880, 320, 16, START, Q5BODY, END, SUPER4) \
	STREAMKERNEL(stream, 0x10101010, 2880, 320, 16, START, Q5BODY, END, SUPER4, PF4)
#define KQ6KERNELS(panel, stream) \
	KERNEL(panel, 0x30303030, 3392, 384, 32, Q6START, Q6BODY, BLOCK6END, SUPER6) \
	STREAMKERNEL(stream, 0x30303030, 3392, 384, 32, Q6START, Q6BODY, BLOCK6END, SUPER6, PF5)
#define KQ8KERNELS(panel, stream) \
	KERNEL(panel, 0, 4416, 512, 32, Q8START, Q8BODY, BLOCK8END, SUPER8) \
	STREAMKERNEL(stream, 0, 4416, 512, 32, Q8START, Q8BODY, BLOCK8END, SUPER8, PF6)

KQ4KERNELS(·kq4PanelAVXVNNI(SB), ·kq4StreamAVXVNNI(SB), ZEROSUMS, BLOCK4END)
KQ5KERNELS(·kq5PanelAVXVNNI(SB), ·kq5StreamAVXVNNI(SB), ZEROSUMS, BLOCK4END)
KQ6KERNELS(·kq6PanelAVXVNNI(SB), ·kq6StreamAVXVNNI(SB))
KQ8KERNELS(·kq8PanelAVXVNNI(SB), ·kq8StreamAVXVNNI(SB))

// Q5_K's kernels for AVX2 without VNNI (VPMADDUBSW, VPMADDWD): the same
// exact integers, so bit-identical. (Q4_K, Q6_K and Q8_0 multiply int16
// activations there instead: act16avx2_amd64.s.)
//
// They keep VPMADDUBSW's 16-bit pair sums through the block (VPADDW), the
// low quants' in Y3/Y4 and the high quants' in Y14/Y15, and widen them
// once at its end (WIDEN4): four chunks of at most 2 · 31 · 127 = 7874 a
// word stay below 2¹⁵, and the multiply ports take half the instructions
// of widening every chunk.
#undef DOTS4
#define MDOTW(w, off, a, p) \
	VPBROADCASTD off(SI), Y8 \
	VPMADDUBSW   Y8, w, Y5 \
	VPADDW       Y5, a, a \
	VPBROADCASTD off(R8), Y8 \
	VPMADDUBSW   Y8, w, Y5 \
	VPADDW       Y5, p, p
#define DOTS4(c) \
	MDOTW(Y6, (4*c), Y3, Y4) \
	MDOTW(Y7, (16+4*c), Y14, Y15)
#define ZEROSUMSW \
	ZEROSUMS \
	VPXOR Y14, Y14, Y14 \
	VPXOR Y15, Y15, Y15
#define WIDEN4 \
	VMOVDQU  kqOnes<>(SB), Y13 \
	VPMADDWD Y13, Y3, Y3 \
	VPMADDWD Y13, Y14, Y14 \
	VPADDD   Y14, Y3, Y3 \
	VPMADDWD Y13, Y4, Y4 \
	VPMADDWD Y13, Y15, Y15 \
	VPADDD   Y15, Y4, Y4 \
	BLOCK4END
DATA kqOnes<>+0(SB)/8, $0x0001000100010001
DATA kqOnes<>+8(SB)/8, $0x0001000100010001
DATA kqOnes<>+16(SB)/8, $0x0001000100010001
DATA kqOnes<>+24(SB)/8, $0x0001000100010001
GLOBL kqOnes<>(SB), RODATA|NOPTR, $32

KQ5KERNELS(·kq5PanelAVX2(SB), ·kq5StreamAVX2(SB), ZEROSUMSW, WIDEN4)

// Q8_0 without VNNI multiplies int16 activations instead (q8i16avx2_amd64.s).
