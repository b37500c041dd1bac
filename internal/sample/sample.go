// Package sample turns logits into a token the way Hugging Face's
// generate() does: OpenAI's logit bias first (as vLLM applies it), then
// the repetition penalty, OpenAI's frequency and presence penalties (as
// vLLM), temperature, top-k, top-p and min-p, then a draw from a seeded
// generator (or argmax when greedy).
package sample

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strconv"
)

// Params are per-sequence sampling settings. The zero value is greedy
// decoding with no penalty.
type Params struct {
	Temperature       float32 // 0 = greedy (argmax)
	TopK              int     // 0 = off
	TopP              float32 // 0 or 1 = off
	MinP              float32 // 0 = off
	RepetitionPenalty float32 // 0 or 1 = off; >1 discourages repeats
	// OpenAI's penalties, on the tokens generated so far (not the
	// prompt's), in [-2, 2], 0 = off: a token's logit less
	// FrequencyPenalty × its count, less PresencePenalty if it occurs.
	FrequencyPenalty float32
	PresencePenalty  float32
	// LogitBias is added to the logits of its tokens before anything else
	// (OpenAI's logit_bias: in [-100, 100]; -100 bans a token in practice,
	// 100 all but forces it). Ids outside the row are ignored.
	LogitBias map[int32]float32
	Seed      uint64
}

// MaxPenalty bounds OpenAI's frequency and presence penalties, which lie in
// [-MaxPenalty, MaxPenalty]; MaxLogitBias bounds a logit bias likewise.
const (
	MaxPenalty   = 2
	MaxLogitBias = 100
)

// PenaltyInRange reports whether v is a frequency or presence penalty
// OpenAI's API accepts.
func PenaltyInRange(v float32) bool { return v >= -MaxPenalty && v <= MaxPenalty }

// BiasInRange reports whether b is a logit bias OpenAI's API accepts.
func BiasInRange(b float64) bool { return b >= -MaxLogitBias && b <= MaxLogitBias }

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
	case !PenaltyInRange(p.FrequencyPenalty):
		return fmt.Errorf("frequency penalty %v must be in [-2, 2]", p.FrequencyPenalty)
	case !PenaltyInRange(p.PresencePenalty):
		return fmt.Errorf("presence penalty %v must be in [-2, 2]", p.PresencePenalty)
	}
	for id, b := range p.LogitBias {
		if !BiasInRange(float64(b)) {
			return fmt.Errorf("logit bias %v of token %d must be in [-100, 100]", b, id)
		}
	}
	return nil
}

// ParseLogitBias reads OpenAI's logit_bias, token ids (as strings) to
// biases, for a vocabulary of vocab tokens; an error names the entry.
func ParseLogitBias(raw map[string]float64, vocab int) (map[int32]float32, error) {
	if len(raw) == 0 {
		return nil, nil
	}
	out := make(map[int32]float32, len(raw))
	for k, b := range raw {
		id, err := strconv.ParseInt(k, 10, 32)
		if err != nil || id < 0 || int(id) >= vocab {
			return nil, fmt.Errorf("key %q: want a token id from 0 to %d", k, vocab-1)
		}
		if !BiasInRange(b) {
			return nil, fmt.Errorf("token %d: bias %v, want a number in [-100, 100]", id, b)
		}
		out[int32(id)] = float32(b)
	}
	return out, nil
}

// Sampler draws tokens for one sequence. Its generator is seeded from
// Params.Seed and the stream number given to New, so a sequence samples the
// same tokens whatever else runs beside it.
type Sampler struct {
	p       Params
	rng     *rand.Rand
	scores  []float32 // the row after penalty and temperature
	biased  []float32 // the row with LogitBias added
	weights []float64 // exp(score - best) of each candidate, in cand's order
	spare   []float64 // the other weights buffer, for reordering
	cand    []int32
	ranked  []ranked
	bins    []float64
	sorted  []float32
	seen    []uint64 // bitset of the history's tokens
	counts  []int32  // each token's count in the output (all zero between calls)
}

// New makes a sampler; stream separates sequences that share a seed.
func New(p Params, stream uint64) *Sampler {
	return &Sampler{p: p, rng: rand.New(rand.NewPCG(p.Seed, stream))}
}

// ErrNoToken is returned for a logits row no token can be drawn from: one
// holding NaN or +Inf (a broken model or checkpoint), or one where every
// token is -Inf. Sampling such a row would silently emit an arbitrary token.
var ErrNoToken = errors.New("the logits are not finite")

// Sample picks the next token given the logits and every token of the
// sequence so far: the prompt's, then the generated ones (the repetition
// penalty takes both, as HF's; the frequency and presence penalties the
// generated ones, as vLLM's). logits is not modified. It is total: any row
// gives a token or ErrNoToken (wrapped with what was wrong), never a panic.
//
// It runs once per sequence per decode step, over the whole vocabulary
// (65536 for LFM2), so each pass over the row counts: a step of a 4-bit
// 350M model takes about 7 ms. The draw equals that of the plain statement
// of these rules (spec_test.go): the same candidates, the same order, the
// same float64 sums.
func (s *Sampler) Sample(logits []float32, prompt, output []int32) (int32, error) {
	if err := checkRow(logits); err != nil {
		return -1, err
	}
	if len(s.p.LogitBias) > 0 {
		// From here on the biased row is the logits (vLLM's order: the
		// bias, then the penalties).
		s.biased = append(s.biased[:0], logits...)
		for id, b := range s.p.LogitBias {
			if id >= 0 && int(id) < len(logits) {
				s.biased[id] += b
			}
		}
		logits = s.biased
	}
	pen := s.p.RepetitionPenalty
	repeated := pen > 0 && pen != 1
	counted := (s.p.FrequencyPenalty != 0 || s.p.PresencePenalty != 0) && len(output) > 0
	penalised := repeated || counted
	if s.p.Temperature == 0 {
		sc := logits
		if penalised {
			sc = append(s.scores[:0], logits...)
			s.scores = sc
			s.penalise(sc, logits, prompt, output, repeated, counted, 1)
		}
		return argmax(sc), nil
	}
	inv := 1 / s.p.Temperature
	if math.IsInf(float64(inv), 0) {
		return argmax(logits), nil
	}
	// The scores are the logits times inv, and for the history's tokens
	// their penalised logits times inv: the penalty applies first, as in
	// HF, without a copy of the row for it.
	s.scores = slices.Grow(s.scores[:0], len(logits))[:len(logits)]
	sc := s.scores
	for i, v := range logits {
		sc[i] = v * inv
	}
	if penalised {
		s.penalise(sc, logits, prompt, output, repeated, counted, inv)
	}
	top := maxOf(sc)
	if math.IsInf(float64(top), 0) || top != top {
		// A temperature so small that scaling overflowed: it is greedy.
		return argmax(logits), nil
	}
	// Top-k: the k-th largest score is the cut-off (ties at the cut are kept, as in HF).
	cut := float32(math.Inf(-1))
	if k := s.p.TopK; k > 0 && k < len(sc) {
		cut = kthLargest(sc, k, &s.sorted)
	}
	// Min-p keeps p ≥ min_p·p_max; renormalising does not change the ratio,
	// so it can be applied first, which keeps the candidates few.
	floor := cut
	if s.p.MinP > 0 {
		floor = max(floor, top+float32(math.Log(float64(s.p.MinP))))
	}
	topP := float64(s.p.TopP)
	if topP > 0 && topP < 1 {
		// Top-p needs the normaliser of the whole top-k set.
		z := s.candidates(sc, top, cut, floor)
		s.topP(sc, top, topP, z)
	} else {
		s.candidates(sc, top, floor, floor)
	}
	var mass float64
	for _, w := range s.weights {
		mass += w
	}
	r := s.rng.Float64() * mass
	for i, w := range s.weights {
		r -= w
		if r < 0 {
			return s.cand[i], nil
		}
	}
	return s.cand[len(s.cand)-1], nil
}

// penalise sets the score of each distinct token of prompt and output
// (repeated: of both; else of output only) to its logit under HF's
// repetition penalty if repeated (a positive logit divided by it, a
// negative one multiplied), then, if counted and the token was generated,
// less FrequencyPenalty × its count in output and less PresencePenalty
// (vLLM's order), times inv.
func (s *Sampler) penalise(sc, logits []float32, prompt, output []int32, repeated, counted bool, inv float32) {
	words := (len(sc) + 63) / 64
	if cap(s.seen) < words {
		s.seen = make([]uint64, words)
	}
	seen := s.seen[:words]
	clear(seen)
	var counts []int32
	if counted {
		if len(s.counts) < len(sc) {
			s.counts = make([]int32, len(sc))
		}
		counts = s.counts[:len(sc)]
		for _, id := range output {
			if id >= 0 && int(id) < len(sc) {
				counts[id]++
			}
		}
	}
	pen, freq, pres := s.p.RepetitionPenalty, s.p.FrequencyPenalty, s.p.PresencePenalty
	visit := func(tokens []int32) {
		for _, id := range tokens {
			if id < 0 || int(id) >= len(sc) || seen[id/64]&(1<<(id%64)) != 0 {
				continue
			}
			seen[id/64] |= 1 << (id % 64)
			v := logits[id]
			if repeated {
				if v < 0 {
					v *= pen
				} else {
					v /= pen
				}
			}
			if counted {
				if c := counts[id]; c > 0 {
					v -= freq * float32(c)
					v -= pres
				}
			}
			if inv != 1 {
				v *= inv
			}
			sc[id] = v
		}
	}
	if repeated {
		visit(prompt)
	}
	visit(output)
	if counted {
		for _, id := range output { // all zero again for the next call
			if id >= 0 && int(id) < len(sc) {
				counts[id] = 0
			}
		}
	}
}

// maxOf returns the largest value of x (not empty, no NaN), with four
// running maxima to keep the compares independent.
func maxOf(x []float32) float32 {
	m0, m1, m2, m3 := x[0], x[0], x[0], x[0]
	i := 0
	for ; i+4 <= len(x); i += 4 {
		g := x[i : i+4 : i+4]
		if g[0] > m0 {
			m0 = g[0]
		}
		if g[1] > m1 {
			m1 = g[1]
		}
		if g[2] > m2 {
			m2 = g[2]
		}
		if g[3] > m3 {
			m3 = g[3]
		}
	}
	for ; i < len(x); i++ {
		if x[i] > m0 {
			m0 = x[i]
		}
	}
	return max(m0, m1, m2, m3)
}

// candidates lists the tokens scoring at least floor, in id order, with
// their weights exp(score - top), and returns the sum of the weights of
// the tokens scoring at least cut (cut ≤ floor), in id order.
func (s *Sampler) candidates(sc []float32, top, cut, floor float32) float64 {
	cand, weights := s.cand[:0], s.weights[:0]
	var z float64
	for i, v := range sc {
		if v < cut {
			continue
		}
		w := math.Exp(float64(v - top))
		z += w
		if v >= floor {
			cand = append(cand, int32(i))
			weights = append(weights, w)
		}
	}
	s.cand, s.weights = cand, weights
	return z
}

// ranked is a candidate's place in its weights list and its score.
type ranked struct {
	score float32
	id    int32
	at    int32
}

// topPBins is how finely topP groups candidates by score (bins of a
// quarter of a unit below the best) to find which of them can be kept
// before sorting any.
const topPBins = 256

// topP (HF) drops a candidate when the mass of it and everything less likely
// is ≤ 1-p, i.e. keeps candidates, most likely first (ties by lower id),
// while the mass strictly before each is < p. It leaves the kept ones in
// s.cand and s.weights in that order. The kept ones are the most likely:
// binning by score finds a set of them whose mass reaches p, which is the
// head of the ranking, so only that set is sorted (the whole row only when
// rounding leaves the set short).
func (s *Sampler) topP(sc []float32, top float32, p, z float64) {
	if cap(s.bins) < topPBins {
		s.bins = make([]float64, topPBins)
	}
	bins := s.bins[:topPBins]
	clear(bins)
	binOf := func(v float32) int {
		if d := (top - v) * 4; d < topPBins-1 {
			return int(d)
		}
		return topPBins - 1 // far below the best, -Inf or rounding's NaN
	}
	for i, id := range s.cand {
		bins[binOf(sc[id])] += s.weights[i]
	}
	last, head := topPBins-1, 0.0
	for b, m := range bins {
		if head += m; head/z >= p {
			last = b
			break
		}
	}
	if s.rank(sc, last, binOf, p, z) {
		return
	}
	s.rank(sc, topPBins-1, binOf, p, z)
}

// rank sorts the candidates in bins up to last and keeps the head of them
// that top-p keeps; it reports false, changing nothing, when that head
// might reach past them.
func (s *Sampler) rank(sc []float32, last int, binOf func(float32) int, p, z float64) bool {
	rs := s.ranked[:0]
	for i, id := range s.cand {
		if binOf(sc[id]) <= last {
			rs = append(rs, ranked{score: sc[id], id: id, at: int32(i)})
		}
	}
	s.ranked = rs
	slices.SortFunc(rs, func(a, b ranked) int {
		switch {
		case a.score > b.score:
			return -1
		case a.score < b.score:
			return 1
		}
		return int(a.id - b.id)
	})
	keep := len(rs)
	var head float64
	for i, r := range rs {
		if i > 0 && head >= p {
			keep = i
			break
		}
		head += s.weights[r.at] / z
	}
	if keep == len(rs) && len(rs) < len(s.cand) && head < p {
		return false
	}
	cand, weights := s.cand[:0], s.spare[:0]
	for _, r := range rs[:keep] {
		cand = append(cand, r.id)
		weights = append(weights, s.weights[r.at])
	}
	s.cand, s.weights, s.spare = cand, weights, s.weights
	return true
}

// checkRow refuses a row holding NaN or +Inf, or only -Inf; one compare a
// token for a finite one.
func checkRow(logits []float32) error {
	const magnitude, expMask = 0x7fffffff, 0x7f800000
	finite := false
	for i, v := range logits {
		if math.Float32bits(v)&magnitude < expMask {
			finite = true
			continue
		}
		switch {
		case v != v:
			return fmt.Errorf("%w: NaN at token %d", ErrNoToken, i)
		case v > 0:
			return fmt.Errorf("%w: +Inf at token %d", ErrNoToken, i)
		}
	}
	if !finite {
		return fmt.Errorf("%w: no token has a finite score (%d all -Inf)", ErrNoToken, len(logits))
	}
	return nil
}

// argmax returns the first index of the largest value (0 for an empty
// row). Four running maxima, one for every fourth token, keep the compares
// independent; the first index wins among equal maxima.
func argmax(x []float32) int32 {
	if len(x) == 0 {
		return 0
	}
	i0, i1, i2, i3 := 0, 0, 0, 0
	v0, v1, v2, v3 := x[0], x[0], x[0], x[0]
	i := 0
	for ; i+4 <= len(x); i += 4 {
		g := x[i : i+4 : i+4]
		if g[0] > v0 {
			i0, v0 = i, g[0]
		}
		if g[1] > v1 {
			i1, v1 = i+1, g[1]
		}
		if g[2] > v2 {
			i2, v2 = i+2, g[2]
		}
		if g[3] > v3 {
			i3, v3 = i+3, g[3]
		}
	}
	for ; i < len(x); i++ {
		if x[i] > v0 {
			i0, v0 = i, x[i]
		}
	}
	best, bestV := i0, v0
	for _, c := range [3]struct {
		i int
		v float32
	}{{i1, v1}, {i2, v2}, {i3, v3}} {
		if c.v > bestV || c.v == bestV && c.i < best {
			best, bestV = c.i, c.v
		}
	}
	return int32(best)
}

// kthLargest returns the k-th largest value of x (1-based; x holds no NaN).
// For the small k users set (40, 50, 100) it keeps the k largest in a
// min-heap, one compare for most tokens; otherwise it sorts a copy.
func kthLargest(x []float32, k int, buf *[]float32) float32 {
	if k > 1024 {
		vals := append((*buf)[:0], x...)
		*buf = vals
		slices.Sort(vals)
		return vals[len(vals)-k]
	}
	heap := append((*buf)[:0], x[:k]...)
	*buf = heap
	for i := k/2 - 1; i >= 0; i-- {
		siftDown(heap, i)
	}
	for _, v := range x[k:] {
		if v > heap[0] {
			heap[0] = v
			siftDown(heap, 0)
		}
	}
	return heap[0]
}

// siftDown restores the min-heap order below i.
func siftDown(h []float32, i int) {
	for {
		c := 2*i + 1
		if c >= len(h) {
			return
		}
		if c+1 < len(h) && h[c+1] < h[c] {
			c++
		}
		if h[i] <= h[c] {
			return
		}
		h[i], h[c] = h[c], h[i]
		i = c
	}
}
