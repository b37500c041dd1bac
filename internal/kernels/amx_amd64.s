//go:build amd64 && !purego

#include "textflag.h"
#include "amx_amd64.h"

// OUTPTRS points SI and BX at the current output tiles of amxBF16x2's two blocks.
#define OUTPTRS MOVQ out0+56(FP), SI; ADDQ R11, SI; MOVQ out1+64(FP), BX; ADDQ R11, BX


// func amxBF16(cfg *byte, w *uint16, wstride int, tiles int, b *uint16, ksteps int, out *float32)
//
// For `tiles` consecutive groups of 16 weight rows (stride wstride bytes)
// and one block of activations packed by packAMX (a 1 KiB tile per
// 32-column step), writes each group's 16×16 product tile to out, weight
// row-major (64 bytes a row). A product accumulates step after step in its
// own tile lane, the same whichever group and block it is in, so its value
// depends on its own weight row and activation column only.
//
// Groups go one at a time along the whole width: with one block of
// activations (decode) the weights stream from memory, and 16 row streams
// keep the hardware prefetchers on track where 64 (four groups sharing each
// activation tile) lost a third of the bandwidth on 9 KiB rows.
TEXT ·amxBF16(SB), NOSPLIT, $0-56
	MOVQ cfg+0(FP), AX
	LDTILECFG_AX
	MOVQ w+8(FP), R10
	MOVQ wstride+16(FP), DX
	MOVQ tiles+24(FP), R9
	MOVQ b+32(FP), R12
	MOVQ ksteps+40(FP), R13
	MOVQ out+48(FP), R11
	MOVQ $64, CX
	MOVQ DX, R14
	SHLQ $4, R14            // R14: 16 rows of weights

group:
	CMPQ R9, $1
	JLT  done
	TILEZERO_0
	MOVQ R10, SI
	MOVQ R12, DI
	MOVQ R13, R8

step:
	TILELOADD_7_DI_CX
	TILELOADD_4_SI_DX
	TDP_0_4
	ADDQ $64, SI
	ADDQ $1024, DI
	DECQ R8
	JNZ  step

	MOVQ R11, SI
	TILESTORED_SI_CX_0
	ADDQ $1024, R11
	ADDQ R14, R10
	DECQ R9
	JMP  group

done:
	TILERELEASE
	RET

// func amxBF16x2(cfg *byte, w *uint16, wstride int, tiles int, b0, b1 *uint16, ksteps int, out0, out1 *float32, pairs bool)
//
// amxBF16 for two activation blocks at once (b0 into out0, b1 into out1):
// each weight tile loaded serves both, which halves the weight traffic of
// prefill. With pairs, groups go two at a time (prefill: four products per
// four tile loads), else one at a time (batched decode, where the weights
// stream from memory and 16 row streams keep the prefetchers on track);
// every product is accumulated exactly as amxBF16 accumulates it.
TEXT ·amxBF16x2(SB), NOSPLIT, $0-73
	MOVQ cfg+0(FP), AX
	LDTILECFG_AX
	MOVQ w+8(FP), R10
	MOVQ wstride+16(FP), DX
	MOVQ tiles+24(FP), R9
	MOVQ b0+32(FP), R12
	MOVQ b1+40(FP), R15
	MOVQ ksteps+48(FP), R13
	XORQ R11, R11           // R11: offset into out0 and out1
	MOVQ $64, CX
	MOVQ DX, R14
	SHLQ $4, R14            // R14: 16 rows of weights

pair2:
	MOVBQZX pairs+72(FP), AX
	TESTQ AX, AX
	JZ   single2
	CMPQ R9, $2
	JLT  single2
	TILEZERO_0
	TILEZERO_1
	TILEZERO_2
	TILEZERO_3
	MOVQ R10, SI
	LEAQ (R10)(R14*1), BX
	MOVQ R12, DI
	MOVQ R15, AX
	MOVQ R13, R8

pair2step:
	TILELOADD_4_SI_DX
	TILELOADD_6_DI_CX
	TDP_0_4_6
	TILELOADD_5_BX_DX
	TDP_1_5_6
	TILELOADD_7_AX_CX
	TDP_2_4_7
	TDP_3_5_7
	ADDQ $64, SI
	ADDQ $64, BX
	ADDQ $1024, DI
	ADDQ $1024, AX
	DECQ R8
	JNZ  pair2step

	OUTPTRS
	TILESTORED_SI_CX_0
	TILESTORED_BX_CX_2
	ADDQ $1024, SI
	ADDQ $1024, BX
	TILESTORED_SI_CX_1
	TILESTORED_BX_CX_3
	ADDQ $2048, R11
	LEAQ (R10)(R14*2), R10
	SUBQ $2, R9
	JMP  pair2

single2:
	CMPQ R9, $1
	JLT  done2
	TILEZERO_0
	TILEZERO_2
	MOVQ R10, SI
	MOVQ R12, DI
	MOVQ R15, AX
	MOVQ R13, R8

single2step:
	TILELOADD_4_SI_DX
	TILELOADD_6_DI_CX
	TDP_0_4_6
	TILELOADD_7_AX_CX
	TDP_2_4_7
	ADDQ $64, SI
	ADDQ $1024, DI
	ADDQ $1024, AX
	DECQ R8
	JNZ  single2step

	OUTPTRS
	TILESTORED_SI_CX_0
	TILESTORED_BX_CX_2
	ADDQ $1024, R11
	ADDQ R14, R10
	DECQ R9
	JMP  single2

done2:
	TILERELEASE
	RET
