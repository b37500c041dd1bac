package kernels

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas32"
)

func randF32(rng *rand.Rand, n int) []float32 {
	out := make([]float32, n)
	for i := range out {
		out[i] = float32(rng.NormFloat64())
	}
	return out
}

func randBF16(rng *rand.Rand, n int) []uint16 {
	out := make([]uint16, n)
	for i := range out {
		out[i] = F32ToBF16(float32(rng.NormFloat64() * 0.05))
	}
	return out
}

// tol is the float32 accumulation tolerance for a dot of length k of values
// of order one: relative error grows like √k·ε.
func tol(k int, scale float64) float64 { return 1e-5 * math.Sqrt(float64(k)) * scale }

func TestDotMatchesSpecification(t *testing.T) {
	t.Logf("kernel families here: %v", Available())
	rng := rand.New(rand.NewPCG(1, 2))
	for _, k := range []int{1, 7, 15, 16, 17, 31, 33, 64, 100, 1023, 1024, 4608} {
		x := randF32(rng, k)
		wf := randF32(rng, k)
		wb := randBF16(rng, k)
		if d := math.Abs(float64(dotF32(x, wf) - dotGo(x, wf))); d > tol(k, 1) {
			t.Errorf("f32 k=%d: |Δ| = %g", k, d)
		}
		if d := math.Abs(float64(dotBF16(x, wb) - dotBF16Go(x, wb))); d > tol(k, 0.05) {
			t.Errorf("bf16 k=%d: |Δ| = %g", k, d)
		}
	}
}

// TestMatMulAgainstBLAS checks MatMul against gonum's blas32 Gemm on ragged
// shapes, for f32 and bf16 weights (bf16 widened exactly first).
// In the fast tier the reference rounds the activations of each whole
// 32-column chunk to bf16 first, as that tier does.
func TestMatMulAgainstBLAS(t *testing.T) {
	for _, ft := range familyTiers() {
		t.Run(ft.name, func(t *testing.T) { testMatMulAgainstBLAS(t, ft.impl, ft.fast) })
	}
}

// familyTier is a kernel family in one of its tiers.
type familyTier struct {
	name string
	impl Impl
	fast bool
}

// familyTiers lists every family here, and the fast tier of those that
// have one.
func familyTiers() []familyTier {
	var out []familyTier
	for _, impl := range Available() {
		out = append(out, familyTier{string(impl), impl, false})
		if f := familyOf(impl, true); f.fast {
			out = append(out, familyTier{string(impl) + "-fast", impl, true})
		}
	}
	return out
}

// roundChunksBF16 is x with the whole 32-column chunks of each row of
// width k rounded to bf16: what the fast tier multiplies.
func roundChunksBF16(x []float32, k int) []float32 {
	out := append([]float32(nil), x...)
	for r := 0; r < len(x)/k; r++ {
		for c := 0; c < k&^31; c++ {
			out[r*k+c] = math.Float32frombits(uint32(F32ToBF16(x[r*k+c])) << 16)
		}
	}
	return out
}

func testMatMulAgainstBLAS(t *testing.T, impl Impl, fast bool) {
	rng := rand.New(rand.NewPCG(3, 4))
	p := NewPoolTier(2, impl, fast)
	defer p.Close()
	solo := NewPoolTier(1, impl, fast) // one goroutine takes the whole row range
	defer solo.Close()
	for _, T := range []int{1, 2, 3, 4, 5, 8, 9, 16, 17, 33} {
		// K = 32k and N ≥ 64 reach every AMX path: four, two and one
		// 16-row groups, rows left to AVX-512, one and two activation blocks;
		// K = 1100 takes the 8×3 bf16-pair tiles over two blocks of chunks.
		for _, kn := range [][2]int{{1, 1}, {17, 5}, {32, 4}, {64, 33}, {100, 129}, {1024, 48}, {96, 200}, {1100, 20}} {
			K, N := kn[0], kn[1]
			x := randF32(rng, T*K)
			for _, dtype := range []string{"f32", "bf16"} {
				var w Mat
				wf := make([]float32, N*K)
				if dtype == "f32" {
					wf = randF32(rng, N*K)
					w, _ = NewMatF32(N, K, wf)
				} else {
					wb := randBF16(rng, N*K)
					BF16ToF32(wf, wb)
					w, _ = NewMatBF16(N, K, wb)
				}
				got := make([]float32, T*N)
				pool := p
				if T%2 == 1 {
					pool = solo
				}
				pool.MatMul(got, x, T, &w)
				xr := x
				if fast && dtype == "bf16" {
					xr = roundChunksBF16(x, K)
				}
				want := blas32.General{Rows: T, Cols: N, Stride: N, Data: make([]float32, T*N)}
				blas32.Gemm(blas.NoTrans, blas.Trans, 1,
					blas32.General{Rows: T, Cols: K, Stride: K, Data: xr},
					blas32.General{Rows: N, Cols: K, Stride: K, Data: wf}, 0, want)
				for i := range got {
					if d := math.Abs(float64(got[i] - want.Data[i])); d > tol(K, 1) {
						t.Fatalf("%s T=%d K=%d N=%d: element %d off by %g", dtype, T, K, N, i, d)
					}
				}
			}
		}
	}
}

// TestMatMulBatchInvariant: a row's result is bit-identical whatever other
// rows share the call and wherever it sits.
func TestMatMulBatchInvariant(t *testing.T) {
	for _, ft := range familyTiers() {
		t.Run(ft.name, func(t *testing.T) { testMatMulBatchInvariant(t, ft.impl, ft.fast) })
	}
}

func testMatMulBatchInvariant(t *testing.T, impl Impl, fast bool) {
	rng := rand.New(rand.NewPCG(5, 6))
	p := NewPoolTier(2, impl, fast)
	defer p.Close()
	// K = 1000 has a tail past the last 32-column chunk; K = 1024 is what
	// the AMX kernel takes, N = 200 leaves it 8 rows for the AVX-512 tiles;
	// K = 2100 takes the 8×3 bf16-pair tiles over three blocks of chunks.
	for _, kn := range [][2]int{{1000, 77}, {1024, 200}, {2100, 40}} {
		K, N := kn[0], kn[1]
		w, _ := NewMatBF16(N, K, randBF16(rng, N*K))
		x := randF32(rng, 64*K)
		all := make([]float32, 64*N)
		p.MatMul(all, x, 64, &w)
		for _, rows := range [][2]int{{0, 1}, {37, 38}, {63, 64}, {5, 14}, {40, 57}} {
			T := rows[1] - rows[0]
			part := make([]float32, T*N)
			p.MatMul(part, x[rows[0]*K:rows[1]*K], T, &w)
			for i := range part {
				if part[i] != all[rows[0]*N+i] {
					t.Fatalf("K=%d rows %v: element %d is %v, in a batch of 64 %v", K, rows, i, part[i], all[rows[0]*N+i])
				}
			}
		}
	}
}

func TestMatMulAllocatesNothing(t *testing.T) {
	for _, ft := range familyTiers() {
		rng := rand.New(rand.NewPCG(7, 8))
		p := NewPoolTier(2, ft.impl, ft.fast)
		w, _ := NewMatBF16(256, 128, randBF16(rng, 256*128))
		x := randF32(rng, 4*128)
		dst := make([]float32, 4*256)
		p.MatMul(dst, x, 4, &w) // first call may size the pool's buffers
		if n := testing.AllocsPerRun(50, func() { p.MatMul(dst, x, 4, &w) }); n != 0 {
			t.Errorf("%s: MatMul allocates %v times per call", ft.name, n)
		}
		p.Close()
	}
}

func TestCausalConvChunksExact(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 10))
	D, L, T := 13, 3, 11
	y := randF32(rng, T*D)
	k := randF32(rng, D*L)
	whole := make([]float32, T*D)
	st := make([]float32, (L-1)*D)
	CausalConv(whole, y, st, k, T, D, L)
	// Direct definition with zeros before the start.
	for tt := 0; tt < T; tt++ {
		for c := 0; c < D; c++ {
			var want float32
			for j := 0; j < L; j++ {
				if s := tt - (L - 1) + j; s >= 0 {
					want += k[j*D+c] * y[s*D+c]
				}
			}
			if math.Abs(float64(want-whole[tt*D+c])) > 1e-5 {
				t.Fatalf("t=%d c=%d: %v want %v", tt, c, whole[tt*D+c], want)
			}
		}
	}
	st2 := make([]float32, (L-1)*D)
	pieces := make([]float32, T*D)
	for start, n := 0, 1; start < T; start, n = start+n, n+1 {
		n = min(n, T-start)
		CausalConv(pieces[start*D:], y[start*D:(start+n)*D], st2, k, n, D, L)
	}
	for i := range whole {
		if whole[i] != pieces[i] {
			t.Fatalf("chunked conv differs at %d", i)
		}
	}
}

func TestBF16RoundTrip(t *testing.T) {
	for _, v := range []float32{0, 1, -2.5, 3.14159, 1e-30, 65504, float32(math.Inf(1))} {
		b := F32ToBF16(v)
		var out [1]float32
		BF16ToF32(out[:], []uint16{b})
		if math.Abs(float64(out[0]-v)) > math.Abs(float64(v))/128 {
			t.Errorf("%v → %v", v, out[0])
		}
	}
	if F16ToF32(0x3c00) != 1 || F16ToF32(0xc000) != -2 || F16ToF32(0x0001) != float32(math.Ldexp(1, -24)) {
		t.Error("f16 widening wrong")
	}
}

// benchMatMul times a bf16 MatMul in the best family (or $LFM2_KERNELS'),
// in its exact tier and, if it has one, its fast tier.
func benchMatMul(b *testing.B, T, K, N int) {
	impl, err := chooseImpl()
	if err != nil {
		b.Fatal(err)
	}
	for _, fast := range []bool{false, true} {
		if fast && !familyOf(impl, true).fast {
			continue
		}
		b.Run(map[bool]string{false: "exact", true: "fast"}[fast], func(b *testing.B) {
			rng := rand.New(rand.NewPCG(1, 1))
			p := NewPoolTier(0, impl, fast)
			defer p.Close()
			w, _ := NewMatBF16(N, K, randBF16(rng, N*K))
			x := randF32(rng, T*K)
			dst := make([]float32, T*N)
			b.SetBytes(int64(N * K * 2))
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				p.MatMul(dst, x, T, &w)
			}
			b.ReportMetric(float64(2*T*K*N)*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
		})
	}
}

// Shapes of LFM2-350M: K×N for in_proj, out_proj, w1/w3, w2 and the LM head.
func BenchmarkMatMulDecode1024x3072(b *testing.B)      { benchMatMul(b, 1, 1024, 3072) }
func BenchmarkMatMulDecode1024x1024(b *testing.B)      { benchMatMul(b, 1, 1024, 1024) }
func BenchmarkMatMulDecode1024x4608(b *testing.B)      { benchMatMul(b, 1, 1024, 4608) }
func BenchmarkMatMulDecode4608x1024(b *testing.B)      { benchMatMul(b, 1, 4608, 1024) }
func BenchmarkMatMulDecode1024x65536(b *testing.B)     { benchMatMul(b, 1, 1024, 65536) }
func BenchmarkMatMulPrefill512x1024x4608(b *testing.B) { benchMatMul(b, 512, 1024, 4608) }
func BenchmarkMatMulPrefill64x1024x4608(b *testing.B) {
	benchMatMul(b, 64, 1024, 4608)
}

// BenchmarkMatMulDecodeCold streams 1 GiB of bf16 weights per call (more
// than any cache), as decode does with a whole model, for 1, 4, 8 and 16
// activation rows (single-stream and batched decode), with rows as wide as
// most of LFM2's matrices (K = 1024) and as its FFN down projection
// (K = 4608): compare its MB/s with the machine's memory bandwidth.
func BenchmarkMatMulDecodeCold(b *testing.B) {
	p := NewPool(0)
	defer p.Close()
	for _, K := range []int{1024, 4608} {
		N := 512 << 20 / K
		wb := make([]uint16, N*K)
		for i := range wb {
			wb[i] = uint16(0x3c00 + i%512)
		}
		w, _ := NewMatBF16(N, K, wb)
		for _, T := range []int{1, 4, 8, 16} {
			b.Run(fmt.Sprintf("K%d/T%d", K, T), func(b *testing.B) {
				x := randF32(rand.New(rand.NewPCG(1, 1)), T*K)
				dst := make([]float32, T*N)
				b.SetBytes(int64(N * K * 2))
				for i := 0; i < b.N; i++ {
					p.MatMul(dst, x, T, &w)
				}
			})
		}
	}
}

// BenchmarkMatMulDecodeColdSmall streams 256 different 1024×1024 bf16
// matrices (512 MB) one call after another, as decode goes from layer to
// layer: against BenchmarkMatMulDecodeCold it shows what each call costs
// beyond its bytes (handing it to the pool, prefetchers starting over).
func BenchmarkMatMulDecodeColdSmall(b *testing.B) {
	const K, N, count = 1024, 1024, 256
	rng := rand.New(rand.NewPCG(1, 1))
	p := NewPool(0)
	defer p.Close()
	ws := make([]Mat, count)
	for i := range ws {
		ws[i], _ = NewMatBF16(N, K, randBF16(rng, N*K))
	}
	x := randF32(rng, K)
	dst := make([]float32, N)
	b.SetBytes(count * N * K * 2)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		for j := range ws {
			p.MatMul(dst, x, 1, &ws[j])
		}
	}
}

func TestPoolSwiGLUMatchesSpecification(t *testing.T) {
	rng := rand.New(rand.NewPCG(31, 32))
	for _, impl := range Available() {
		p := NewPoolImpl(2, impl)
		for _, n := range []int{1, 15, 16, 17, 1000, 40000} {
			g, u := randF32(rng, n), randF32(rng, n)
			for i := range g {
				g[i] *= 20 // reach the tails of the sigmoid
			}
			want, got := make([]float32, n), make([]float32, n)
			SwiGLU(want, g, u)
			p.SwiGLU(got, g, u)
			for i := range want {
				if d := math.Abs(float64(got[i] - want[i])); d > 1e-6*(1+math.Abs(float64(want[i]))) {
					t.Fatalf("%s n=%d i=%d: %v, want %v", impl, n, i, got[i], want[i])
				}
			}
		}
		p.Close()
	}
}

// TestMatMulsEqualsSeparateCalls: fused matmuls give exactly what separate
// calls give, and allocate nothing.
func TestMatMulsEqualsSeparateCalls(t *testing.T) {
	for _, ft := range familyTiers() {
		rng := rand.New(rand.NewPCG(41, 42))
		p := NewPoolTier(2, ft.impl, ft.fast)
		K, T := 96, 5
		var ws [3]*Mat
		var sep, fused [3][]float32
		for i, n := range []int{128, 64, 70} {
			w, _ := NewMatBF16(n, K, randBF16(rng, n*K))
			ws[i] = &w
			sep[i], fused[i] = make([]float32, T*n), make([]float32, T*n)
		}
		x := randF32(rng, T*K)
		for i := range ws {
			p.MatMul(sep[i], x, T, ws[i])
		}
		p.MatMuls(x, T, ws[:], fused[:])
		for i := range ws {
			for j := range sep[i] {
				if sep[i][j] != fused[i][j] {
					t.Fatalf("%s: matrix %d element %d: fused %v, separate %v", ft.name, i, j, fused[i][j], sep[i][j])
				}
			}
		}
		if n := testing.AllocsPerRun(20, func() { p.MatMuls(x, T, ws[:], fused[:]) }); n != 0 {
			t.Errorf("%s: MatMuls allocates %v times", ft.name, n)
		}
		p.Close()
	}
}
func BenchmarkMatMulPrefill512x4608x1024(b *testing.B) { benchMatMul(b, 512, 4608, 1024) }
