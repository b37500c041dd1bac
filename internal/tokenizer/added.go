package tokenizer

import (
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"
)

// addedToken is an entry of tokenizer.json's added_tokens.
type addedToken struct {
	ID         int32  `json:"id"`
	Content    string `json:"content"`
	SingleWord bool   `json:"single_word"`
	LStrip     bool   `json:"lstrip"`
	RStrip     bool   `json:"rstrip"`
	Normalized bool   `json:"normalized"`
	Special    bool   `json:"special"`
}

// addedMatcher finds added tokens in text, leftmost-longest (as the
// aho-corasick automaton in tokenizers does).
type addedMatcher struct {
	byFirst [256][]*addedToken // candidates by first byte, longest first
	empty   bool
}

func newAddedMatcher(tokens []*addedToken) *addedMatcher {
	m := &addedMatcher{empty: true}
	for _, t := range tokens {
		if t.Content != "" {
			m.byFirst[t.Content[0]] = append(m.byFirst[t.Content[0]], t)
			m.empty = false
		}
	}
	for _, l := range m.byFirst {
		sort.SliceStable(l, func(i, j int) bool { return len(l[i].Content) > len(l[j].Content) })
	}
	return m
}

// segment is a stretch of text, or one added token; start is its byte
// offset in the text that was split.
type segment struct {
	text  string
	token *addedToken
	start int
}

// split cuts text at added tokens. lstrip/rstrip tokens swallow the
// whitespace beside them; single_word tokens match only as whole words.
func (m *addedMatcher) split(text string) []segment {
	if m.empty {
		return []segment{{text: text}}
	}
	var out []segment
	prev := 0
	for i := 0; i < len(text); {
		if m.byFirst[text[i]] == nil {
			i++
			continue
		}
		t := m.matchAt(text, i)
		if t == nil {
			i++
			continue
		}
		start, end := i, i+len(t.Content)
		if t.LStrip {
			for start > prev {
				r, size := utf8.DecodeLastRuneInString(text[prev:start])
				if !unicode.IsSpace(r) {
					break
				}
				start -= size
			}
		}
		if t.RStrip {
			for end < len(text) {
				r, size := utf8.DecodeRuneInString(text[end:])
				if !unicode.IsSpace(r) {
					break
				}
				end += size
			}
		}
		if start > prev {
			out = append(out, segment{text: text[prev:start], start: prev})
		}
		out = append(out, segment{token: t})
		prev, i = end, end
	}
	if prev < len(text) {
		out = append(out, segment{text: text[prev:], start: prev})
	}
	return out
}

func (m *addedMatcher) matchAt(text string, i int) *addedToken {
	for _, t := range m.byFirst[text[i]] {
		if !strings.HasPrefix(text[i:], t.Content) {
			continue
		}
		if t.SingleWord {
			before, _ := utf8.DecodeLastRuneInString(text[:i])
			after, _ := utf8.DecodeRuneInString(text[i+len(t.Content):])
			if (i > 0 && isWordChar(before)) || (i+len(t.Content) < len(text) && isWordChar(after)) {
				continue
			}
		}
		return t
	}
	return nil
}

func isWordChar(r rune) bool { return r == '_' || unicode.IsLetter(r) || unicode.IsDigit(r) }
