// Macros shared by the AVX-512 kernels.

// ZERO8, ZERO12, ZERO16 clear the accumulators Z0–Z7, Z0–Z11, Z0–Z15.
#define ZERO8 \
	VPXORD Z0, Z0, Z0 \
	VPXORD Z1, Z1, Z1 \
	VPXORD Z2, Z2, Z2 \
	VPXORD Z3, Z3, Z3 \
	VPXORD Z4, Z4, Z4 \
	VPXORD Z5, Z5, Z5 \
	VPXORD Z6, Z6, Z6 \
	VPXORD Z7, Z7, Z7
#define ZERO12 \
	ZERO8 \
	VPXORD Z8, Z8, Z8 \
	VPXORD Z9, Z9, Z9 \
	VPXORD Z10, Z10, Z10 \
	VPXORD Z11, Z11, Z11
#define ZERO16 \
	ZERO12 \
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
// accumulators are gathered into one register and added (HALVES), then
// quarters of four (QUARTERS), then pairs within 128-bit lanes of eight
// (PAIRS, as VHADDPS pairs them). Reducing each accumulator alone with
// REDUCE512 took five times as long. Z24, Z25 scratch.
#define REDUCE16T \
	HALVES(Z0, Z1, Z0) \
	HALVES(Z2, Z3, Z1) \
	HALVES(Z4, Z5, Z2) \
	HALVES(Z6, Z7, Z3) \
	HALVES(Z8, Z9, Z4) \
	HALVES(Z10, Z11, Z5) \
	HALVES(Z12, Z13, Z6) \
	HALVES(Z14, Z15, Z7) \
	QUARTERS(Z0, Z1, Z0) \
	QUARTERS(Z2, Z3, Z1) \
	QUARTERS(Z4, Z5, Z2) \
	QUARTERS(Z6, Z7, Z3) \
	PAIRS(Z0, Z1, Z0) \
	PAIRS(Z2, Z3, Z1) \
	PAIRS(Z0, Z1, Z0)

// REDUCE8T is REDUCE16T for Z16–Z23 into Z1: elements 4l and 4l+1 are
// accumulators 16+l and 20+l (VPERMPS by ·reduceOrder16 puts them in
// order in its low eight).
#define REDUCE8T \
	HALVES(Z16, Z17, Z16) \
	HALVES(Z18, Z19, Z17) \
	HALVES(Z20, Z21, Z18) \
	HALVES(Z22, Z23, Z19) \
	QUARTERS(Z16, Z17, Z16) \
	QUARTERS(Z18, Z19, Z17) \
	PAIRS(Z16, Z17, Z16) \
	PAIRS(Z16, Z16, Z1)

// HALVES(a, b, d): d = [lanes 0–7 of a + its lanes 8–15, the same of b]
// (d may be a or b).
#define HALVES(a, b, d) \
	VSHUFF64X2 $0x44, b, a, Z24 \
	VSHUFF64X2 $0xEE, b, a, Z25 \
	VADDPS     Z25, Z24, d

// QUARTERS(a, b, d): of two HALVES results, each half's lanes 0–3 plus
// its lanes 4–7, four 128-bit lanes: a's two halves, then b's.
#define QUARTERS(a, b, d) \
	VSHUFF32X4 $0x88, b, a, Z24 \
	VSHUFF32X4 $0xDD, b, a, Z25 \
	VADDPS     Z25, Z24, d

// PAIRS(a, b, d): per 128-bit lane, elements (0+1) and (2+3) of a, then
// of b (VHADDPS's order).
#define PAIRS(a, b, d) \
	VSHUFPS $0x88, b, a, Z24 \
	VSHUFPS $0xDD, b, a, Z25 \
	VADDPS  Z25, Z24, d
