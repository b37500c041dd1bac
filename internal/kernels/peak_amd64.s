//go:build amd64 && !purego

#include "textflag.h"
#include "vdpbf16ps_amd64.h"

// The multiply-add loops MatMulPeak times: twelve independent
// accumulators, more than any x86 core needs to hide the instruction's
// latency at its throughput, so the loop runs at the rate the core issues
// it. VZEROALL clears the accumulators; the sources are ones (two bf16
// ones a dword for VDPBF16PS), so the sums stay normal numbers (they stop
// growing at 2²⁴ and never overflow).

// PEAKLOOP(sources, body): func(iters int), body (twelve instructions
// into Z0–Z11 or Y0–Y11 from the 12th and 13th registers, which sources
// sets) iters times.
#define PEAKLOOP(sources, body) \
	MOVQ iters+0(FP), CX \
	VZEROALL \
	sources \
	TESTQ CX, CX \
	JLE   done \
loop: \
	body \
	DECQ CX \
	JNZ  loop \
done: \
	VZEROUPPER \
	RET

// Two bf16 ones a dword, and f32 ones, in Z12 and Z13; f32 ones in Y12, Y13.
#define BF16ONES MOVL $0x3f803f80, AX; VPBROADCASTD AX, Z12; VMOVDQA64 Z12, Z13
#define F32ONES512 MOVL $0x3f800000, AX; VPBROADCASTD AX, Z12; VMOVDQA64 Z12, Z13
#define F32ONES256 MOVL $0x3f800000, AX; VMOVD AX, X12; VPBROADCASTD X12, Y12; VMOVAPS Y12, Y13

#define DP12 \
	DP(0, 12, 13) \
	DP(1, 12, 13) \
	DP(2, 12, 13) \
	DP(3, 12, 13) \
	DP(4, 12, 13) \
	DP(5, 12, 13) \
	DP(6, 12, 13) \
	DP(7, 12, 13) \
	DP(8, 12, 13) \
	DP(9, 12, 13) \
	DP(10, 12, 13) \
	DP(11, 12, 13)

// FMA12 is twelve VFMADD231PS into r0–r11 of r12 · r13.
#define FMA12(r0, r1, r2, r3, r4, r5, r6, r7, r8, r9, r10, r11, r12, r13) \
	VFMADD231PS r12, r13, r0 \
	VFMADD231PS r12, r13, r1 \
	VFMADD231PS r12, r13, r2 \
	VFMADD231PS r12, r13, r3 \
	VFMADD231PS r12, r13, r4 \
	VFMADD231PS r12, r13, r5 \
	VFMADD231PS r12, r13, r6 \
	VFMADD231PS r12, r13, r7 \
	VFMADD231PS r12, r13, r8 \
	VFMADD231PS r12, r13, r9 \
	VFMADD231PS r12, r13, r10 \
	VFMADD231PS r12, r13, r11
#define FMA12Z FMA12(Z0, Z1, Z2, Z3, Z4, Z5, Z6, Z7, Z8, Z9, Z10, Z11, Z12, Z13)
#define FMA12Y FMA12(Y0, Y1, Y2, Y3, Y4, Y5, Y6, Y7, Y8, Y9, Y10, Y11, Y12, Y13)

// func peakDP512(iters int)
TEXT ·peakDP512(SB), NOSPLIT, $0-8
	PEAKLOOP(BF16ONES, DP12)

// func peakFMA512(iters int)
TEXT ·peakFMA512(SB), NOSPLIT, $0-8
	PEAKLOOP(F32ONES512, FMA12Z)

// func peakFMA256(iters int)
TEXT ·peakFMA256(SB), NOSPLIT, $0-8
	PEAKLOOP(F32ONES256, FMA12Y)
