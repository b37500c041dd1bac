package sample

import (
	"math"
	"slices"
	"sort"
	"testing"
)

// TestLogProbs checks against a direct softmax and a full sort.
func TestLogProbs(t *testing.T) {
	logits := []float32{1, 3, -2, 3, 0.5, 7, -40, 2}
	var z float64
	for _, v := range logits {
		z += math.Exp(float64(v))
	}
	lp, top := LogProbs(logits, 2, 4)
	if want := math.Log(math.Exp(-2) / z); math.Abs(float64(lp)-want) > 1e-6 {
		t.Fatalf("logprob of token 2: %v, want %v", lp, want)
	}
	ids := []int32{0, 1, 2, 3, 4, 5, 6, 7}
	sort.SliceStable(ids, func(i, j int) bool { return logits[ids[i]] > logits[ids[j]] })
	var got []int32
	for i, tl := range top {
		got = append(got, tl.Token)
		if want := math.Log(math.Exp(float64(logits[tl.Token])) / z); math.Abs(float64(tl.Logprob)-want) > 1e-6 {
			t.Errorf("top[%d] logprob %v, want %v", i, tl.Logprob, want)
		}
	}
	if !slices.Equal(got, ids[:4]) {
		t.Fatalf("top tokens %v, want %v", got, ids[:4])
	}
	if _, top := LogProbs(logits, 0, 0); top != nil {
		t.Fatalf("top 0 gave %v", top)
	}
	if _, top := LogProbs(logits, 0, 100); len(top) != len(logits) {
		t.Fatalf("top 100 of 8 gave %d", len(top))
	}
}
