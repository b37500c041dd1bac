package kernels

import "math"

// The AMX family multiplies bf16 weights by f32 activations on the tile
// unit, which takes bf16 on both sides. Each activation x is split as
// hi + lo, hi = bf16(x) and lo = bf16(x - hi), which carries 16 significant
// bits of x (an error below 2⁻¹⁸ of it); the two halves are two columns
// of the activation tile, their products two f32 sums added at the end.
// The tile unit does 16 weight rows × 16 columns × 32 products an
// instruction, where an AVX-512 FMA does 16.

// amxRows is the tile height: a group of 16 weight rows.
const amxRows = 16

// amxBlock is how many activation rows one tile holds: 8, as a high and a
// low column each.
const amxBlock = 8

// amxStep is how many uint16 one 32-column step of a block takes packed:
// 16 rows (column pairs) of 16 (activation row, half) pairs of bf16.
const amxStep = 16 * 16 * 2

// amxCovers tells whether the AMX kernel serves w: bf16 rows of whole
// 32-column steps. (Its rows past the last multiple of 16, if any, are
// always left to the AVX-512 tiles.)
func amxCovers(w *Mat) bool {
	return w.Format() == FormatBF16 && w.Cols%32 == 0
}

// splitBF16 returns the high and low bf16 halves of x.
func splitBF16(x float32) (hi, lo uint16) {
	hi = F32ToBF16(x)
	lo = F32ToBF16(x - math.Float32frombits(uint32(hi)<<16))
	return hi, lo
}

// packAMX writes tiles [u0, u1) of x [T×K] in the tile layout. Tile u is
// activation block u/ksteps (rows 8b to 8b+7) at 32-column step u%ksteps:
// 16 rows, one per column pair, each holding for every activation row its
// high pair then its low pair (one uint64: hi0 hi1 lo0 lo1). Rows past T
// are zero.
func packAMX(dst []uint64, x []float32, T, K, u0, u1 int) {
	ksteps := K / 32
	for u := u0; u < u1; u++ {
		tile := dst[u*amxStep/4 : (u+1)*amxStep/4]
		t0, c0 := u/ksteps*amxBlock, u%ksteps*32
		for r := 0; r < amxBlock; r++ {
			if t0+r >= T {
				clearAMXRow(dst, u, u+1, r)
				continue
			}
			xs := x[(t0+r)*K+c0 : (t0+r)*K+c0+32]
			for kp := 0; kp < 16; kp++ {
				h0, l0 := splitBF16(xs[2*kp])
				h1, l1 := splitBF16(xs[2*kp+1])
				tile[kp*amxBlock+r] = uint64(h0) | uint64(h1)<<16 | uint64(l0)<<32 | uint64(l1)<<48
			}
		}
	}
}

// clearAMXRow zeroes activation row slot r (0 ≤ r < 8) of tiles [u0, u1):
// the padding past T in the last block.
func clearAMXRow(dst []uint64, u0, u1, r int) {
	for u := u0; u < u1; u++ {
		for kp := 0; kp < 16; kp++ {
			dst[u*amxStep/4+kp*amxBlock+r] = 0
		}
	}
}

// scatterAMXGo is the specification of scatterAMX: out holds output tiles
// for weight rows [c, c+rows) (each row: high and low column of 8
// activation rows); activation row t0+i, i < nt, gets high + low.
func scatterAMXGo(dst []float32, N int, out []float32, t0, nt, c, rows int) {
	for t := t0; t < t0+nt; t++ {
		d, col := dst[t*N+c:t*N+c+rows], 2*(t-t0)
		for r := range d {
			d[r] = out[r*amxRows+col] + out[r*amxRows+col+1]
		}
	}
}
