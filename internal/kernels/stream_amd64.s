//go:build amd64 && !purego

#include "textflag.h"

// func readSum512(p *uint64, n int) uint64
// n is a multiple of 32 words: four 64-byte lines an iteration, summed
// into four accumulators (the read is what is measured).
TEXT ·readSum512(SB), NOSPLIT, $0-24
	MOVQ p+0(FP), SI
	MOVQ n+8(FP), CX
	SHRQ $5, CX
	VPXORQ Z0, Z0, Z0
	VPXORQ Z1, Z1, Z1
	VPXORQ Z2, Z2, Z2
	VPXORQ Z3, Z3, Z3
	TESTQ CX, CX
	JZ    done512
loop512:
	VPADDQ (SI), Z0, Z0
	VPADDQ 64(SI), Z1, Z1
	VPADDQ 128(SI), Z2, Z2
	VPADDQ 192(SI), Z3, Z3
	ADDQ   $256, SI
	DECQ   CX
	JNZ    loop512
done512:
	VPADDQ Z1, Z0, Z0
	VPADDQ Z3, Z2, Z2
	VPADDQ Z2, Z0, Z0
	VEXTRACTI64X4 $1, Z0, Y1
	VPADDQ Y1, Y0, Y0
	VEXTRACTI128 $1, Y0, X1
	VPADDQ X1, X0, X0
	VPSHUFD $0x4E, X0, X1
	VPADDQ X1, X0, X0
	VMOVQ X0, AX
	VZEROUPPER
	MOVQ AX, ret+16(FP)
	RET

// func readSum256(p *uint64, n int) uint64
// The same with AVX2: n a multiple of 16 words.
TEXT ·readSum256(SB), NOSPLIT, $0-24
	MOVQ p+0(FP), SI
	MOVQ n+8(FP), CX
	SHRQ $4, CX
	VPXOR Y0, Y0, Y0
	VPXOR Y1, Y1, Y1
	VPXOR Y2, Y2, Y2
	VPXOR Y3, Y3, Y3
	TESTQ CX, CX
	JZ    done256
loop256:
	VPADDQ (SI), Y0, Y0
	VPADDQ 32(SI), Y1, Y1
	VPADDQ 64(SI), Y2, Y2
	VPADDQ 96(SI), Y3, Y3
	ADDQ   $128, SI
	DECQ   CX
	JNZ    loop256
done256:
	VPADDQ Y1, Y0, Y0
	VPADDQ Y3, Y2, Y2
	VPADDQ Y2, Y0, Y0
	VEXTRACTI128 $1, Y0, X1
	VPADDQ X1, X0, X0
	VPSHUFD $0x4E, X0, X1
	VPADDQ X1, X0, X0
	VMOVQ X0, AX
	VZEROUPPER
	MOVQ AX, ret+16(FP)
	RET

// func prefetchRows(p *float32, stride, rows, lines int)
// PREFETCHT1 of the first lines 64-byte lines of rows rows, stride floats
// apart (lines ≥ 1, rows ≥ 1). Into L2, not L1: a prefetch into L1 holds
// one of the core's few L1 miss buffers until its line arrives, and
// attention asks for 64 lines a chunk; on Zen 4 a decode step's cold
// attention read 5–6 GB/s a core with PREFETCHT0 and 9–11 with this.
TEXT ·prefetchRows(SB), NOSPLIT, $0-32
	MOVQ p+0(FP), SI
	MOVQ stride+8(FP), BX
	SHLQ $2, BX
	MOVQ rows+16(FP), CX
prow:
	MOVQ SI, DI
	MOVQ lines+24(FP), DX
pline:
	PREFETCHT1 (DI)
	ADDQ $64, DI
	DECQ DX
	JNZ  pline
	ADDQ BX, SI
	DECQ CX
	JNZ  prow
	RET
