package scheduler

import (
	"fmt"

	"github.com/lfm2go/lfm2/internal/cache"
	"github.com/lfm2go/lfm2/internal/model"
)

// Limits bound one step.
type Limits struct {
	MaxBatchTokens int // tokens per step (decode + prefill)
	MaxSeqs        int // sequences running at once
	MaxContext     int // prompt + generated tokens per sequence
}

// Scheduler holds the waiting and running queues and packs steps.
type Scheduler struct {
	lim     Limits
	cache   *cache.Cache
	waiting []*Sequence // FIFO; preempted sequences go back to the front
	running []*Sequence // in admission order: the last is the newest
	// OnPreempt, when set, is told about every preemption.
	OnPreempt func(s *Sequence)
}

// NewScheduler makes a scheduler over c.
func NewScheduler(c *cache.Cache, lim Limits) *Scheduler {
	return &Scheduler{cache: c, lim: lim}
}

// Pending is the number of sequences waiting or running.
func (s *Scheduler) Pending() int { return len(s.waiting) + len(s.running) }

// Running is the number of sequences holding a slot.
func (s *Scheduler) Running() int { return len(s.running) }

// check refuses a sequence that could never run.
func (s *Scheduler) check(q *Sequence) error {
	total := len(q.Prompt) + q.Params.MaxTokens
	if len(q.Prompt) == 0 {
		return fmt.Errorf("empty prompt")
	}
	if q.Params.MaxTokens < 1 {
		return fmt.Errorf("max tokens %d must be at least 1", q.Params.MaxTokens)
	}
	if total > s.lim.MaxContext {
		return fmt.Errorf("prompt of %d tokens + %d to generate exceeds the context limit of %d", len(q.Prompt), q.Params.MaxTokens, s.lim.MaxContext)
	}
	bs := s.cache.BlockSize()
	if s.cache.Shape().AttnLayers > 0 && (total+bs-1)/bs > s.cache.TotalBlocks() {
		return fmt.Errorf("prompt of %d tokens + %d to generate needs %d KV blocks; the KV memory holds %d (raise --kv-memory)",
			len(q.Prompt), q.Params.MaxTokens, (total+bs-1)/bs, s.cache.TotalBlocks())
	}
	return nil
}

func (s *Scheduler) add(q *Sequence) { s.waiting = append(s.waiting, q) }

// work is one sequence's share of a step.
type work struct {
	seq *Sequence
	n   int
}

// schedule fills b with the next step and returns who is in it.
//
// Pass 1 gives each running sequence in decode its one token, oldest first;
// when the pool cannot grow a sequence by a block, the newest running
// sequence is preempted (never one already in this step: victims come from
// the end, past the current one). Pass 2 continues chunked prefills. Pass 3
// admits waiting sequences. A sequence's blocks for every token it has are
// reserved when it is admitted, so prefill never needs more blocks and only
// decode growth can run out.
func (s *Scheduler) schedule(b *model.Batch, out []work) []work {
	b.Reset()
	out = out[:0]
	budget := s.lim.MaxBatchTokens
	for i := 0; i < len(s.running) && budget > 0; i++ {
		q := s.running[i]
		if q.pending() != 1 || !s.reserve(q, 1) {
			continue // not in decode, or preempted (then it was the last)
		}
		out = append(out, work{q, 1})
		budget--
	}
	for i := 0; i < len(s.running) && budget > 0; i++ {
		q := s.running[i]
		if q.pending() <= 1 {
			continue
		}
		n := min(q.pending(), budget)
		out = append(out, work{q, n})
		budget -= n
	}
	for len(s.waiting) > 0 && budget > 0 && len(s.running) < s.lim.MaxSeqs {
		q := s.waiting[0]
		need := len(q.tokens)
		slot, ok := s.cache.Acquire()
		if !ok {
			break
		}
		// Blocks the prefix cache holds for the start of the tokens are
		// shared, not computed; at least one token is left to run.
		cached := s.cache.ReusePrefix(slot, q.tokens, need-1)
		if err := s.cache.Reserve(slot, need); err != nil {
			s.cache.Release(slot) // not enough free blocks yet: wait for a finish
			break
		}
		s.waiting = s.waiting[1:]
		q.slot, q.state, q.processed = slot, running, cached
		if q.Timings.Preempted == 0 {
			q.reused = min(cached, len(q.Prompt))
		}
		s.running = append(s.running, q)
		n := min(q.pending(), budget)
		out = append(out, work{q, n})
		budget -= n
	}
	for _, w := range out {
		q := w.seq
		mode := model.NoLogits
		if q.processed+w.n == len(q.tokens) {
			mode = model.LastLogits
		}
		b.Add(q.slot, q.tokens[q.processed:q.processed+w.n], q.processed, mode)
	}
	return out
}

// reserve gets blocks for n more tokens of q, preempting the newest running
// sequences until it fits. It returns false if q itself had to go.
func (s *Scheduler) reserve(q *Sequence, n int) bool {
	for s.cache.Reserve(q.slot, q.processed+n) != nil {
		victim := s.running[len(s.running)-1]
		s.preempt(victim)
		if victim == q {
			return false
		}
	}
	return true
}

// preempt drops a running sequence's cache and requeues it at the front of
// the waiting queue; it will be recomputed from its prompt and output so far,
// which gives bit-identical state (chunked prefill is exact).
func (s *Scheduler) preempt(q *Sequence) {
	s.cache.Release(q.slot)
	s.remove(q)
	q.state, q.processed = waiting, 0
	q.Timings.Preempted++
	s.waiting = append([]*Sequence{q}, s.waiting...)
	if s.OnPreempt != nil {
		s.OnPreempt(q)
	}
}

func (s *Scheduler) remove(q *Sequence) {
	for i, r := range s.running {
		if r == q {
			s.running = append(s.running[:i], s.running[i+1:]...)
			return
		}
	}
}

func (s *Scheduler) dropWaiting(q *Sequence) {
	for i, w := range s.waiting {
		if w == q {
			s.waiting = append(s.waiting[:i], s.waiting[i+1:]...)
			return
		}
	}
}

// finish releases a sequence's slot.
func (s *Scheduler) finish(q *Sequence) {
	s.remove(q)
	s.cache.Release(q.slot)
	q.state = finished
}

// Waiting is the number of sequences queued and not yet holding a slot.
func (s *Scheduler) Waiting() int { return len(s.waiting) }
