// Package sample turns logits into a token the way Hugging Face's
// generate() does: repetition penalty, then temperature, top-k, top-p and
// min-p, then a draw from a seeded generator (or argmax when greedy).
package sample

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
)

// Params are per-sequence sampling settings. The zero value is greedy
// decoding with no penalty.
type Params struct {
	Temperature       float32 // 0 = greedy (argmax)
	TopK              int     // 0 = off
	TopP              float32 // 0 or 1 = off
	MinP              float32 // 0 = off
	RepetitionPenalty float32 // 0 or 1 = off; >1 discourages repeats
	Seed              uint64
}

// Defaults are LFM2's recommended settings (model card): temperature 0.3,
// min-p 0.15, repetition penalty 1.05.
func Defaults() Params {
	return Params{Temperature: 0.3, MinP: 0.15, RepetitionPenalty: 1.05}
}

// Validate reports a setting outside its range, naming it.
func (p Params) Validate() error {
	switch {
	case p.Temperature < 0 || math.IsNaN(float64(p.Temperature)):
		return fmt.Errorf("temperature %v must be ≥ 0", p.Temperature)
	case p.TopK < 0:
		return fmt.Errorf("top-k %d must be ≥ 0", p.TopK)
	case p.TopP < 0 || p.TopP > 1:
		return fmt.Errorf("top-p %v must be in [0, 1]", p.TopP)
	case p.MinP < 0 || p.MinP > 1:
		return fmt.Errorf("min-p %v must be in [0, 1]", p.MinP)
	case p.RepetitionPenalty < 0:
		return fmt.Errorf("repetition penalty %v must be > 0", p.RepetitionPenalty)
	}
	return nil
}

// Sampler draws tokens for one sequence. Its generator is seeded from
// Params.Seed and the stream number given to New, so a sequence samples the
// same tokens whatever else runs beside it.
type Sampler struct {
	p      Params
	rng    *rand.Rand
	scores []float32
	cand   []int32
	sorted []float32
	seen   map[int32]struct{}
}

// New makes a sampler; stream separates sequences that share a seed.
func New(p Params, stream uint64) *Sampler {
	return &Sampler{p: p, rng: rand.New(rand.NewPCG(p.Seed, stream)), seen: map[int32]struct{}{}}
}

// ErrNoToken is returned for a logits row no token can be drawn from: one
// holding NaN or +Inf (a broken model or checkpoint), or one where every
// token is -Inf. Sampling such a row would silently emit an arbitrary token.
var ErrNoToken = errors.New("the logits are not finite")

// Sample picks the next token given the logits and every token of the
// sequence so far (prompt and generated; HF penalises both). logits is not
// modified. It is total: any row gives a token or ErrNoToken (wrapped with
// what was wrong), never a panic.
func (s *Sampler) Sample(logits []float32, history []int32) (int32, error) {
	if err := checkRow(logits); err != nil {
		return -1, err
	}
	sc := append(s.scores[:0], logits...)
	s.scores = sc
	if pen := s.p.RepetitionPenalty; pen > 0 && pen != 1 {
		clear(s.seen)
		for _, id := range history {
			if _, dup := s.seen[id]; dup || int(id) >= len(sc) || id < 0 {
				continue
			}
			s.seen[id] = struct{}{}
			if sc[id] < 0 {
				sc[id] *= pen
			} else {
				sc[id] /= pen
			}
		}
	}
	if s.p.Temperature == 0 {
		return argmax(sc), nil
	}
	inv := 1 / s.p.Temperature
	for i := range sc {
		sc[i] *= inv
	}
	top := sc[argmax(sc)]
	if math.IsInf(float64(top), 0) {
		// A temperature so small that scaling overflowed: it is greedy.
		return argmax(logits), nil
	}
	// Top-k: the k-th largest score is the cut-off (ties at the cut are kept, as in HF).
	cut := float32(math.Inf(-1))
	if k := s.p.TopK; k > 0 && k < len(sc) {
		cut = kthLargest(sc, k, &s.sorted)
	}
	// Probabilities relative to the best token, normalised over the top-k set.
	var z float64
	for _, v := range sc {
		if v >= cut {
			z += math.Exp(float64(v - top))
		}
	}
	// Min-p keeps p ≥ min_p·p_max; renormalising does not change the ratio,
	// so it can be applied first, which keeps the sort below short.
	floor := cut
	if s.p.MinP > 0 {
		floor = max(floor, top+float32(math.Log(float64(s.p.MinP))))
	}
	cand := s.cand[:0]
	for i, v := range sc {
		if v >= floor {
			cand = append(cand, int32(i))
		}
	}
	// Top-p (HF): drop a token when the mass of it and everything less
	// likely is ≤ 1-top_p, i.e. keep while the mass strictly before it < top_p.
	// Only top-p needs the candidates in order: without it the draw walks
	// them by id (sorting a whole vocabulary costs more than a decode step's
	// attention).
	keep := len(cand)
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
				keep = i
				break
			}
			head += math.Exp(float64(sc[id]-top)) / z
		}
	}
	cand = cand[:keep]
	s.cand = cand
	var mass float64
	for _, id := range cand {
		mass += math.Exp(float64(sc[id] - top))
	}
	r := s.rng.Float64() * mass
	for _, id := range cand {
		r -= math.Exp(float64(sc[id] - top))
		if r < 0 {
			return id, nil
		}
	}
	return cand[len(cand)-1], nil
}

// checkRow refuses rows with NaN or +Inf, and rows that are all -Inf.
func checkRow(logits []float32) error {
	finite := 0
	for i, v := range logits {
		switch {
		case v != v:
			return fmt.Errorf("%w: NaN at token %d", ErrNoToken, i)
		case math.IsInf(float64(v), 1):
			return fmt.Errorf("%w: +Inf at token %d", ErrNoToken, i)
		case !math.IsInf(float64(v), -1):
			finite++
		}
	}
	if finite == 0 {
		return fmt.Errorf("%w: no token has a finite score (%d all -Inf)", ErrNoToken, len(logits))
	}
	return nil
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

// kthLargest returns the k-th largest value of x (1-based).
func kthLargest(x []float32, k int, buf *[]float32) float32 {
	vals := append((*buf)[:0], x...)
	*buf = vals
	slices.Sort(vals)
	return vals[len(vals)-k]
}
