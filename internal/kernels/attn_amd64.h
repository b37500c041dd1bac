// Shared by the attention tiles' assembler (attn256_amd64.s,
// attnnarrow512_amd64.s).

// NARROWACCARGS loads the arguments of a narrow accumulation tile
// (ot, p, v, scale *float32, d, vstride int): DX ot, SI p, R8 v, AX
// scale, CX d, BX the row stride of v and R9 a query's row of ot (d
// floats), in bytes, R10 three such rows.
#define NARROWACCARGS \
	MOVQ ot+0(FP), DX \
	MOVQ p+8(FP), SI \
	MOVQ v+16(FP), R8 \
	MOVQ scale+24(FP), AX \
	MOVQ d+32(FP), CX \
	MOVQ vstride+40(FP), BX \
	SHLQ $2, BX \
	MOVQ CX, R9 \
	SHLQ $2, R9 \
	LEAQ (R9)(R9*2), R10

// ZEROY8 clears the accumulators Y0–Y7.
#define ZEROY8 \
	VXORPS Y0, Y0, Y0 \
	VXORPS Y1, Y1, Y1 \
	VXORPS Y2, Y2, Y2 \
	VXORPS Y3, Y3, Y3 \
	VXORPS Y4, Y4, Y4 \
	VXORPS Y5, Y5, Y5 \
	VXORPS Y6, Y6, Y6 \
	VXORPS Y7, Y7, Y7
