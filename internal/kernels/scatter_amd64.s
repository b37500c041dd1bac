//go:build amd64 && !purego

#include "textflag.h"

// Tables for amxScatter512: scatEven/scatOdd take the high/low column of
// each activation row from two tile rows; scatSwapA/B<s> exchange bit s of
// the register number with bit s of the lane across a register pair.
DATA scatEven<>+0(SB)/8, $0x0000000200000000
DATA scatEven<>+8(SB)/8, $0x0000000600000004
DATA scatEven<>+16(SB)/8, $0x0000000a00000008
DATA scatEven<>+24(SB)/8, $0x0000000e0000000c
DATA scatEven<>+32(SB)/8, $0x0000001200000010
DATA scatEven<>+40(SB)/8, $0x0000001600000014
DATA scatEven<>+48(SB)/8, $0x0000001a00000018
DATA scatEven<>+56(SB)/8, $0x0000001e0000001c
GLOBL scatEven<>(SB), RODATA|NOPTR, $64
DATA scatOdd<>+0(SB)/8, $0x0000000300000001
DATA scatOdd<>+8(SB)/8, $0x0000000700000005
DATA scatOdd<>+16(SB)/8, $0x0000000b00000009
DATA scatOdd<>+24(SB)/8, $0x0000000f0000000d
DATA scatOdd<>+32(SB)/8, $0x0000001300000011
DATA scatOdd<>+40(SB)/8, $0x0000001700000015
DATA scatOdd<>+48(SB)/8, $0x0000001b00000019
DATA scatOdd<>+56(SB)/8, $0x0000001f0000001d
GLOBL scatOdd<>(SB), RODATA|NOPTR, $64
DATA scatSwapA0<>+0(SB)/8, $0x0000001000000000
DATA scatSwapA0<>+8(SB)/8, $0x0000001200000002
DATA scatSwapA0<>+16(SB)/8, $0x0000001400000004
DATA scatSwapA0<>+24(SB)/8, $0x0000001600000006
DATA scatSwapA0<>+32(SB)/8, $0x0000001800000008
DATA scatSwapA0<>+40(SB)/8, $0x0000001a0000000a
DATA scatSwapA0<>+48(SB)/8, $0x0000001c0000000c
DATA scatSwapA0<>+56(SB)/8, $0x0000001e0000000e
GLOBL scatSwapA0<>(SB), RODATA|NOPTR, $64
DATA scatSwapB0<>+0(SB)/8, $0x0000001100000001
DATA scatSwapB0<>+8(SB)/8, $0x0000001300000003
DATA scatSwapB0<>+16(SB)/8, $0x0000001500000005
DATA scatSwapB0<>+24(SB)/8, $0x0000001700000007
DATA scatSwapB0<>+32(SB)/8, $0x0000001900000009
DATA scatSwapB0<>+40(SB)/8, $0x0000001b0000000b
DATA scatSwapB0<>+48(SB)/8, $0x0000001d0000000d
DATA scatSwapB0<>+56(SB)/8, $0x0000001f0000000f
GLOBL scatSwapB0<>(SB), RODATA|NOPTR, $64
DATA scatSwapA1<>+0(SB)/8, $0x0000000100000000
DATA scatSwapA1<>+8(SB)/8, $0x0000001100000010
DATA scatSwapA1<>+16(SB)/8, $0x0000000500000004
DATA scatSwapA1<>+24(SB)/8, $0x0000001500000014
DATA scatSwapA1<>+32(SB)/8, $0x0000000900000008
DATA scatSwapA1<>+40(SB)/8, $0x0000001900000018
DATA scatSwapA1<>+48(SB)/8, $0x0000000d0000000c
DATA scatSwapA1<>+56(SB)/8, $0x0000001d0000001c
GLOBL scatSwapA1<>(SB), RODATA|NOPTR, $64
DATA scatSwapB1<>+0(SB)/8, $0x0000000300000002
DATA scatSwapB1<>+8(SB)/8, $0x0000001300000012
DATA scatSwapB1<>+16(SB)/8, $0x0000000700000006
DATA scatSwapB1<>+24(SB)/8, $0x0000001700000016
DATA scatSwapB1<>+32(SB)/8, $0x0000000b0000000a
DATA scatSwapB1<>+40(SB)/8, $0x0000001b0000001a
DATA scatSwapB1<>+48(SB)/8, $0x0000000f0000000e
DATA scatSwapB1<>+56(SB)/8, $0x0000001f0000001e
GLOBL scatSwapB1<>(SB), RODATA|NOPTR, $64
DATA scatSwapA2<>+0(SB)/8, $0x0000000100000000
DATA scatSwapA2<>+8(SB)/8, $0x0000000300000002
DATA scatSwapA2<>+16(SB)/8, $0x0000001100000010
DATA scatSwapA2<>+24(SB)/8, $0x0000001300000012
DATA scatSwapA2<>+32(SB)/8, $0x0000000900000008
DATA scatSwapA2<>+40(SB)/8, $0x0000000b0000000a
DATA scatSwapA2<>+48(SB)/8, $0x0000001900000018
DATA scatSwapA2<>+56(SB)/8, $0x0000001b0000001a
GLOBL scatSwapA2<>(SB), RODATA|NOPTR, $64
DATA scatSwapB2<>+0(SB)/8, $0x0000000500000004
DATA scatSwapB2<>+8(SB)/8, $0x0000000700000006
DATA scatSwapB2<>+16(SB)/8, $0x0000001500000014
DATA scatSwapB2<>+24(SB)/8, $0x0000001700000016
DATA scatSwapB2<>+32(SB)/8, $0x0000000d0000000c
DATA scatSwapB2<>+40(SB)/8, $0x0000000f0000000e
DATA scatSwapB2<>+48(SB)/8, $0x0000001d0000001c
DATA scatSwapB2<>+56(SB)/8, $0x0000001f0000001e
GLOBL scatSwapB2<>(SB), RODATA|NOPTR, $64

// PAIRSUM(off, z, t): the pair sums of the tile rows at off and off + 512
// (SI) into z (high column + low column of each activation row); t scratch.
#define PAIRSUM(off, z, t) \
	VMOVUPS   off(SI), z \
	VMOVUPS   off(SI), t \
	VPERMT2PS (off+512)(SI), Z16, z \
	VPERMT2PS (off+512)(SI), Z17, t \
	VADDPS    t, z, z

// SWAPBIT(a, b, ta, tb): one step of the transpose, exchanging a register
// bit with a lane bit across a and b by the tables ta, tb; Z8 scratch.
#define SWAPBIT(a, b, ta, tb) \
	VMOVAPS   a, Z8 \
	VPERMT2PS b, ta, a \
	VPERMT2PS b, tb, Z8 \
	VMOVAPS   Z8, b

// STOREROW(z, t): activation row t's 16 values to DX if t < nt (R9); DX on
// a row.
#define STOREROW(z, t) \
	CMPQ    R9, $t \
	JLE     next \
	VMOVUPS z, (DX) \
	ADDQ    BX, DX

// func amxScatter512(dst *float32, n int, out *float32, groups int, nt int)
//
// scatterAMX for whole 16-row groups: out holds `groups` tiles of 16 weight
// rows × (high, low) columns of 8 activation rows; each activation row t <
// nt gets high + low of its 16 weight rows written to dst + t·n + 16·group.
// Per group: pair sums of rows j and j+8 in Z_j (lanes t, 8+t), then a
// 16×8 transpose in three register-bit/lane-bit swaps, leaving row t's 16
// values in Z_t.
TEXT ·amxScatter512(SB), NOSPLIT, $0-40
	MOVQ dst+0(FP), DI
	MOVQ n+8(FP), BX
	SHLQ $2, BX              // BX: bytes between activation rows of dst
	MOVQ out+16(FP), SI
	MOVQ groups+24(FP), CX
	MOVQ nt+32(FP), R9
	VMOVDQU64 scatEven<>(SB), Z16
	VMOVDQU64 scatOdd<>(SB), Z17
	VMOVDQU64 scatSwapA0<>(SB), Z18
	VMOVDQU64 scatSwapB0<>(SB), Z19
	VMOVDQU64 scatSwapA1<>(SB), Z20
	VMOVDQU64 scatSwapB1<>(SB), Z21
	VMOVDQU64 scatSwapA2<>(SB), Z22
	VMOVDQU64 scatSwapB2<>(SB), Z23

group:
	PAIRSUM(0, Z0, Z8)
	PAIRSUM(64, Z1, Z9)
	PAIRSUM(128, Z2, Z10)
	PAIRSUM(192, Z3, Z11)
	PAIRSUM(256, Z4, Z12)
	PAIRSUM(320, Z5, Z13)
	PAIRSUM(384, Z6, Z14)
	PAIRSUM(448, Z7, Z15)
	SWAPBIT(Z0, Z1, Z18, Z19)
	SWAPBIT(Z2, Z3, Z18, Z19)
	SWAPBIT(Z4, Z5, Z18, Z19)
	SWAPBIT(Z6, Z7, Z18, Z19)
	SWAPBIT(Z0, Z2, Z20, Z21)
	SWAPBIT(Z1, Z3, Z20, Z21)
	SWAPBIT(Z4, Z6, Z20, Z21)
	SWAPBIT(Z5, Z7, Z20, Z21)
	SWAPBIT(Z0, Z4, Z22, Z23)
	SWAPBIT(Z1, Z5, Z22, Z23)
	SWAPBIT(Z2, Z6, Z22, Z23)
	SWAPBIT(Z3, Z7, Z22, Z23)
	MOVQ DI, DX
	STOREROW(Z0, 0)
	STOREROW(Z1, 1)
	STOREROW(Z2, 2)
	STOREROW(Z3, 3)
	STOREROW(Z4, 4)
	STOREROW(Z5, 5)
	STOREROW(Z6, 6)
	STOREROW(Z7, 7)

next:
	ADDQ $1024, SI
	ADDQ $64, DI
	DECQ CX
	JNZ  group
	VZEROUPPER
	RET
