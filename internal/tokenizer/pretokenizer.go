package tokenizer

import (
	"encoding/json"
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// piece is a pre-tokenized span of text; offset is non-zero unless it
// starts at the very beginning of the input, which Metaspace's "first"
// scheme needs.
type piece struct {
	text   string
	offset int
}

// preTokenizer splits a piece into smaller pieces.
type preTokenizer interface {
	// each hands the pieces p splits into, in order, to emit. Every
	// pre-tokenizer splits each piece on its own, so a sequence runs
	// depth-first: memory is held for one piece per stage, never for all
	// the pieces of the input (a 100 MB text made gigabytes of pieces).
	each(p piece, emit func(piece))
}

type preSeq []preTokenizer

func (q preSeq) each(p piece, emit func(piece)) {
	if len(q) == 0 {
		emit(p)
		return
	}
	next := emit
	for i := len(q) - 1; i >= 1; i-- {
		stage, to := q[i], next
		next = func(x piece) { stage.each(x, to) }
	}
	q[0].each(p, next)
}

// The GPT-2 pattern ByteLevel uses when use_regex is true.
const gpt2Pattern = `'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+`

type behavior int

const (
	isolated behavior = iota
	removed
	mergedWithPrevious
	mergedWithNext
	contiguous
)

func parseBehavior(s string) (behavior, error) {
	switch s {
	case "Isolated":
		return isolated, nil
	case "Removed":
		return removed, nil
	case "MergedWithPrevious":
		return mergedWithPrevious, nil
	case "MergedWithNext":
		return mergedWithNext, nil
	case "Contiguous":
		return contiguous, nil
	}
	return 0, fmt.Errorf("split behavior %q is not supported", s)
}

// splitter is HF's Split: cut at pattern matches and treat the matches per behavior.
type splitter struct {
	re       *splitRegex
	literal  string
	match    func(r rune) bool // a per-character class (Digits)
	behavior behavior
	invert   bool
}

type span struct {
	start, end int
	match      bool
}

// each cuts p at the pattern's matches and hands on the spans the
// behavior makes of them.
func (s *splitter) each(p piece, emit func(piece)) {
	m := spanMerger{behavior: s.behavior, emit: func(x span) {
		if x.end > x.start {
			emit(piece{p.text[x.start:x.end], p.offset + x.start})
		}
	}}
	s.spans(p.text, m.push)
	m.flush()
}

// spans hands push the matches and the text between them, left to right.
func (s *splitter) spans(text string, push func(span)) {
	prev := 0
	found := func(start, end int) {
		if start > prev {
			push(span{prev, start, s.invert})
		}
		push(span{start, end, !s.invert})
		prev = end
	}
	switch {
	case s.re != nil:
		s.re.scan(text, found)
	case s.match != nil:
		for i := 0; i < len(text); {
			r, n := utf8.DecodeRuneInString(text[i:])
			if s.match(r) {
				found(i, i+n)
			}
			i += n
		}
	case s.literal != "":
		for off := 0; ; {
			i := strings.Index(text[off:], s.literal)
			if i < 0 {
				break
			}
			found(off+i, off+i+len(s.literal))
			off += i + len(s.literal)
		}
	}
	if prev < len(text) {
		push(span{prev, len(text), s.invert})
	}
}

// spanMerger follows tokenizers' SplitDelimiterBehavior rules on a stream
// of spans, holding back at most one.
type spanMerger struct {
	behavior  behavior
	emit      func(span)
	pending   span
	held      bool
	prevMatch bool
}

func (m *spanMerger) push(x span) {
	switch m.behavior {
	case isolated:
		m.emit(x)
	case removed:
		if !x.match {
			m.emit(x)
		}
	case mergedWithPrevious: // a match joins the span before it
		if x.match && !m.prevMatch && m.held {
			m.pending.end = x.end
		} else {
			m.hold(x)
		}
	case mergedWithNext: // a match joins the non-match after it
		if m.held && m.pending.match && !x.match {
			x.start = m.pending.start
			m.held = false
		}
		m.hold(x)
	case contiguous: // runs of matches, and of non-matches, join
		if m.held && x.match == m.prevMatch {
			m.pending.end = x.end
		} else {
			m.hold(x)
		}
	}
	m.prevMatch = x.match
}

func (m *spanMerger) hold(x span) {
	if m.held {
		m.emit(m.pending)
	}
	m.pending, m.held = x, true
}

func (m *spanMerger) flush() {
	if m.held {
		m.emit(m.pending)
		m.held = false
	}
}

// byteLevel maps every byte to a printable character (GPT-2's table),
// optionally after splitting with the GPT-2 regex and adding a prefix space.
type byteLevel struct {
	addPrefixSpace bool
	re             *splitter
}

func (b *byteLevel) each(p piece, emit func(piece)) {
	if b.addPrefixSpace && !strings.HasPrefix(p.text, " ") { // HF prepends to every split it is given
		p.text = " " + p.text
	}
	mapped := func(x piece) {
		x.text = bytesToUnicode(x.text)
		emit(x)
	}
	if b.re != nil {
		b.re.each(p, mapped)
		return
	}
	mapped(p)
}

// metaspace replaces spaces with a marker (▁) and can split before it.
type metaspace struct {
	replacement string
	scheme      string // always, first, never
	splitAt     bool
}

func (m *metaspace) each(p piece, emit func(piece)) {
	t := strings.ReplaceAll(p.text, " ", m.replacement)
	if (m.scheme == "always" || m.scheme == "first" && p.offset == 0) && !strings.HasPrefix(t, m.replacement) {
		t = m.replacement + t
	}
	if !m.splitAt {
		emit(piece{t, p.offset})
		return
	}
	s := splitter{literal: m.replacement, behavior: mergedWithNext}
	s.each(piece{t, p.offset}, emit)
}

func parsePreTokenizer(raw json.RawMessage) (preTokenizer, error) {
	if isNull(raw) {
		return nil, nil
	}
	var h struct {
		Type             string            `json:"type"`
		Pretokenizers    []json.RawMessage `json:"pretokenizers"`
		Pattern          pattern           `json:"pattern"`
		Behavior         string            `json:"behavior"`
		Invert           bool              `json:"invert"`
		AddPrefixSpace   bool              `json:"add_prefix_space"`
		UseRegex         *bool             `json:"use_regex"`
		IndividualDigits bool              `json:"individual_digits"`
		Replacement      string            `json:"replacement"`
		PrependScheme    string            `json:"prepend_scheme"`
		Split            *bool             `json:"split"`
	}
	if err := json.Unmarshal(raw, &h); err != nil {
		return nil, fmt.Errorf("pre_tokenizer: %w", err)
	}
	switch h.Type {
	case "Sequence":
		var seq preSeq
		for _, r := range h.Pretokenizers {
			p, err := parsePreTokenizer(r)
			if err != nil {
				return nil, err
			}
			if p != nil {
				seq = append(seq, p)
			}
		}
		return seq, nil
	case "Split":
		beh, err := parseBehavior(h.Behavior)
		if err != nil {
			return nil, fmt.Errorf("pre_tokenizer Split: %w", err)
		}
		re, lit, err := h.Pattern.compile()
		if err != nil {
			return nil, fmt.Errorf("pre_tokenizer Split: %w", err)
		}
		return &splitter{re: re, literal: lit, behavior: beh, invert: h.Invert}, nil
	case "ByteLevel":
		b := &byteLevel{addPrefixSpace: h.AddPrefixSpace}
		if h.UseRegex == nil || *h.UseRegex {
			re, err := compileSplitRegex(gpt2Pattern)
			if err != nil {
				return nil, err
			}
			b.re = &splitter{re: re, behavior: isolated}
		}
		return b, nil
	case "Digits":
		beh := contiguous
		if h.IndividualDigits {
			beh = isolated
		}
		// Rust's char::is_numeric: Nd, Nl and No, so ² and Ⅻ count as digits.
		return &splitter{match: unicode.IsNumber, behavior: beh}, nil
	case "Metaspace":
		m := &metaspace{replacement: h.Replacement, scheme: h.PrependScheme, splitAt: h.Split == nil || *h.Split}
		if m.replacement == "" {
			m.replacement = "▁"
		}
		if m.scheme == "" {
			m.scheme = "always"
		}
		return m, nil
	}
	return nil, fmt.Errorf("pre_tokenizer type %q is not supported", h.Type)
}

// GPT-2's byte ↔ character table: printable Latin-1 bytes map to themselves,
// the rest to U+0100 onwards, so every byte string becomes printable text.
var byteToRune, runeToByte = func() ([256]rune, map[rune]byte) {
	var b2r [256]rune
	r2b := map[rune]byte{}
	n := 0
	for b := 0; b < 256; b++ {
		if (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF) {
			b2r[b] = rune(b)
		} else {
			b2r[b] = rune(256 + n)
			n++
		}
		r2b[b2r[b]] = byte(b)
	}
	return b2r, r2b
}()

// byteUTF8 is the UTF-8 encoding of byteToRune[b], so mapping is a copy.
var byteUTF8 = func() (t [256]string) {
	for b := range t {
		t[b] = string(byteToRune[b])
	}
	return t
}()

func bytesToUnicode(s string) string {
	buf := make([]byte, 0, 2*len(s))
	for i := 0; i < len(s); i++ {
		buf = append(buf, byteUTF8[s[i]]...)
	}
	return string(buf)
}
