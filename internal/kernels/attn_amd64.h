// Shared by the attention tiles' assembler (attn256_amd64.s,
// attn512_amd64.s, attnnarrow512_amd64.s).

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

// NARROWSCALES(s0…s3): the four queries' rescale factors (at AX),
// broadcast.
#define NARROWSCALES(s0, s1, s2, s3) \
	VBROADCASTSS 0(AX), s0 \
	VBROADCASTSS 4(AX), s1 \
	VBROADCASTSS 8(AX), s2 \
	VBROADCASTSS 12(AX), s3

// NARROWRESCALE(w, s0…s3, a0…a3, b0…b3): a narrow accumulation pass's
// start: each query's two registers of outputs (w bytes apart, at DX plus
// R9 a query) times its rescale factor, into a (the first) and b.
#define NARROWRESCALE(w, s0, s1, s2, s3, a0, a1, a2, a3, b0, b1, b2, b3) \
	VMULPS (DX), s0, a0 \
	VMULPS (DX)(R9*1), s1, a1 \
	VMULPS (DX)(R9*2), s2, a2 \
	VMULPS (DX)(R10*1), s3, a3 \
	VMULPS w(DX), s0, b0 \
	VMULPS w(DX)(R9*1), s1, b1 \
	VMULPS w(DX)(R9*2), s2, b2 \
	VMULPS w(DX)(R10*1), s3, b3

// EXPCONSTS loads the constants EXP uses into Z20–Z30.
#define EXPCONSTS \
	MOVL $0xc2ae999a, AX \
	VPBROADCASTD AX, Z20 \
	MOVL $0x42b16666, AX \
	VPBROADCASTD AX, Z21 \
	MOVL $0x3fb8aa3b, AX \
	VPBROADCASTD AX, Z22 \
	MOVL $0x3f318000, AX \
	VPBROADCASTD AX, Z23 \
	MOVL $0xb95e8083, AX \
	VPBROADCASTD AX, Z24 \
	MOVL $0x3ab60b61, AX \
	VPBROADCASTD AX, Z25 \
	MOVL $0x3c088889, AX \
	VPBROADCASTD AX, Z26 \
	MOVL $0x3d2aaaab, AX \
	VPBROADCASTD AX, Z27 \
	MOVL $0x3e2aaaab, AX \
	VPBROADCASTD AX, Z28 \
	MOVL $0x3f000000, AX \
	VPBROADCASTD AX, Z29 \
	MOVL $0x3f800000, AX \
	VPBROADCASTD AX, Z30

// EXP computes e^x for the 16 lanes of x into y (t is scratch; x is
// clobbered): 2^k · p(r), k = round(x·log2 e), r = x − k·ln 2 with ln 2 in
// two parts (0.693359375 − 2.12194440e-4), p the degree-6 Taylor polynomial
// (|r| ≤ ln2/2: relative error < 3e-7), 2^k by VSCALEFPS. x is clamped to
// [-87.3, 88.7]; e^0 is exactly 1.
#define EXP(x, y, t) \
	VMAXPS       Z20, x, x \
	VMINPS       Z21, x, x \
	VMULPS       Z22, x, t \
	VRNDSCALEPS  $0, t, t \
	VFNMADD231PS Z23, t, x \
	VFNMADD231PS Z24, t, x \
	VMOVAPS      Z25, y \
	VFMADD213PS  Z26, x, y \
	VFMADD213PS  Z27, x, y \
	VFMADD213PS  Z28, x, y \
	VFMADD213PS  Z29, x, y \
	VFMADD213PS  Z30, x, y \
	VFMADD213PS  Z30, x, y \
	VSCALEFPS    t, y, y

// SOFTMAXARGS loads the arguments of an AVX-512 softmax step (s, m, l,
// mult *float32, masks *uint16) into SI, R8, BX, DX, DI and EXP's
// constants.
#define SOFTMAXARGS \
	MOVQ s+0(FP), SI \
	MOVQ m+8(FP), R8 \
	MOVQ l+16(FP), BX \
	MOVQ mult+24(FP), DX \
	MOVQ masks+32(FP), DI \
	EXPCONSTS

// RESCALEBY(new, old, diff, diffz, e, t, k, mult): an online softmax
// step's rescale factors, mult = e^(old − new) in the lanes where the
// running maximum grew (k: new > old), else exactly 1 (Z30 holds 1s);
// diff is old − new (diffz the same register as a zmm), e and t scratch.
#define RESCALEBY(new, old, diff, diffz, e, t, k, mult) \
	VCMPPS  $0x0e, old, new, k \
	VSUBPS  new, old, diff \
	EXP(diffz, e, t) \
	VMOVAPS Z30, mult \
	VMOVAPS e, k, mult
