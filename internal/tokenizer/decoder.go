package tokenizer

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
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
	return []string{strings.ToValidUTF8(string(buf), "\uFFFD")}
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
				s = strings.ReplaceAll(s, rep, " ")
				if i == 0 && strip {
					s = strings.TrimPrefix(s, " ")
				}
				out[i] = s
			}
			return out
		}), nil
	}
	return nil, fmt.Errorf("decoder type %q is not supported", h.Type)
}
