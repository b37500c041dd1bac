package kernels

import "math"

// act16 is activations rounded to int16 per 32-value block: the fast
// tier's form for Q8_0, Q4_K and Q6_K weights on CPUs whose integer dot product
// is VPMADDWD (AVX2 without AVX-VNNI). There an int8 activation needs
// VPMADDUBSW and a widening VPMADDWD per product, and the two int8 planes
// that keep the fast tier close to exact (q8panels.go, kquant.go) twice
// that; one int16 plane is a single VPMADDWD per 16 products, on weights
// widened once for several activation rows, and holds a bit more than the
// two planes together (2¹⁵ levels per block against about 2¹⁴).
type act16 struct {
	q     []int16   // per row K values
	scale []float32 // per block amax/32767
	corr  []int32   // per block 128·Σq: the kernels multiply q + 128 (Q8_0 panel bytes)
	sum   []float32 // per block Σq × scale, rounded once (the Q4_K mins multiply it)
	// per 16 values −16·Σq: the Q6_K kernels start both dword lanes of a
	// row's sub-block sum from it, which subtracts 32·Σq, the quants'
	// offset (q − 32), instead of subtracting 32 from every quant.
	off16 []int32
	// q's high bytes (signed) and low bytes (unsigned), q = 256·hi + lo:
	// byte operands for VPMADDUBSW (the one-row Q4_K kernel).
	hi []int8
	lo []uint8
}

// prepare rounds T rows of x (width K, a multiple of 32) into a with the
// specification (roundAct16Go).
func (a *act16) prepare(x []float32, T, K int) {
	a.resize(T * K)
	a.roundRows(x, K, 0, T, roundAct16Go)
}

// resize makes a hold n values.
func (a *act16) resize(n int) {
	if cap(a.q) < n {
		a.q, a.hi, a.lo = backed[int16](n), backed[int8](n), backed[uint8](n)
		a.scale, a.corr, a.sum = backed[float32](n/Q8Block), backed[int32](n/Q8Block), backed[float32](n/Q8Block)
		a.off16 = backed[int32](n / 16)
	}
	nb := n / Q8Block
	a.q, a.hi, a.lo = a.q[:n], a.hi[:n], a.lo[:n]
	a.scale, a.corr, a.sum = a.scale[:nb], a.corr[:nb], a.sum[:nb]
	a.off16 = a.off16[:n/16]
}

// roundRows rounds rows [lo, hi) of x (width K) into a (sized already)
// with round (a family's roundAct16: roundAct16Go or a kernel equal to it).
func (a *act16) roundRows(x []float32, K, lo, hi int,
	round func(x []float32, q []int16, hi []int8, lo []uint8, scale []float32, corr []int32, sum []float32, off16 []int32)) {
	v0, v1, b0, b1 := lo*K, hi*K, lo*K/Q8Block, hi*K/Q8Block
	round(x[v0:v1], a.q[v0:v1], a.hi[v0:v1], a.lo[v0:v1], a.scale[b0:b1], a.corr[b0:b1], a.sum[b0:b1], a.off16[2*b0:2*b1])
}

// roundAct16Go rounds x (a whole number of 32-value blocks) into act16's
// form: q = round-half-even(x·(32767/amax)) in float32, clamped to
// ±32767 (a non-finite block gives what it gives, never a panic), the
// block's scale amax/32767 in float32, 128·Σq, and Σq × scale; q's high
// and low bytes in hi and lo; and −16·Σq of each 16 values in off16.
func roundAct16Go(x []float32, q []int16, hi []int8, lo []uint8, scale []float32, corr []int32, sum []float32, off16 []int32) {
	for b := range len(x) / Q8Block {
		o := b * Q8Block
		xs, qs := x[o:o+Q8Block], q[o:o+Q8Block]
		amax := absMax(xs)
		id := float32(0)
		if amax != 0 {
			id = 32767 / amax
		}
		var halves [2]int32
		for j, v := range xs {
			r := math.RoundToEven(float64(v * id))
			qs[j] = int16(max(-32767, min(32767, r)))
			hi[o+j], lo[o+j] = int8(qs[j]>>8), uint8(qs[j])
			halves[j/16] += int32(qs[j])
		}
		total := halves[0] + halves[1]
		off16[2*b], off16[2*b+1] = -16*halves[0], -16*halves[1]
		corr[b] = 128 * total
		scale[b] = amax / 32767
		sum[b] = float32(total) * scale[b]
	}
}

// dotQ8PanelsI16Go is the dot of activation row t (prepared) with row n of
// a Q8_0 panel matrix: per block the exact integer Σ q·x, converted to
// float32, times the activation's scale × the block's (rounded to
// float32), fused-multiply-added into the accumulator, block after block.
// The specification of the VPMADDWD kernels.
func dotQ8PanelsI16Go(a *act16, t int, w *Mat, n int) float32 {
	nb := w.Cols / Q8Block
	var acc float32
	for s := 0; s < w.Cols/KQuantBlock; s++ {
		sb, l := kqSuper(w, n, s)
		for k := 0; k < 8; k++ {
			b := t*nb + 8*s + k
			S, d := q8PanelBlockDot(sb, l, k, a.q[b*Q8Block:(b+1)*Q8Block])
			acc = fma32(float32(S), a.scale[b]*d, acc)
		}
	}
	return acc
}

// dotQ4KI16Go is the dot of activation row t (prepared) with row n of a
// Q4_K matrix on int16 activations: per 32-value block the exact integer
// Σ q·x (at most 32·15·32767 < 2²⁴, so exact in float32 too), times the
// activation's scale × d·scale (each product rounded to float32),
// fused-multiply-added into the accumulator, then dmin·min times the
// block's sum fused-multiply-subtracted from it, block after block. The
// specification of the VPMADDWD kernels. One accumulator per row (not
// dotKQuantGo's three) is what lets them hold three activation rows.
func dotQ4KI16Go(a *act16, t int, w *Mat, n int) float32 {
	nb := w.Cols / Q8Block
	var acc float32
	for s := 0; s < w.Cols/KQuantBlock; s++ {
		sb, l := kqSuper(w, n, s)
		d, dmin := kqHalf(sb, 0, l), kqHalf(sb, 32, l)
		for k := 0; k < 8; k++ {
			b := t*nb + 8*s + k
			xq := a.q[b*Q8Block : (b+1)*Q8Block]
			var S int32
			for j := 0; j < 32; j++ {
				S += kqQuant(FormatQ4K, sb, l, k, j) * int32(xq[j])
			}
			ds, dm := d*float32(sb[64+16*k+l]), dmin*float32(sb[192+16*k+l])
			acc = fma32(float32(S), a.scale[b]*ds, acc)
			acc = fma32(-dm, a.sum[b], acc)
		}
	}
	return acc
}

// dotQ6KI16Go is the dot of activation row t (prepared) with row n of a
// Q6_K matrix on int16 activations: per 16-weight sub-block the exact
// integer Σ (q−32)·x (at most 16·32·32767 < 2²⁴, so exact in float32
// too), times the activation block's scale × d·scale (each product
// rounded to float32), fused-multiply-added into the accumulator, sub-block
// after sub-block. The specification of the VPMADDWD kernels.
func dotQ6KI16Go(a *act16, t int, w *Mat, n int) float32 {
	nb := w.Cols / Q8Block
	var acc float32
	for s := 0; s < w.Cols/KQuantBlock; s++ {
		sb, l := kqSuper(w, n, s)
		d := kqHalf(sb, 0, l)
		for k := 0; k < 8; k++ {
			b := t*nb + 8*s + k
			xq := a.q[b*Q8Block : (b+1)*Q8Block]
			for h := 0; h < 2; h++ {
				var S int32
				for j := 16 * h; j < 16*h+16; j++ {
					S += (kqQuant(FormatQ6K, sb, l, k, j) - 32) * int32(xq[j])
				}
				ds := d * float32(int8(sb[64+16*(2*k+h)+l]))
				acc = fma32(float32(S), a.scale[b]*ds, acc)
			}
		}
	}
	return acc
}
