package scheduler

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/lfm2go/lfm2/internal/fixture"
	"github.com/lfm2go/lfm2/internal/model"
	"github.com/lfm2go/lfm2/internal/sample"
)

func loadModel(t *testing.T, name string) *model.Model {
	t.Helper()
	m, err := model.Load(fixture.Dir(name), 2)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { m.Close() })
	return m
}

// generate runs prompts through one engine and returns each one's output.
func generate(t *testing.T, m *model.Model, cfg Config, prompts [][]int32, p Params) ([][]int32, int) {
	t.Helper()
	e, err := NewEngine(m, cfg)
	if err != nil {
		t.Fatal(err)
	}
	preemptions := 0
	e.Scheduler().OnPreempt = func(*Sequence) { preemptions++ }
	seqs := make([]*Sequence, len(prompts))
	for i, pr := range prompts {
		seqs[i] = &Sequence{Prompt: pr, Params: p}
		if err := e.Add(seqs[i]); err != nil {
			t.Fatal(err)
		}
	}
	done := 0
	if err := e.Run(context.Background(), func(ev Event) {
		if ev.Done {
			done++
		}
	}); err != nil {
		t.Fatal(err)
	}
	if done != len(prompts) {
		t.Fatalf("%d of %d finished", done, len(prompts))
	}
	out := make([][]int32, len(seqs))
	for i, q := range seqs {
		out[i] = slices.Clone(q.Output)
	}
	return out, preemptions
}

func TestFixtureGreedyThroughEngine(t *testing.T) {
	for _, name := range []string{"tiny-bf16", "tiny-f32-v5-untied"} {
		m := loadModel(t, name)
		var prompts, want [][]int32
		for _, c := range fixture.Load(t, name).Cases {
			prompts, want = append(prompts, c.IDs), append(want, c.Greedy)
		}
		got, _ := generate(t, m, Config{Limits: Limits{MaxBatchTokens: 32, MaxSeqs: 4}, BlockSize: 16, KVBytes: 64 << 20},
			prompts, Params{MaxTokens: 16, IgnoreEOS: true})
		for i := range want {
			if !slices.Equal(got[i], want[i]) {
				t.Errorf("%s case %d: %v, want %v", name, i, got[i], want[i])
			}
		}
	}
}

// TestBatchInvariance: every sequence's greedy output is identical whatever
// runs beside it, the step budget, or preemption forced by a tiny KV budget,
// with an f32 KV cache and an f16 one.
func TestBatchInvariance(t *testing.T) { eachKVDtype(t, batchInvariance) }

// eachKVDtype runs check on the tiny-bf16 fixture with an f32 KV cache and
// with an f16 one, as subtests.
func eachKVDtype(t *testing.T, check func(*testing.T, *model.Model)) {
	for _, f16 := range []bool{false, true} {
		t.Run(map[bool]string{false: "kv-f32", true: "kv-f16"}[f16], func(t *testing.T) {
			m := loadModel(t, "tiny-bf16")
			if f16 {
				m.UseF16KV()
			}
			check(t, m)
		})
	}
}

func batchInvariance(t *testing.T, m *model.Model) {
	rng := rand.New(rand.NewPCG(1, 2))
	lengths := []int{1, 2, 3, 5, 8, 13, 21, 34, 55, 89, 144, 200, 7, 64}
	prompts := make([][]int32, len(lengths))
	for i, n := range lengths {
		prompts[i] = []int32{1}
		for len(prompts[i]) < n {
			prompts[i] = append(prompts[i], int32(rng.IntN(m.Config.VocabSize-600)+600))
		}
	}
	p := Params{MaxTokens: 24, IgnoreEOS: true}
	solo := make([][]int32, len(prompts))
	for i, pr := range prompts {
		out, _ := generate(t, m, Config{Limits: Limits{MaxBatchTokens: 512, MaxSeqs: 1}, BlockSize: 16, KVBytes: 64 << 20}, [][]int32{pr}, p)
		solo[i] = out[0]
	}
	perTok := m.CacheShape().KVBytesPerToken()
	for _, cfg := range []Config{
		{Limits: Limits{MaxBatchTokens: 512, MaxSeqs: 8}, BlockSize: 16, KVBytes: 64 << 20},
		{Limits: Limits{MaxBatchTokens: 7, MaxSeqs: 3}, BlockSize: 4, KVBytes: 64 << 20},
		{Limits: Limits{MaxBatchTokens: 64, MaxSeqs: 16}, BlockSize: 8, KVBytes: 64 << 20},
		// 240 tokens of KV: the longest prompt fits alone, and decode growth must preempt.
		{Limits: Limits{MaxBatchTokens: 96, MaxSeqs: 16}, BlockSize: 8, KVBytes: 240 * perTok},
	} {
		t.Run(fmt.Sprintf("budget%d_seqs%d_kv%d", cfg.MaxBatchTokens, cfg.MaxSeqs, cfg.KVBytes), func(t *testing.T) {
			got, preempted := generate(t, m, cfg, prompts, p)
			for i := range prompts {
				if !slices.Equal(got[i], solo[i]) {
					t.Errorf("prompt %d (%d tokens): batched %v\nsolo %v", i, len(prompts[i]), got[i], solo[i])
				}
			}
			if cfg.KVBytes < 1<<20 && preempted == 0 {
				t.Errorf("the tiny KV budget forced no preemption")
			}
			t.Logf("%d preemptions", preempted)
		})
	}
}

func TestSampledOutputIsBatchInvariant(t *testing.T) {
	m := loadModel(t, "tiny-f32-v5-untied")
	prompts := [][]int32{{1, 5, 9}, {1}, {1, 77, 78, 79, 80, 81}}
	p := Params{MaxTokens: 12, IgnoreEOS: true, Sample: sample.Params{Temperature: 0.8, TopP: 0.9, Seed: 42}}
	together, _ := generate(t, m, Config{Limits: Limits{MaxBatchTokens: 64, MaxSeqs: 4}, BlockSize: 16, KVBytes: 16 << 20}, prompts, p)
	// Alone, each sequence must be the same number in the engine's order to
	// draw from the same random stream; add the others as already-finished no-ops.
	for i := range prompts {
		e, _ := NewEngine(m, Config{Limits: Limits{MaxBatchTokens: 64, MaxSeqs: 1}, BlockSize: 16, KVBytes: 16 << 20})
		e.nextID = uint64(i)
		q := &Sequence{Prompt: prompts[i], Params: p}
		e.Add(q)
		e.Run(context.Background(), func(Event) {})
		if !slices.Equal(q.Output, together[i]) {
			t.Errorf("prompt %d: alone %v, together %v", i, q.Output, together[i])
		}
	}
}

func TestRefusals(t *testing.T) {
	m := loadModel(t, "tiny-bf16")
	e, _ := NewEngine(m, Config{Limits: Limits{MaxBatchTokens: 64, MaxSeqs: 2, MaxContext: 100}, BlockSize: 16, KVBytes: 64 << 20})
	for _, q := range []*Sequence{
		{Prompt: nil, Params: Params{MaxTokens: 4}},
		{Prompt: make([]int32, 99), Params: Params{MaxTokens: 4}},
		{Prompt: []int32{1}, Params: Params{MaxTokens: 0}},
		{Prompt: []int32{1}, Params: Params{MaxTokens: 4, Sample: sample.Params{TopP: 3}}},
	} {
		if err := e.Add(q); err == nil {
			t.Errorf("accepted %d-token prompt with %+v", len(q.Prompt), q.Params)
		}
	}
}

func TestStopsOnEOSAndStopFunc(t *testing.T) {
	m := loadModel(t, "tiny-bf16")
	out, _ := generate(t, m, Config{Limits: Limits{MaxBatchTokens: 64, MaxSeqs: 2}, BlockSize: 16, KVBytes: 16 << 20},
		[][]int32{{1, 2517, 8416}}, Params{MaxTokens: 16})
	// Greedy for this prompt is [10466, 2325, ...]; a Stop on the second token ends there.
	stopAt := out[0][1]
	e, _ := NewEngine(m, Config{Limits: Limits{MaxBatchTokens: 64, MaxSeqs: 2}, BlockSize: 16, KVBytes: 16 << 20})
	q := &Sequence{Prompt: []int32{1, 2517, 8416}, Params: Params{MaxTokens: 16, Stop: func(g []int32) bool { return g[len(g)-1] == stopAt }}}
	e.Add(q)
	e.Run(context.Background(), func(Event) {})
	if len(q.Output) != 2 || q.FinishReason != FinishStop {
		t.Fatalf("output %v reason %s", q.Output, q.FinishReason)
	}
}

func TestAbortFreesTheSlot(t *testing.T) {
	m := loadModel(t, "tiny-bf16")
	e, _ := NewEngine(m, Config{Limits: Limits{MaxBatchTokens: 64, MaxSeqs: 1}, BlockSize: 16, KVBytes: 16 << 20})
	a := &Sequence{Prompt: []int32{1, 2517, 8416}, Params: Params{MaxTokens: 100, IgnoreEOS: true}}
	b := &Sequence{Prompt: []int32{1, 2517, 8416}, Params: Params{MaxTokens: 5, IgnoreEOS: true}}
	e.Add(a)
	e.Add(b)
	for len(a.Output) < 3 {
		if err := e.Step(func(Event) {}); err != nil {
			t.Fatal(err)
		}
	}
	e.Abort(a)
	if err := e.Run(context.Background(), func(Event) {}); err != nil {
		t.Fatal(err)
	}
	if a.FinishReason != FinishAbort || len(a.Output) != 3 || b.FinishReason != FinishLength || len(b.Output) != 5 {
		t.Fatalf("a: %s %d tokens; b: %s %d tokens", a.FinishReason, len(a.Output), b.FinishReason, len(b.Output))
	}
	// b ran in the slot a gave back, from a clean state: same as a's first 3 tokens.
	if !slices.Equal(a.Output, b.Output[:3]) {
		t.Fatalf("b after a's abort %v, a %v", b.Output, a.Output)
	}
}

// TestConversationContinuesFromTheCache: a prompt that extends an earlier
// sequence's prompt and answer (the next turn of a chat) computes only what
// follows the cached full blocks and generates exactly what an engine
// without the cache generates.
func TestConversationContinuesFromTheCache(t *testing.T) {
	m := loadModel(t, "tiny-bf16")
	cfg := Config{Limits: Limits{MaxBatchTokens: 64, MaxSeqs: 1}, BlockSize: 4, KVBytes: 16 << 20, PrefixCache: true}
	p := Params{MaxTokens: 6, IgnoreEOS: true, Sample: sample.Params{Temperature: 0.7, Seed: 9}, Stream: 5}
	e, _ := NewEngine(m, cfg)
	first := &Sequence{Prompt: []int32{1, 2517, 8416, 77, 78}, Params: p}
	e.Add(first)
	e.Run(context.Background(), func(Event) {})
	prompt := append(append([]int32{}, first.Prompt...), first.Output...)
	prompt = append(prompt, 600, 601, 602)
	second := &Sequence{Prompt: prompt, Params: p}
	before := e.PrefillTokens
	e.Add(second)
	e.Run(context.Background(), func(Event) {})
	// The first sequence's state covers its prompt and all but its last
	// token (never run): 10 tokens, so 2 full blocks of 4.
	if second.Reused() != 8 || e.PrefillTokens-before != len(prompt)-8 {
		t.Fatalf("reused %d, computed %d of %d prompt tokens", second.Reused(), e.PrefillTokens-before, len(prompt))
	}
	cfg.PrefixCache = false
	fresh, _ := NewEngine(m, cfg)
	alone := &Sequence{Prompt: prompt, Params: p}
	fresh.Add(alone)
	fresh.Run(context.Background(), func(Event) {})
	if !slices.Equal(second.Output, alone.Output) {
		t.Fatalf("continued %v, fresh %v", second.Output, alone.Output)
	}
}

// Logits no token can be drawn from (here NaN, from a norm epsilon that the
// config parser would refuse, set directly) finish the sequence with
// FinishError and a reason, under greedy and default sampling alike; they
// never emit a token and never panic.
func TestNonFiniteLogitsFinishWithError(t *testing.T) {
	m := loadModel(t, "tiny-bf16")
	m.Config.NormEps = -1
	for _, sp := range []sample.Params{{}, sample.Defaults()} {
		e, err := NewEngine(m, Config{Limits: Limits{MaxBatchTokens: 64, MaxSeqs: 2}, BlockSize: 16, KVBytes: 1 << 20})
		if err != nil {
			t.Fatal(err)
		}
		q := &Sequence{Prompt: []int32{1, 6, 42, 7}, Params: Params{MaxTokens: 8, Sample: sp}}
		if err := e.Add(q); err != nil {
			t.Fatal(err)
		}
		var events []Event
		if err := e.Run(context.Background(), func(ev Event) { events = append(events, ev) }); err != nil {
			t.Fatal(err)
		}
		if q.FinishReason != FinishError || q.Err == nil || len(q.Output) != 0 {
			t.Fatalf("%+v: finish %q, err %v, output %v", sp, q.FinishReason, q.Err, q.Output)
		}
		if len(events) != 1 || !events[0].Done || events[0].Token != -1 {
			t.Fatalf("events %+v", events)
		}
		if !e.Idle() {
			t.Fatal("engine not idle after the error")
		}
	}
}

// TestFrequencyAndPresencePenalties: greedy decoding under OpenAI's
// penalties picks, at every step, the token whose raw log-probability (as
// the step's event reports it, all tokens) less frequency × its count in
// the output so far, less presence if it occurs there, is largest; prompt
// tokens are not penalised. Positive penalties and negative ones (which
// draw the output back to its tokens); between them the penalties must
// change some choice, and penalising the prompt too must change some.
func TestFrequencyAndPresencePenalties(t *testing.T) {
	m := loadModel(t, "tiny-f32-v5-untied")
	vocab := m.Config.VocabSize
	// The prompt ends with the model's own greedy continuation, so that its
	// tokens compete.
	greedy, _ := generate(t, m, Config{Limits: Limits{MaxBatchTokens: 64, MaxSeqs: 1}, BlockSize: 16, KVBytes: 16 << 20},
		[][]int32{{1, 5, 9}}, Params{MaxTokens: 8, IgnoreEOS: true})
	prompt := append([]int32{1, 5, 9}, greedy[0]...)
	inPrompt := map[int32]int{}
	for _, id := range prompt {
		inPrompt[id]++
	}
	changed, promptMatters := 0, 0
	for _, pen := range [][2]float32{{1.5, 0.75}, {-1.5, -1}} {
		freq, pres := pen[0], pen[1]
		e, err := NewEngine(m, Config{Limits: Limits{MaxBatchTokens: 64, MaxSeqs: 2}, BlockSize: 16, KVBytes: 16 << 20})
		if err != nil {
			t.Fatal(err)
		}
		q := &Sequence{Prompt: prompt, Params: Params{MaxTokens: 24, IgnoreEOS: true, Logprobs: true, TopLogprobs: vocab,
			Sample: sample.Params{FrequencyPenalty: freq, PresencePenalty: pres}}}
		if err := e.Add(q); err != nil {
			t.Fatal(err)
		}
		counts := map[int32]int{}
		// score is the rule; wrong counts the prompt's tokens too.
		score := func(tl sample.TokenLogprob, extra map[int32]int) float32 {
			s := tl.Logprob
			if c := counts[tl.Token] + extra[tl.Token]; c > 0 {
				s -= freq*float32(c) + pres
			}
			return s
		}
		if err := e.Run(context.Background(), func(ev Event) {
			if len(ev.Top) != vocab {
				t.Fatalf("%d log-probabilities, want all %d", len(ev.Top), vocab)
			}
			best, raw, wrong, chosen := ev.Top[0], ev.Top[0], ev.Top[0], ev.Top[0]
			for _, tl := range ev.Top {
				if score(tl, nil) > score(best, nil) {
					best = tl
				}
				if tl.Logprob > raw.Logprob {
					raw = tl
				}
				if score(tl, inPrompt) > score(wrong, inPrompt) {
					wrong = tl
				}
				if tl.Token == ev.Token {
					chosen = tl
				}
			}
			if score(chosen, nil) < score(best, nil)-1e-4 {
				t.Fatalf("penalties %v, step %d: chose %d (penalised %v), the rule picks %d (%v)",
					pen, len(counts), ev.Token, score(chosen, nil), best.Token, score(best, nil))
			}
			if ev.Token != raw.Token {
				changed++
			}
			if wrong.Token != best.Token {
				promptMatters++
			}
			counts[ev.Token]++
		}); err != nil {
			t.Fatal(err)
		}
	}
	if changed == 0 || promptMatters == 0 {
		t.Fatalf("the penalties changed %d choices, penalising the prompt would change %d: the test does not see them", changed, promptMatters)
	}
}
