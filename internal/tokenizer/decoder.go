package tokenizer

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"
)

// decoder turns tokens back into text pieces (tokenizers' decode_chain).
type decoder interface {
	decode(tokens []string) []string
}

type decSeq []decoder

func (q decSeq) decode(t []string) []string {
	for _, d := range q {
		t = d.decode(t)
	}
	return t
}

type decFunc func([]string) []string

func (f decFunc) decode(t []string) []string { return f(t) }

// byteLevelDecode maps characters back to bytes; a token holding a character
// outside the table is taken as its raw UTF-8 (as tokenizers does).
func byteLevelDecode(tokens []string) []string {
	var buf []byte
	for _, t := range tokens {
		start := len(buf)
		ok := true
		for _, r := range t {
			b, found := runeToByte[r]
			if !found {
				ok = false
				break
			}
			buf = append(buf, b)
		}
		if !ok {
			buf = append(buf[:start], t...)
		}
	}
	return []string{lossyUTF8(buf)}
}

// lossyUTF8 is Rust's String::from_utf8_lossy: each maximal subpart of an
// ill-formed sequence becomes one U+FFFD (Go's strings.ToValidUTF8 would
// merge a whole run of bad bytes into one).
func lossyUTF8(b []byte) string {
	if utf8.Valid(b) {
		return string(b)
	}
	out := make([]byte, 0, len(b)+8)
	for i := 0; i < len(b); {
		r, n := utf8.DecodeRune(b[i:])
		if r != utf8.RuneError || n > 1 {
			out = append(out, b[i:i+n]...)
			i += n
			continue
		}
		out = append(out, "\uFFFD"...)
		i += maximalSubpart(b[i:])
	}
	return string(out)
}

// maximalSubpart is the length of the longest prefix of b that starts a
// well-formed UTF-8 sequence (at least 1): the bytes one U+FFFD replaces.
func maximalSubpart(b []byte) int {
	lead := b[0]
	var need int
	lo, hi := byte(0x80), byte(0xBF) // allowed range of the second byte
	switch {
	case lead >= 0xC2 && lead <= 0xDF:
		need = 1
	case lead == 0xE0:
		need, lo = 2, 0xA0
	case lead >= 0xE1 && lead <= 0xEC, lead == 0xEE, lead == 0xEF:
		need = 2
	case lead == 0xED:
		need, hi = 2, 0x9F
	case lead == 0xF0:
		need, lo = 3, 0x90
	case lead >= 0xF1 && lead <= 0xF3:
		need = 3
	case lead == 0xF4:
		need, hi = 3, 0x8F
	default:
		return 1
	}
	n := 1
	for k := 0; k < need && n < len(b); k++ {
		c := b[n]
		if k == 0 && (c < lo || c > hi) || k > 0 && (c < 0x80 || c > 0xBF) {
			break
		}
		n++
	}
	return n
}

func byteFallbackDecode(tokens []string) []string {
	var out []string
	var pending []byte
	flush := func() {
		if len(pending) > 0 {
			s := string(pending)
			if !validUTF8(pending) {
				s = strings.Repeat("\uFFFD", len(pending))
			}
			out = append(out, s)
			pending = pending[:0]
		}
	}
	for _, t := range tokens {
		if len(t) == 6 && strings.HasPrefix(t, "<0x") && t[5] == '>' {
			if v, err := strconv.ParseUint(t[3:5], 16, 8); err == nil {
				pending = append(pending, byte(v))
				continue
			}
		}
		flush()
		out = append(out, t)
	}
	flush()
	return out
}

func validUTF8(b []byte) bool { return strings.ToValidUTF8(string(b), "\x00x") == string(b) }

func parseDecoder(raw json.RawMessage) (decoder, error) {
	if isNull(raw) {
		return nil, nil
	}
	var h struct {
		Type          string            `json:"type"`
		Decoders      []json.RawMessage `json:"decoders"`
		Content       string            `json:"content"`
		Start         int               `json:"start"`
		Stop          int               `json:"stop"`
		Pattern       pattern           `json:"pattern"`
		Replacement   string            `json:"replacement"`
		PrependScheme string            `json:"prepend_scheme"`
	}
	if err := json.Unmarshal(raw, &h); err != nil {
		return nil, fmt.Errorf("decoder: %w", err)
	}
	switch h.Type {
	case "Sequence":
		var seq decSeq
		for _, r := range h.Decoders {
			d, err := parseDecoder(r)
			if err != nil {
				return nil, err
			}
			if d != nil {
				seq = append(seq, d)
			}
		}
		return seq, nil
	case "ByteLevel":
		return decFunc(byteLevelDecode), nil
	case "ByteFallback":
		return decFunc(byteFallbackDecode), nil
	case "Fuse":
		return decFunc(func(t []string) []string { return []string{strings.Join(t, "")} }), nil
	case "Strip":
		return decFunc(func(t []string) []string {
			out := make([]string, len(t))
			for i, s := range t {
				for n := 0; n < h.Start && strings.HasPrefix(s, h.Content); n++ {
					s = s[len(h.Content):]
				}
				for n := 0; n < h.Stop && strings.HasSuffix(s, h.Content); n++ {
					s = s[:len(s)-len(h.Content)]
				}
				out[i] = s
			}
			return out
		}), nil
	case "Replace":
		if h.Pattern.String == nil {
			return nil, fmt.Errorf("decoder Replace with a Regex pattern is not supported")
		}
		from := *h.Pattern.String
		return decFunc(func(t []string) []string {
			out := make([]string, len(t))
			for i, s := range t {
				out[i] = strings.ReplaceAll(s, from, h.Content)
			}
			return out
		}), nil
	case "Metaspace":
		rep := h.Replacement
		if rep == "" {
			rep = "▁"
		}
		strip := h.PrependScheme != "never"
		return decFunc(func(t []string) []string {
			out := make([]string, len(t))
			for i, s := range t {
				if i == 0 && strip {
					// tokenizers drops every marker of the first token, not just one.
					out[i] = strings.ReplaceAll(s, rep, "")
					continue
				}
				out[i] = strings.ReplaceAll(s, rep, " ")
			}
			return out
		}), nil
	}
	return nil, fmt.Errorf("decoder type %q is not supported", h.Type)
}
