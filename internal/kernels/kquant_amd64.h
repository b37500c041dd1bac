// Macros shared by the panel kernels of the K-quants and Q8_0
// (kquant_amd64.s, kquantavx2_amd64.s). Registers: SI, R8 the activation
// planes, DX their floats, R15 their integers, DI the panel, BX the
// block's offset in the super-block, R10 its scales'.

// KQARGS loads the arguments every panel kernel starts with (xq, xl, kf,
// ki, panel).
#define KQARGS \
	MOVQ xq+0(FP), SI \
	MOVQ xl+8(FP), R8 \
	MOVQ kf+16(FP), DX \
	MOVQ ki+24(FP), R15 \
	MOVQ panel+32(FP), DI

// KQNEXTBLOCK(bb, sc): the activations and offsets on by a block (bb bytes
// of panel block, sc of scales).
#define KQNEXTBLOCK(bb, sc) \
	ADDQ $32, SI \
	ADDQ $32, R8 \
	ADDQ $16, DX \
	ADDQ $16, R15 \
	ADDQ $bb, BX \
	ADDQ $sc, R10
