package kernels

import (
	"math"
	"math/rand/v2"
	"testing"
)

// kvCache builds a paged KVSpan of n positions, kvHeads heads of size d.
func kvCache(rng *rand.Rand, n, blockSize, stride int) *KVSpan {
	s := &KVSpan{BlockSize: blockSize, Stride: stride}
	for b := 0; b*blockSize < n; b++ {
		s.Blocks = append(s.Blocks, randF32(rng, blockSize*stride))
	}
	return s
}

// naiveAttend is the definition, in float64.
func naiveAttend(q []float32, pos int, keys, vals *KVSpan, off, d int, scale float64) []float64 {
	scores := make([]float64, pos+1)
	m := math.Inf(-1)
	for s := 0; s <= pos; s++ {
		var dot float64
		for j := 0; j < d; j++ {
			dot += float64(q[j]) * float64(keys.row(s)[off+j])
		}
		scores[s] = dot * scale
		m = math.Max(m, scores[s])
	}
	var z float64
	for s := range scores {
		scores[s] = math.Exp(scores[s] - m)
		z += scores[s]
	}
	out := make([]float64, d)
	for s, p := range scores {
		for j := 0; j < d; j++ {
			out[j] += p / z * float64(vals.row(s)[off+j])
		}
	}
	return out
}

func TestAttendAgainstDefinition(t *testing.T) {
	for _, impl := range Available() {
		t.Run(string(impl), func(t *testing.T) {
			p := NewPoolImpl(1, impl)
			defer p.Close()
			rng := rand.New(rand.NewPCG(21, 22))
			for _, d := range []int{8, 12, 16, 64} {
				for _, bs := range []int{4, 16, 32} {
					const kvHeads, n = 3, 77
					stride := kvHeads * d
					keys, vals := kvCache(rng, n, bs, stride), kvCache(rng, n, bs, stride)
					var qb QueryBlock
					qb.N = 16
					positions := []int32{0, 1, 2, 15, 16, 17, 31, 32, 40, 50, 63, 64, 65, 70, 75, 76}
					for i := range qb.N {
						qb.Q[i] = randF32(rng, d)
						qb.Out[i] = make([]float32, d)
						qb.Pos[i] = positions[i]
					}
					off := 2 * d
					scale := float32(1 / math.Sqrt(float64(d)))
					p.Attend(0, &qb, keys, vals, off, d, scale)
					for i := 0; i < qb.N; i++ {
						want := naiveAttend(qb.Q[i], int(qb.Pos[i]), keys, vals, off, d, float64(scale))
						for j := range want {
							if diff := math.Abs(float64(qb.Out[i][j]) - want[j]); diff > 2e-5*(1+math.Abs(want[j])) {
								t.Fatalf("d=%d block=%d query at %d dim %d: %v, want %v", d, bs, qb.Pos[i], j, qb.Out[i][j], want[j])
							}
						}
					}
				}
			}
		})
	}
}

// TestAttendIgnoresBlockMates: a query's result is bit-identical alone and
// in a block with queries at other positions (before and after it).
func TestAttendIgnoresBlockMates(t *testing.T) {
	for _, impl := range Available() {
		p := NewPoolImpl(1, impl)
		rng := rand.New(rand.NewPCG(23, 24))
		const d, n = 64, 100
		keys, vals := kvCache(rng, n, 16, 2*d), kvCache(rng, n, 16, 2*d)
		q := randF32(rng, d)
		alone := QueryBlock{N: 1, Pos: [16]int32{37}}
		alone.Q[0], alone.Out[0] = q, make([]float32, d)
		p.Attend(0, &alone, keys, vals, d, d, 0.125)
		full := QueryBlock{N: 16}
		for i := 0; i < 16; i++ {
			full.Q[i], full.Out[i], full.Pos[i] = randF32(rng, d), make([]float32, d), int32(5*i+20)
		}
		full.Q[7], full.Pos[7] = q, 37
		p.Attend(0, &full, keys, vals, d, d, 0.125)
		for j := 0; j < d; j++ {
			if alone.Out[0][j] != full.Out[7][j] {
				t.Fatalf("%s: dim %d alone %v, in a block %v", impl, j, alone.Out[0][j], full.Out[7][j])
			}
		}
		p.Close()
	}
}

func TestAttendAllocatesNothing(t *testing.T) {
	p := NewPool(1)
	defer p.Close()
	rng := rand.New(rand.NewPCG(25, 26))
	keys, vals := kvCache(rng, 40, 16, 64), kvCache(rng, 40, 16, 64)
	qb := QueryBlock{N: 2, Pos: [16]int32{30, 39}}
	for i := 0; i < 2; i++ {
		qb.Q[i], qb.Out[i] = randF32(rng, 64), make([]float32, 64)
	}
	p.Attend(0, &qb, keys, vals, 0, 64, 0.125)
	if n := testing.AllocsPerRun(20, func() { p.Attend(0, &qb, keys, vals, 0, 64, 0.125) }); n != 0 {
		t.Fatalf("Attend allocates %v times per call", n)
	}
}

func TestExpKernel(t *testing.T) {
	for _, impl := range Available() {
		p := NewPoolImpl(1, impl)
		exp := p.attnKernels().exp
		x := make([]float32, 0, 4096)
		for v := -90.0; v <= 80; v += 0.0437 { // attention needs x ≤ 0; float32 overflows past 88.7
			x = append(x, float32(v))
		}
		x = append(x, 0, float32(math.Inf(-1)))
		zeroAt := len(x) - 2
		for len(x)%16 != 0 {
			x = append(x, 0)
		}
		in := append([]float32(nil), x...)
		exp(x)
		if x[zeroAt] != 1 {
			t.Errorf("%s: exp(0) = %v, want exactly 1 (a lane with no new maximum must stay unscaled)", impl, x[zeroAt])
		}
		for i, v := range in {
			want := math.Exp(float64(v))
			if v < -87.3 {
				if x[i] > 1e-37 {
					t.Errorf("%s: exp(%v) = %v, want ~0", impl, v, x[i])
				}
				continue
			}
			if rel := math.Abs(float64(x[i])-want) / want; rel > 3e-7 {
				t.Errorf("%s: exp(%v) = %v, want %v (rel %.2g)", impl, v, x[i], want, rel)
			}
		}
		p.Close()
	}
}
