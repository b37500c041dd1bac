// Macros shared by the activation-rounding kernels (act8_amd64.s,
// act8avx2_amd64.s).

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
