// Macros shared by the activation-rounding kernels (act8_amd64.s,
// act8avx2_amd64.s).

// ARGS8 loads roundAct8's arguments (x, q, corr, scale, blocks).
#define ARGS8 \
	MOVQ x+0(FP), SI \
	MOVQ q+8(FP), DI \
	MOVQ corr+16(FP), R8 \
	MOVQ scale+24(FP), R9 \
	MOVQ blocks+32(FP), CX

// KARGS loads roundActK's arguments (x, q, scale, kq, kf, ki, blocks)
// into the registers KBLOCKEND steps.
#define KARGS \
	MOVQ x+0(FP), SI \
	MOVQ q+8(FP), DI \
	MOVQ scale+16(FP), R9 \
	MOVQ kq+24(FP), R11 \
	MOVQ kf+32(FP), R10 \
	MOVQ ki+40(FP), R8 \
	MOVQ blocks+48(FP), CX

// KBLOCKEND(scale, rscale, bsum): a block of roundActK done: its floats
// {scale, the residual's scale, bsum, 0} at (R10), and the pointers on by
// a block (x at SI, q at DI, scales at R9, residual int8 at R11, floats at
// R10, integers at R8).
#define KBLOCKEND(scale, rscale, bsum) \
	MOVSS scale, (R10) \
	MOVSS rscale, 4(R10) \
	MOVSS bsum, 8(R10) \
	MOVL  $0, 12(R10) \
	ADDQ  $128, SI \
	ADDQ  $32, DI \
	ADDQ  $4, R9 \
	ADDQ  $32, R11 \
	ADDQ  $16, R10 \
	ADDQ  $16, R8
