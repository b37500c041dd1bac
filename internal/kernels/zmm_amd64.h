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

// REDUCE16T sums the 16 lanes of each of Z0–Z15 in REDUCE512's order
// (lane i + lane i+8, then + lane i+4, then (0+1) + (2+3)) for all of them
// at once, into Z0 transposed: element 4l+m is accumulator l+4m's sum
// (VPERMPS by ·reduceOrder16 puts them in order). Halves of two
// accumulators are gathered into one register and added (VSHUFF64X2),
// then quarters of four (VSHUFF32X4), then pairs within 128-bit lanes of
// eight (VSHUFPS, as VHADDPS pairs them). Reducing each accumulator alone
// with REDUCE512 took five times as long. Z24, Z25 scratch.
#define REDUCE16T \
	VSHUFF64X2 $0x44, Z1, Z0, Z24 \
	VSHUFF64X2 $0xEE, Z1, Z0, Z25 \
	VADDPS     Z25, Z24, Z0 \
	VSHUFF64X2 $0x44, Z3, Z2, Z24 \
	VSHUFF64X2 $0xEE, Z3, Z2, Z25 \
	VADDPS     Z25, Z24, Z1 \
	VSHUFF64X2 $0x44, Z5, Z4, Z24 \
	VSHUFF64X2 $0xEE, Z5, Z4, Z25 \
	VADDPS     Z25, Z24, Z2 \
	VSHUFF64X2 $0x44, Z7, Z6, Z24 \
	VSHUFF64X2 $0xEE, Z7, Z6, Z25 \
	VADDPS     Z25, Z24, Z3 \
	VSHUFF64X2 $0x44, Z9, Z8, Z24 \
	VSHUFF64X2 $0xEE, Z9, Z8, Z25 \
	VADDPS     Z25, Z24, Z4 \
	VSHUFF64X2 $0x44, Z11, Z10, Z24 \
	VSHUFF64X2 $0xEE, Z11, Z10, Z25 \
	VADDPS     Z25, Z24, Z5 \
	VSHUFF64X2 $0x44, Z13, Z12, Z24 \
	VSHUFF64X2 $0xEE, Z13, Z12, Z25 \
	VADDPS     Z25, Z24, Z6 \
	VSHUFF64X2 $0x44, Z15, Z14, Z24 \
	VSHUFF64X2 $0xEE, Z15, Z14, Z25 \
	VADDPS     Z25, Z24, Z7 \
	VSHUFF32X4 $0x88, Z1, Z0, Z24 \
	VSHUFF32X4 $0xDD, Z1, Z0, Z25 \
	VADDPS     Z25, Z24, Z0 \
	VSHUFF32X4 $0x88, Z3, Z2, Z24 \
	VSHUFF32X4 $0xDD, Z3, Z2, Z25 \
	VADDPS     Z25, Z24, Z1 \
	VSHUFF32X4 $0x88, Z5, Z4, Z24 \
	VSHUFF32X4 $0xDD, Z5, Z4, Z25 \
	VADDPS     Z25, Z24, Z2 \
	VSHUFF32X4 $0x88, Z7, Z6, Z24 \
	VSHUFF32X4 $0xDD, Z7, Z6, Z25 \
	VADDPS     Z25, Z24, Z3 \
	VSHUFPS    $0x88, Z1, Z0, Z24 \
	VSHUFPS    $0xDD, Z1, Z0, Z25 \
	VADDPS     Z25, Z24, Z0 \
	VSHUFPS    $0x88, Z3, Z2, Z24 \
	VSHUFPS    $0xDD, Z3, Z2, Z25 \
	VADDPS     Z25, Z24, Z1 \
	VSHUFPS    $0x88, Z1, Z0, Z24 \
	VSHUFPS    $0xDD, Z1, Z0, Z25 \
	VADDPS     Z25, Z24, Z0

// REDUCE8T is REDUCE16T for Z16–Z23 into Z1: elements 4l and 4l+1 are
// accumulators 16+l and 20+l (VPERMPS by ·reduceOrder16 puts them in
// order in its low eight).
#define REDUCE8T \
	VSHUFF64X2 $0x44, Z17, Z16, Z24 \
	VSHUFF64X2 $0xEE, Z17, Z16, Z25 \
	VADDPS     Z25, Z24, Z16 \
	VSHUFF64X2 $0x44, Z19, Z18, Z24 \
	VSHUFF64X2 $0xEE, Z19, Z18, Z25 \
	VADDPS     Z25, Z24, Z17 \
	VSHUFF64X2 $0x44, Z21, Z20, Z24 \
	VSHUFF64X2 $0xEE, Z21, Z20, Z25 \
	VADDPS     Z25, Z24, Z18 \
	VSHUFF64X2 $0x44, Z23, Z22, Z24 \
	VSHUFF64X2 $0xEE, Z23, Z22, Z25 \
	VADDPS     Z25, Z24, Z19 \
	VSHUFF32X4 $0x88, Z17, Z16, Z24 \
	VSHUFF32X4 $0xDD, Z17, Z16, Z25 \
	VADDPS     Z25, Z24, Z16 \
	VSHUFF32X4 $0x88, Z19, Z18, Z24 \
	VSHUFF32X4 $0xDD, Z19, Z18, Z25 \
	VADDPS     Z25, Z24, Z17 \
	VSHUFPS    $0x88, Z17, Z16, Z24 \
	VSHUFPS    $0xDD, Z17, Z16, Z25 \
	VADDPS     Z25, Z24, Z16 \
	VSHUFPS    $0x88, Z16, Z16, Z24 \
	VSHUFPS    $0xDD, Z16, Z16, Z25 \
	VADDPS     Z25, Z24, Z1
