package model

import (
	"encoding/binary"
	"math"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/lfm2go/lfm2/internal/fixture"
	"github.com/lfm2go/lfm2/internal/kernels"
)

// The fixtures are tiny random-weight LFM2 checkpoints with logits from an
// independent float32 implementation (testdata/fixtures/*/reference.json).
var fixtures = []string{"tiny-bf16", "tiny-f32-v5-untied"}

func readLogits(t *testing.T, path string, rows, vocab int) [][]float32 {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(b) != rows*vocab*4 {
		t.Fatalf("%s: %d bytes, want %d", path, len(b), rows*vocab*4)
	}
	out := make([][]float32, rows)
	for r := range out {
		out[r] = make([]float32, vocab)
		for i := range out[r] {
			out[r][i] = math.Float32frombits(binary.LittleEndian.Uint32(b[4*(r*vocab+i):]))
		}
	}
	return out
}

func loadFixture(t *testing.T, name string) (*Model, *fixture.Reference) {
	t.Helper()
	m, err := Load(fixture.Dir(name), 2)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { m.Close() })
	return m, fixture.Load(t, name)
}

// run feeds ids to a fresh slot in chunks of the given sizes (the last size
// repeats) and returns a copy of every position's logits.
func run(t *testing.T, m *Model, ids []int32, chunks ...int) [][]float32 {
	t.Helper()
	c, err := m.NewCache(1, 16, 64<<20)
	if err != nil {
		t.Fatal(err)
	}
	slot, _ := c.Acquire()
	var all [][]float32
	var b Batch
	for pos, k := 0, 0; pos < len(ids); k++ {
		n := chunks[min(k, len(chunks)-1)]
		n = min(n, len(ids)-pos)
		b.Reset()
		b.Add(slot, ids[pos:pos+n], pos, AllLogits)
		rows, err := m.Forward(&b, c)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range rows {
			all = append(all, append([]float32(nil), r...))
		}
		pos += n
	}
	return all
}

func argmax(x []float32) int32 {
	best := 0
	for i, v := range x {
		if v > x[best] {
			best = i
		}
	}
	return int32(best)
}

func logsumexp(x []float32) float64 {
	m := float64(x[argmax(x)])
	var s float64
	for _, v := range x {
		s += math.Exp(float64(v) - m)
	}
	return m + math.Log(s)
}

// greedy prefills ids in one span and then decodes n tokens one at a time.
func greedy(t *testing.T, m *Model, ids []int32, n, prefillChunk int) []int32 {
	t.Helper()
	c, err := m.NewCache(1, 16, 64<<20)
	if err != nil {
		t.Fatal(err)
	}
	slot, _ := c.Acquire()
	var b Batch
	var last []float32
	for pos := 0; pos < len(ids); pos += prefillChunk {
		end := min(pos+prefillChunk, len(ids))
		b.Reset()
		b.Add(slot, ids[pos:end], pos, LastLogits)
		rows, err := m.Forward(&b, c)
		if err != nil {
			t.Fatal(err)
		}
		last = rows[0]
	}
	var out []int32
	for len(out) < n {
		next := argmax(last)
		out = append(out, next)
		b.Reset()
		b.Add(slot, []int32{next}, len(ids)+len(out)-1, LastLogits)
		rows, err := m.Forward(&b, c)
		if err != nil {
			t.Fatal(err)
		}
		last = rows[0]
	}
	return out
}

func maxAbsDiff(a, b []float32) float64 {
	var d float64
	for i := range a {
		d = max(d, math.Abs(float64(a[i])-float64(b[i])))
	}
	return d
}

func TestFixtureLogits(t *testing.T) {
	for _, name := range fixtures {
		t.Run(name, func(t *testing.T) {
			m, ref := loadFixture(t, name)
			tol := ref.Tolerance.LogitAbs
			if tol == 0 || tol > 1e-3 {
				t.Fatalf("fixture tolerance %v is not the stated 1e-3", tol)
			}
			for ci, cs := range ref.Cases {
				want := readLogits(t, filepath.Join(fixture.Dir(name), cs.LogitsFile), cs.Shape[0], cs.Shape[1])
				got := run(t, m, cs.IDs, len(cs.IDs))
				if len(got) != len(cs.IDs) {
					t.Fatalf("case %d: %d rows", ci, len(got))
				}
				rows := got
				if cs.LogitsRows == "last" {
					rows = got[len(got)-1:]
				}
				var worst float64
				for r := range want {
					worst = max(worst, maxAbsDiff(rows[r], want[r]))
				}
				if worst > tol {
					t.Errorf("case %d: max |Δlogit| = %.3g > %g", ci, worst, tol)
				}
				// Per-position log-probabilities and normalisers cover every
				// position, also where only the last logits row is stored.
				for p := range got {
					if d := math.Abs(logsumexp(got[p]) - cs.Logsumexp[p]); d > ref.Tolerance.LogprobAbs {
						t.Errorf("case %d pos %d: logsumexp off by %.3g", ci, p, d)
					}
					if p == 0 {
						continue
					}
					lp := float64(got[p-1][cs.IDs[p]]) - logsumexp(got[p-1])
					if d := math.Abs(lp - *cs.LogprobOfNext[p]); d > ref.Tolerance.LogprobAbs {
						t.Errorf("case %d pos %d: logprob off by %.3g", ci, p, d)
					}
				}
				t.Logf("case %d (%d tokens): max |Δlogit| = %.2g", ci, len(cs.IDs), worst)
			}
		})
	}
}

func TestFixtureGreedy(t *testing.T) {
	for _, name := range fixtures {
		t.Run(name, func(t *testing.T) {
			m, ref := loadFixture(t, name)
			for ci, cs := range ref.Cases {
				for _, chunk := range []int{len(cs.IDs), 1, 7} {
					got := greedy(t, m, cs.IDs, len(cs.Greedy), chunk)
					if !slices.Equal(got, cs.Greedy) {
						t.Errorf("case %d (prefill chunk %d): greedy %v, want %v", ci, chunk, got, cs.Greedy)
					}
				}
			}
			for ci, tc := range ref.TextCases {
				if got := greedy(t, m, tc.IDs, len(tc.Greedy), len(tc.IDs)); !slices.Equal(got, tc.Greedy) {
					t.Errorf("text case %d %q: greedy %v, want %v", ci, tc.Text, got, tc.Greedy)
				}
				nll := textNLL(t, m, tc.IDs)
				if d := math.Abs(nll - tc.NLL); d > ref.Tolerance.LogprobAbs*float64(len(tc.IDs)) {
					t.Errorf("text case %d: nll %.6f, want %.6f", ci, nll, tc.NLL)
				}
			}
		})
	}
}

// TestChunkedPrefillIsExact: feeding a prompt whole, token by token, or in
// ragged chunks gives bit-identical logits, because every kernel computes a
// row the same way whatever else is in the call.
func TestChunkedPrefillIsExact(t *testing.T) {
	for _, name := range fixtures {
		t.Run(name, func(t *testing.T) {
			m, ref := loadFixture(t, name)
			for ci, cs := range ref.Cases {
				whole := run(t, m, cs.IDs, len(cs.IDs))
				for _, chunks := range [][]int{{1}, {2, 3}, {5, 1, 16}, {17}} {
					got := run(t, m, cs.IDs, chunks...)
					for p := range whole {
						if d := maxAbsDiff(got[p], whole[p]); d != 0 {
							t.Fatalf("case %d chunks %v: position %d differs from whole prefill by %g", ci, chunks, p, d)
						}
					}
				}
			}
		})
	}
}

// textNLL is the negative log-likelihood m gives the tokens ids, each
// after the ones before it (one prefill of them all).
func textNLL(t *testing.T, m *Model, ids []int32) float64 {
	rows := run(t, m, ids, len(ids))
	var nll float64
	for p := 1; p < len(ids); p++ {
		nll -= float64(rows[p-1][ids[p]]) - logsumexp(rows[p-1])
	}
	return nll
}

// driftFromReference is how far an approximating m (int8 weights, the
// fast tier) moves fixture name's logits from the f32 reference ref — the
// largest |Δlogit| over its cases — and its text cases' NLL, relative.
func driftFromReference(t *testing.T, m *Model, name string, ref *fixture.Reference) (worst, nllRel float64) {
	for _, cs := range ref.Cases {
		want := readLogits(t, filepath.Join(fixture.Dir(name), cs.LogitsFile), cs.Shape[0], cs.Shape[1])
		got := run(t, m, cs.IDs, len(cs.IDs))
		if cs.LogitsRows == "last" {
			got = got[len(got)-1:]
		}
		for r := range want {
			worst = max(worst, maxAbsDiff(got[r], want[r]))
		}
	}
	for _, tc := range ref.TextCases {
		nllRel = max(nllRel, math.Abs(textNLL(t, m, tc.IDs)-tc.NLL)/tc.NLL)
	}
	return worst, nllRel
}

// TestInt8 measures how far int8 weights move the fixtures' logits and NLL
// from the float32 reference. int8 is an opt-in approximation, so the bar is
// closeness: text NLL within 1%. Single logits of these tiny random models
// (logits around ±20) move by up to ~2; TestInt8ComputesTheDequantizedModel
// shows that is quantization, not the kernels.
func TestInt8(t *testing.T) {
	for _, name := range fixtures {
		t.Run(name, func(t *testing.T) {
			m, ref := loadFixture(t, name)
			if err := m.Quantize("int8", false); err != nil {
				t.Fatal(err)
			}
			if m.DType() != "int8" {
				t.Fatalf("dtype %s", m.DType())
			}
			worst, nllRel := driftFromReference(t, m, name, ref)
			t.Logf("int8: max |Δlogit| %.3g, max relative NLL change %.3g", worst, nllRel)
			if worst > 3 || nllRel > 0.01 {
				t.Errorf("int8 drifts too far: max |Δlogit| %.3g, NLL %.3g", worst, nllRel)
			}
		})
	}
}

// TestInt8ComputesTheDequantizedModel: the int8 path gives the logits of an
// f32 model whose weights are the dequantized int8 weights, to float
// rounding. So whatever int8 changes is quantization, not the kernels.
func TestInt8ComputesTheDequantizedModel(t *testing.T) {
	for _, name := range fixtures {
		q, ref := loadFixture(t, name)
		if err := q.Quantize("int8", false); err != nil {
			t.Fatal(err)
		}
		f, _ := loadFixture(t, name)
		fm, qm := f.matrices(), q.matrices()
		for i := range fm {
			data := make([]float32, qm[i].Rows*qm[i].Cols)
			for r := 0; r < qm[i].Rows; r++ {
				qm[i].Row(data[r*qm[i].Cols:(r+1)*qm[i].Cols], r)
			}
			*fm[i], _ = kernels.NewMatF32(qm[i].Rows, qm[i].Cols, data)
		}
		if f.Config.TiedHead {
			f.Head = f.Embed
		}
		ids := ref.Cases[0].IDs
		a, b := run(t, q, ids, len(ids)), run(t, f, ids, len(ids))
		var worst float64
		for r := range a {
			worst = max(worst, maxAbsDiff(a[r], b[r]))
		}
		if worst > 1e-3 {
			t.Errorf("%s: int8 kernels vs dequantized f32 model: max |Δlogit| %.3g", name, worst)
		}
		t.Logf("%s: int8 vs dequantized f32: %.2g", name, worst)
	}
}

// TestFastTierFixtures measures the bf16 fast tier (activations rounded to
// bf16 before each matmul) on the safetensors fixtures against their f32
// references: the README states these figures. The logit bound is
// llama.cpp's scale for bf16 weights (its CPU backend rounds activations
// the same way: on gguf-tiny 0.2–0.4 on logits reaching ±20, see
// TestBF16FastTier, where the fast tier is held to llama.cpp's own figure).
func TestFastTierFixtures(t *testing.T) {
	for _, name := range fixtures {
		t.Run(name, func(t *testing.T) {
			m, ref := loadFixture(t, name)
			m.UseFastTier()
			if !m.FastTier() {
				t.Skipf("the kernel family here (%s) has no fast tier for bf16", m.KernelInfo())
			}
			worst, nllRel := driftFromReference(t, m, name, ref)
			t.Logf("fast tier: max |Δlogit| %.3g, max relative NLL change %.3g", worst, nllRel)
			if worst > 0.5 || nllRel > 5e-3 {
				t.Errorf("fast tier drifts too far: max |Δlogit| %.3g, NLL %.3g", worst, nllRel)
			}
		})
	}
}

// TestF16KVCache: with keys and values stored in half precision, every
// fixture's logits stay within kvF16LogitAbs of the f32 reference (the
// cost of rounding K and V once; llama.cpp's default cache rounds them
// the same way), and feeding a prompt whole, token by token or in ragged
// chunks still gives bit-identical logits.
func TestF16KVCache(t *testing.T) {
	for _, name := range fixtures {
		t.Run(name, func(t *testing.T) {
			m, ref := loadFixture(t, name)
			m.UseF16KV()
			if !m.CacheShape().F16 {
				t.Fatal("UseF16KV: the cache shape is not f16")
			}
			var worst float64
			for ci, cs := range ref.Cases {
				want := readLogits(t, filepath.Join(fixture.Dir(name), cs.LogitsFile), cs.Shape[0], cs.Shape[1])
				whole := run(t, m, cs.IDs, len(cs.IDs))
				rows := whole
				if cs.LogitsRows == "last" {
					rows = whole[len(whole)-1:]
				}
				for r := range want {
					worst = max(worst, maxAbsDiff(rows[r], want[r]))
				}
				for _, chunks := range [][]int{{1}, {5, 1, 16}} {
					got := run(t, m, cs.IDs, chunks...)
					for p := range whole {
						if d := maxAbsDiff(got[p], whole[p]); d != 0 {
							t.Fatalf("case %d chunks %v: position %d differs from whole prefill by %g", ci, chunks, p, d)
						}
					}
				}
			}
			if worst > kvF16LogitAbs {
				t.Errorf("max |Δlogit| = %.3g > %g", worst, kvF16LogitAbs)
			}
			t.Logf("max |Δlogit| with an f16 KV cache: %.2g", worst)
		})
	}
}

// kvF16LogitAbs bounds the logits' distance from the f32 reference with
// an f16 KV cache on the fixtures (whose logits reach about ±20).
const kvF16LogitAbs = 0.03

// TestDecodeHeadsTogether: decode takes a token's kv heads together in
// runs of kv heads ÷ threads (AttendHeads): on one thread the fixtures'
// two kv heads are one run, on two each its own. Token-by-token logits
// are bit-identical either way, and to a whole-prompt prefill's.
func TestDecodeHeadsTogether(t *testing.T) {
	for _, name := range fixtures {
		t.Run(name, func(t *testing.T) {
			two, ref := loadFixture(t, name)
			one, err := Load(fixture.Dir(name), 1)
			if err != nil {
				t.Fatal(err)
			}
			defer one.Close()
			for ci, cs := range ref.Cases {
				whole := run(t, two, cs.IDs, len(cs.IDs))
				for _, m := range []*Model{one, two} {
					got := run(t, m, cs.IDs, 1)
					for p := range whole {
						if d := maxAbsDiff(got[p], whole[p]); d != 0 {
							t.Fatalf("case %d, %d thread(s): position %d differs from the whole prefill by %g", ci, m.Threads(), p, d)
						}
					}
				}
			}
		})
	}
}
