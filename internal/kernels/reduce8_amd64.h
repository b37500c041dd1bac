// REDUCE sums the two 8-lane accumulators ya, yb into the low lane of xa
// (xb, the low half of yb, is scratch): dotF32AVX2's reduction, which the
// f16 kernels (f16_amd64.s) share so that their results equal it.
#define REDUCE(ya, yb, xa, xb) \
	VADDPS       yb, ya, ya \
	VEXTRACTF128 $1, ya, xb \
	VADDPS       xb, xa, xa \
	VHADDPS      xa, xa, xa \
	VHADDPS      xa, xa, xa
