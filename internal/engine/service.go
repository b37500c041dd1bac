// Package engine runs the continuous-batching scheduler as a long-lived
// service: one goroutine owns the model and steps while there is work; any
// goroutine may submit a request and read its events (tokens, the text they
// complete, log-probabilities, the finish) from its own channel, and cancel
// it through its context. Stop strings, end-of-sequence handling and
// detokenization happen here, so every front end shares them.
package engine

import (
	"context"
	"errors"
	"sync"
	"time"

	"github.com/lfm2go/lfm2/internal/grammar"
	"github.com/lfm2go/lfm2/internal/model"
	"github.com/lfm2go/lfm2/internal/reply"
	"github.com/lfm2go/lfm2/internal/sample"
	"github.com/lfm2go/lfm2/internal/scheduler"
	"github.com/lfm2go/lfm2/internal/tokenizer"
)

// Errors Submit returns for a request that was not taken.
var (
	ErrQueueFull = errors.New("the request queue is full")
	ErrClosed    = errors.New("the engine is shutting down")
)

// InvalidError is a request that could never run (empty, too long for the
// context or the KV memory, a setting out of range).
type InvalidError struct{ Err error }

func (e *InvalidError) Error() string { return e.Err.Error() }
func (e *InvalidError) Unwrap() error { return e.Err }

// Request is one generation.
type Request struct {
	Prompt      []int32
	MaxTokens   int
	IgnoreEOS   bool
	Sample      sample.Params
	Stop        []string // stop strings: generation ends at one, which is not shown
	Stream      uint64   // random stream; 0 picks the engine's order
	Logprobs    bool     // report each token's log-probability
	TopLogprobs int      // and this many most likely alternatives
	// Plain reports the generated text as it is, without parsing
	// reasoning or tool calls out of it (plain completion).
	Plain bool
	// Grammar, when set, constrains the answer to its language (a JSON
	// Schema or GBNF grammar); the answer ends when it is complete.
	Grammar *grammar.Grammar
	// ToolCall makes the answer one tool-call block: Grammar (from
	// grammar.CompileToolCalls) is the text between <|tool_call_start|>
	// and <|tool_call_end|>, and the answer ends after the block.
	ToolCall bool
}

// Event is what one step did for a request. The last event has Done set.
type Event struct {
	Token int32 // -1 on a final event that carries no token
	// Pieces is the text, reasoning and tool calls this token completes,
	// with stop strings held back and the end-of-sequence token left out.
	Pieces  []reply.Piece
	Logprob float32
	Top     []sample.TokenLogprob

	Done   bool
	Finish string // on Done: scheduler.FinishStop, FinishLength, FinishAbort or FinishError
	Err    error  // with FinishError
	Usage  Usage  // on Done
}

// Usage counts a finished request's tokens and times.
type Usage struct {
	PromptTokens     int
	CompletionTokens int
	CachedTokens     int // prompt tokens whose state came from the prefix cache
	Queued           time.Duration
	TimeToFirstToken time.Duration // from Submit
	Total            time.Duration
}

// Config sizes a service.
type Config struct {
	scheduler.Config
	// MaxQueue bounds the requests waiting for a slot (beyond the MaxSeqs
	// that run); Submit returns ErrQueueFull past it. 0 means no bound.
	MaxQueue int
}

// Service is the engine behind a channel per request.
type Service struct {
	eng   *scheduler.Engine
	tok   *tokenizer.Tokenizer
	isEOS func(int) bool

	mu      sync.Mutex
	inbox   []*request
	cancels []*request
	closing bool // no new requests; exit when idle
	abort   bool // abort everything still running
	stats   Stats
	pending int           // submitted and not finished: running, waiting or in the inbox
	wake    chan struct{} // cap 1: something arrived for the loop
	done    chan struct{} // closed when the loop returns

	live map[*request]struct{} // loop-owned: submitted and not finished

	cons *Constraints
}

// request is the service's side of one submitted Request.
type request struct {
	seq      *scheduler.Sequence
	ans      *answer
	box      mailbox
	finished bool // loop-owned
	submit   time.Time
}

// New starts a service over m; tok may be nil (then events carry no text).
func New(m *model.Model, tok *tokenizer.Tokenizer, cfg Config) (*Service, error) {
	eng, err := scheduler.NewEngine(m, cfg.Config)
	if err != nil {
		return nil, err
	}
	s := &Service{eng: eng, tok: tok, isEOS: m.Config.IsEOS, cons: NewConstraints(m, tok),
		wake: make(chan struct{}, 1), done: make(chan struct{}), live: map[*request]struct{}{}}
	s.stats.MaxQueue = cfg.MaxQueue
	s.stats.KVBlocksUsed, s.stats.KVBlocksTotal = eng.KVBlocks()
	s.stats.StepBuckets = make([]uint64, len(stepBounds)+1)
	go s.loop()
	return s, nil
}

// Limits are the engine's limits (MaxContext is the context length).
func (s *Service) Limits() scheduler.Limits { return s.eng.Limits() }

// Submit queues a request. Its events arrive on the returned channel,
// which is closed after the event with Done. Cancelling ctx aborts the
// request at the next step (its KV blocks and slot are freed) and drops
// the events not yet read.
func (s *Service) Submit(ctx context.Context, req Request) (<-chan Event, error) {
	seq := &scheduler.Sequence{Prompt: req.Prompt, Params: scheduler.Params{
		MaxTokens: req.MaxTokens, IgnoreEOS: req.IgnoreEOS, Sample: req.Sample,
		Stop: StopOnText(s.tok, req.Stop), Stream: req.Stream,
		Logprobs: req.Logprobs, TopLogprobs: req.TopLogprobs,
	}}
	if req.Grammar != nil {
		c, err := s.cons.New(req.Grammar, req.ToolCall)
		if err != nil {
			return nil, &InvalidError{err}
		}
		seq.Params.Constraint = c
	}
	if err := s.eng.Check(seq); err != nil {
		return nil, &InvalidError{err}
	}
	r := &request{seq: seq, ans: newAnswer(s.tok, req.Stop, req.Plain), submit: time.Now()}
	r.box.wake = make(chan struct{}, 1)
	seq.Tag = r
	s.mu.Lock()
	switch {
	case s.closing:
		s.mu.Unlock()
		return nil, ErrClosed
	case s.stats.MaxQueue > 0 && s.pending >= s.eng.Limits().MaxSeqs+s.stats.MaxQueue:
		s.stats.Rejected++
		s.mu.Unlock()
		return nil, ErrQueueFull
	}
	s.inbox = append(s.inbox, r)
	s.pending++
	s.stats.Requests++
	s.stats.PromptTokens += uint64(len(req.Prompt))
	s.mu.Unlock()
	s.poke()
	out := make(chan Event)
	go s.forward(ctx, r, out)
	return out, nil
}

// forward moves a request's events from its mailbox to its channel. When
// ctx ends it asks the loop to abort the request and keeps draining (and
// dropping) until the final event, so neither side is left blocked.
func (s *Service) forward(ctx context.Context, r *request, out chan<- Event) {
	defer close(out)
	cancelled := false
	for {
		evs := r.box.take()
		for _, ev := range evs {
			if !cancelled {
				select {
				case out <- ev:
				case <-ctx.Done():
					cancelled = true
					s.cancel(r)
				}
			}
			if ev.Done {
				return
			}
		}
		if cancelled {
			<-r.box.wake
			continue
		}
		select {
		case <-r.box.wake:
		case <-ctx.Done():
			cancelled = true
			s.cancel(r)
		}
	}
}

// Constraints compiles grammars for this service's model and tokenizer.
func (s *Service) Constraints() *Constraints { return s.cons }

func (s *Service) cancel(r *request) {
	s.mu.Lock()
	s.cancels = append(s.cancels, r)
	s.mu.Unlock()
	s.poke()
}

func (s *Service) poke() {
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

// Close stops taking requests and lets the running ones finish; when ctx
// ends first, those still running are aborted (their clients get a final
// event with FinishAbort). It returns when the loop has stopped.
func (s *Service) Close(ctx context.Context) {
	s.mu.Lock()
	s.closing = true
	s.mu.Unlock()
	s.poke()
	select {
	case <-s.done:
		return
	case <-ctx.Done():
	}
	s.mu.Lock()
	s.abort = true
	s.mu.Unlock()
	s.poke()
	<-s.done
}

// loop owns the scheduler: it takes new requests and cancellations, steps
// while there is work, and sleeps when there is none.
func (s *Service) loop() {
	defer close(s.done)
	for {
		s.mu.Lock()
		adds, cancels, closing, abort := s.inbox, s.cancels, s.closing, s.abort
		s.inbox, s.cancels = nil, nil
		s.mu.Unlock()
		for _, r := range adds {
			s.live[r] = struct{}{}
			if err := s.eng.Add(r.seq); err != nil {
				r.seq.FinishReason, r.seq.Err = scheduler.FinishError, err
				s.finish(r, -1, nil)
			}
		}
		for _, r := range cancels {
			s.abortRequest(r)
		}
		if abort {
			for r := range s.live {
				s.abortRequest(r)
			}
		}
		s.publish()
		if s.eng.Idle() {
			if closing {
				return
			}
			<-s.wake
			continue
		}
		t0 := time.Now()
		err := s.eng.Step(s.emit)
		s.observeStep(time.Since(t0))
		s.publish()
		if err != nil {
			// The engine cannot go on (it refused every waiting request):
			// fail what is left rather than spin.
			for r := range s.live {
				s.eng.Abort(r.seq)
				r.seq.FinishReason, r.seq.Err = scheduler.FinishError, err
				s.finish(r, -1, nil)
			}
		}
	}
}

func (s *Service) abortRequest(r *request) {
	if r.finished {
		return
	}
	s.eng.Abort(r.seq)
	r.seq.FinishReason = scheduler.FinishAbort
	s.finish(r, -1, nil)
}

// emit turns a scheduler event into the request's event.
func (s *Service) emit(se scheduler.Event) {
	r := se.Seq.Tag.(*request)
	ev := Event{Token: se.Token, Logprob: se.Logprob, Top: se.Top}
	if se.Token >= 0 {
		s.mu.Lock()
		s.stats.CompletionTokens++
		s.mu.Unlock()
		eos := !r.seq.Params.IgnoreEOS && s.isEOS(int(se.Token))
		if r.ans != nil && !eos {
			ev.Pieces = r.ans.add(se.Token)
		}
	}
	if !se.Done {
		r.box.put(ev)
		return
	}
	s.finish(r, se.Token, &ev)
}

// finish sends a request's final event (ev, or one made here) and forgets it.
func (s *Service) finish(r *request, tok int32, ev *Event) {
	if ev == nil {
		ev = &Event{Token: tok}
	}
	q := r.seq
	if r.ans != nil {
		ev.Pieces = append(ev.Pieces, r.ans.finish()...)
	}
	ev.Done, ev.Finish, ev.Err = true, q.FinishReason, q.Err
	now := time.Now()
	ev.Usage = Usage{PromptTokens: len(q.Prompt), CompletionTokens: len(q.Output), CachedTokens: q.Reused(), Total: now.Sub(r.submit)}
	if !q.Timings.FirstToken.IsZero() {
		ev.Usage.TimeToFirstToken = q.Timings.FirstToken.Sub(r.submit)
	}
	r.finished = true
	delete(s.live, r)
	s.mu.Lock()
	s.stats.CachedTokens += uint64(q.Reused())
	s.pending--
	s.mu.Unlock()
	r.box.put(*ev)
}

// mailbox is an unbounded queue of events: the loop never waits for a
// slow reader, and a request holds at most its own tokens' events.
type mailbox struct {
	mu   sync.Mutex
	evs  []Event
	wake chan struct{} // cap 1
}

func (b *mailbox) put(ev Event) {
	b.mu.Lock()
	b.evs = append(b.evs, ev)
	b.mu.Unlock()
	select {
	case b.wake <- struct{}{}:
	default:
	}
}

func (b *mailbox) take() []Event {
	b.mu.Lock()
	defer b.mu.Unlock()
	evs := b.evs
	b.evs = nil
	return evs
}
