package tokenizer

import (
	"fmt"
	"regexp"
	"strings"
	"unicode/utf8"
)

// Hugging Face tokenizers compile Split patterns with Oniguruma, where \s is
// Unicode White_Space and lookaround exists. Go's RE2 has neither, so
// patterns are rewritten: \s and \S become explicit Unicode classes, and the
// one lookahead popular tokenizers use, \s+(?!\S), is matched as a captured
// \s+ whose last character is handed back when a non-space follows (exactly
// what the backtracking engine does). Any other lookaround is refused.

// unicodeSpace lists Unicode White_Space (what Oniguruma's \s matches).
const unicodeSpace = `\t\n\x{0B}\f\r \x{85}\x{A0}\x{1680}\x{2000}-\x{200A}\x{2028}\x{2029}\x{202F}\x{205F}\x{3000}`

const lookaheadGroup = "lfm2ws"

// splitRegex is a compiled Split pattern.
type splitRegex struct {
	re      *regexp.Regexp
	wsGroup int                       // submatch index of the emulated \s+(?!\S), or -1
	fast    func(s string, i int) int // a hand-written matcher's end of the match at i, or nil
}

func compileSplitRegex(pattern string) (*splitRegex, error) {
	const la = `\s+(?!\S)`
	rewritten := strings.ReplaceAll(pattern, la, "(?P<"+lookaheadGroup+">"+`\s+`+")")
	if strings.Contains(rewritten, "(?=") || strings.Contains(rewritten, "(?!") || strings.Contains(rewritten, "(?<") && !strings.Contains(rewritten, "(?P<") {
		return nil, fmt.Errorf("regex %q uses lookaround other than \\s+(?!\\S), which is not supported", pattern)
	}
	goPat, err := rewriteSpaceClasses(rewritten)
	if err != nil {
		return nil, fmt.Errorf("regex %q: %w", pattern, err)
	}
	re, err := regexp.Compile(goPat)
	if err != nil {
		return nil, fmt.Errorf("regex %q: %w", pattern, err)
	}
	return &splitRegex{re: re, wsGroup: re.SubexpIndex(lookaheadGroup), fast: fastMatcher(pattern)}, nil
}

// rewriteSpaceClasses replaces \s and \S, inside and outside brackets.
func rewriteSpaceClasses(p string) (string, error) {
	var b strings.Builder
	inClass := false
	for i := 0; i < len(p); i++ {
		c := p[i]
		if c == '\\' && i+1 < len(p) {
			n := p[i+1]
			switch {
			case n == 's' && inClass:
				b.WriteString(unicodeSpace)
			case n == 's':
				b.WriteString("[" + unicodeSpace + "]")
			case n == 'S' && inClass:
				return "", fmt.Errorf(`\S inside a character class is not supported`)
			case n == 'S':
				b.WriteString("[^" + unicodeSpace + "]")
			default:
				b.WriteByte(c)
				b.WriteByte(n)
			}
			i++
			continue
		}
		switch {
		case c == '[' && !inClass:
			inClass = true
		case c == ']' && inClass:
			inClass = false
		}
		b.WriteByte(c)
	}
	return b.String(), nil
}

func isUnicodeSpace(r rune) bool {
	switch {
	case r >= '\t' && r <= '\r', r == ' ', r == 0x85, r == 0xA0, r == 0x1680,
		r >= 0x2000 && r <= 0x200A, r == 0x2028, r == 0x2029, r == 0x202F, r == 0x205F, r == 0x3000:
		return true
	}
	return false
}

// scan calls match with the [start, end) byte span of every non-empty
// match, left to right.
func (s *splitRegex) scan(text string, match func(start, end int)) {
	if s.fast != nil {
		scanAt(text, s.fast, match)
		return
	}
	s.scanRegex(text, match)
}

// scanRegex is the general path, and the reference for the fast matchers.
func (s *splitRegex) scanRegex(text string, match func(start, end int)) {
	pos := 0
	for pos < len(text) {
		m := s.re.FindStringSubmatchIndex(text[pos:])
		if m == nil {
			break
		}
		start, end := pos+m[0], pos+m[1]
		if s.wsGroup >= 0 && m[2*s.wsGroup] >= 0 && end < len(text) {
			// The lookahead alternative matched a whitespace run followed by
			// a non-space: Oniguruma backtracks one character.
			if _, size := utf8.DecodeLastRuneInString(text[start:end]); end-size > start {
				end -= size
			}
		}
		if end == start {
			_, size := utf8.DecodeRuneInString(text[start:])
			pos = start + max(size, 1)
			continue
		}
		match(start, end)
		pos = end
	}
}
