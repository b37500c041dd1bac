package kernels

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
	"time"
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

// TestAttendIgnoresBlockMates: a query's result is bit-identical alone,
// in a decode-sized block of up to four (the narrow tiles where the family
// has them) and in a full block with queries at other positions (before
// and after it), with the cache read in place (blocks of 16) or copied.
func TestAttendIgnoresBlockMates(t *testing.T) {
	for _, impl := range Available() {
		p := NewPoolImpl(1, impl)
		rng := rand.New(rand.NewPCG(23, 24))
		for _, d := range []int{32, 64, 48} {
			for _, bs := range []int{16, 4} {
				const n = 100
				keys, vals := kvCache(rng, n, bs, 2*d), kvCache(rng, n, bs, 2*d)
				q := randF32(rng, d)
				full := QueryBlock{N: 16}
				for i := 0; i < 16; i++ {
					full.Q[i], full.Out[i], full.Pos[i] = randF32(rng, d), make([]float32, d), int32(5*i+20)
				}
				full.Q[7], full.Pos[7] = q, 37
				p.Attend(0, &full, keys, vals, d, d, 0.125)
				for _, pos := range [][]int32{{37}, {37, 37}, {37, 36, 37}, {12, 37, 99, 40}} {
					var few QueryBlock
					few.N = len(pos)
					at := -1
					for i, ps := range pos {
						few.Q[i], few.Out[i], few.Pos[i] = randF32(rng, d), make([]float32, d), ps
						if ps == 37 && at < 0 {
							at = i
							few.Q[i] = q
						}
					}
					p.Attend(0, &few, keys, vals, d, d, 0.125)
					// The same queries in a full block after others.
					wide := QueryBlock{N: 16}
					for i := 0; i < 16; i++ {
						wide.Q[i], wide.Out[i], wide.Pos[i] = randF32(rng, d), make([]float32, d), int32(rng.IntN(n))
					}
					for i := 0; i < few.N; i++ {
						wide.Q[16-few.N+i], wide.Pos[16-few.N+i] = few.Q[i], few.Pos[i]
					}
					p.Attend(0, &wide, keys, vals, d, d, 0.125)
					for j := 0; j < d; j++ {
						if few.Out[at][j] != full.Out[7][j] {
							t.Fatalf("%s d=%d block=%d: dim %d among %d queries %v, in a full block %v",
								impl, d, bs, j, few.N, few.Out[at][j], full.Out[7][j])
						}
						for i := 0; i < few.N; i++ {
							if few.Out[i][j] != wide.Out[16-few.N+i][j] {
								t.Fatalf("%s d=%d block=%d: query %d of %d dim %d: %v, in a full block %v",
									impl, d, bs, i, few.N, j, few.Out[i][j], wide.Out[16-few.N+i][j])
							}
						}
					}
				}
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
	kh, _ := halfCache(keys)
	vh, _ := halfCache(vals)
	for _, kv := range [][2]*KVSpan{{keys, vals}, {kh, vh}} {
		p.Attend(0, &qb, kv[0], kv[1], 0, 64, 0.125)
		if n := testing.AllocsPerRun(20, func() { p.Attend(0, &qb, kv[0], kv[1], 0, 64, 0.125) }); n != 0 {
			t.Fatalf("Attend allocates %v times per call (f16 cache: %v)", n, kv[0].Half != nil)
		}
	}
}

// TestSoftmaxKernel checks each family's online-softmax step against the
// definition in float64: the maximum exact, a lane whose maximum did not
// grow rescaled by exactly 1, masked keys exactly 0, the exponentials of the float32
// differences to 3e-7 (past e^-87.3, where float32 runs out, anything below 1e-37), and
// lanes that admit no key (block padding) left finite.
func TestSoftmaxKernel(t *testing.T) {
	rng := rand.New(rand.NewPCG(27, 28))
	expOK := func(got float32, x float64) bool {
		if x < -87.3 {
			return got >= 0 && got <= 1e-37
		}
		return math.Abs(float64(got)-math.Exp(x)) <= 3e-7*math.Exp(x)
	}
	for _, impl := range Available() {
		p := NewPoolImpl(1, impl)
		for trial := 0; trial < 200; trial++ {
			s := make([]float32, lanes*lanes)
			for i := range s {
				s[i] = float32(rng.Float64()*110 - 95) // e^(s−m) from 1 down past float32's range
			}
			var m, l, mult [lanes]float32
			var masks [lanes]uint16
			for i := range m {
				switch rng.IntN(3) {
				case 0:
					m[i] = float32(math.Inf(-1)) // first chunk
				case 1:
					m[i] = 30 // above every score: no growth
				default:
					m[i] = float32(rng.Float64()*40 - 20)
				}
				if !math.IsInf(float64(m[i]), -1) {
					l[i] = float32(rng.Float64() * 5)
				}
			}
			for kk := range masks {
				masks[kk] = uint16(rng.Uint32())
			}
			masks[trial%lanes] = 0
			if trial%7 == 0 {
				for kk := range masks {
					masks[kk] &^= 1 << 3 // lane 3 admits nothing
				}
				m[3], l[3] = float32(math.Inf(-1)), 0
			}
			if trial%5 == 0 {
				for kk := range masks {
					masks[kk] &^= 0b1100 // lanes 2 and 3 admit nothing (decode's two queries)
				}
			}
			s0, m0, l0 := append([]float32(nil), s...), m, l
			p.fam.attnSoftmax(s, m[:], l[:], mult[:], &masks)
			if p.fam.attnSoftmaxNarrow != nil {
				// The narrow step's lanes are the 16-lane step's, bit for bit.
				sn, mn, ln := append([]float32(nil), s0...), m0, l0
				var multn [lanes]float32
				p.fam.attnSoftmaxNarrow(sn, mn[:], ln[:], multn[:], &masks)
				for i := 0; i < narrowLanes; i++ {
					for kk := 0; kk < lanes; kk++ {
						if math.Float32bits(sn[kk*lanes+i]) != math.Float32bits(s[kk*lanes+i]) {
							t.Fatalf("%s narrow lane %d key %d: %v, 16-lane step %v", impl, i, kk, sn[kk*lanes+i], s[kk*lanes+i])
						}
					}
					if math.Float32bits(mn[i]) != math.Float32bits(m[i]) || math.Float32bits(ln[i]) != math.Float32bits(l[i]) || math.Float32bits(multn[i]) != math.Float32bits(mult[i]) {
						t.Fatalf("%s narrow lane %d: max, sum, rescale %v %v %v, 16-lane step %v %v %v", impl, i, mn[i], ln[i], multn[i], m[i], l[i], mult[i])
					}
				}
			}
			for i := 0; i < lanes; i++ {
				want := m0[i]
				for kk := 0; kk < lanes; kk++ {
					if masks[kk]&(1<<i) != 0 {
						want = max(want, s0[kk*lanes+i])
					}
				}
				if m[i] != want {
					t.Fatalf("%s lane %d: max %v, want %v", impl, i, m[i], want)
				}
				switch {
				case want == m0[i] && mult[i] != 1:
					t.Fatalf("%s lane %d: maximum unchanged but rescaled by %v", impl, i, mult[i])
				case want > m0[i] && !expOK(mult[i], float64(m0[i]-want)):
					t.Fatalf("%s lane %d: rescale %v, want e^(%v−%v)", impl, i, mult[i], m0[i], want)
				}
				sum := float64(l0[i]) * float64(mult[i])
				for kk := 0; kk < lanes; kk++ {
					got := s[kk*lanes+i]
					if masks[kk]&(1<<i) == 0 {
						if got != 0 {
							t.Fatalf("%s lane %d key %d: masked probability %v", impl, i, kk, got)
						}
						continue
					}
					if !expOK(got, float64(s0[kk*lanes+i]-want)) {
						t.Fatalf("%s lane %d key %d: %v, want e^(%v−%v)", impl, i, kk, got, s0[kk*lanes+i], want)
					}
					sum += float64(got)
				}
				if math.IsNaN(float64(l[i])) || math.Abs(float64(l[i])-sum) > 1e-6*(1+sum) {
					t.Fatalf("%s lane %d: sum %v, want %v", impl, i, l[i], sum)
				}
			}
		}
		p.Close()
	}
}

// BenchmarkAttendDecode times one decode step's attention for one kv head
// of LFM2-350M (two query heads, head size 64) over 512 cached positions,
// in every family: the work decode does 48 times a token (six attention
// layers, eight kv heads) on top of streaming the weights.
func BenchmarkAttendDecode(b *testing.B) {
	const d, kvHeads, n, bs = 64, 8, 512, 16
	for _, impl := range Available() {
		b.Run(string(impl), func(b *testing.B) {
			p := NewPoolImpl(1, impl)
			defer p.Close()
			rng := rand.New(rand.NewPCG(31, 32))
			keys, vals := kvCache(rng, n, bs, kvHeads*d), kvCache(rng, n, bs, kvHeads*d)
			var qb QueryBlock
			qb.N = 2
			for i := range qb.N {
				qb.Q[i], qb.Out[i], qb.Pos[i] = randF32(rng, d), make([]float32, d), n-1
			}
			for i := 0; i < b.N; i++ {
				p.Attend(0, &qb, keys, vals, 0, d, 0.125)
			}
		})
	}
}

// BenchmarkAttendDecodeCold times the attention of a whole decode step of
// LFM2-350M (six layers, eight kv heads, 512 cached positions) on one
// thread with the cache in memory, as decode finds it after streaming the
// weights (a 256 MiB sweep between steps), with an f32 cache and an f16
// one, a kv head at a time (heads1) or four together (heads4: AttendHeads,
// as decode on two threads takes them). The step's own time is measured around it and reported as
// ns/step and GB/s (of cache read); ns/op includes the sweep. On Zen 5
// the f32 step takes 1.3–1.6 times as long as with the cache hot: the rows
// come at what a core's outstanding misses allow, with the prefetches as
// they are, K a chunk ahead or two, to L1 or L2, or each head's rows laid
// out one after another alike; the f16 step reads half the bytes. On Zen 4
// the prefetches into L1 were what held it: into L2 the f32 step read 9–11
// GB/s instead of 5–6 (avx512bf16 family), the f16 one 6–7 instead of 4.
func BenchmarkAttendDecodeCold(b *testing.B) {
	const d, kvHeads, layers, n, bs = 64, 8, 6, 512, 32
	sweep := make([]byte, 256<<20)
	for _, impl := range Available() {
		for _, v := range []struct {
			f16   bool
			heads int
		}{{false, 1}, {true, 1}, {false, 4}, {true, 4}} {
			name := fmt.Sprintf("%s/%s/heads%d", impl, map[bool]string{false: "f32", true: "f16"}[v.f16], v.heads)
			f16 := v.f16
			b.Run(name, func(b *testing.B) {
				p := NewPoolImpl(1, impl)
				defer p.Close()
				rng := rand.New(rand.NewPCG(33, 34))
				var keys, vals [layers]*KVSpan
				for l := range keys {
					keys[l], vals[l] = &KVSpan{BlockSize: bs, Stride: kvHeads * d}, &KVSpan{BlockSize: bs, Stride: kvHeads * d}
				}
				// Blocks made as the cache makes them, a block's layers
				// one after another.
				for b := 0; b*bs < n; b++ {
					for l := range keys {
						for _, s := range []*KVSpan{keys[l], vals[l]} {
							x := randF32(rng, bs*kvHeads*d)
							if f16 {
								h := make([]uint16, len(x))
								f32ToF16Go(h, x)
								s.Half = append(s.Half, h)
							} else {
								s.Blocks = append(s.Blocks, x)
							}
						}
					}
				}
				var qbs [kvHeads]QueryBlock
				for h := range qbs {
					qbs[h].N = 2
					for i := range qbs[h].N {
						qbs[h].Q[i], qbs[h].Out[i], qbs[h].Pos[i] = randF32(rng, d), make([]float32, d), n-1
					}
				}
				var sink byte
				var steps time.Duration
				for i := 0; i < b.N; i++ {
					for j := 0; j < len(sweep); j += 64 {
						sink += sweep[j]
						sweep[j] = sink
					}
					t0 := time.Now()
					for l := range keys {
						for g := 0; g < kvHeads; g += v.heads {
							p.AttendHeads(0, qbs[g:g+v.heads], keys[l], vals[l], g*d, d, d, 0.125)
						}
					}
					steps += time.Since(t0)
				}
				size := 4
				if f16 {
					size = 2
				}
				b.ReportMetric(float64(steps.Nanoseconds())/float64(b.N), "ns/step")
				b.ReportMetric(float64(layers*2*n*kvHeads*d*size)*float64(b.N)/steps.Seconds()/1e9, "GB/s")
			})
		}
	}
}

// TestAttendHeadsIsAttend: query blocks taken together, chunk by chunk
// across their heads, give bit-identical results to each block alone, in
// every family, on f32 and f16 caches, narrow (decode) and wide blocks
// whose positions end in different chunks, and allocate nothing.
func TestAttendHeadsIsAttend(t *testing.T) {
	for _, impl := range Available() {
		p := NewPoolImpl(1, impl)
		rng := rand.New(rand.NewPCG(55, 56))
		for _, d := range []int{64, 32, 12} {
			const heads, n, bs = 5, 70, 16
			k32, v32 := kvCache(rng, n, bs, heads*d), kvCache(rng, n, bs, heads*d)
			kh, _ := halfCache(k32)
			vh, _ := halfCache(v32)
			for _, kv := range [][2]*KVSpan{{k32, v32}, {kh, vh}} {
				blocks := make([]QueryBlock, heads)
				alone := make([]QueryBlock, heads)
				for h := range blocks {
					blocks[h].N = []int{2, 1, 16, 4, 2}[h]
					for i := 0; i < blocks[h].N; i++ {
						pos := int32(69 - 13*h + i)
						if blocks[h].N == 16 {
							pos = int32(rng.IntN(n))
						}
						q := randF32(rng, d)
						blocks[h].Q[i], blocks[h].Out[i], blocks[h].Pos[i] = q, make([]float32, d), pos
						alone[h].Q[i], alone[h].Out[i], alone[h].Pos[i] = q, make([]float32, d), pos
					}
					alone[h].N = blocks[h].N
					p.Attend(0, &alone[h], kv[0], kv[1], h*d, d, 0.125)
				}
				p.AttendHeads(0, blocks, kv[0], kv[1], 0, d, d, 0.125)
				for h := range blocks {
					for i := 0; i < blocks[h].N; i++ {
						for j := range d {
							if math.Float32bits(blocks[h].Out[i][j]) != math.Float32bits(alone[h].Out[i][j]) {
								t.Fatalf("%s d=%d f16=%v head %d query %d dim %d: %v together, %v alone",
									impl, d, kv[0].Half != nil, h, i, j, blocks[h].Out[i][j], alone[h].Out[i][j])
							}
						}
					}
				}
				if a := testing.AllocsPerRun(5, func() { p.AttendHeads(0, blocks, kv[0], kv[1], 0, d, d, 0.125) }); a != 0 {
					t.Fatalf("%s: AttendHeads allocates %v times", impl, a)
				}
			}
		}
		p.Close()
	}
}
