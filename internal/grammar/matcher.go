package grammar

import (
	"slices"
)

// stack is one way the text so far can continue: its top is the position
// (in code) of the byte set to match next, the rest are the positions to
// return to. Stacks share their tails and are never modified.
type stack struct {
	pos   int32
	depth int32
	next  *stack
	hash  uint64
}

func push(pos int32, next *stack) *stack {
	h := uint64(pos)*0x9E3779B97F4A7C15 + 0x632BE59BD9B4E019
	d := int32(1)
	if next != nil {
		h ^= next.hash*0xBF58476D1CE4E5B9 + 0x94D049BB133111EB
		h = h<<31 | h>>33
		d = next.depth + 1
	}
	return &stack{pos: pos, next: next, hash: h, depth: d}
}

func sameStack(a, b *stack) bool {
	for a != b {
		if a == nil || b == nil || a.pos != b.pos || a.hash != b.hash {
			return false
		}
		a, b = a.next, b.next
	}
	return true
}

// maxDepth bounds nesting: a grammar that nests deeper is cut there.
const maxDepth = 512

// maxStacks bounds the parses a state follows at once; an ambiguous grammar
// past it keeps the first ones (its output stays in the language).
const maxStacks = 256

// State is where a text stands in the grammar: every stack that can read
// on, and whether the text is already complete. States are interned per
// grammar, so equal states are one value and remember their transitions.
type State struct {
	stacks []*stack
	accept bool
	key    uint64
	next   *[256]*State // transitions computed so far
}

// Dead reports that no continuation exists (the text left the language).
func (s *State) Dead() bool { return len(s.stacks) == 0 && !s.accept }

// Accepting reports that the text is a complete string of the language.
func (s *State) Accepting() bool { return s.accept }

// Final reports that the text is complete and nothing can follow it.
func (s *State) Final() bool { return s.accept && len(s.stacks) == 0 }

// Start is the state of the empty text.
func (g *Grammar) Start() *State {
	b := builder{g: g}
	for _, p := range g.rules[g.root] {
		b.expand(int32(p), nil, 0)
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.intern(b.state())
}

// builder collects the stacks of a new state.
type builder struct {
	g      *Grammar
	stacks []*stack
	seen   map[uint64][]*stack // by hash, once there are many stacks
	accept bool
	// expanded remembers the expansions already made in this step, once a
	// step has made many: the same position over the same tail adds the
	// same stacks again. Without it a grammar like ( [^a] | "" ){700}
	// re-expanded one chain of empty groups from each of its 256 stacks:
	// half a second a byte, minutes a token mask.
	calls    int
	expanded map[int32][]*stack // the tails expanded at a position
}

// memoFrom is how many expansions a step makes before it remembers them
// (ordinary grammars make a few and need no map).
const memoFrom = 64

// expand adds the stacks reached from position p with tail below it,
// following rule references and ends of alternatives until a byte set
// is on top.
func (b *builder) expand(p int32, tail *stack, depth int) {
	if depth > maxDepth {
		return
	}
	if b.calls++; b.calls > memoFrom {
		if b.expanded == nil {
			b.expanded = map[int32][]*stack{}
		}
		for _, t := range b.expanded[p] {
			if sameStack(t, tail) {
				// Made already. (Only a grammar cut at maxDepth could have
				// gone further from here than then: it is cut either way.)
				return
			}
		}
		b.expanded[p] = append(b.expanded[p], tail)
	}
	switch e := &b.g.code[p]; e.kind {
	case kindSet:
		b.add(push(p, tail))
	case kindEnd:
		if tail == nil {
			b.accept = true
			return
		}
		if b.g.code[tail.pos].kind == kindSet {
			b.add(tail)
			return
		}
		b.expand(tail.pos, tail.next, depth+1)
	case kindRef:
		cont := tail
		if b.g.code[p+1].kind != kindEnd { // a reference at the end returns straight to tail
			if cont = push(p+1, tail); cont.depth > maxDepth {
				return
			}
		}
		for _, start := range b.g.rules[e.ref] {
			b.expand(int32(start), cont, depth+1)
		}
	}
}

func (b *builder) add(s *stack) {
	if len(b.stacks) >= maxStacks {
		return
	}
	if b.seen == nil && len(b.stacks) >= 8 {
		b.seen = map[uint64][]*stack{}
		for _, t := range b.stacks {
			b.seen[t.hash] = append(b.seen[t.hash], t)
		}
	}
	same := b.stacks
	if b.seen != nil {
		same = b.seen[s.hash]
	}
	for _, t := range same {
		if sameStack(s, t) {
			return
		}
	}
	b.stacks = append(b.stacks, s)
	if b.seen != nil {
		b.seen[s.hash] = append(b.seen[s.hash], s)
	}
}

func (b *builder) state() *State {
	st := &State{stacks: b.stacks, accept: b.accept}
	slices.SortFunc(st.stacks, func(x, y *stack) int {
		switch {
		case x.hash < y.hash:
			return -1
		case x.hash > y.hash:
			return 1
		}
		return 0
	})
	h := uint64(len(st.stacks))
	if st.accept {
		h ^= 0xA5A5A5A5A5A5A5A5
	}
	for _, s := range st.stacks {
		h = (h ^ s.hash) * 0x100000001B3
	}
	st.key = h
	return st
}

// Advance returns the state after one more byte (dead if it does not fit).
func (g *Grammar) Advance(s *State, c byte) *State {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.step(s, c)
}

// step is Advance with the lock held, through the transition cache.
func (g *Grammar) step(s *State, c byte) *State {
	if s.next == nil {
		s.next = new([256]*State)
	}
	if t := s.next[c]; t != nil {
		return t
	}
	t := g.intern(g.advance(s, c))
	s.next[c] = t
	g.newStates++
	return t
}

// maxStates bounds the interned states; past it the caches start over.
const maxStates = 200000

// intern returns the grammar's copy of s.
func (g *Grammar) intern(s *State) *State {
	if g.states == nil || g.nStates > maxStates {
		g.states, g.nStates = map[uint64][]*State{}, 0
		g.masks, g.maskBytes = map[*Vocab]map[*State][]uint64{}, 0
	}
	for _, t := range g.states[s.key] {
		if t.accept == s.accept && len(t.stacks) == len(s.stacks) && sameStacks(t.stacks, s.stacks) {
			return t
		}
	}
	g.states[s.key] = append(g.states[s.key], s)
	g.nStates++
	return s
}

func sameStacks(a, b []*stack) bool {
	for i := range a {
		if !sameStack(a[i], b[i]) {
			return false
		}
	}
	return true
}

func (g *Grammar) advance(s *State, c byte) *State {
	st, _ := g.advanceCounting(s, c)
	return st
}

// advanceCounting is advance, and how many expansions it made.
func (g *Grammar) advanceCounting(s *State, c byte) (*State, int) {
	b := builder{g: g}
	for _, st := range s.stacks {
		if g.code[st.pos].set.has(c) {
			cont := st.pos + 1
			if g.code[cont].kind == kindEnd && st.next != nil && g.code[st.next.pos].kind == kindSet {
				b.add(st.next)
				continue
			}
			b.expand(cont, st.next, 0)
		}
	}
	return b.state(), b.calls
}

// AdvanceBytes feeds several bytes; it stops early once the state is dead.
func (g *Grammar) AdvanceBytes(s *State, text []byte) *State {
	g.mu.Lock()
	defer g.mu.Unlock()
	for _, c := range text {
		if s = g.step(s, c); s.Dead() {
			return s
		}
	}
	return s
}

// Matches reports whether text is a complete string of the language.
func (g *Grammar) Matches(text string) bool {
	return g.AdvanceBytes(g.Start(), []byte(text)).Accepting()
}
