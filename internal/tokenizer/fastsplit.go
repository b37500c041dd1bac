package tokenizer

import (
	"unicode"
	"unicode/utf8"
)

// Hand-written matchers for the two split patterns nearly every byte-level
// BPE tokenizer uses. They return exactly what the regex (with the
// \s+(?!\S) emulation) returns — a differential test holds them to it — at
// several times the speed of RE2.

const llama3Pattern = `(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+`

// fastMatcher returns a matcher for pattern, or nil when there is none.
func fastMatcher(pattern string) func(string, int) int {
	switch pattern {
	case llama3Pattern:
		return llama3At
	case gpt2Pattern:
		return gpt2At
	}
	return nil
}

// scanAt calls match with each match at finds, left to right.
func scanAt(s string, at func(string, int) int, match func(start, end int)) {
	for i := 0; i < len(s); {
		end := at(s, i)
		if end <= i { // cannot happen for these patterns: every character matches something
			_, n := utf8.DecodeRuneInString(s[i:])
			i += n
			continue
		}
		match(i, end)
		i = end
	}
}

func isL(r rune) bool {
	return r < utf8.RuneSelf && ('a' <= r && r <= 'z' || 'A' <= r && r <= 'Z') || r >= utf8.RuneSelf && unicode.IsLetter(r)
}
func isN(r rune) bool     { return '0' <= r && r <= '9' || r >= utf8.RuneSelf && unicode.IsNumber(r) }
func isOther(r rune) bool { return !isUnicodeSpace(r) && !isL(r) && !isN(r) }
func isNL(r rune) bool    { return r == '\r' || r == '\n' }

func runeAt(s string, i int) (rune, int) {
	if i >= len(s) {
		return -1, 0
	}
	if c := s[i]; c < utf8.RuneSelf {
		return rune(c), 1
	}
	return utf8.DecodeRuneInString(s[i:])
}

// consume takes characters satisfying ok from i, at most max (0 = no limit).
func consume(s string, i int, ok func(rune) bool, max int) int {
	for n := 0; max == 0 || n < max; n++ {
		r, size := runeAt(s, i)
		if size == 0 || !ok(r) {
			break
		}
		i += size
	}
	return i
}

// contraction matches 's 't 're 've 'm 'll 'd after the apostrophe at i.
func contraction(s string, i int, fold bool) int {
	lower := func(r rune) rune {
		if fold {
			if r == 'ſ' {
				return 's'
			}
			return unicode.ToLower(r)
		}
		return r
	}
	r1, n1 := runeAt(s, i+1)
	switch lower(r1) {
	case 's', 't', 'm', 'd':
		return i + 1 + n1
	case 'r', 'v':
		if r2, n2 := runeAt(s, i+1+n1); lower(r2) == 'e' {
			return i + 1 + n1 + n2
		}
	case 'l':
		if r2, n2 := runeAt(s, i+1+n1); lower(r2) == 'l' {
			return i + 1 + n1 + n2
		}
	}
	return -1
}

// whitespace handles the trailing alternatives \s+(?!\S)|\s+ for a run of
// whitespace starting at i (and, for LLaMA-3, \s*[\r\n]+ before them).
func whitespace(s string, i int, newlineAlt bool) int {
	end := consume(s, i, isUnicodeSpace, 0)
	if newlineAlt {
		// \s*[\r\n]+: up to and including the last newline of the run.
		for j := end - 1; j >= i; j-- {
			if isNL(rune(s[j])) {
				return j + 1
			}
		}
	}
	if end == len(s) {
		return end
	}
	_, size := utf8.DecodeLastRuneInString(s[i:end])
	if end-size > i { // \s+(?!\S) gives back the last character
		return end - size
	}
	return end
}

// llama3At is the end of the match of llama3Pattern at i.
func llama3At(s string, i int) int {
	r, n := runeAt(s, i)
	if r == '\'' {
		if e := contraction(s, i, true); e > 0 {
			return e
		}
	}
	if !isL(r) && !isN(r) && !isNL(r) {
		if r2, _ := runeAt(s, i+n); isL(r2) {
			return consume(s, i+n, isL, 0)
		}
	}
	if isL(r) {
		return consume(s, i, isL, 0)
	}
	if isN(r) {
		return consume(s, i, isN, 3)
	}
	j := i
	if r == ' ' {
		j = i + 1
	}
	if k := consume(s, j, isOther, 0); k > j {
		return consume(s, k, isNL, 0)
	}
	if isUnicodeSpace(r) {
		return whitespace(s, i, true)
	}
	return i
}

// gpt2At is the end of the match of gpt2Pattern at i.
func gpt2At(s string, i int) int {
	r, _ := runeAt(s, i)
	if r == '\'' {
		if e := contraction(s, i, false); e > 0 {
			return e
		}
	}
	j := i
	if r == ' ' {
		j = i + 1
	}
	for _, class := range []func(rune) bool{isL, isN, isOther} {
		if k := consume(s, j, class, 0); k > j {
			return k
		}
	}
	if isUnicodeSpace(r) {
		return whitespace(s, i, false)
	}
	return i
}
