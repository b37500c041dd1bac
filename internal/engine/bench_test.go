package engine

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/lfm2go/lfm2/internal/grammar"
	"github.com/lfm2go/lfm2/internal/model"
	"github.com/lfm2go/lfm2/internal/sample"
	"github.com/lfm2go/lfm2/internal/scheduler"
	"github.com/lfm2go/lfm2/internal/tokenizer"
)

// BenchmarkConstrainedDecode measures the cost of a JSON Schema on
// single-stream decode of synthetic:350m: time per generated token with the
// invoice extraction schema (nested objects, an array of objects, enums,
// a pattern, a date) against the same decode unconstrained. Run with
//
//	go test -run '^$' -bench ConstrainedDecode -benchtime 4x ./internal/engine/
func BenchmarkConstrainedDecode(b *testing.B) {
	m, err := model.Synthetic("350m", 1, false, 0)
	if err != nil {
		b.Fatal(err)
	}
	defer m.Close()
	tok, err := tokenizer.Builtin(false)
	if err != nil {
		b.Fatal(err)
	}
	src, err := os.ReadFile(filepath.Join(structuredDir, "schemas", "invoice.json"))
	if err != nil {
		b.Fatal(err)
	}
	g, err := grammar.CompileSchema(src)
	if err != nil {
		b.Fatal(err)
	}
	svc, err := New(m, tok, Config{Config: scheduler.Config{
		Limits: scheduler.Limits{MaxBatchTokens: 512, MaxSeqs: 1}, BlockSize: 16, KVBytes: 256 << 20}})
	if err != nil {
		b.Fatal(err)
	}
	defer svc.Close(context.Background())
	prompt := tok.Encode("Extract the invoice fields as JSON: Invoice INV-0042 dated 2024-03-01, 3 widgets at 9.50 EUR.", true)
	run := func(gr *grammar.Grammar, seed uint64) (int, time.Duration) {
		req := Request{Prompt: prompt, MaxTokens: 96, Grammar: gr, IgnoreEOS: gr == nil, Plain: true,
			Sample: sample.Params{Temperature: 0.8, MinP: 0.05, RepetitionPenalty: 1.05, Seed: seed}}
		ch, err := svc.Submit(context.Background(), req)
		if err != nil {
			b.Fatal(err)
		}
		var first, last time.Time
		n := 0
		for ev := range ch {
			if ev.Token >= 0 {
				n++
				last = time.Now()
				if first.IsZero() {
					first = last
				}
			}
		}
		return n - 1, last.Sub(first) // decode steps after the first token
	}
	// Warm the mask cache as a server or batch does after its first requests with
	// a schema; the counts below are the steady state.
	for i := range 60 {
		run(g, uint64(1000+i))
	}
	served0, computed0, walking0 := g.MaskStats()
	var plainT, constrT time.Duration
	var plainN, constrN int
	b.ResetTimer()
	for i := range b.N { // alternate, so drift affects both alike
		n, d := run(nil, uint64(i))
		plainN, plainT = plainN+n, plainT+d
		n, d = run(g, uint64(i))
		constrN, constrT = constrN+n, constrT+d
	}
	b.StopTimer()
	perPlain := plainT.Seconds() / float64(plainN) * 1e3
	perConstr := constrT.Seconds() / float64(constrN) * 1e3
	served, computed, walking := g.MaskStats()
	served, computed, walking = served-served0, computed-computed0, walking-walking0
	b.ReportMetric(perPlain, "ms/token-plain")
	b.ReportMetric(perConstr, "ms/token-schema")
	b.ReportMetric(100*(perConstr/perPlain-1), "%overhead")
	b.ReportMetric(100*float64(served-computed)/float64(served), "%masks-cached")
	b.ReportMetric(walking.Seconds()*1e3/float64(max(computed, 1)), "ms/computed-mask")
}
