//go:build amd64 && !purego

#include "textflag.h"

// Tables for packAMX512. amxOddWords picks the high halves (bf16) of 32
// dwords from two registers; amxPairsLo/Hi interleave eight high-half pairs
// with eight low-half pairs as qwords; amxScatterIdx spaces qwords one
// 64-byte tile row apart.
DATA amxOddWords<>+0(SB)/8, $0x0007000500030001
DATA amxOddWords<>+8(SB)/8, $0x000f000d000b0009
DATA amxOddWords<>+16(SB)/8, $0x0017001500130011
DATA amxOddWords<>+24(SB)/8, $0x001f001d001b0019
DATA amxOddWords<>+32(SB)/8, $0x0027002500230021
DATA amxOddWords<>+40(SB)/8, $0x002f002d002b0029
DATA amxOddWords<>+48(SB)/8, $0x0037003500330031
DATA amxOddWords<>+56(SB)/8, $0x003f003d003b0039
GLOBL amxOddWords<>(SB), RODATA|NOPTR, $64
DATA amxPairsLo<>+0(SB)/8, $0x0000001000000000
DATA amxPairsLo<>+8(SB)/8, $0x0000001100000001
DATA amxPairsLo<>+16(SB)/8, $0x0000001200000002
DATA amxPairsLo<>+24(SB)/8, $0x0000001300000003
DATA amxPairsLo<>+32(SB)/8, $0x0000001400000004
DATA amxPairsLo<>+40(SB)/8, $0x0000001500000005
DATA amxPairsLo<>+48(SB)/8, $0x0000001600000006
DATA amxPairsLo<>+56(SB)/8, $0x0000001700000007
GLOBL amxPairsLo<>(SB), RODATA|NOPTR, $64
DATA amxPairsHi<>+0(SB)/8, $0x0000001800000008
DATA amxPairsHi<>+8(SB)/8, $0x0000001900000009
DATA amxPairsHi<>+16(SB)/8, $0x0000001a0000000a
DATA amxPairsHi<>+24(SB)/8, $0x0000001b0000000b
DATA amxPairsHi<>+32(SB)/8, $0x0000001c0000000c
DATA amxPairsHi<>+40(SB)/8, $0x0000001d0000000d
DATA amxPairsHi<>+48(SB)/8, $0x0000001e0000000e
DATA amxPairsHi<>+56(SB)/8, $0x0000001f0000000f
GLOBL amxPairsHi<>(SB), RODATA|NOPTR, $64
DATA amxScatterIdx<>+0(SB)/8, $0
DATA amxScatterIdx<>+8(SB)/8, $8
DATA amxScatterIdx<>+16(SB)/8, $16
DATA amxScatterIdx<>+24(SB)/8, $24
DATA amxScatterIdx<>+32(SB)/8, $32
DATA amxScatterIdx<>+40(SB)/8, $40
DATA amxScatterIdx<>+48(SB)/8, $48
DATA amxScatterIdx<>+56(SB)/8, $56
GLOBL amxScatterIdx<>(SB), RODATA|NOPTR, $64

// ROUNDBF16(x, r, t) rounds the f32 lanes of x to bf16 (nearest, ties to
// even) in place of r: the high half of each r lane is the bf16, the low
// half zero. Z30 holds 0x7FFF, Z31 0xFFFF0000 in every lane.
#define ROUNDBF16(x, r, t) \
	VPSRLD $16, x, t \
	VPANDD  Z29, t, t \
	VPADDD  Z30, x, r \
	VPADDD  t, r, r \
	VPANDD  Z31, r, r

// func packAMX512(dst *uint64, x *float32, steps int)
//
// packAMX for one activation row: its `steps` chunks of 32 columns at x
// go to the same row slot of consecutive tiles from dst on (dst points at
// the row's qword in the first tile; tiles are 1 KiB apart, tile rows 64
// bytes). NaN inputs are not preserved (as bf16 they may become Inf or 0).
TEXT ·packAMX512(SB), NOSPLIT, $0-24
	MOVQ dst+0(FP), DI
	MOVQ x+8(FP), SI
	MOVQ steps+16(FP), CX
	MOVL $0x7FFF, AX
	VPBROADCASTD AX, Z30
	MOVL $0xFFFF0000, AX
	VPBROADCASTD AX, Z31
	MOVL $1, AX
	VPBROADCASTD AX, Z29
	VMOVDQU64 amxOddWords<>(SB), Z28
	VMOVDQU64 amxPairsLo<>(SB), Z27
	VMOVDQU64 amxPairsHi<>(SB), Z26
	VMOVDQU64 amxScatterIdx<>(SB), Z25

step:
	VMOVUPS (SI), Z0
	VMOVUPS 64(SI), Z1
	ROUNDBF16(Z0, Z2, Z10)
	ROUNDBF16(Z1, Z3, Z11)
	VSUBPS Z2, Z0, Z4           // the remainders, exact
	VSUBPS Z3, Z1, Z5
	ROUNDBF16(Z4, Z6, Z12)
	ROUNDBF16(Z5, Z7, Z13)
	VMOVDQA64 Z2, Z8
	VPERMT2W  Z3, Z28, Z8       // Z8: the 16 high-half pairs
	VMOVDQA64 Z6, Z9
	VPERMT2W  Z7, Z28, Z9       // Z9: the 16 low-half pairs
	VMOVDQA64 Z8, Z10
	VPERMT2D  Z9, Z27, Z10      // pairs 0–7 as (high, low) qwords
	VPERMT2D  Z9, Z26, Z8       // pairs 8–15
	KXNORB    K1, K1, K1
	VPSCATTERQQ Z10, K1, (DI)(Z25*8)
	KXNORB    K2, K2, K2
	VPSCATTERQQ Z8, K2, 512(DI)(Z25*8)
	ADDQ $128, SI
	ADDQ $1024, DI
	DECQ CX
	JNZ  step
	VZEROUPPER
	RET
