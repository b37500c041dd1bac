package model

import (
	"fmt"

	"github.com/lfm2go/lfm2/internal/cache"
)

// LogitsMode says which rows of a span the LM head runs on.
type LogitsMode uint8

const (
	NoLogits   LogitsMode = iota // prefill chunk that is not the last
	LastLogits                   // the span's final token: decode, end of prefill
	AllLogits                    // every token (scoring)
)

// Span is one sequence's share of a step: Len tokens from Batch.Tokens[Start:],
// continuing the state held in cache slot Slot.
type Span struct {
	Slot       int
	Start, Len int
	Logits     LogitsMode
}

// Batch is one step's tokens packed with no padding (DESIGN.md, "The ragged
// batch"): every token of the step, sequence after sequence, its absolute
// position in its own sequence, and one Span per sequence.
type Batch struct {
	Tokens    []int32
	Positions []int32
	Spans     []Span
}

// Add appends a span for slot continuing at position pos.
func (b *Batch) Add(slot int, tokens []int32, pos int, logits LogitsMode) {
	b.Spans = append(b.Spans, Span{Slot: slot, Start: len(b.Tokens), Len: len(tokens), Logits: logits})
	b.Tokens = append(b.Tokens, tokens...)
	for i := range tokens {
		b.Positions = append(b.Positions, int32(pos+i))
	}
}

// Reset empties the batch, keeping its storage.
func (b *Batch) Reset() {
	b.Tokens, b.Positions, b.Spans = b.Tokens[:0], b.Positions[:0], b.Spans[:0]
}

// validate checks that spans tile the tokens, each slot appears once and
// continues exactly where its cache left off, and ids fit the vocabulary.
func (b *Batch) validate(c *cache.Cache, vocab int) error {
	if len(b.Positions) != len(b.Tokens) {
		return fmt.Errorf("batch: %d tokens but %d positions", len(b.Tokens), len(b.Positions))
	}
	next := 0
	for i, s := range b.Spans {
		if s.Start != next || s.Len < 1 {
			return fmt.Errorf("batch: span %d covers [%d,%d), want it to start at %d with at least one token", i, s.Start, s.Start+s.Len, next)
		}
		next += s.Len
		if next > len(b.Tokens) {
			return fmt.Errorf("batch: span %d runs past the %d tokens", i, len(b.Tokens))
		}
		if s.Slot < 0 || s.Slot >= c.Slots() || slotUsedBefore(b.Spans[:i], s.Slot) {
			return fmt.Errorf("batch: span %d has slot %d (out of range or used twice)", i, s.Slot)
		}
		have := c.Len(s.Slot)
		for j := 0; j < s.Len; j++ {
			if int(b.Positions[s.Start+j]) != have+j {
				return fmt.Errorf("batch: span %d token %d has position %d, want %d (slot %d holds %d tokens)",
					i, j, b.Positions[s.Start+j], have+j, s.Slot, have)
			}
			if id := b.Tokens[s.Start+j]; id < 0 || int(id) >= vocab {
				return fmt.Errorf("batch: token id %d outside the vocabulary of %d", id, vocab)
			}
		}
	}
	if next != len(b.Tokens) {
		return fmt.Errorf("batch: spans cover %d of %d tokens", next, len(b.Tokens))
	}
	return nil
}

// slotUsedBefore scans the earlier spans; a step holds few sequences, and
// this keeps validation free of allocation on the per-step hot path.
func slotUsedBefore(spans []Span, slot int) bool {
	for _, s := range spans {
		if s.Slot == slot {
			return true
		}
	}
	return false
}
