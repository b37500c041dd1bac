//go:build amd64 && !purego

#include "textflag.h"
#include "q4_amd64.h"
#include "ymm_amd64.h"

// 4-bit × int8 kernel (q4.go) for the AVX2 family over one 16-row panel,
// in two halves of eight rows (one row a lane). Per block and half: the
// four 32-byte chunk halves unpack into low and high nibbles; VPMADDUBSW
// multiplies each by the activations' matching four int8 (broadcast once
// per block) into 16-bit pair sums, which are added across the block's
// eight groups (at most 8 · 2 · 15 · 127 = 30480: no saturation) and
// widened by VPMADDWD against ones: each row's exact Σ nibble × int8, the
// same integer as VPDPBUSD's. Then the correction, conversion, combined
// scale and fused multiply-add of dotQ4Go: bit-identical to the VNNI
// kernel (q4_amd64.s).

// Q4CHUNK(off, lo, hi): half a chunk (eight rows' four bytes) at off(DI):
// its low nibbles against the activation group lo, its high nibbles
// against hi, pair sums added into Y14. Y10: 0x0f bytes; Y12, Y13 scratch.
#define Q4CHUNK(off, lo, hi) \
	VMOVDQU     off(DI), Y12 \
	VPAND       Y10, Y12, Y13 \
	VPMADDUBSW  lo, Y13, Y13 \
	VPADDW      Y13, Y14, Y14 \
	VPSRLW      $4, Y12, Y12 \
	VPAND       Y10, Y12, Y12 \
	VPMADDUBSW  hi, Y12, Y13 \
	VPADDW      Y13, Y14, Y14

// Q4HALF(off, sc, acc): rows 8·off/32 … of the panel block at (DI) (off =
// 0 or 32), their scales at sc, into acc. Y0–Y7: the activations' eight
// groups of four, broadcast; Y11: ones (words). Y12–Y15 scratch.
#define Q4HALF(off, sc, acc) \
	VPXOR       Y14, Y14, Y14 \
	Q4CHUNK(off, Y0, Y4) \
	Q4CHUNK(64+off, Y1, Y5) \
	Q4CHUNK(128+off, Y2, Y6) \
	Q4CHUNK(192+off, Y3, Y7) \
	VPMADDWD    Y11, Y14, Y14 \
	VPBROADCASTD (R15), Y15 \
	VPADDD      Y15, Y14, Y14 \
	VCVTDQ2PS   Y14, Y14 \
	VCVTPH2PS   sc, Y15 \
	VBROADCASTSS (DX), Y13 \
	VMULPS      Y13, Y15, Y15 \
	VFMADD231PS Y15, Y14, acc

// Q4ACTS broadcasts the block's eight groups of four activations (at SI)
// into Y0–Y7.
#define Q4ACTS \
	VPBROADCASTD (SI), Y0 \
	VPBROADCASTD 4(SI), Y1 \
	VPBROADCASTD 8(SI), Y2 \
	VPBROADCASTD 12(SI), Y3 \
	VPBROADCASTD 16(SI), Y4 \
	VPBROADCASTD 20(SI), Y5 \
	VPBROADCASTD 24(SI), Y6 \
	VPBROADCASTD 28(SI), Y7

// func q4Panel1AVX2(xq *int8, corr *int32, xs *float32, nib *byte, sc *uint16, nb int, out *float32)
// One prepared activation row against one panel: 16 outputs at out.
TEXT ·q4Panel1AVX2(SB), NOSPLIT, $0-56
	Q4ARGS1
	MOVL $0x00010001, AX
	MOVQ AX, X11
	VPBROADCASTD X11, Y11
	MOVL $0x0f0f0f0f, AX
	MOVQ AX, X10
	VPBROADCASTD X10, Y10
	VXORPS Y8, Y8, Y8
	VXORPS Y9, Y9, Y9
	TESTQ CX, CX
	JZ    q4p1done
q4p1loop:
	PREFETCHPANEL(DI)
	PREFETCHT0 256(R8)
	Q4ACTS
	Q4HALF(0, (R8), Y8)
	Q4HALF(32, 16(R8), Y9)
	Q4NEXT
	DECQ CX
	JNZ  q4p1loop
q4p1done:
	MOVQ    out+48(FP), AX
	VMOVUPS Y8, (AX)
	VMOVUPS Y9, 32(AX)
	VZEROUPPER
	RET

// Q4CHUNKVNNI(off, lo, hi): Q4CHUNK with VPDPBUSD: the row sums in Y14
// are int32 from the start (no 16-bit pair sums to widen).
#define Q4CHUNKVNNI(off, lo, hi) \
	VMOVDQU    off(DI), Y12 \
	VPAND      Y10, Y12, Y13 \
	VPDPBUSD_Y(14, 13, lo) \
	VPSRLW     $4, Y12, Y12 \
	VPAND      Y10, Y12, Y12 \
	VPDPBUSD_Y(14, 12, hi)

// Q4HALFVNNI(off, sc, acc): Q4HALF with VPDPBUSD, the sums starting from
// the block's correction.
#define Q4HALFVNNI(off, sc, acc) \
	VPBROADCASTD (R15), Y14 \
	Q4CHUNKVNNI(off, 0, 4) \
	Q4CHUNKVNNI(64+off, 1, 5) \
	Q4CHUNKVNNI(128+off, 2, 6) \
	Q4CHUNKVNNI(192+off, 3, 7) \
	VCVTDQ2PS   Y14, Y14 \
	VCVTPH2PS   sc, Y15 \
	VBROADCASTSS (DX), Y13 \
	VMULPS      Y13, Y15, Y15 \
	VFMADD231PS Y15, Y14, acc

// func q4Panel1AVXVNNI(xq *int8, corr *int32, xs *float32, nib *byte, sc *uint16, nb int, out *float32)
// q4Panel1AVX2 with AVX-VNNI: bit-identical (the same exact integers).
TEXT ·q4Panel1AVXVNNI(SB), NOSPLIT, $0-56
	Q4ARGS1
	MOVL $0x0f0f0f0f, AX
	MOVQ AX, X10
	VPBROADCASTD X10, Y10
	VXORPS Y8, Y8, Y8
	VXORPS Y9, Y9, Y9
	TESTQ CX, CX
	JZ    q4v1done
q4v1loop:
	PREFETCHPANEL(DI)
	PREFETCHT0 256(R8)
	Q4ACTS
	Q4HALFVNNI(0, (R8), Y8)
	Q4HALFVNNI(32, 16(R8), Y9)
	Q4NEXT
	DECQ CX
	JNZ  q4v1loop
q4v1done:
	MOVQ    out+48(FP), AX
	VMOVUPS Y8, (AX)
	VMOVUPS Y9, 32(AX)
	VZEROUPPER
	RET

// Q4PANELVNNI(nib, sc, lo, hi): the block of one panel at (nib), scales
// at (sc), into the accumulators lo (rows 0–7), hi (rows 8–15), with the
// activation groups broadcast from (SI) as each is needed (the sixteen
// registers cannot hold them beside four panels' accumulators).
// Y10: 0x0f bytes; Y11–Y15 scratch.
#define Q4CHUNKV4(nib, off, g) \
	VMOVDQU      off(nib), Y12 \
	VPAND        Y10, Y12, Y13 \
	VPBROADCASTD (4*g)(SI), Y11 \
	VPDPBUSD_Y(14, 13, 11) \
	VPSRLW       $4, Y12, Y12 \
	VPAND        Y10, Y12, Y12 \
	VPBROADCASTD (16+4*g)(SI), Y11 \
	VPDPBUSD_Y(14, 12, 11)

#define Q4HALFV4(nib, off, sc, acc) \
	VPBROADCASTD (R15), Y14 \
	Q4CHUNKV4(nib, off, 0) \
	Q4CHUNKV4(nib, 64+off, 1) \
	Q4CHUNKV4(nib, 128+off, 2) \
	Q4CHUNKV4(nib, 192+off, 3) \
	VCVTDQ2PS    Y14, Y14 \
	VCVTPH2PS    sc, Y15 \
	VBROADCASTSS (DX), Y13 \
	VMULPS       Y13, Y15, Y15 \
	VFMADD231PS  Y15, Y14, acc

#define Q4PANELVNNI(nib, sc, lo, hi) \
	PREFETCHPANEL(nib) \
	Q4HALFV4(nib, 0, (sc), lo) \
	Q4HALFV4(nib, 32, 16(sc), hi)

// func q4Panel1x4AVXVNNI(xq *int8, corr *int32, xs *float32, nib *byte, ns int, sc *uint16, ss int, nb int, out *float32, ostride int)
// One prepared activation row against four panels (nib + j·ns bytes, their
// scales sc + j·ss bytes): four streams at once, as q4Panel1x4_512; panel
// j's 16 outputs at out + j·ostride floats, each bit-identical to
// q4Panel1AVXVNNI's.
TEXT ·q4Panel1x4AVXVNNI(SB), NOSPLIT, $0-80
	Q4ARGS1X4
	MOVL $0x0f0f0f0f, AX
	MOVQ AX, X10
	VPBROADCASTD X10, Y10
	ZEROY8
	TESTQ CX, CX
	JZ    q4v4done
q4v4loop:
	Q4PANELVNNI(DI, R8, Y0, Y1)
	Q4PANELVNNI(R11, R9, Y2, Y3)
	Q4PANELVNNI(R12, R10, Y4, Y5)
	Q4PANELVNNI(R13, R14, Y6, Y7)
	Q4NEXT4
	DECQ CX
	JNZ  q4v4loop
q4v4done:
	MOVQ    out+64(FP), AX
	MOVQ    ostride+72(FP), BX
	SHLQ    $2, BX
	VMOVUPS Y0, (AX)
	VMOVUPS Y1, 32(AX)
	VMOVUPS Y2, (AX)(BX*1)
	VMOVUPS Y3, 32(AX)(BX*1)
	LEAQ    (AX)(BX*2), AX
	VMOVUPS Y4, (AX)
	VMOVUPS Y5, 32(AX)
	VMOVUPS Y6, (AX)(BX*1)
	VMOVUPS Y7, 32(AX)(BX*1)
	VZEROUPPER
	RET
