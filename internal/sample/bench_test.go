package sample

import (
	"math/rand/v2"
	"testing"
)

// BenchmarkSampleVocab samples a row the size of LFM2's vocabulary under greedy,
// LFM2's and LFM2.5's recommended settings, top-p alone, and ollama's
// defaults.
func BenchmarkSampleVocab(b *testing.B) {
	r := rand.New(rand.NewPCG(1, 2))
	logits := make([]float32, 65536)
	for i := range logits {
		logits[i] = float32(r.NormFloat64() * 3)
	}
	hist := make([]int32, 600)
	for i := range hist {
		hist[i] = int32(r.IntN(65536))
	}
	for _, c := range []struct {
		name string
		p    Params
	}{{"greedy", Params{}}, {"defaults", Defaults()}, {"topp", Params{Temperature: 0.8, TopP: 0.9}},
		{"lfm2.5", Params{Temperature: 0.1, TopK: 50, RepetitionPenalty: 1.05}},
		{"ollama", Params{Temperature: 0.8, TopK: 40, TopP: 0.9, RepetitionPenalty: 1.1}}} {
		b.Run(c.name, func(b *testing.B) {
			s := New(c.p, 1)
			for b.Loop() {
				if _, err := s.Sample(logits, hist, nil); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
