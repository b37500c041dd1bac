package grammar

import (
	"slices"
	"unicode/utf8"
)

// utf8Sequences turns a set of code points (or its complement) into byte
// patterns: each pattern is a sequence of byte sets, and the patterns
// together match exactly the UTF-8 encodings of the set (never a
// surrogate). This is RE2's range splitting.
func utf8Sequences(ranges []runeSpan, negated bool) [][]byteSet {
	rs := normalize(ranges)
	if negated {
		rs = complement(rs)
	}
	var out [][]byteSet
	for _, r := range rs {
		// Surrogates have no UTF-8 encoding.
		if r.lo < 0xD800 && r.hi > 0xDFFF {
			splitRange(r.lo, 0xD7FF, &out)
			splitRange(0xE000, r.hi, &out)
			continue
		}
		lo, hi := r.lo, r.hi
		if lo >= 0xD800 && lo <= 0xDFFF {
			lo = 0xE000
		}
		if hi >= 0xD800 && hi <= 0xDFFF {
			hi = 0xD7FF
		}
		if lo <= hi {
			splitRange(lo, hi, &out)
		}
	}
	return mergeSingleBytes(out)
}

func normalize(rs []runeSpan) []runeSpan {
	s := slices.Clone(rs)
	for i := range s {
		s[i].lo, s[i].hi = max(s[i].lo, 0), min(s[i].hi, utf8.MaxRune)
	}
	slices.SortFunc(s, func(a, b runeSpan) int { return int(a.lo - b.lo) })
	var out []runeSpan
	for _, r := range s {
		if r.lo > r.hi {
			continue
		}
		if n := len(out); n > 0 && r.lo <= out[n-1].hi+1 {
			out[n-1].hi = max(out[n-1].hi, r.hi)
			continue
		}
		out = append(out, r)
	}
	return out
}

func complement(rs []runeSpan) []runeSpan {
	var out []runeSpan
	next := rune(0)
	for _, r := range rs {
		if r.lo > next {
			out = append(out, runeSpan{next, r.lo - 1})
		}
		next = r.hi + 1
	}
	if next <= utf8.MaxRune {
		out = append(out, runeSpan{next, utf8.MaxRune})
	}
	return out
}

func splitRange(lo, hi rune, out *[][]byteSet) {
	for _, m := range []rune{0x7F, 0x7FF, 0xFFFF} {
		if lo <= m && m < hi {
			splitRange(lo, m, out)
			splitRange(m+1, hi, out)
			return
		}
	}
	if hi <= 0x7F {
		var s byteSet
		s.addRange(byte(lo), byte(hi))
		*out = append(*out, []byteSet{s})
		return
	}
	for i := 1; i < utf8.UTFMax; i++ {
		m := rune(1)<<(6*i) - 1
		if lo&^m != hi&^m {
			if lo&m != 0 {
				splitRange(lo, lo|m, out)
				splitRange((lo|m)+1, hi, out)
				return
			}
			if hi&m != m {
				splitRange(lo, hi&^m-1, out)
				splitRange(hi&^m, hi, out)
				return
			}
		}
	}
	a, b := utf8.AppendRune(nil, lo), utf8.AppendRune(nil, hi)
	seq := make([]byteSet, len(a))
	for i := range a {
		seq[i].addRange(a[i], b[i])
	}
	*out = append(*out, seq)
}

// mergeSingleBytes folds all one-byte patterns into one set.
func mergeSingleBytes(in [][]byteSet) [][]byteSet {
	var single byteSet
	found := false
	var out [][]byteSet
	for _, s := range in {
		if len(s) == 1 {
			for w := range single {
				single[w] |= s[0][w]
			}
			found = true
			continue
		}
		out = append(out, s)
	}
	if found {
		out = append([][]byteSet{{single}}, out...)
	}
	return out
}
