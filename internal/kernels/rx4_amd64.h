// RX4ARGS loads the arguments of the two- and three-row bf16 tiles of
// batched decode (bf16avx2_amd64.s, dot512_amd64.s),
// func(x *float32, xs int, w *uint16, ws int, n int, out *float32):
// activation rows x + r·xs (floats) at SI, R8, R9; weight rows w + c·ws
// (elements) at DI, R11, R12, R13; n in CX, out in DX; AX, BX clobbered.
#define RX4ARGS \
	MOVQ x+0(FP), SI \
	MOVQ xs+8(FP), AX \
	LEAQ (SI)(AX*4), R8 \
	LEAQ (R8)(AX*4), R9 \
	MOVQ w+16(FP), DI \
	MOVQ ws+24(FP), BX \
	SHLQ $1, BX \
	MOVQ n+32(FP), CX \
	MOVQ out+40(FP), DX \
	LEAQ (DI)(BX*1), R11 \
	LEAQ (R11)(BX*1), R12 \
	LEAQ (R12)(BX*1), R13
