package tokenizer

import (
	"strings"
	"unicode/utf8"
)

// Stream turns ids into text incrementally for streaming output. It
// re-decodes a short window of recent ids (so decoders that look at token
// boundaries stay exact) and releases text only when it ends in a complete
// UTF-8 character, so every byte is printed exactly once and never half a rune.
type Stream struct {
	t           *Tokenizer
	skipSpecial bool
	ids         []int32
	prefix      int // start of the window that was already printed
	read        int // ids whose text has been printed
}

// NewStream starts a stream; skipSpecial hides special tokens.
func (t *Tokenizer) NewStream(skipSpecial bool) *Stream {
	return &Stream{t: t, skipSpecial: skipSpecial}
}

// Add appends one id and returns the text that became complete (maybe "").
func (s *Stream) Add(id int32) string {
	s.ids = append(s.ids, id)
	before := s.t.Decode(s.ids[s.prefix:s.read], s.skipSpecial)
	after := s.t.Decode(s.ids[s.prefix:], s.skipSpecial)
	if len(after) <= len(before) || !strings.HasPrefix(after, before) || endsIncomplete(after) {
		return ""
	}
	s.prefix, s.read = s.read, len(s.ids)
	return after[len(before):]
}

// Flush returns whatever is held back (an incomplete character at the end of
// generation is printed as the replacement character, as Decode would).
func (s *Stream) Flush() string {
	before := s.t.Decode(s.ids[s.prefix:s.read], s.skipSpecial)
	after := s.t.Decode(s.ids[s.prefix:], s.skipSpecial)
	s.prefix, s.read = s.read, len(s.ids)
	if len(after) > len(before) && strings.HasPrefix(after, before) {
		return after[len(before):]
	}
	return ""
}

// endsIncomplete reports a trailing replacement character, which is how the
// decoders render bytes of a character whose remaining bytes have not arrived.
func endsIncomplete(s string) bool {
	r, _ := utf8.DecodeLastRuneInString(s)
	return r == utf8.RuneError
}
