package tokenizer

import (
	"encoding/json"
	"fmt"
	"strings"

	"golang.org/x/text/unicode/norm"
)

// normalizer rewrites text before pre-tokenization.
type normalizer interface {
	normalize(s string) string
}

type normFunc func(string) string

func (f normFunc) normalize(s string) string { return f(s) }

type normSeq []normalizer

func (q normSeq) normalize(s string) string {
	for _, n := range q {
		s = n.normalize(s)
	}
	return s
}

// pattern is HF's {"String": "..."} or {"Regex": "..."}.
type pattern struct {
	String *string `json:"String"`
	Regex  *string `json:"Regex"`
}

func (p pattern) compile() (*splitRegex, string, error) {
	switch {
	case p.String != nil:
		return nil, *p.String, nil
	case p.Regex != nil:
		re, err := compileSplitRegex(*p.Regex)
		return re, "", err
	}
	return nil, "", fmt.Errorf("pattern needs String or Regex")
}

func parseNormalizer(raw json.RawMessage) (normalizer, error) {
	if isNull(raw) {
		return nil, nil
	}
	var h struct {
		Type        string            `json:"type"`
		Normalizers []json.RawMessage `json:"normalizers"`
		Pattern     pattern           `json:"pattern"`
		Content     string            `json:"content"`
		Prepend     string            `json:"prepend"`
		Left        bool              `json:"strip_left"`
		Right       bool              `json:"strip_right"`
	}
	if err := json.Unmarshal(raw, &h); err != nil {
		return nil, fmt.Errorf("normalizer: %w", err)
	}
	switch h.Type {
	case "NFC":
		return normFunc(norm.NFC.String), nil
	case "NFD":
		return normFunc(norm.NFD.String), nil
	case "NFKC":
		return normFunc(norm.NFKC.String), nil
	case "NFKD":
		return normFunc(norm.NFKD.String), nil
	case "Lowercase":
		return normFunc(rustLowercase), nil
	case "Prepend":
		return normFunc(func(s string) string {
			if s == "" {
				return s
			}
			return h.Prepend + s
		}), nil
	case "Strip":
		return normFunc(func(s string) string {
			if h.Left {
				s = strings.TrimLeftFunc(s, isUnicodeSpace)
			}
			if h.Right {
				s = strings.TrimRightFunc(s, isUnicodeSpace)
			}
			return s
		}), nil
	case "Replace":
		re, lit, err := h.Pattern.compile()
		if err != nil {
			return nil, fmt.Errorf("normalizer Replace: %w", err)
		}
		if re == nil {
			return normFunc(func(s string) string { return strings.ReplaceAll(s, lit, h.Content) }), nil
		}
		return normFunc(func(s string) string {
			var b strings.Builder
			prev := 0
			re.scan(s, func(start, end int) {
				b.WriteString(s[prev:start])
				b.WriteString(h.Content)
				prev = end
			})
			b.WriteString(s[prev:])
			return b.String()
		}), nil
	case "Sequence":
		var seq normSeq
		for _, r := range h.Normalizers {
			n, err := parseNormalizer(r)
			if err != nil {
				return nil, err
			}
			if n != nil {
				seq = append(seq, n)
			}
		}
		return seq, nil
	}
	return nil, fmt.Errorf("normalizer type %q is not supported", h.Type)
}

func isNull(raw json.RawMessage) bool {
	s := strings.TrimSpace(string(raw))
	return s == "" || s == "null"
}

// rustLowercase is what tokenizers' Lowercase does: Rust's
// char::to_lowercase on every character. That equals Go's per-rune mapping
// except for İ (U+0130), whose full mapping is i + U+0307. (No final-sigma
// rule: each Σ becomes σ, as the reference cases show.)
func rustLowercase(s string) string {
	return strings.ToLower(strings.ReplaceAll(s, "\u0130", "i\u0307"))
}
