package kernels

import (
	"math/rand/v2"
	"testing"
	"time"
)

// randAffine makes an affine int8 matrix like a K-quant's: 6-bit values,
// per-16 scales, per-16 offsets (zero in every other block, as Q6_K's).
func randAffine(rng *rand.Rand, rows, cols int) Mat {
	q := make([]int8, rows*cols)
	for i := range q {
		q[i] = int8(rng.IntN(64) - 32)
	}
	a := make([]float32, rows*cols/Q8Block*AffineFloats)
	for b := 0; b < len(a)/AffineFloats; b++ {
		a[4*b] = rng.Float32() * 0.01
		a[4*b+1] = rng.Float32() * 0.01
		if b%2 == 0 {
			a[4*b+2] = -rng.Float32() * 0.05
			a[4*b+3] = -rng.Float32() * 0.05
		}
	}
	m, err := NewMatQ8Affine(rows, cols, q, a)
	if err != nil {
		panic(err)
	}
	return m
}

func TestAffineMatMul(t *testing.T) {
	formatTests(t, weightFormat{name: "affine int8", seed: [2]uint64{61, 62}, ts: []int{1, 3, 4, 5, 9},
		shapes: [][2]int{{32, 4}, {96, 33}, {1024, 20}, {256, 7}}, make: randAffine, want: gemmDequantized})
}

// randQ4Affine makes a 4-bit affine matrix like a Q4_K's: values 0–15, a
// scale and a (negative) offset per 32.
func randQ4Affine(rng *rand.Rand, rows, cols int) Mat {
	q := make([]int8, rows*cols)
	for i := range q {
		q[i] = int8(rng.IntN(16))
	}
	a := make([]float32, rows*cols/Q8Block*AffineFloats)
	for b := 0; b < len(a)/AffineFloats; b++ {
		s, o := rng.Float32()*0.01, -rng.Float32()*0.05
		a[4*b], a[4*b+1], a[4*b+2], a[4*b+3] = s, s, o, o
	}
	m8, err := NewMatQ8Affine(rows, cols, q, a)
	if err != nil {
		panic(err)
	}
	m, ok := PackQ4Affine(&m8)
	if !ok {
		panic("a Q4_K-like matrix does not pack to 4-bit affine")
	}
	return m
}

// randQ4Signed makes a signed 4-bit matrix like a Q4_0's held exactly:
// values −8…7 and a scale per 32, packed from int8.
func randQ4Signed(rng *rand.Rand, rows, cols int) Mat {
	q := make([]int8, rows*cols)
	for i := range q {
		q[i] = int8(rng.IntN(16) - 8)
	}
	sc := make([]float32, rows*cols/Q8Block)
	for i := range sc {
		sc[i] = rng.Float32() * 0.01
	}
	m8, err := NewMatQ8(rows, cols, q, sc)
	if err != nil {
		panic(err)
	}
	m, ok := PackQ4Affine(&m8)
	if !ok || !m.Q4Signed {
		panic("a Q4_0-like matrix does not pack to signed 4-bit")
	}
	return m
}

func TestQ4AffineMatMul(t *testing.T) {
	formatTests(t, weightFormat{name: "4-bit affine", seed: [2]uint64{65, 66}, ts: []int{1, 3, 4, 5, 9},
		shapes: [][2]int{{32, 4}, {96, 33}, {1024, 20}, {256, 7}}, make: randQ4Affine, want: gemmDequantized})
	formatTests(t, weightFormat{name: "signed 4-bit", seed: [2]uint64{69, 70}, ts: []int{1, 3, 4, 5, 9},
		shapes: [][2]int{{32, 4}, {96, 33}, {1024, 20}, {256, 7}}, make: randQ4Signed, want: gemmDequantized})
}

// PackQ4Affine keeps every weight of a matrix it packs, and refuses the
// matrices it cannot hold (values past 15, two scales in a block).
func TestPackQ4AffineKeepsWeights(t *testing.T) {
	rng := rand.New(rand.NewPCG(67, 68))
	m8 := randQ4Affine(rng, 3, 64) // packed; rebuild the int8 form to compare
	q := make([]int8, 3*64)
	a := make([]float32, 3*2*AffineFloats)
	for b := 0; b < 6; b++ {
		for j := 0; j < 16; j++ {
			q[b*32+j], q[b*32+16+j] = int8(m8.Q4[b*16+j]&0xf), int8(m8.Q4[b*16+j]>>4)
		}
		s, o := m8.Affine[2*b], m8.Affine[2*b+1]
		a[4*b], a[4*b+1], a[4*b+2], a[4*b+3] = s, s, o, o
	}
	ref := Mat{Rows: 3, Cols: 64, Q8: q, Affine: a}
	got, want := make([]float32, 64), make([]float32, 64)
	for r := 0; r < 3; r++ {
		m8.Row(got, r)
		ref.Row(want, r)
		for i := range got {
			if got[i] != want[i] {
				t.Fatalf("row %d weight %d: packed %v, int8 %v", r, i, got[i], want[i])
			}
		}
	}
	if m8.DType() != "q4-affine" || m8.Bytes() != 3*64/2+6*Q4AffineFloats*4 {
		t.Fatalf("dtype %s, bytes %d", m8.DType(), m8.Bytes())
	}
	wide := randAffine(rng, 2, 64) // 6-bit values, per-16 scales
	if _, ok := PackQ4Affine(&wide); ok {
		t.Fatal("a Q6_K-like matrix was packed to 4 bits")
	}
	// Q4_0 held as int8 packs to signed nibbles with the same weights; a
	// Q8_0-like matrix does not pack.
	q4 := make([]int8, 64)
	for i := range q4 {
		q4[i] = int8(i%16 - 8)
	}
	i8, _ := NewMatQ8(1, 64, q4, []float32{0.25, -3})
	s4, ok := PackQ4Affine(&i8)
	if !ok || !s4.Q4Signed {
		t.Fatal("a Q4_0-like int8 matrix did not pack")
	}
	i8.Row(want, 0)
	s4.Row(got, 0)
	for i := range got {
		if got[i] != want[i] {
			t.Fatalf("signed weight %d: packed %v, int8 %v", i, got[i], want[i])
		}
	}
	q4[5] = 9
	wide8, _ := NewMatQ8(1, 64, q4, []float32{0.25, -3})
	if _, ok := PackQ4Affine(&wide8); ok {
		t.Fatal("an int8 matrix with a value past 7 was packed to 4 bits")
	}
}

// Dequantizing forms each weight as float32(q·scale) + offset, the two
// roundings of ggml's K-quant dequantization, with lanes 0–15 and 16–31 of a
// block taking their own scale and offset.
func TestAffineWeights(t *testing.T) {
	q := make([]int8, 32)
	for i := range q {
		q[i] = int8(i - 16)
	}
	m, err := NewMatQ8Affine(1, 32, q, []float32{0.5, 3, -1, 7})
	if err != nil {
		t.Fatal(err)
	}
	row := make([]float32, 32)
	m.Row(row, 0)
	for i, v := range row {
		s, o := float32(0.5), float32(-1)
		if i >= 16 {
			s, o = 3, 7
		}
		if want := float32(float32(i-16)*s) + o; v != want {
			t.Fatalf("weight %d: %v, want %v", i, v, want)
		}
	}
	if m.DType() != "int8-affine" || m.Bytes() != 32+16 {
		t.Fatalf("dtype %s, bytes %d", m.DType(), m.Bytes())
	}
}

// BenchmarkMatMulDecodeWeightFormats: one decode step (T=1) over 512 MB-ish
// of weights of each storage format, cold (more than the caches hold):
// throughput in weights per second is what decode speed follows; MB/s
// counts the format's bytes. K = 1024, the width of most LFM2 matrices.
func BenchmarkMatMulDecodeWeightFormats(b *testing.B) {
	const K = 1024
	const weights = 256 << 20
	N := weights / K
	rng := rand.New(rand.NewPCG(1, 1))
	p := NewPool(0)
	defer p.Close()
	x := randF32(rng, K)
	dst := make([]float32, N)
	mats := randFormats(rng, N, K)
	mats["f32"], _ = NewMatF32(N, K, randF32(rng, N*K))
	for _, name := range []string{"f32", "bf16", "f16", "int8", "int8-affine", "q4", "q4-affine", "q4_k", "q5_k", "q6_k", "q8_0"} {
		w := mats[name]
		b.Run(name, func(b *testing.B) {
			b.SetBytes(w.Bytes())
			for i := 0; i < b.N; i++ {
				p.MatMul(dst, x, 1, &w)
			}
			b.ReportMetric(float64(weights)*float64(b.N)/b.Elapsed().Seconds()/1e9, "Gweights/s")
		})
	}
}

// BenchmarkMatMulDecodeFormatsAlternating: BenchmarkMatMulDecodeWeightFormats
// for bf16, q4, q4_k, q6_k and q8_0, the formats taking turns call by
// call in one loop (each 256 MB or more, cold), so that a shared
// machine's minute-to-minute swings in read rate fall on all of them
// alike; it reports each format's GB/s and its share of bf16's (the
// kernel that streams at the read rate): the comparison single runs of
// the other benchmark cannot make when the read rate moves ±20% between
// them.
func BenchmarkMatMulDecodeFormatsAlternating(b *testing.B) {
	const K = 1024
	const weights = 256 << 20
	rng := rand.New(rand.NewPCG(1, 1))
	p := NewPool(0)
	defer p.Close()
	bf16, _ := NewMatBF16(weights/2/K, K, randBF16(rng, weights/2)) // 256 MB
	formats := []struct {
		name string
		w    Mat
	}{
		{"bf16", bf16}, // first: the others' rates are given as shares of its
		{"q4", randQ4(rng, weights/K, K)},
		{"q4_k", randKQuant(rng, FormatQ4K, weights/K, K)},
		{"q6_k", randKQuant(rng, FormatQ6K, weights/K, K)},
		{"q8_0", randQ8Panels(rng, weights/K, K)},
	}
	x := randF32(rng, K)
	dst := make([]float32, weights/K)
	took := make([]time.Duration, len(formats))
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		for j := range formats {
			start := time.Now()
			p.MatMul(dst, x, 1, &formats[j].w)
			took[j] += time.Since(start)
		}
	}
	var bf16Rate float64
	for j, f := range formats {
		rate := float64(f.w.Bytes()) * float64(b.N) / took[j].Seconds() / 1e9
		b.ReportMetric(rate, f.name+"-GB/s")
		if j == 0 {
			bf16Rate = rate
			continue
		}
		b.ReportMetric(rate/bf16Rate, f.name+"/bf16")
	}
}

// BenchmarkMatMulPrefillWeightFormats: a 512-token prompt chunk against a
// 1024×4608 matrix (LFM2-350M's w1) in each storage format: GFLOP/s of
// the matrix product, what prefill speed follows.
func BenchmarkMatMulPrefillWeightFormats(b *testing.B) {
	const T, K, N = 512, 1024, 4608
	rng := rand.New(rand.NewPCG(1, 1))
	p := NewPool(0)
	defer p.Close()
	x := randF32(rng, T*K)
	dst := make([]float32, T*N)
	mats := randFormats(rng, N, K)
	for _, name := range []string{"bf16", "f16", "int8", "int8-affine", "q4", "q4-affine", "q4_k", "q5_k", "q6_k", "q8_0"} {
		w := mats[name]
		b.Run(name, func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				p.MatMul(dst, x, T, &w)
			}
			b.ReportMetric(float64(2*T*K*N)*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
		})
	}
}

// randFormats makes an N×K matrix of random weights in each quantized
// storage format and bf16, by format name.
func randFormats(rng *rand.Rand, N, K int) map[string]Mat {
	mats := map[string]Mat{}
	mats["bf16"], _ = NewMatBF16(N, K, randBF16(rng, N*K))
	mats["f16"] = randF16(rng, N, K)
	mats["int8"], _ = QuantizeQ8(&Mat{Rows: N, Cols: K, BF16: mats["bf16"].BF16})
	mats["int8-affine"] = randAffine(rng, N, K)
	mats["q4"] = randQ4(rng, N, K)
	mats["q4-affine"] = randQ4Affine(rng, N, K)
	for _, f := range kquantFormats {
		mats[f.String()] = randKQuant(rng, f, N, K)
	}
	mats["q8_0"] = randQ8Panels(rng, N, K)
	return mats
}
