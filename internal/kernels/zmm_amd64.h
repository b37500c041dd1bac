// Macros shared by the AVX-512 kernels.

// ZERO16 clears the accumulators Z0–Z15.
#define ZERO16 \
	VPXORD Z0, Z0, Z0 \
	VPXORD Z1, Z1, Z1 \
	VPXORD Z2, Z2, Z2 \
	VPXORD Z3, Z3, Z3 \
	VPXORD Z4, Z4, Z4 \
	VPXORD Z5, Z5, Z5 \
	VPXORD Z6, Z6, Z6 \
	VPXORD Z7, Z7, Z7 \
	VPXORD Z8, Z8, Z8 \
	VPXORD Z9, Z9, Z9 \
	VPXORD Z10, Z10, Z10 \
	VPXORD Z11, Z11, Z11 \
	VPXORD Z12, Z12, Z12 \
	VPXORD Z13, Z13, Z13 \
	VPXORD Z14, Z14, Z14 \
	VPXORD Z15, Z15, Z15

// STORE16 writes Z0–Z15 to 16 consecutive 64-byte rows at (p).
#define STORE16(p) \
	VMOVUPS Z0, (p) \
	VMOVUPS Z1, 64(p) \
	VMOVUPS Z2, 128(p) \
	VMOVUPS Z3, 192(p) \
	VMOVUPS Z4, 256(p) \
	VMOVUPS Z5, 320(p) \
	VMOVUPS Z6, 384(p) \
	VMOVUPS Z7, 448(p) \
	VMOVUPS Z8, 512(p) \
	VMOVUPS Z9, 576(p) \
	VMOVUPS Z10, 640(p) \
	VMOVUPS Z11, 704(p) \
	VMOVUPS Z12, 768(p) \
	VMOVUPS Z13, 832(p) \
	VMOVUPS Z14, 896(p) \
	VMOVUPS Z15, 960(p)

// REDUCE512 sums the 16 lanes of z into the low lane of x (y and x are its
// lower halves; yt, xt scratch). Every AVX-512 dot ends with it, so a dot's
// result is the same whichever kernel computed it.
#define REDUCE512(z, y, x, yt, xt) \
	VEXTRACTF64X4 $1, z, yt \
	VADDPS        yt, y, y \
	VEXTRACTF32X4 $1, y, xt \
	VADDPS        xt, x, x \
	VHADDPS       x, x, x \
	VHADDPS       x, x, x
