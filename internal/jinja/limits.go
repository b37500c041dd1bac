package jinja

import "fmt"

// Limits against hostile templates (a chat template comes with every
// downloaded model): the output, each string and list a template builds,
// all it builds together, all its operators, filters and methods read,
// loop iterations and macro recursion are bounded, so no template can hang
// or exhaust memory. Chat templates of real
// models stay far below each (a long conversation renders to a few MiB).
const (
	maxOutput = 64 << 20 // bytes of output, and of any one string
	maxItems  = 1 << 20  // items of any one list
	maxBuilt  = 1 << 30  // bytes of strings built by all of a render's expressions (renderer.maxBuilt)
	maxRead   = 1 << 30  // bytes of strings and lists read by all of a render's operators, filters, methods and loops
	maxSteps  = 2_000_000
	maxDepth  = 200
)

// errTooLong is the error for a string past maxOutput bytes.
func errTooLong(what string) error {
	return fmt.Errorf("%s would make a string over the limit of %d MiB", what, maxOutput>>20)
}

// checkLen refuses a string of n bytes (n may be the exact sum of
// lengths, never wrapped: callers add at most a few values under the
// limit, or multiply checked factors).
func checkLen(what string, n int64) error {
	if n > maxOutput || n < 0 {
		return errTooLong(what)
	}
	return nil
}

// checkItems refuses a list of n items.
func checkItems(what string, n int64) error {
	if n > maxItems || n < 0 {
		return fmt.Errorf("%s would make a list of %d items (the limit is %d)", what, n, maxItems)
	}
	return nil
}

// charge counts the bytes of a string or list an expression built
// against the render's budget (maxBuilt): each is bounded alone, but a
// loop could build many, or copy a growing one each time (a list item
// counts as the 16 bytes of its interface value).
func (r *renderer) charge(v Value, line int) error {
	switch x := v.(type) {
	case string:
		if len(x) > maxOutput { // a repr cut short (pyRepr)
			return errAt(line, "%v", errTooLong("the expression"))
		}
		r.built += int64(len(x))
	case []Value:
		r.built += 16 * int64(len(x))
	case Tuple:
		r.built += 16 * int64(len(x))
	default:
		return nil
	}
	if r.built > r.maxBuilt {
		return errAt(line, "the template built more than %d MiB of strings and lists", r.maxBuilt>>20)
	}
	return nil
}

// read counts the strings and lists an operator, filter, method, index or
// loop reads (a list item counts as 16 bytes) against the render's budget
// (maxRead): each read is bounded by the size limits, but a loop could
// read a long one on every step — a 60 MB string searched a million
// times, or a million-item list summed, ran for hours.
func (r *renderer) read(line int, vs ...Value) error {
	for _, v := range vs {
		switch x := v.(type) {
		case string:
			r.readBytes += int64(len(x))
		case []Value:
			r.readBytes += 16 * int64(len(x))
		case Tuple:
			r.readBytes += 16 * int64(len(x))
		case *Dict:
			r.readBytes += 16 * int64(x.Len())
		}
	}
	return r.readN(line, 0)
}

// readN counts n bytes read (a string taken apart into characters costs
// the 4 bytes of each rune).
func (r *renderer) readN(line int, n int64) error {
	r.readBytes += n
	if r.readBytes > maxRead {
		return errAt(line, "the template read more than %d GiB of strings and lists", maxRead>>30)
	}
	return nil
}
