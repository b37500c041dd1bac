package sample

import (
	"math"
)

// TokenLogprob is a token and its log-probability.
type TokenLogprob struct {
	Token   int32
	Logprob float32
}

// LogProbs returns the log-probability of token tok under the model's own
// distribution (the softmax of the raw logits, before penalties and
// temperature, as OpenAI and vLLM report them) and the top most likely
// tokens (at most top of them, most likely first; ties by lower id).
// Computed in float64 so a logprob near 0 keeps its digits.
func LogProbs(logits []float32, tok int32, top int) (float32, []TokenLogprob) {
	lse := LogSumExp(logits)
	lp := func(id int32) float32 { return float32(float64(logits[id]) - lse) }
	if top <= 0 {
		return lp(tok), nil
	}
	top = min(top, len(logits))
	best := make([]int32, 0, top+1)
	for i, v := range logits {
		if len(best) == top && v <= logits[best[top-1]] {
			continue
		}
		// Insert keeping best ordered by logit, descending; equal logits
		// keep the lower id first.
		j := len(best)
		best = append(best, int32(i))
		for j > 0 && logits[best[j-1]] < v {
			best[j] = best[j-1]
			j--
		}
		best[j] = int32(i)
		if len(best) > top {
			best = best[:top]
		}
	}
	out := make([]TokenLogprob, len(best))
	for i, id := range best {
		out[i] = TokenLogprob{Token: id, Logprob: lp(id)}
	}
	return lp(tok), out
}

// LogSumExp is log Σ exp(x), in float64 from the largest value, so that a
// log-probability x − LogSumExp(x) near 0 keeps its digits.
func LogSumExp(x []float32) float64 {
	mx := math.Inf(-1)
	for _, v := range x {
		mx = math.Max(mx, float64(v))
	}
	var sum float64
	for _, v := range x {
		sum += math.Exp(float64(v) - mx)
	}
	return mx + math.Log(sum)
}
