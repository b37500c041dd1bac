package scheduler

import (
	"context"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/lfm2go/lfm2/internal/model"
	"github.com/lfm2go/lfm2/internal/sample"
)

// sharedPrefixPrompts are prompts that start with one of two long shared
// prefixes (a "system prompt") and go on with their own tokens; some are
// exact repeats, one is the bare prefix.
func sharedPrefixPrompts(r *rand.Rand, n int) [][]int32 {
	prefixes := [][]int32{make([]int32, 53), make([]int32, 40)}
	for _, p := range prefixes {
		p[0] = 1
		for i := 1; i < len(p); i++ {
			p[i] = int32(2 + r.IntN(30000))
		}
	}
	var out [][]int32
	for i := range n {
		p := slices.Clone(prefixes[i%2])
		for range r.IntN(40) {
			p = append(p, int32(2+r.IntN(30000)))
		}
		out = append(out, p)
		if i%5 == 4 {
			out = append(out, slices.Clone(p)) // a repeat: all but its last token is cached
		}
	}
	return append(out, slices.Clone(prefixes[0]))
}

// TestPrefixCacheIsExact: with the prefix cache, sequences that share
// prompt prefixes with earlier ones reuse their blocks (and conv state) and
// generate exactly the tokens an engine without the cache generates —
// under sampling, with tiny chunks, a KV pool small enough to preempt and
// evict, and one sequence at a time or many; with an f32 KV cache and an
// f16 one.
func TestPrefixCacheIsExact(t *testing.T) { eachKVDtype(t, prefixCacheIsExact) }

func prefixCacheIsExact(t *testing.T, m *model.Model) {
	prompts := sharedPrefixPrompts(rand.New(rand.NewPCG(3, 4)), 14)
	p := Params{MaxTokens: 12, IgnoreEOS: true, Sample: sample.Params{Temperature: 0.8, TopP: 0.9, Seed: 11}}
	run := func(cfg Config, stream bool) ([][]int32, []int, int) {
		e, err := NewEngine(m, cfg)
		if err != nil {
			t.Fatal(err)
		}
		preempted := 0
		e.Scheduler().OnPreempt = func(*Sequence) { preempted++ }
		seqs := make([]*Sequence, len(prompts))
		for i, pr := range prompts {
			seqs[i] = &Sequence{Prompt: pr, Params: p}
			seqs[i].Params.Stream = uint64(i + 1)
			if err := e.Add(seqs[i]); err != nil {
				t.Fatal(err)
			}
			if stream { // one at a time: each finds its predecessors cached
				if err := e.Run(context.Background(), func(Event) {}); err != nil {
					t.Fatal(err)
				}
			}
		}
		if err := e.Run(context.Background(), func(Event) {}); err != nil {
			t.Fatal(err)
		}
		out, reused := make([][]int32, len(seqs)), make([]int, len(seqs))
		for i, q := range seqs {
			out[i], reused[i] = q.Output, q.Reused()
		}
		return out, reused, preempted
	}
	base := Config{Limits: Limits{MaxBatchTokens: 64, MaxSeqs: 4}, BlockSize: 16, KVBytes: 16 << 20}
	want, _, _ := run(base, true)
	for _, c := range []struct {
		name   string
		cfg    Config
		serial bool
	}{
		{"one at a time", Config{Limits: Limits{MaxBatchTokens: 64, MaxSeqs: 4}, BlockSize: 16, KVBytes: 16 << 20, PrefixCache: true}, true},
		{"batched, small chunks", Config{Limits: Limits{MaxBatchTokens: 7, MaxSeqs: 5}, BlockSize: 8, KVBytes: 16 << 20, PrefixCache: true}, false},
		// Room for ~2.5 sequences: preemption and eviction both happen.
		{"tight memory", Config{Limits: Limits{MaxBatchTokens: 40, MaxSeqs: 6}, BlockSize: 4, KVBytes: 300 * m.CacheShape().KVBytesPerToken(), PrefixCache: true}, false},
	} {
		got, reused, preempted := run(c.cfg, c.serial)
		total := 0
		for i := range want {
			if !slices.Equal(got[i], want[i]) {
				t.Errorf("%s: prompt %d: %v, without the cache %v", c.name, i, got[i], want[i])
			}
			total += reused[i]
		}
		t.Logf("%s: %d prompt tokens from the cache, %d preemptions", c.name, total, preempted)
		if c.serial {
			// Every prompt after the first two finds at least its prefix's
			// full blocks cached.
			for i := 2; i < len(prompts); i++ {
				if reused[i] < 32 {
					t.Errorf("%s: prompt %d reused %d tokens", c.name, i, reused[i])
				}
			}
		} else if total == 0 {
			t.Errorf("%s: nothing was reused", c.name)
		}
	}
}
