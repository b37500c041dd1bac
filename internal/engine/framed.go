package engine

import (
	"fmt"

	"github.com/lfm2go/lfm2/internal/grammar"
)

// framed constrains an answer to one block between two special tokens: the
// start token, text in the inner grammar, the end token, then nothing (a
// forced tool call: <|tool_call_start|>[f(x=1)]<|tool_call_end|>). Special
// tokens have no bytes, so the frame is kept here, outside the grammar.
type framed struct {
	start, end int32
	eos        []int
	inner      *grammar.Constraint
	phase      int // 0: before the start token, 1: inside, 2: after the end token
	mask       []uint64
}

func (f *framed) set(id int32) { f.mask[id/64] |= 1 << (id % 64) }

func (f *framed) Allowed() []uint64 {
	clear(f.mask)
	switch f.phase {
	case 0:
		f.set(f.start)
	case 1:
		copy(f.mask, f.inner.Allowed())
		for _, id := range f.eos { // the block ends with its end token instead
			f.mask[id/64] &^= 1 << (id % 64)
		}
		if f.inner.Complete() {
			f.set(f.end)
		}
	}
	return f.mask
}

func (f *framed) Accept(tok int32) error {
	switch {
	case f.phase == 0 && tok == f.start:
		f.phase = 1
		return nil
	case f.phase == 1 && tok == f.end && f.inner.Complete():
		f.phase = 2
		return nil
	case f.phase == 1:
		return f.inner.Accept(tok)
	}
	return fmt.Errorf("grammar: token %d out of place in a tool call", tok)
}

func (f *framed) Final() bool { return f.phase == 2 }
