package reply

import (
	"strings"

	"github.com/lfm2go/lfm2/internal/tokenizer"
	"github.com/lfm2go/lfm2/internal/toolcall"
)

// PieceKind says what a streamed piece is.
type PieceKind uint8

const (
	PieceText      PieceKind = iota // answer text
	PieceReasoning                  // text inside <think>…</think>
	PieceCalls                      // parsed tool calls
)

// Piece is something to show as it is generated.
type Piece struct {
	Kind  PieceKind
	Text  string
	Calls []toolcall.Call
	// Warning is set when a tool call did not parse and is shown as text.
	Warning string
}

// Streamer splits tokens into pieces as they arrive. Text inside a tool
// call is held until the call ends and is then reported parsed, never as
// partial text; a reasoning block is reported as reasoning.
type Streamer struct {
	tok       *tokenizer.Tokenizer
	dec       *tokenizer.Stream
	inCall    bool
	callIDs   []int32
	pending   string // text held back because it may begin a think tag
	started   bool   // some non-space text has been seen
	reasoning bool   // inside <think>…</think>
	trimNext  bool   // drop the whitespace after </think>
}

// NewStreamer makes a streamer for one answer.
func NewStreamer(tok *tokenizer.Tokenizer) *Streamer {
	return &Streamer{tok: tok, dec: tok.NewStream(true)}
}

// Add takes the next generated token.
func (s *Streamer) Add(id int32) []Piece {
	if s.tok.IsSpecial(id) {
		switch s.tok.Token(id) {
		case toolcall.StartMarker:
			// Text before the call is released; a possible tag start or
			// leading space stays pending (the answer is not over).
			out := s.text(s.dec.Flush(), false)
			s.inCall, s.callIDs = true, s.callIDs[:0]
			return out
		case toolcall.EndMarker:
			if s.inCall {
				s.inCall = false
				return []Piece{s.endCall()}
			}
		case ThinkStart, ThinkEnd:
			return s.text(s.dec.Flush()+s.tok.Token(id), false)
		}
		return nil
	}
	if s.inCall {
		s.callIDs = append(s.callIDs, id)
		return nil
	}
	return s.text(s.dec.Add(id), false)
}

// Flush reports whatever is held back at the end of the answer (an
// unfinished call comes back as text).
func (s *Streamer) Flush() []Piece {
	if s.inCall {
		s.inCall = false
		return []Piece{{Kind: PieceText, Text: toolcall.StartMarker + s.tok.Decode(s.callIDs, true),
			Warning: "an unfinished tool call (no " + toolcall.EndMarker + ") is shown as text"}}
	}
	return s.text(s.dec.Flush(), true)
}

func (s *Streamer) endCall() Piece {
	inner := s.tok.Decode(s.callIDs, true)
	calls, err := toolcall.Parse(inner)
	if err != nil {
		return Piece{Kind: PieceText, Text: toolcall.StartMarker + inner + toolcall.EndMarker,
			Warning: "a malformed tool call is shown as text: " + err.Error()}
	}
	return Piece{Kind: PieceCalls, Calls: calls}
}

// text routes decoded text through the think-tag state: a tag may arrive
// split over tokens, so a tail that could begin one is held back.
func (s *Streamer) text(chunk string, final bool) []Piece {
	t := s.pending + chunk
	s.pending = ""
	var out []Piece
	emit := func(str string) {
		if str == "" {
			return
		}
		kind := PieceText
		if s.reasoning {
			kind = PieceReasoning
		}
		if n := len(out); n > 0 && out[n-1].Kind == kind {
			out[n-1].Text += str
			return
		}
		out = append(out, Piece{Kind: kind, Text: str})
	}
	for t != "" {
		if !s.reasoning && !s.started {
			trimmed := strings.TrimLeft(t, " \t\r\n")
			switch {
			case strings.HasPrefix(trimmed, ThinkStart):
				s.reasoning, s.started = true, true
				t = trimmed[len(ThinkStart):]
				continue
			case !final && (trimmed == "" || strings.HasPrefix(ThinkStart, trimmed)):
				s.pending = t // leading space or a partial "<think": wait
				return out
			}
			s.started = true
		}
		if !s.reasoning {
			if s.trimNext {
				if t = strings.TrimLeft(t, " \t\r\n"); t == "" {
					return out
				}
				s.trimNext = false
			}
			emit(t)
			return out
		}
		if i := strings.Index(t, ThinkEnd); i >= 0 {
			emit(t[:i])
			s.reasoning, s.trimNext = false, true
			t = t[i+len(ThinkEnd):]
			continue
		}
		keep := 0
		if !final {
			for k := min(len(ThinkEnd)-1, len(t)); k > 0; k-- {
				if strings.HasSuffix(t, ThinkEnd[:k]) {
					keep = k
					break
				}
			}
		}
		emit(t[:len(t)-keep])
		s.pending = t[len(t)-keep:]
		return out
	}
	return out
}
