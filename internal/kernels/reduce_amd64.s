//go:build amd64 && !purego

#include "textflag.h"

// reduceOrder16 is the VPERMPS index that puts REDUCE16T's transposed
// sums in order: position a takes element 4·(a mod 4) + a/4.
DATA ·reduceOrder16+0(SB)/4, $0
DATA ·reduceOrder16+4(SB)/4, $4
DATA ·reduceOrder16+8(SB)/4, $8
DATA ·reduceOrder16+12(SB)/4, $12
DATA ·reduceOrder16+16(SB)/4, $1
DATA ·reduceOrder16+20(SB)/4, $5
DATA ·reduceOrder16+24(SB)/4, $9
DATA ·reduceOrder16+28(SB)/4, $13
DATA ·reduceOrder16+32(SB)/4, $2
DATA ·reduceOrder16+36(SB)/4, $6
DATA ·reduceOrder16+40(SB)/4, $10
DATA ·reduceOrder16+44(SB)/4, $14
DATA ·reduceOrder16+48(SB)/4, $3
DATA ·reduceOrder16+52(SB)/4, $7
DATA ·reduceOrder16+56(SB)/4, $11
DATA ·reduceOrder16+60(SB)/4, $15
GLOBL ·reduceOrder16(SB), RODATA|NOPTR, $64
