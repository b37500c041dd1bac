// Macros shared by the panel kernels (q4_amd64.s, q4avx2_amd64.s,
// kquantavx2_amd64.s).
// Registers: SI activations (int8), R15 their corrections, DX their
// scales, DI the (first) panel, R8 its scales, CX the blocks left; the
// four-panel kernels' other panels in R11–R13, their scales in R9, R10, R14.

// Q4ARGS1 loads a one-panel kernel's arguments (xq, corr, xs, nib, sc, nb).
#define Q4ARGS1 \
	MOVQ xq+0(FP), SI \
	MOVQ corr+8(FP), R15 \
	MOVQ xs+16(FP), DX \
	MOVQ nib+24(FP), DI \
	MOVQ sc+32(FP), R8 \
	MOVQ nb+40(FP), CX

// Q4ARGS1X4 loads a four-panel kernel's arguments (xq, corr, xs, nib, ns,
// sc, ss, nb): panel j at nib + j·ns, its scales at sc + j·ss.
#define Q4ARGS1X4 \
	MOVQ xq+0(FP), SI \
	MOVQ corr+8(FP), R15 \
	MOVQ xs+16(FP), DX \
	MOVQ nib+24(FP), DI \
	MOVQ ns+32(FP), AX \
	LEAQ (DI)(AX*1), R11 \
	LEAQ (R11)(AX*1), R12 \
	LEAQ (R12)(AX*1), R13 \
	MOVQ sc+40(FP), R8 \
	MOVQ ss+48(FP), AX \
	LEAQ (R8)(AX*1), R9 \
	LEAQ (R9)(AX*1), R10 \
	LEAQ (R10)(AX*1), R14 \
	MOVQ nb+56(FP), CX

// PREFETCHPANEL(p): the panel block 2 KiB ahead of (p): its four lines,
// into L2 (see PREFETCHBLOCK in kquant_amd64.s for why not L1).
#define PREFETCHPANEL(p) \
	PREFETCHT1 2048(p) \
	PREFETCHT1 2112(p) \
	PREFETCHT1 2176(p) \
	PREFETCHT1 2240(p)

// Q4NEXT moves the activations and the first panel on by one block.
#define Q4NEXT \
	ADDQ $32, SI \
	ADDQ $4, R15 \
	ADDQ $4, DX \
	ADDQ $256, DI \
	ADDQ $32, R8

// Q4NEXT4 is Q4NEXT for a four-panel kernel.
#define Q4NEXT4 \
	Q4NEXT \
	ADDQ $256, R11 \
	ADDQ $256, R12 \
	ADDQ $256, R13 \
	ADDQ $32, R9 \
	ADDQ $32, R10 \
	ADDQ $32, R14

// VPDPBUSD_Y(d, s1, s2): Yd += the four-byte dot products of Ys1's
// unsigned bytes and Ys2's signed bytes (AVX-VNNI, VEX.256.66.0F38.W0 50
// /r, registers 0–15). Go's assembler emits VPDPBUSD only with EVEX
// (AVX512_VNNI), which CPUs with AVX-VNNI alone (Alder Lake and later
// Intel client cores) reject; the bytes here match GNU as's `{vex}
// vpdpbusd` for every register (TestVEXDotEncoding).
#define VPDPBUSD_Y(d, s1, s2) \
	BYTE $0xc4 \
	BYTE $(((((d)>>3)^1)<<7) | 0x40 | ((((s2)>>3)^1)<<5) | 0x02) \
	BYTE $(((((s1)^15)&15)<<3) | 0x05) \
	BYTE $0x50 \
	BYTE $(0xc0 | (((d)&7)<<3) | ((s2)&7))
