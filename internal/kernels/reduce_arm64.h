// Macros shared by the NEON kernels (needs neon_arm64.h first).

// REDUCE leaves ((a0+b0)+(a1+b1)) + ((a2+b2)+(a3+b3)) in lane 0 of a: the
// two 4-lane accumulators of a dot summed in dotGo's order.
#define REDUCE(a, b) FADD_4S(a, a, b); FADDP_4S(a, a, a); FADDP_4S(a, a, a)
