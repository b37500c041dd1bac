package sample

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

// specSampler is the plain statement of the sampling rules (HF's order:
// penalty, temperature, top-k, top-p, min-p, then a draw), one pass per
// rule over the whole row, sorting everything top-p ranks. Sample must draw
// exactly what it draws.
type specSampler struct {
	p   Params
	rng *rand.Rand
}

func newSpec(p Params, stream uint64) *specSampler {
	return &specSampler{p: p, rng: rand.New(rand.NewPCG(p.Seed, stream))}
}

func (s *specSampler) sample(logits []float32, prompt, output []int32) int32 {
	if checkRow(logits) != nil {
		return -1
	}
	sc := slices.Clone(logits)
	for id, b := range s.p.LogitBias {
		if id >= 0 && int(id) < len(sc) {
			sc[id] += b
		}
	}
	logits = slices.Clone(sc) // the biased row is the logits from here on
	if pen := s.p.RepetitionPenalty; pen > 0 && pen != 1 {
		seen := map[int32]bool{}
		for _, id := range slices.Concat(prompt, output) {
			if seen[id] || int(id) >= len(sc) || id < 0 {
				continue
			}
			seen[id] = true
			if sc[id] < 0 {
				sc[id] *= pen
			} else {
				sc[id] /= pen
			}
		}
	}
	// vLLM's frequency and presence penalties, on the generated tokens.
	counts := map[int32]int{}
	for _, id := range output {
		if id >= 0 && int(id) < len(sc) {
			counts[id]++
		}
	}
	for id, c := range counts {
		sc[id] -= s.p.FrequencyPenalty * float32(c)
		sc[id] -= s.p.PresencePenalty
	}
	first := func(x []float32) int32 {
		best := 0
		for i, v := range x {
			if v > x[best] {
				best = i
			}
		}
		return int32(best)
	}
	if s.p.Temperature == 0 {
		return first(sc)
	}
	inv := 1 / s.p.Temperature
	for i := range sc {
		sc[i] *= inv
	}
	top := sc[first(sc)]
	if math.IsInf(float64(top), 0) || math.IsInf(float64(inv), 0) || top != top {
		return first(logits)
	}
	cut := float32(math.Inf(-1))
	if k := s.p.TopK; k > 0 && k < len(sc) {
		vals := slices.Clone(sc)
		slices.Sort(vals)
		cut = vals[len(vals)-k]
	}
	var z float64
	for _, v := range sc {
		if v >= cut {
			z += math.Exp(float64(v - top))
		}
	}
	floor := cut
	if s.p.MinP > 0 {
		floor = max(floor, top+float32(math.Log(float64(s.p.MinP))))
	}
	var cand []int32
	for i, v := range sc {
		if v >= floor {
			cand = append(cand, int32(i))
		}
	}
	if p := float64(s.p.TopP); p > 0 && p < 1 {
		slices.SortStableFunc(cand, func(a, b int32) int {
			switch {
			case sc[a] > sc[b]:
				return -1
			case sc[a] < sc[b]:
				return 1
			}
			return 0
		})
		var head float64
		for i, id := range cand {
			if i > 0 && head >= p {
				cand = cand[:i]
				break
			}
			head += math.Exp(float64(sc[id]-top)) / z
		}
	}
	var mass float64
	for _, id := range cand {
		mass += math.Exp(float64(sc[id] - top))
	}
	r := s.rng.Float64() * mass
	for _, id := range cand {
		r -= math.Exp(float64(sc[id] - top))
		if r < 0 {
			return id
		}
	}
	return cand[len(cand)-1]
}

// TestSampleMatchesSpec draws from rows shaped like a language model's
// (a few likely tokens over a long tail), flat rows, rows with ties and
// rows masked to -Inf by a grammar, under every combination of the rules,
// and wants Sample's draws to be the specification's, token for token.
func TestSampleMatchesSpec(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	const vocab = 5000
	rows := map[string][]float32{}
	peaked, flat, ties, masked := make([]float32, vocab), make([]float32, vocab), make([]float32, vocab), make([]float32, vocab)
	for i := range vocab {
		peaked[i] = float32(r.NormFloat64()*2 - 8)
		flat[i] = float32(r.NormFloat64() * 0.3)
		ties[i] = float32(r.IntN(7)) / 2
		masked[i] = float32(math.Inf(-1))
		if r.IntN(50) == 0 {
			masked[i] = float32(r.NormFloat64() * 3)
		}
	}
	for i := range 12 {
		peaked[r.IntN(vocab)] = float32(6 + i)
	}
	rows["peaked"], rows["flat"], rows["ties"], rows["masked"] = peaked, flat, ties, masked
	history := make([]int32, 300)
	for i := range history {
		history[i] = int32(r.IntN(vocab + 10)) // some out of range, as the sampler must tolerate
	}
	var params []Params
	for _, temp := range []float32{0, 0.3, 1, 2.5} {
		for _, k := range []int{0, 1, 40, 2000} {
			for _, p := range []float32{0, 0.5, 0.9, 0.999} {
				for _, minP := range []float32{0, 0.05} {
					for _, pen := range []float32{0, 1.05} {
						params = append(params, Params{Temperature: temp, TopK: k, TopP: p, MinP: minP, RepetitionPenalty: pen, Seed: uint64(len(params))})
					}
					params = append(params, Params{Temperature: temp, TopK: k, TopP: p, MinP: minP, FrequencyPenalty: 0.4, PresencePenalty: -0.3, Seed: uint64(len(params))})
					params = append(params, Params{Temperature: temp, TopK: k, TopP: p, MinP: minP, RepetitionPenalty: 1.05, Seed: uint64(len(params)),
						LogitBias: map[int32]float32{0: 100, 3: -100, 17: 2.5, 29: -1, int32(vocab) + 3: 50, -1: 5}})
				}
			}
		}
	}
	for name, row := range rows {
		for _, p := range params {
			fast, spec := New(p, 9), newSpec(p, 9)
			for draw := range 6 {
				prompt, output := history[:100], history[100:100+draw*40]
				got, err := fast.Sample(row, prompt, output)
				if err != nil {
					t.Fatalf("%s %+v: %v", name, p, err)
				}
				if want := spec.sample(row, prompt, output); got != want {
					t.Fatalf("%s %+v, draw %d: token %d, the specification draws %d", name, p, draw, got, want)
				}
			}
		}
	}
}

// TestKthLargest checks the heap selection against a sort, ties included.
func TestKthLargest(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	var buf []float32
	for range 200 {
		x := make([]float32, 1+r.IntN(3000))
		for i := range x {
			x[i] = float32(r.IntN(40))
		}
		k := 1 + r.IntN(len(x))
		sorted := slices.Clone(x)
		slices.Sort(sorted)
		if got, want := kthLargest(x, k, &buf), sorted[len(sorted)-k]; got != want {
			t.Fatalf("n=%d k=%d: %v, want %v", len(x), k, got, want)
		}
	}
}

// TestSampleMatchesSpecRandom draws under random settings, extreme ones
// included (temperatures from 1e-30 to 1e30, top-p down to 1e-9, top-k up
// to the vocabulary), from random rows with masked tokens, and wants the
// specification's tokens.
func TestSampleMatchesSpecRandom(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 8))
	pick := func(xs ...float32) float32 { return xs[r.IntN(len(xs))] }
	for trial := range 400 {
		vocab := 1 + r.IntN(3000)
		row := make([]float32, vocab)
		scale := pick(0.01, 1, 5, 40)
		for i := range row {
			row[i] = float32(r.NormFloat64()) * scale
			if r.IntN(4) == 0 {
				row[i] = float32(math.Inf(-1))
			}
		}
		row[r.IntN(vocab)] = 1 // at least one finite score
		p := Params{
			Temperature:       pick(0, 1e-30, 0.05, 0.7, 1, 3, 1e30),
			TopK:              []int{0, 1, 2, 50, vocab - 1, vocab, 5000}[r.IntN(7)],
			TopP:              pick(0, 1e-9, 0.3, 0.9, 0.999, 1),
			MinP:              pick(0, 0.01, 0.5, 1),
			RepetitionPenalty: pick(0, 1, 1.3, 0.5),
			FrequencyPenalty:  pick(0, 0, 0.7, -2, 2),
			PresencePenalty:   pick(0, 0, 1.1, -0.4, 2),
			Seed:              uint64(trial),
		}
		if r.IntN(3) == 0 {
			p.LogitBias = map[int32]float32{}
			for range 1 + r.IntN(5) {
				p.LogitBias[int32(r.IntN(vocab+4))-2] = pick(-100, -3, 0.5, 7, 100)
			}
		}
		history := make([]int32, r.IntN(40))
		for i := range history {
			history[i] = int32(r.IntN(vocab+5)) - 2
		}
		cut := r.IntN(len(history) + 1)
		prompt, output := history[:cut], history[cut:]
		fast, spec := New(p, 1), newSpec(p, 1)
		for draw := range 3 {
			got, err := fast.Sample(row, prompt, output)
			if err != nil {
				t.Fatalf("trial %d %+v: %v", trial, p, err)
			}
			if want := spec.sample(row, prompt, output); got != want {
				t.Fatalf("trial %d %+v, draw %d: token %d, the specification draws %d", trial, p, draw, got, want)
			}
		}
	}
}
