// DP(acc, x, w): VDPBF16PS Z<w>, Z<x>, Z<acc> (acc += pairs of x · pairs
// of w), registers by number. EVEX: 62, then R X B R' 0 0 1 0 (inverted
// register bits), W vvvv 1 pp (pp = F3), z L'L b V' aaa, opcode 52, ModRM.
#define DP(acc, x, w) BYTE $0x62; BYTE $((((acc>>3)&1)^1)<<7 | (((w>>4)&1)^1)<<6 | (((w>>3)&1)^1)<<5 | (((acc>>4)&1)^1)<<4 | 2); BYTE $((((x&15)^15)<<3) | 6); BYTE $(0x40 | (((x>>4)&1)^1)<<3); BYTE $0x52; BYTE $(0xC0 | (acc&7)<<3 | (w&7))
