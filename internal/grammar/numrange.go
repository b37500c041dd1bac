package grammar

import (
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"
)

// maxDigits is the longest integer the grammars write (json-integer's 16
// digits), so unbounded ranges stop there.
const maxDigits = 16

// maxMagnitude is the largest integer of maxDigits digits.
const maxMagnitude int64 = 9_999_999_999_999_999

// bounds reads minimum, maximum, exclusiveMinimum and exclusiveMaximum as
// an integer range [lo, hi] (integer: true rounds inward; for numbers only
// integer bounds are supported). has is false when none is set.
func bounds(s map[string]json.RawMessage, path string, integer bool) (lo, hi int64, has bool, err error) {
	lo, hi = -maxMagnitude, maxMagnitude
	read := func(key string) (float64, bool, error) {
		raw, ok := s[key]
		if !ok {
			return 0, false, nil
		}
		var v float64
		if json.Unmarshal(raw, &v) != nil || math.IsInf(v, 0) || math.Abs(v) > float64(maxMagnitude) {
			return 0, false, fmt.Errorf("schema %s/%s: want a number of at most %d digits", path, key, maxDigits)
		}
		if !integer && v != math.Trunc(v) {
			return 0, false, fmt.Errorf("schema %s/%s: only whole-number bounds are supported for numbers (use integer, or a bound like %g)", path, key, math.Floor(v))
		}
		return v, true, nil
	}
	for _, k := range []string{"minimum", "exclusiveMinimum", "maximum", "exclusiveMaximum"} {
		v, ok, err := read(k)
		if err != nil {
			return 0, 0, false, err
		}
		if !ok {
			continue
		}
		has = true
		switch k {
		case "minimum":
			lo = max(lo, int64(math.Ceil(v)))
		case "exclusiveMinimum":
			if !integer {
				return 0, 0, false, fmt.Errorf("schema %s/exclusiveMinimum: not supported for numbers (use minimum)", path)
			}
			lo = max(lo, int64(math.Floor(v))+1)
		case "maximum":
			hi = min(hi, int64(math.Floor(v)))
		case "exclusiveMaximum":
			if !integer {
				return 0, 0, false, fmt.Errorf("schema %s/exclusiveMaximum: not supported for numbers (use maximum)", path)
			}
			hi = min(hi, int64(math.Ceil(v))-1)
		}
	}
	if has && lo > hi {
		return 0, 0, false, fmt.Errorf("schema %s: no integer lies within the bounds", path)
	}
	return lo, hi, has, nil
}

// intRange matches the decimal integers in [lo, hi], written as JSON does
// (no leading zeros, no "-0").
func intRange(lo, hi int64) *node {
	var alts []*node
	if lo < 0 {
		// Negative part: "-" then magnitudes from max(1, -hi) to -lo.
		alts = append(alts, seq(lit("-"), uintRange(uint64(max(1, -hi)), uint64(-lo))))
	}
	if hi >= 0 {
		alts = append(alts, uintRange(uint64(max(0, lo)), uint64(hi)))
	}
	if len(alts) == 1 {
		return alts[0]
	}
	return alt(alts...)
}

// uintRange matches the decimal numbers in [lo, hi], lo ≤ hi.
func uintRange(lo, hi uint64) *node {
	var alts []*node
	a, b := strconv.FormatUint(lo, 10), strconv.FormatUint(hi, 10)
	for n := len(a); n <= len(b); n++ {
		from, to := a, b
		if n > len(a) {
			from = "1" + strings.Repeat("0", n-1)
		}
		if n < len(b) {
			to = strings.Repeat("9", n)
		}
		alts = append(alts, sameLength(from, to))
	}
	if len(alts) == 1 {
		return alts[0]
	}
	return alt(alts...)
}

// sameLength matches the digit strings of one length from a to b.
func sameLength(a, b string) *node {
	switch {
	case a == b:
		return lit(a)
	case a[0] == b[0]:
		return seq(lit(a[:1]), sameLength(a[1:], b[1:]))
	}
	rest := len(a) - 1
	digit := func(lo, hi byte) *node { return class(false, rune(lo), rune(hi)) }
	free := rep(digit('0', '9'), rest, rest)
	var alts []*node
	lowAll, highAll := strings.Trim(a[1:], "0") == "", strings.Trim(b[1:], "9") == ""
	first, last := a[0], b[0]
	if !lowAll {
		alts = append(alts, seq(lit(a[:1]), sameLength(a[1:], strings.Repeat("9", rest))))
		first++
	}
	if !highAll {
		alts = append(alts, seq(lit(b[:1]), sameLength(strings.Repeat("0", rest), b[1:])))
		last--
	}
	if first <= last {
		alts = append(alts, seq(digit(first, last), free))
	}
	if len(alts) == 1 {
		return alts[0]
	}
	return alt(alts...)
}

// boundedNumber matches JSON numbers in [lo, hi] for whole-number bounds
// with lo ≥ 0: an integer part below hi with any fraction, or hi itself.
func boundedNumber(lo, hi int64, path string) (*node, error) {
	if lo < 0 {
		return nil, fmt.Errorf("schema %s: number bounds below 0 are not supported (use integer, or minimum ≥ 0)", path)
	}
	frac := opt(seq(lit("."), rep(class(false, '0', '9'), 1, 15)))
	var alts []*node
	if hi > lo {
		alts = append(alts, seq(intRange(lo, hi-1), frac))
	}
	alts = append(alts, seq(intRange(hi, hi), opt(seq(lit("."), rep(lit("0"), 1, 15)))))
	if len(alts) == 1 {
		return alts[0], nil
	}
	return alt(alts...), nil
}
