// Package scheduler runs many sequences through the model at once: the
// Scheduler packs each step's ragged batch (decode tokens first, then prefill
// chunks, under a token budget and a sequence cap, admitting only what the
// KV cache can hold and preempting the newest when it cannot), and the Engine
// loops schedule → forward → sample → append/stop → release. It knows
// nothing about text, files or terminals.
package scheduler

import (
	"time"

	"github.com/lfm2go/lfm2/internal/sample"
)

// Params are a sequence's generation settings.
type Params struct {
	MaxTokens int  // stop after this many generated tokens (≥ 1)
	IgnoreEOS bool // keep going past end-of-sequence tokens
	Sample    sample.Params
	// Stop, when set, is asked after every generated token whether the
	// sequence is complete (stop strings live here: the engine knows no text).
	Stop func(generated []int32) bool
	// Stream picks the sequence's random stream; 0 means its engine number.
	// Callers that resume work set it from a stable id so a resumed run
	// samples what the first run would have.
	Stream uint64
	// Logprobs asks for each generated token's log-probability in its
	// Event, and TopLogprobs for that many most likely alternatives.
	Logprobs    bool
	TopLogprobs int
	// Constraint, when set, limits every next token to what it allows
	// (structured output); the sequence stops when it is complete.
	Constraint Constraint
}

// Constraint limits a sequence's tokens to a language (a grammar or JSON
// Schema): Allowed is the bitset of token ids that may come next (bit
// id%64 of word id/64), Accept moves past the token taken, and Final says
// nothing may follow any more.
type Constraint interface {
	Allowed() []uint64
	Accept(tok int32) error
	Final() bool
}

// Finish reasons.
const (
	FinishLength = "length" // MaxTokens reached
	FinishStop   = "stop"   // end-of-sequence token or stop condition
	FinishAbort  = "abort"  // stopped by the caller (Engine.Abort)
	FinishError  = "error"  // the model produced logits no token can be drawn from (Sequence.Err)
)

type state uint8

const (
	waiting state = iota
	running
	finished
)

// Sequence is one prompt and what has been generated for it.
type Sequence struct {
	Prompt []int32
	Output []int32
	Params Params
	// Tag is the caller's: the engine carries it untouched.
	Tag any

	FinishReason string
	// Err says why a sequence finished with FinishError.
	Err     error
	Timings Timings

	id        uint64 // admission order; also the sampler stream
	state     state
	slot      int
	processed int // tokens whose effect is in the cache
	sampler   *sample.Sampler
	tokens    []int32 // Prompt then Output
	reused    int     // prompt tokens whose state came from the prefix cache
}

// Timings record when things happened to a sequence.
type Timings struct {
	Added      time.Time // given to the engine
	FirstToken time.Time // first generated token sampled
	Finished   time.Time
	Preempted  int // times its cache was dropped for recompute
}

// ID is the engine-assigned number of the sequence (order of Add).
func (s *Sequence) ID() uint64 { return s.id }

// Done reports whether the sequence has finished.
func (s *Sequence) Done() bool { return s.state == finished }

// Cached is the number of tokens whose state the sequence's slot holds
// (prompt and output, less the last sampled token, which was never run).
func (s *Sequence) Cached() int { return s.processed }

// pending is the number of tokens not yet run through the model.
func (s *Sequence) pending() int { return len(s.tokens) - s.processed }
