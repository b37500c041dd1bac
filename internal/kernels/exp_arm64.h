// e^x in NEON, four lanes, as the x86 kernels compute it (swigluNEON,
// attnSoftmaxNEON): x clamped to [−87.3, 88.3] (so 2^k stays a normal
// power), k = round(x·log2 e), r = x − k·ln 2 with ln 2 in two parts, the
// degree-6 Taylor polynomial of e^r by Horner's rule, and 2^k added to its
// exponent field. Within 1e-6 (relative) of the float64 definition.

// CONST broadcasts the 32-bit pattern c into the four lanes of v (R9
// scratch).
#define CONST(c, v) MOVD $c, R9; VDUP R9, v.S4

// EXPCONSTS puts EXP's constants in V20–V30: −87.3, 88.3, log2 e, ln 2's
// high part 0.693359375 and low part −2.12194440e−4, 1/720, 1/120, 1/24,
// 1/6, 1/2, 1.
#define EXPCONSTS \
	CONST(0xc2ae999a, V20) \
	CONST(0x42b0999a, V21) \
	CONST(0x3fb8aa3b, V22) \
	CONST(0x3f318000, V23) \
	CONST(0xb95e8083, V24) \
	CONST(0x3ab60b61, V25) \
	CONST(0x3c088889, V26) \
	CONST(0x3d2aaaab, V27) \
	CONST(0x3e2aaaab, V28) \
	CONST(0x3f000000, V29) \
	CONST(0x3f800000, V30)

// EXP(x, k, a, b): Vb = e^Vx (register numbers), EXPCONSTS loaded; Vx
// (left holding r), Vk and Va clobbered.
#define EXP(x, k, a, b) \
	FMAX_4S(x, x, 20) \
	FMIN_4S(x, x, 21) \
	FMUL_4S(k, x, 22) \
	FRINTN_4S(k, k) \
	FMLS_4S(x, k, 23) \
	FMLS_4S(x, k, 24) \
	ORR_16B(a, 26, 26) \
	FMLA_4S(a, x, 25) \
	ORR_16B(b, 27, 27) \
	FMLA_4S(b, x, a) \
	ORR_16B(a, 28, 28) \
	FMLA_4S(a, x, b) \
	ORR_16B(b, 29, 29) \
	FMLA_4S(b, x, a) \
	ORR_16B(a, 30, 30) \
	FMLA_4S(a, x, b) \
	ORR_16B(b, 30, 30) \
	FMLA_4S(b, x, a) \
	FCVTZS_4S(k, k) \
	SHL23_4S(k, k) \
	ADD_4S(b, b, k)
