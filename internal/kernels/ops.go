package kernels

import "math"

// dotGo is Σ a[i]·b[i] over len(a), accumulated in a fixed order (eight
// interleaved partial sums, then a fixed tree): the specification of the
// f32 vector dot.
func dotGo(a, b []float32) float32 {
	n := len(a)
	b = b[:n]
	var s0, s1, s2, s3, s4, s5, s6, s7 float32
	i := 0
	for ; i+8 <= n; i += 8 {
		s0 += a[i] * b[i]
		s1 += a[i+1] * b[i+1]
		s2 += a[i+2] * b[i+2]
		s3 += a[i+3] * b[i+3]
		s4 += a[i+4] * b[i+4]
		s5 += a[i+5] * b[i+5]
		s6 += a[i+6] * b[i+6]
		s7 += a[i+7] * b[i+7]
	}
	for ; i < n; i++ {
		s0 += a[i] * b[i]
	}
	return ((s0 + s4) + (s1 + s5)) + ((s2 + s6) + (s3 + s7))
}

// The element-wise ops below exist twice: as package functions, the
// specification in plain Go, and as Pool methods, which run the pool's
// kernel family (AVX-512 where it has it) with bit-identical results. The
// Go loops never let the compiler fuse a multiply into an add (explicit
// float32 conversions), so the specification is the same on every
// architecture.

// Add does dst += src.
func Add(dst, src []float32) { addGo(dst, src) }

// Mul does dst = a ⊙ b.
func Mul(dst, a, b []float32) { mulGo(dst, a, b) }

// RMSNorm writes w ⊙ x / sqrt(mean(x²) + eps) into dst. The weight multiplies
// directly (LFM2 has no 1+w). The statistic is accumulated in float64, in
// eight interleaved partial sums.
func RMSNorm(dst, x, w []float32, eps float32) {
	f := goFamily()
	f.rmsNorm(dst, x, w, eps)
}

// SwiGLU writes silu(gate) ⊙ up into dst, silu(a) = a·σ(a).
func SwiGLU(dst, gate, up []float32) {
	gate, up = gate[:len(dst)], up[:len(dst)]
	for i := range dst {
		g := gate[i]
		dst[i] = g / (1 + float32(math.Exp(float64(-g)))) * up[i]
	}
}

// RoPE rotates one head vector v (len d) in place with the half-split (NeoX)
// rotation: for j < d/2, (v_j, v_{j+d/2}) turns by the angle whose cos and
// sin are cos[j], sin[j].
func RoPE(v, cos, sin []float32) {
	f := goFamily()
	f.ropeHalves(v, cos, sin)
}

// CausalConv runs a depthwise causal convolution over T rows of y (T×D)
// continuing from state ((L-1)×D, oldest row first): for channel c,
// z_t[c] = Σ_k taps[k·D+c] · y_{t-(L-1)+k}[c], summed in tap order, where
// rows before the chunk come from state. Afterwards state holds the last
// L-1 rows of [state ‖ y]. taps is the kernel tap-major, L rows of D.
func CausalConv(z, y, state, taps []float32, T, D, L int) {
	f := goFamily()
	f.causalConv(z, y, state, taps, T, D, L)
}

// Mul is the family's Mul.
func (p *Pool) Mul(dst, a, b []float32) { p.fam.mul(dst, a, b) }

// RMSNorm is the family's RMSNorm.
func (p *Pool) RMSNorm(dst, x, w []float32, eps float32) {
	p.fam.rmsNorm(dst, x, w, eps)
}

// RoPE is the family's RoPE.
func (p *Pool) RoPE(v, cos, sin []float32) { p.fam.ropeHalves(v, cos, sin) }

// CausalConv is the family's CausalConv.
func (p *Pool) CausalConv(z, y, state, taps []float32, T, D, L int) {
	p.fam.causalConv(z, y, state, taps, T, D, L)
}

func (f *family) rmsNorm(dst, x, w []float32, eps float32) {
	s, i := f.sumSquares8(x)
	for _, v := range x[i:] {
		s[0] += float64(v) * float64(v)
	}
	ss := ((s[0] + s[4]) + (s[1] + s[5])) + ((s[2] + s[6]) + (s[3] + s[7]))
	inv := float32(1 / math.Sqrt(ss/float64(len(x))+float64(eps)))
	f.scaleMul(dst[:len(x)], x, w[:len(x)], inv)
}

func (f *family) ropeHalves(v, cos, sin []float32) {
	half := len(v) / 2
	f.rope(v[:half], v[half:2*half], cos[:half], sin[:half])
}

func (f *family) causalConv(z, y, state, taps []float32, T, D, L int) {
	hist := L - 1
	row := func(s int) []float32 { // row s of [state ‖ y], s in [0, hist+T)
		if s < hist {
			return state[s*D : (s+1)*D]
		}
		return y[(s-hist)*D : (s-hist+1)*D]
	}
	for t := 0; t < T; t++ {
		out := z[t*D : (t+1)*D]
		clear(out)
		for k := 0; k < L; k++ {
			f.mulAdd(out, taps[k*D:(k+1)*D], row(t+k))
		}
	}
	// Shift the state: its new rows are rows T..T+hist-1 of [state ‖ y].
	for s := 0; s < hist; s++ {
		copy(state[s*D:(s+1)*D], row(T+s))
	}
}

// The Go forms of the element-wise steps, specifications of the vector ones.

// sumSquares8Go sums x[8i+j]² into s[j] over the whole multiples of 8 and
// returns how many elements it took.
func sumSquares8Go(x []float32) (s [8]float64, n int) {
	n = len(x) &^ 7
	for i := 0; i < n; i += 8 {
		for j := range s {
			v := float64(x[i+j])
			s[j] += v * v
		}
	}
	return s, n
}

func scaleMulGo(dst, x, w []float32, inv float32) {
	x, w = x[:len(dst)], w[:len(dst)]
	for i, v := range x {
		dst[i] = w[i] * (v * inv)
	}
}

func mulGo(dst, a, b []float32) {
	a, b = a[:len(dst)], b[:len(dst)]
	for i := range dst {
		dst[i] = a[i] * b[i]
	}
}

func mulAddGo(dst, a, b []float32) {
	a, b = a[:len(dst)], b[:len(dst)]
	for i := range dst {
		dst[i] += float32(a[i] * b[i])
	}
}

func addGo(dst, src []float32) {
	src = src[:len(dst)]
	for i := range dst {
		dst[i] += src[i]
	}
}

func ropeGo(lo, hi, cos, sin []float32) {
	hi, cos, sin = hi[:len(lo)], cos[:len(lo)], sin[:len(lo)]
	for j, a := range lo {
		b := hi[j]
		lo[j] = float32(a*cos[j]) - float32(b*sin[j])
		hi[j] = float32(b*cos[j]) + float32(a*sin[j])
	}
}

// dotBF16Go is Σ x[i]·w[i] with w in bf16: the specification of the
// vector kernels, with the same eight-way partial sums as dotGo.
func dotBF16Go(x []float32, w []uint16) float32 {
	n := len(w)
	x = x[:n]
	var s0, s1, s2, s3, s4, s5, s6, s7 float32
	i := 0
	for ; i+8 <= n; i += 8 {
		s0 += x[i] * math.Float32frombits(uint32(w[i])<<16)
		s1 += x[i+1] * math.Float32frombits(uint32(w[i+1])<<16)
		s2 += x[i+2] * math.Float32frombits(uint32(w[i+2])<<16)
		s3 += x[i+3] * math.Float32frombits(uint32(w[i+3])<<16)
		s4 += x[i+4] * math.Float32frombits(uint32(w[i+4])<<16)
		s5 += x[i+5] * math.Float32frombits(uint32(w[i+5])<<16)
		s6 += x[i+6] * math.Float32frombits(uint32(w[i+6])<<16)
		s7 += x[i+7] * math.Float32frombits(uint32(w[i+7])<<16)
	}
	for ; i < n; i++ {
		s0 += x[i] * math.Float32frombits(uint32(w[i])<<16)
	}
	return ((s0 + s4) + (s1 + s5)) + ((s2 + s6) + (s3 + s7))
}
