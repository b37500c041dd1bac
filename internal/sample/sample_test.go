package sample

import (
	"errors"
	"math"
	"slices"
	"strings"
	"testing"
)

// mustOf unwraps samples that have to succeed.
func mustOf(t testing.TB) func(int32, error) int32 {
	return func(tok int32, err error) int32 {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return tok
	}
}

func TestGreedyAndPenalty(t *testing.T) {
	logits := []float32{1, 3, 2.9, -1}
	if got := mustOf(t)(New(Params{}, 0).Sample(logits, nil, nil)); got != 1 {
		t.Fatalf("greedy = %d", got)
	}
	// HF: a positive logit is divided by the penalty: 3/1.05 = 2.857 < 2.9.
	if got := mustOf(t)(New(Params{RepetitionPenalty: 1.05}, 0).Sample(logits, []int32{1, 1}, nil)); got != 2 {
		t.Fatalf("penalised greedy = %d", got)
	}
	// A negative logit is multiplied: -1·2 = -2, still last.
	s := New(Params{RepetitionPenalty: 2}, 0)
	mustOf(t)(s.Sample(logits, []int32{3}, nil))
	if s.scores[3] != -2 || logits[3] != -1 {
		t.Fatalf("negative penalty gave %v (input %v)", s.scores[3], logits[3])
	}
}

// TestFrequencyAndPresencePenalties: OpenAI's penalties (vLLM's order:
// after the repetition penalty) take a generated token's logit down by
// frequency × its count and presence once, and leave the prompt's tokens
// alone.
func TestFrequencyAndPresencePenalties(t *testing.T) {
	logits := []float32{1, 3, 2.9, -1, 2}
	s := New(Params{FrequencyPenalty: 0.5, PresencePenalty: 0.25}, 0)
	// Token 1 generated twice: 3 − 2·0.5 − 0.25 = 1.75 < 2 (token 4) < 2.9.
	if got := mustOf(t)(s.Sample(logits, []int32{2, 2}, []int32{1, 3, 1})); got != 2 {
		t.Fatalf("penalised greedy = %d, scores %v", got, s.scores)
	}
	want := []float32{1, 3 - 2*0.5 - 0.25, 2.9, -1 - 0.5 - 0.25, 2}
	for i, v := range want {
		if s.scores[i] != v {
			t.Fatalf("score %d = %v, want %v (all: %v)", i, s.scores[i], v, s.scores)
		}
	}
	// With the repetition penalty too: first divided (or multiplied), then
	// the counts; a prompt token only the repetition penalty takes.
	s = New(Params{RepetitionPenalty: 2, FrequencyPenalty: 1, PresencePenalty: -0.5}, 0)
	mustOf(t)(s.Sample(logits, []int32{2}, []int32{3, 3, 3, 0}))
	want = []float32{1.0/2 - 1 + 0.5, 3, 2.9 / 2, -1*2 - 3 + 0.5, 2}
	for i, v := range want {
		if s.scores[i] != v {
			t.Fatalf("with repetition: score %d = %v, want %v (all: %v)", i, s.scores[i], v, s.scores)
		}
	}
	// Negative penalties encourage: token 4, generated once, overtakes.
	s = New(Params{FrequencyPenalty: -1.5}, 0)
	if got := mustOf(t)(s.Sample(logits, nil, []int32{4})); got != 4 {
		t.Fatalf("negative frequency penalty: %d", got)
	}
	// The counts start from zero at every call (kept between calls only as
	// zeroed scratch): the same call twice gives the same scores.
	s = New(Params{FrequencyPenalty: 0.5}, 0)
	mustOf(t)(s.Sample(logits, nil, []int32{1, 1}))
	first := append([]float32(nil), s.scores...)
	mustOf(t)(s.Sample(logits, nil, []int32{1, 1}))
	if !slices.Equal(first, s.scores) {
		t.Fatalf("second call %v, first %v", s.scores, first)
	}
	for _, p := range []Params{{FrequencyPenalty: 2.5}, {PresencePenalty: -3}, {FrequencyPenalty: float32(math.NaN())}} {
		if p.Validate() == nil {
			t.Fatalf("%+v accepted", p)
		}
	}
}

// TestLogitBias: the bias is added first (vLLM's order: before the
// penalties), -100 keeps a token out in practice, and ParseLogitBias reads
// OpenAI's string keys and refuses what is out of range, naming it.
func TestLogitBias(t *testing.T) {
	logits := []float32{1, 3, 2.9, -1}
	s := New(Params{LogitBias: map[int32]float32{1: -100, 3: 4.5, 9: 100}}, 0)
	if got := mustOf(t)(s.Sample(logits, nil, nil)); got != 3 {
		t.Fatalf("biased greedy = %d", got)
	}
	s = New(Params{RepetitionPenalty: 2, LogitBias: map[int32]float32{0: -3}}, 0)
	mustOf(t)(s.Sample(logits, []int32{0}, nil))
	if s.scores[0] != (1-3)*2 || logits[0] != 1 {
		t.Fatalf("bias then penalty gave %v (input %v)", s.scores[0], logits[0])
	}
	// Sampling: a banned token never comes, whatever the temperature.
	s = New(Params{Temperature: 1.5, LogitBias: map[int32]float32{1: -100, 2: -100}, Seed: 3}, 0)
	for range 200 {
		if tok := mustOf(t)(s.Sample(logits, nil, nil)); tok == 1 || tok == 2 {
			t.Fatalf("drew banned token %d", tok)
		}
	}
	got, err := ParseLogitBias(map[string]float64{"7": -100, "0": 2.5}, 10)
	if err != nil || len(got) != 2 || got[7] != -100 || got[0] != 2.5 {
		t.Fatalf("parsed %v, %v", got, err)
	}
	for raw, want := range map[string]map[string]float64{
		`key "x"`:       {"x": 1},
		`key "10"`:      {"10": 1},
		`key "-1"`:      {"-1": 1},
		`key "1.5"`:     {"1.5": 1},
		"token 3: bias": {"3": 101},
	} {
		if _, err := ParseLogitBias(want, 10); err == nil || !strings.Contains(err.Error(), raw) {
			t.Errorf("%v: %v, want an error with %q", want, err, raw)
		}
	}
	if (Params{LogitBias: map[int32]float32{1: -100.5}}).Validate() == nil {
		t.Fatal("a bias under -100 validated")
	}
}

// frequencies samples n times and returns the share of each token.
func frequencies(t *testing.T, p Params, logits []float32, n int) []float64 {
	s := New(p, 1)
	f := make([]float64, len(logits))
	for i := 0; i < n; i++ {
		f[mustOf(t)(s.Sample(logits, nil, nil))]++
	}
	for i := range f {
		f[i] /= float64(n)
	}
	return f
}

func softmax(x []float64) []float64 {
	var z float64
	out := make([]float64, len(x))
	for i, v := range x {
		out[i] = math.Exp(v)
		z += out[i]
	}
	for i := range out {
		out[i] /= z
	}
	return out
}

func TestDistributions(t *testing.T) {
	logits := []float32{2, 1, 0, -1, -3}
	lf := []float64{2, 1, 0, -1, -3}
	const n = 200000
	check := func(name string, got, want []float64) {
		for i := range want {
			if math.Abs(got[i]-want[i]) > 0.01 {
				t.Errorf("%s: token %d share %.4f, want %.4f", name, i, got[i], want[i])
			}
		}
	}
	check("temperature 1", frequencies(t, Params{Temperature: 1}, logits, n), softmax(lf))
	half := []float64{4, 2, 0, -2, -6}
	check("temperature 0.5", frequencies(t, Params{Temperature: 0.5}, logits, n), softmax(half))
	top2 := softmax([]float64{2, 1})
	check("top-k 2", frequencies(t, Params{Temperature: 1, TopK: 2}, logits, n), []float64{top2[0], top2[1], 0, 0, 0})
	// p = [.636 .234 .086 .032 .002]: top-p 0.8 keeps the first two (mass
	// before the third is .870 ≥ .8).
	check("top-p 0.8", frequencies(t, Params{Temperature: 1, TopP: 0.8}, logits, n), []float64{top2[0], top2[1], 0, 0, 0})
	// min-p 0.3 keeps p ≥ 0.3·0.636 = 0.19: the first two.
	check("min-p 0.3", frequencies(t, Params{Temperature: 1, MinP: 0.3}, logits, n), []float64{top2[0], top2[1], 0, 0, 0})
	top3 := softmax([]float64{2, 1, 0})
	check("min-p 0.1", frequencies(t, Params{Temperature: 1, MinP: 0.1}, logits, n), []float64{top3[0], top3[1], top3[2], 0, 0})
}

func TestSeedReproduces(t *testing.T) {
	logits := []float32{1, 1, 1, 1, 1, 1, 1, 1}
	a, b, c := New(Params{Temperature: 1, Seed: 5}, 3), New(Params{Temperature: 1, Seed: 5}, 3), New(Params{Temperature: 1, Seed: 6}, 3)
	same, diff := true, false
	for i := 0; i < 50; i++ {
		x, y, z := mustOf(t)(a.Sample(logits, nil, nil)), mustOf(t)(b.Sample(logits, nil, nil)), mustOf(t)(c.Sample(logits, nil, nil))
		same = same && x == y
		diff = diff || x != z
	}
	if !same || !diff {
		t.Fatalf("same seed equal: %v, other seed differs: %v", same, diff)
	}
}

func TestValidate(t *testing.T) {
	for _, p := range []Params{{Temperature: -1}, {TopP: 2}, {MinP: -0.1}, {TopK: -3}} {
		if p.Validate() == nil {
			t.Errorf("%+v accepted", p)
		}
	}
	if Defaults().Validate() != nil {
		t.Error("defaults rejected")
	}
}

// The sampler is total: every row, however broken, gives a token or an
// error, under every setting (NaN logits used to panic with index -1).
func TestSampleIsTotal(t *testing.T) {
	nan, inf := float32(math.NaN()), float32(math.Inf(1))
	ninf := -inf
	bad := map[string][]float32{
		"all NaN":  {nan, nan, nan},
		"one NaN":  {1, nan, 2},
		"+Inf":     {1, inf, 2},
		"all -Inf": {ninf, ninf, ninf},
		"empty":    {},
	}
	good := map[string]struct {
		logits []float32
		want   int32 // greedy answer
	}{
		"ties":         {[]float32{1, 3, 3, 0}, 1},
		"-Inf and one": {[]float32{ninf, ninf, 0.5}, 2},
		"huge":         {[]float32{3e38, -3e38, 1}, 0},
		"denormal":     {[]float32{1e-45, 0, -1e-45}, 0},
	}
	settings := []Params{{}, Defaults(), {Temperature: 1, TopK: 2, TopP: 0.5, MinP: 0.9, RepetitionPenalty: 3},
		{Temperature: 1e-38}, {Temperature: 1e30, TopP: 1e-9}}
	for _, p := range settings {
		for name, row := range bad {
			if tok, err := New(p, 1).Sample(row, []int32{0, 1}, []int32{7, -2}); !errors.Is(err, ErrNoToken) {
				t.Errorf("%+v, %s: got token %d, err %v; want ErrNoToken", p, name, tok, err)
			}
		}
		for name, c := range good {
			tok, err := New(p, 1).Sample(c.logits, []int32{0, 1}, []int32{99, -2})
			if err != nil || tok < 0 || int(tok) >= len(c.logits) {
				t.Errorf("%+v, %s: token %d, err %v", p, name, tok, err)
			}
			if p.Temperature == 0 && p.RepetitionPenalty == 0 && tok != c.want {
				t.Errorf("greedy %s: token %d, want %d", name, tok, c.want)
			}
		}
	}
}
