package tokenizer

import (
	"encoding/json"
	"fmt"
	"strings"
	"unicode"
)

// piece is a pre-tokenized span of text; offset is non-zero unless it
// starts at the very beginning of the input, which Metaspace's "first"
// scheme needs.
type piece struct {
	text   string
	offset int
}

// preTokenizer splits pieces into smaller pieces.
type preTokenizer interface {
	split(ps []piece) []piece
}

type preSeq []preTokenizer

func (q preSeq) split(ps []piece) []piece {
	for _, p := range q {
		ps = p.split(ps)
	}
	return ps
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

func (s *splitter) spans(text string) []span {
	var found [][2]int
	switch {
	case s.re != nil:
		found = s.re.findAll(text)
	case s.match != nil:
		for i, r := range text {
			if s.match(r) {
				found = append(found, [2]int{i, i + len(string(r))})
			}
		}
	case s.literal != "":
		for off := 0; ; {
			i := strings.Index(text[off:], s.literal)
			if i < 0 {
				break
			}
			found = append(found, [2]int{off + i, off + i + len(s.literal)})
			off += i + len(s.literal)
		}
	}
	var out []span
	prev := 0
	for _, m := range found {
		if m[0] > prev {
			out = append(out, span{prev, m[0], false})
		}
		out = append(out, span{m[0], m[1], true})
		prev = m[1]
	}
	if prev < len(text) {
		out = append(out, span{prev, len(text), false})
	}
	if s.invert {
		for i := range out {
			out[i].match = !out[i].match
		}
	}
	return out
}

// apply follows tokenizers' SplitDelimiterBehavior rules.
func (s *splitter) apply(sp []span) []span {
	var out []span
	prevMatch := false
	switch s.behavior {
	case isolated:
		return sp
	case removed:
		for _, x := range sp {
			if !x.match {
				out = append(out, x)
			}
		}
		return out
	case mergedWithPrevious:
		for _, x := range sp {
			if x.match && !prevMatch && len(out) > 0 {
				out[len(out)-1].end = x.end
			} else {
				out = append(out, x)
			}
			prevMatch = x.match
		}
		return out
	case mergedWithNext:
		for i := len(sp) - 1; i >= 0; i-- {
			x := sp[i]
			if x.match && !prevMatch && len(out) > 0 {
				out[len(out)-1].start = x.start
			} else {
				out = append(out, x)
			}
			prevMatch = x.match
		}
		for i, j := 0, len(out)-1; i < j; i, j = i+1, j-1 {
			out[i], out[j] = out[j], out[i]
		}
		return out
	case contiguous:
		for i, x := range sp {
			if i > 0 && x.match == prevMatch {
				out[len(out)-1].end = x.end
			} else {
				out = append(out, x)
			}
			prevMatch = x.match
		}
		return out
	}
	return sp
}

func (s *splitter) split(ps []piece) []piece {
	var out []piece
	for _, p := range ps {
		for _, x := range s.apply(s.spans(p.text)) {
			if x.end > x.start {
				out = append(out, piece{p.text[x.start:x.end], p.offset + x.start})
			}
		}
	}
	return out
}

// byteLevel maps every byte to a printable character (GPT-2's table),
// optionally after splitting with the GPT-2 regex and adding a prefix space.
type byteLevel struct {
	addPrefixSpace bool
	re             *splitter
}

func (b *byteLevel) split(ps []piece) []piece {
	if b.addPrefixSpace {
		for i := range ps { // HF prepends to every split it is given
			if !strings.HasPrefix(ps[i].text, " ") {
				ps[i].text = " " + ps[i].text
			}
		}
	}
	if b.re != nil {
		ps = b.re.split(ps)
	}
	for i := range ps {
		ps[i].text = bytesToUnicode(ps[i].text)
	}
	return ps
}

// metaspace replaces spaces with a marker (▁) and can split before it.
type metaspace struct {
	replacement string
	scheme      string // always, first, never
	splitAt     bool
}

func (m *metaspace) split(ps []piece) []piece {
	var out []piece
	for _, p := range ps {
		t := strings.ReplaceAll(p.text, " ", m.replacement)
		if (m.scheme == "always" || m.scheme == "first" && p.offset == 0) && !strings.HasPrefix(t, m.replacement) {
			t = m.replacement + t
		}
		if !m.splitAt {
			out = append(out, piece{t, p.offset})
			continue
		}
		s := &splitter{literal: m.replacement, behavior: mergedWithNext}
		out = append(out, s.split([]piece{{t, p.offset}})...)
	}
	return out
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
