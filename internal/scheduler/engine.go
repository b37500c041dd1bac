package scheduler

import (
	"context"
	"errors"
	"fmt"
	"math"
	"runtime"
	"slices"
	"sync"
	"time"

	"github.com/lfm2go/lfm2/internal/cache"
	"github.com/lfm2go/lfm2/internal/model"
	"github.com/lfm2go/lfm2/internal/sample"
)

// Event reports one generated token; Done is set on a sequence's last
// event. Token is -1 on the event of a sequence that finished with
// FinishError (no token was drawn).
type Event struct {
	Seq   *Sequence
	Token int32
	Done  bool
	// Logprob and Top are set when the sequence asked (Params.Logprobs).
	Logprob float32
	Top     []sample.TokenLogprob
}

// Engine drives sequences through the model.
type Engine struct {
	m      *model.Model
	cache  *cache.Cache
	sched  *Scheduler
	batch  model.Batch
	work   []work
	nextID uint64
	masked []float32 // a constrained sequence's logits with disallowed tokens at -Inf
	draws  draws     // this step's samples of unconstrained sequences

	// Stats since the engine started.
	Steps, PrefillTokens, DecodeTokens int
	ForwardTime                        time.Duration
}

// Config sizes an engine.
type Config struct {
	Limits
	BlockSize int   // tokens per KV block
	KVBytes   int64 // KV memory budget
	// PrefixCache keeps computed full blocks (with the conv state at their
	// end) after their sequence finishes, so a later prompt that starts
	// with the same tokens skips computing them. Output is identical.
	PrefixCache bool
}

// NewEngine makes an engine over m with its own cache.
func NewEngine(m *model.Model, cfg Config) (*Engine, error) {
	if cfg.MaxSeqs < 1 || cfg.MaxBatchTokens < 1 {
		return nil, fmt.Errorf("engine: need at least one sequence and one token per step (got %d, %d)", cfg.MaxSeqs, cfg.MaxBatchTokens)
	}
	if cfg.MaxContext <= 0 || cfg.MaxContext > m.Config.MaxPositions {
		cfg.MaxContext = m.Config.MaxPositions
	}
	c, err := m.NewCache(cfg.MaxSeqs, cfg.BlockSize, cfg.KVBytes)
	if err == nil && cfg.PrefixCache {
		err = c.EnablePrefixCache()
	}
	if err != nil {
		return nil, fmt.Errorf("engine: %w", err)
	}
	return &Engine{m: m, cache: c, sched: NewScheduler(c, cfg.Limits)}, nil
}

// Scheduler exposes the scheduler (for OnPreempt and queue sizes).
func (e *Engine) Scheduler() *Scheduler { return e.sched }

// Add queues a sequence. A sequence that could never run (empty, longer
// than the context or the KV memory) is refused with the reason.
func (e *Engine) Add(q *Sequence) error {
	if err := e.Check(q); err != nil {
		return err
	}
	e.prepare(q)
	e.sched.add(q)
	return nil
}

// Check reports why a sequence could never run. It reads only settings
// fixed when the engine was made, so any goroutine may call it while
// another steps the engine.
func (e *Engine) Check(q *Sequence) error {
	if err := q.Params.Sample.Validate(); err != nil {
		return err
	}
	return e.sched.check(q)
}

// prepare numbers a sequence and sets up its tokens and sampler.
func (e *Engine) prepare(q *Sequence) {
	q.id = e.nextID
	e.nextID++
	q.tokens = append(append(make([]int32, 0, len(q.Prompt)+q.Params.MaxTokens), q.Prompt...), q.Output...)
	stream := q.Params.Stream
	if stream == 0 {
		stream = q.id
	}
	q.sampler = sample.New(q.Params.Sample, stream)
	q.state = waiting
	if q.Timings.Added.IsZero() {
		q.Timings.Added = time.Now()
	}
}

// Reused is how many prompt tokens' state the sequence took from the prefix
// cache instead of computing it.
func (q *Sequence) Reused() int { return q.reused }

// Abort drops a sequence that has not finished (the user stopped it): its
// slot is released and it is marked finished with reason "abort".
func (e *Engine) Abort(q *Sequence) {
	switch q.state {
	case running:
		e.sched.finish(q)
	case waiting:
		e.sched.dropWaiting(q)
		q.state = finished
	default:
		return
	}
	q.FinishReason = FinishAbort
	q.Timings.Finished = time.Now()
}

// Idle reports whether nothing is waiting or running.
func (e *Engine) Idle() bool { return e.sched.Pending() == 0 }

// Step runs one batch and reports the tokens it produced through emit.
func (e *Engine) Step(emit func(Event)) error {
	e.work = e.sched.schedule(&e.batch, e.work)
	if len(e.work) == 0 {
		if e.sched.Pending() > 0 {
			return errors.New("engine: nothing could be scheduled (KV memory too small for any waiting sequence)")
		}
		return nil
	}
	t0 := time.Now()
	rows, err := e.m.Forward(&e.batch, e.cache)
	e.ForwardTime += time.Since(t0)
	if err != nil {
		return fmt.Errorf("engine step: %w", err)
	}
	e.Steps++
	e.prepareMasks()
	e.drawUnconstrained(rows)
	r := 0
	for i, w := range e.work {
		q := w.seq
		if w.n == 1 && q.processed == len(q.tokens)-1 && len(q.Output) > 0 {
			e.DecodeTokens++
		} else {
			e.PrefillTokens += w.n
		}
		q.processed += w.n
		if q.processed < len(q.tokens) {
			continue // mid-prefill: no logits
		}
		logits := rows[r]
		r++
		tok, err := e.draws.tok[i], e.draws.err[i]
		if q.Params.Constraint != nil {
			tok, err = e.sample(q, logits)
		}
		if err != nil {
			// Broken numbers (a bad checkpoint or config): stop this sequence
			// with the reason rather than emit an arbitrary token. The others
			// in the batch are independent and go on.
			q.FinishReason, q.Err = FinishError, fmt.Errorf("position %d: %w", len(q.tokens), err)
			q.Timings.Finished = time.Now()
			e.sched.finish(q)
			emit(Event{Seq: q, Token: -1, Done: true})
			continue
		}
		q.tokens = append(q.tokens, tok)
		q.Output = q.tokens[len(q.Prompt):]
		if len(q.Output) == 1 {
			q.Timings.FirstToken = time.Now()
		}
		done := false
		switch {
		case q.Params.Constraint != nil && q.Params.Constraint.Final():
			q.FinishReason, done = FinishStop, true
		case !q.Params.IgnoreEOS && e.m.Config.IsEOS(int(tok)):
			q.FinishReason, done = FinishStop, true
		case q.Params.Stop != nil && q.Params.Stop(q.Output):
			q.FinishReason, done = FinishStop, true
		case len(q.Output) >= q.Params.MaxTokens:
			q.FinishReason, done = FinishLength, true
		}
		if done {
			q.Timings.Finished = time.Now()
			e.sched.finish(q)
		}
		ev := Event{Seq: q, Token: tok, Done: done}
		if q.Params.Logprobs {
			ev.Logprob, ev.Top = e.draws.logprob[i], e.draws.top[i]
			if q.Params.Constraint != nil {
				ev.Logprob, ev.Top = sample.LogProbs(logits, tok, q.Params.TopLogprobs)
			}
		}
		emit(ev)
	}
	return nil
}

// prepareMasks computes, in parallel, the masks of the constrained
// sequences that sample in this step (the forward pass is done, so the
// cores are free); sampling then finds them in the grammars' caches.
// Sequences under one grammar share its cache lock, so it is sequences
// under different grammars (or schemas) that overlap.
func (e *Engine) prepareMasks() {
	var cs []Constraint
	for _, w := range e.work {
		q := w.seq
		if q.Params.Constraint != nil && q.processed+w.n == len(q.tokens) {
			cs = append(cs, q.Params.Constraint)
		}
	}
	if len(cs) < 2 {
		return
	}
	var wg sync.WaitGroup
	slots := make(chan struct{}, runtime.GOMAXPROCS(0))
	for _, c := range cs {
		wg.Add(1)
		slots <- struct{}{}
		go func() {
			defer wg.Done()
			c.Allowed()
			<-slots
		}()
	}
	wg.Wait()
}

// draws holds a step's tokens drawn for its unconstrained sequences, by
// index in the step's work; Run samples them on the model's threads.
type draws struct {
	work []work
	rows [][]float32 // each work's logits row, nil when it does not sample
	tok  []int32
	err  []error
	// The drawn token's log-probability and the best alternatives, for
	// the sequences that asked (a log-sum-exp over the row each).
	logprob []float32
	top     [][]sample.TokenLogprob
}

func (d *draws) Run(_, lo, hi int) {
	for i := lo; i < hi; i++ {
		if d.rows[i] == nil {
			continue
		}
		q := d.work[i].seq
		d.tok[i], d.err[i] = q.draw(d.rows[i])
		if q.Params.Logprobs && d.err[i] == nil {
			d.logprob[i], d.top[i] = sample.LogProbs(d.rows[i], d.tok[i], q.Params.TopLogprobs)
		}
	}
}

// drawUnconstrained samples, in parallel, every sequence of the step that
// has finished its prompt and samples freely (with its log-probabilities
// when it asked). Each sequence has its own sampler and generator, so its
// draw does not depend on the others; sampling a 65536-token row costs
// 0.1–0.3 ms (more with top-p), which a 16-sequence step paid one after
// another on one thread.
func (e *Engine) drawUnconstrained(rows [][]float32) {
	d := &e.draws
	n := len(e.work)
	d.work = e.work
	d.rows = slices.Grow(d.rows[:0], n)[:n]
	d.tok = slices.Grow(d.tok[:0], n)[:n]
	d.err = slices.Grow(d.err[:0], n)[:n]
	d.logprob = slices.Grow(d.logprob[:0], n)[:n]
	d.top = slices.Grow(d.top[:0], n)[:n]
	clear(d.rows)
	clear(d.err)
	clear(d.top)
	r := 0
	for i, w := range e.work {
		q := w.seq
		if q.processed+w.n < len(q.tokens) {
			continue // mid-prefill: no logits
		}
		if q.Params.Constraint == nil {
			d.rows[i] = rows[r]
		}
		r++
	}
	e.m.Parallel(d, n)
}

// draw samples q's next token from logits, its prompt and output so far
// the history the sampler's penalties read.
func (q *Sequence) draw(logits []float32) (int32, error) {
	return q.sampler.Sample(logits, q.tokens[:len(q.Prompt)], q.tokens[len(q.Prompt):])
}

// sample draws q's next token; under a constraint, from the allowed tokens
// only (greedy stays greedy within them), and the constraint moves past it.
func (e *Engine) sample(q *Sequence, logits []float32) (int32, error) {
	c := q.Params.Constraint
	if c == nil {
		return q.draw(logits)
	}
	mask := c.Allowed()
	e.masked = append(e.masked[:0], logits...)
	any := false
	neg := float32(math.Inf(-1))
	for w, bits := range mask {
		base := w * 64
		if bits == ^uint64(0) {
			any = true
			continue
		}
		for i := base; i < base+64 && i < len(e.masked); i++ {
			if bits&(1<<(i-base)) == 0 {
				e.masked[i] = neg
			}
		}
		any = any || bits != 0
	}
	for i := len(mask) * 64; i < len(e.masked); i++ {
		e.masked[i] = neg
	}
	if !any {
		return -1, errors.New("the grammar allows no token here (or is too ambiguous to follow)")
	}
	tok, err := q.draw(e.masked)
	if err != nil {
		return -1, err
	}
	if err := c.Accept(tok); err != nil {
		return -1, err
	}
	return tok, nil
}

// Run steps until every sequence is done or ctx is cancelled; on
// cancellation the current step completes first, so nothing produced is lost.
func (e *Engine) Run(ctx context.Context, emit func(Event)) error {
	for !e.Idle() {
		if err := ctx.Err(); err != nil {
			return err
		}
		if err := e.Step(emit); err != nil {
			return err
		}
	}
	return nil
}

// Limits are the engine's step and context limits.
func (e *Engine) Limits() Limits { return e.sched.lim }

// KVBlocks reports the KV pool: blocks in use and the pool size.
func (e *Engine) KVBlocks() (used, total int) {
	total = e.cache.TotalBlocks()
	return total - e.cache.FreeBlocks(), total
}

// BlockSize is the number of tokens per KV block.
func (e *Engine) BlockSize() int { return e.cache.BlockSize() }
