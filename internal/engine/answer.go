package engine

import (
	"strings"

	"github.com/lfm2go/lfm2/internal/reply"
	"github.com/lfm2go/lfm2/internal/tokenizer"
)

// answer turns one request's generated tokens into what its client reads:
// text (released only up to where a stop string could begin, and never
// past one), reasoning and parsed tool calls.
type answer struct {
	stream  *reply.Streamer
	plain   *tokenizer.Stream // plain completion: text only, markers not parsed
	stops   []string
	text    strings.Builder // answer text so far, stop string included
	sent    int             // bytes of text released
	stopped bool            // a stop string was seen: nothing more is released
}

func newAnswer(tok *tokenizer.Tokenizer, stops []string, plain bool) *answer {
	if tok == nil {
		return nil
	}
	if plain {
		return &answer{plain: tok.NewStream(true), stops: stops}
	}
	return &answer{stream: reply.NewStreamer(tok), stops: stops}
}

// add takes the next generated token (never an end-of-sequence token).
func (a *answer) add(id int32) []reply.Piece {
	if a.plain != nil {
		return a.filter([]reply.Piece{{Kind: reply.PieceText, Text: a.plain.Add(id)}}, false)
	}
	return a.filter(a.stream.Add(id), false)
}

// finish releases what was held back at the end of the answer.
func (a *answer) finish() []reply.Piece {
	if a.plain != nil {
		return a.filter([]reply.Piece{{Kind: reply.PieceText, Text: a.plain.Flush()}}, true)
	}
	return a.filter(a.stream.Flush(), true)
}

func (a *answer) filter(pieces []reply.Piece, final bool) []reply.Piece {
	out := pieces[:0]
	for _, p := range pieces {
		if a.stopped {
			break
		}
		if p.Kind == reply.PieceText {
			a.text.WriteString(p.Text)
			p.Text = a.release(final)
			if p.Text == "" && p.Warning == "" {
				continue
			}
		}
		out = append(out, p)
	}
	if final && !a.stopped {
		// Text held back for a stop string that never came is released.
		if rest := a.release(true); rest != "" {
			out = append(out, reply.Piece{Kind: reply.PieceText, Text: rest})
		}
	}
	return out
}

// release returns the text that can be shown now: up to the first stop
// string, and short of a tail that may begin one unless the answer is over.
func (a *answer) release(final bool) string {
	all := a.text.String()
	cut := len(all)
	for _, s := range a.stops {
		if i := strings.Index(all, s); i >= 0 {
			cut = min(cut, i)
			a.stopped = true
			continue
		}
		if final {
			continue
		}
		for k := min(len(s)-1, len(all)); k > 0; k-- {
			if strings.HasSuffix(all, s[:k]) {
				cut = min(cut, len(all)-k)
				break
			}
		}
	}
	if cut <= a.sent {
		return ""
	}
	out := all[a.sent:cut]
	a.sent = cut
	return out
}

// StopOnText ends a sequence when its decoded output contains a stop string.
func StopOnText(tok *tokenizer.Tokenizer, stops []string) func([]int32) bool {
	if len(stops) == 0 || tok == nil {
		return nil
	}
	longest := 0
	for _, s := range stops {
		longest = max(longest, len(s))
	}
	return func(out []int32) bool {
		// Only the tail can newly contain a stop string; a token other
		// than a special one is at least one byte.
		tail := out[max(0, len(out)-max(32, longest+1)):]
		text := tok.Decode(tail, true)
		for _, s := range stops {
			if strings.Contains(text, s) {
				return true
			}
		}
		return false
	}
}

// TrimStop cuts text at the first stop string.
func TrimStop(text string, stops []string) string {
	for _, s := range stops {
		if i := strings.Index(text, s); i >= 0 {
			text = text[:i]
		}
	}
	return text
}
