// Package grammar constrains generation to a language: a GBNF grammar
// (llama.cpp's format) or a JSON Schema, compiled into one automaton over
// bytes. A State is the set of ways the text so far can continue (a set of
// parse stacks); Mask gives the vocabulary tokens whose bytes keep the text
// a prefix of some string in the language, with per-state masks cached so
// repeated states cost a lookup.
package grammar

import (
	"fmt"
	"strings"
	"sync"
	"time"
	"unsafe"
)

// Grammar is a compiled grammar. It is safe for concurrent use.
type Grammar struct {
	code  []elem  // every alternative of every rule, each ending in an end element
	rules [][]int // rule → start positions (in code) of its alternatives
	names []string
	root  int

	mu      sync.Mutex // guards the caches below
	states  map[uint64][]*State
	nStates int
	masks   map[*Vocab]map[*State][]uint64

	masksServed, masksComputed int
	maskTime                   time.Duration
	newStates                  int // transitions computed (the budget of a mask walk)
	maskBytes                  int // held by masks
}

// stateBytes is about what an interned State holds: itself, its
// transition table (256 pointers) and its stacks' slice.
const stateBytes = 64 + 256*8 + 64

// Footprint estimates the bytes g holds: its code, and the states and
// masks it has cached so far (each cache is bounded, maxStates and
// maxMasks, and starts over past its bound). A cache of grammars keeps
// their sum in a budget.
func (g *Grammar) Footprint() int {
	g.mu.Lock()
	defer g.mu.Unlock()
	return len(g.code)*int(unsafe.Sizeof(elem{})) + g.nStates*stateBytes + g.maskBytes
}

type elemKind uint8

const (
	kindSet elemKind = iota // one byte from a set
	kindRef                 // a rule
	kindEnd                 // end of an alternative
)

type elem struct {
	kind elemKind
	ref  int32 // kindRef
	set  byteSet
}

// byteSet is a set of bytes.
type byteSet [4]uint64

func (s *byteSet) add(b byte)      { s[b>>6] |= 1 << (b & 63) }
func (s *byteSet) has(b byte) bool { return s[b>>6]&(1<<(b&63)) != 0 }
func (s *byteSet) addRange(lo, hi byte) {
	for c := int(lo); c <= int(hi); c++ {
		s.add(byte(c))
	}
}

// node is the grammar before compilation: what the GBNF parser and the
// schema compiler build.
type node struct {
	kind     nodeKind
	text     string     // nLit: bytes
	set      byteSet    // nBytes
	ranges   []runeSpan // nClass
	negated  bool       // nClass
	kids     []*node    // nSeq, nAlt, nRepeat (one)
	min, max int        // nRepeat; max < 0 means unbounded
	name     string     // nRef
}

type nodeKind uint8

const (
	nLit nodeKind = iota
	nClass
	nSeq
	nAlt
	nRepeat
	nRef
	nBytes // one byte from a set
)

type runeSpan struct{ lo, hi rune }

func lit(s string) *node      { return &node{kind: nLit, text: s} }
func seq(kids ...*node) *node { return &node{kind: nSeq, kids: kids} }
func alt(kids ...*node) *node { return &node{kind: nAlt, kids: kids} }
func ref(name string) *node   { return &node{kind: nRef, name: name} }
func rep(n *node, min, max int) *node {
	return &node{kind: nRepeat, kids: []*node{n}, min: min, max: max}
}
func opt(n *node) *node { return rep(n, 0, 1) }
func class(neg bool, r ...rune) *node { // pairs lo, hi
	c := &node{kind: nClass, negated: neg}
	for i := 0; i+1 < len(r); i += 2 {
		c.ranges = append(c.ranges, runeSpan{r[i], r[i+1]})
	}
	return c
}

// maxRepeat bounds {m,n} counts: each copy is compiled out.
const maxRepeat = 10000

// maxCode bounds a compiled grammar (elements over all rules), so nested
// repetitions cannot exhaust memory: ("a"{10000}){10000} is refused.
const maxCode = 1 << 20

// ruleSet is named rules being compiled.
type ruleSet struct {
	order []string
	defs  map[string]*node
}

func newRuleSet() *ruleSet { return &ruleSet{defs: map[string]*node{}} }

func (r *ruleSet) define(name string, n *node) {
	if _, ok := r.defs[name]; !ok {
		r.order = append(r.order, name)
	}
	r.defs[name] = n
}

// compile turns named rules into a Grammar whose root is the rule root.
func (r *ruleSet) compile(root string) (*Grammar, error) {
	c := &compiler{g: &Grammar{}, index: map[string]int{}}
	if _, ok := r.defs[root]; !ok {
		return nil, fmt.Errorf("grammar: no %q rule", root)
	}
	for _, name := range r.order {
		c.index[name] = c.newRule(name)
	}
	for _, name := range r.order {
		if err := c.rule(c.index[name], r.defs[name]); err != nil {
			return nil, fmt.Errorf("grammar: rule %s: %w", name, err)
		}
	}
	c.g.root = c.index[root]
	if err := c.g.checkLeftRecursion(); err != nil {
		return nil, err
	}
	return c.g, nil
}

type compiler struct {
	g     *Grammar
	index map[string]int
	alts  [][][]elem // rule → alternatives, before flattening into code
	anon  int
	size  int // elements compiled so far, flattened or not (emit)
}

// emit counts n more elements as they are compiled and refuses the
// grammar once they pass maxCode: before its rules' alternatives are
// flattened, so an 800,000-value enum is refused after a million
// elements, not after gigabytes of alternatives.
func (c *compiler) emit(n int) error {
	c.size += n
	if c.size > maxCode {
		return errTooLarge
	}
	return nil
}

func (c *compiler) newRule(name string) int {
	c.g.rules = append(c.g.rules, nil)
	c.g.names = append(c.g.names, name)
	c.alts = append(c.alts, nil)
	return len(c.g.rules) - 1
}

// rule compiles n as the alternatives of rule id and flattens them.
func (c *compiler) rule(id int, n *node) error {
	var alts [][]elem
	if n.kind == nAlt {
		for _, k := range n.kids {
			a, err := c.sequence(k, nil)
			if err != nil {
				return err
			}
			alts = append(alts, a)
		}
	} else {
		a, err := c.sequence(n, nil)
		if err != nil {
			return err
		}
		alts = [][]elem{a}
	}
	if err := c.emit(len(alts)); err != nil { // their end elements
		return err
	}
	c.alts[id] = alts
	for _, a := range alts {
		c.g.rules[id] = append(c.g.rules[id], len(c.g.code))
		c.g.code = append(c.g.code, a...)
		c.g.code = append(c.g.code, elem{kind: kindEnd})
	}
	return nil
}

var errTooLarge = fmt.Errorf("the grammar compiles to over %d elements (nested repetitions?)", maxCode)

// anonymous makes a rule for n and returns its reference (an element,
// counted).
func (c *compiler) anonymous(n *node, hint string) (elem, error) {
	c.anon++
	id := c.newRule(fmt.Sprintf("%s#%d", hint, c.anon)) // "#" cannot appear in a GBNF name
	if err := c.rule(id, n); err != nil {
		return elem{}, err
	}
	return elem{kind: kindRef, ref: int32(id)}, c.emit(1)
}

// sequence appends n's elements to out.
func (c *compiler) sequence(n *node, out []elem) ([]elem, error) {
	switch n.kind {
	case nBytes, nRef:
		if err := c.emit(1); err != nil {
			return nil, err
		}
	case nLit:
		if err := c.emit(len(n.text)); err != nil {
			return nil, err
		}
	}
	switch n.kind {
	case nBytes:
		out = append(out, elem{kind: kindSet, set: n.set})
	case nLit:
		for i := 0; i < len(n.text); i++ {
			var s byteSet
			s.add(n.text[i])
			out = append(out, elem{kind: kindSet, set: s})
		}
	case nSeq:
		for _, k := range n.kids {
			var err error
			if out, err = c.sequence(k, out); err != nil {
				return nil, err
			}
		}
	case nRef:
		id, ok := c.index[n.name]
		if !ok {
			return nil, fmt.Errorf("undefined rule %q", n.name)
		}
		out = append(out, elem{kind: kindRef, ref: int32(id)})
	case nClass:
		seqs := utf8Sequences(n.ranges, n.negated)
		if len(seqs) == 0 {
			return nil, fmt.Errorf("a character class matches nothing")
		}
		if len(seqs) == 1 && len(seqs[0]) == 1 {
			return append(out, elem{kind: kindSet, set: seqs[0][0]}), c.emit(1)
		}
		alts := make([]*node, len(seqs))
		for i, s := range seqs {
			alts[i] = &node{kind: nSeq}
			for _, set := range s {
				alts[i].kids = append(alts[i].kids, &node{kind: nBytes, set: set})
			}
		}
		e, err := c.anonymous(alt(alts...), "char")
		if err != nil {
			return nil, err
		}
		out = append(out, e)
	case nAlt:
		e, err := c.anonymous(n, "alt")
		if err != nil {
			return nil, err
		}
		out = append(out, e)
	case nRepeat:
		return c.repeat(n, out)
	}
	return out, nil
}

// repeat compiles x{min,max}: min copies, then max-min nested optionals
// (or a right-recursive star when unbounded, so stacks do not grow).
func (c *compiler) repeat(n *node, out []elem) ([]elem, error) {
	x := n.kids[0]
	if n.min > maxRepeat || n.max > maxRepeat {
		return nil, fmt.Errorf("repetition count over %d", maxRepeat)
	}
	if n.max >= 0 && n.max < n.min {
		return nil, fmt.Errorf("repetition {%d,%d}: the maximum is below the minimum", n.min, n.max)
	}
	var err error
	for range n.min {
		if out, err = c.sequence(x, out); err != nil {
			return nil, err
		}
	}
	switch {
	case n.max < 0:
		c.anon++
		id := c.newRule(fmt.Sprintf("star#%d", c.anon))
		self := &node{kind: nRef, name: c.g.names[id]}
		c.index[self.name] = id
		if err := c.rule(id, alt(seq(x, self), seq())); err != nil {
			return nil, err
		}
		if err := c.emit(1); err != nil {
			return nil, err
		}
		out = append(out, elem{kind: kindRef, ref: int32(id)})
	case n.max > n.min:
		var tail *node = seq()
		for range n.max - n.min {
			tail = alt(seq(x, tail), seq())
		}
		e, err := c.anonymous(tail, "opt")
		if err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	return out, nil
}

// checkLeftRecursion refuses rules that can reach themselves without
// consuming a byte: they would expand forever.
func (g *Grammar) checkLeftRecursion() error {
	nullable := make([]bool, len(g.rules))
	for changed := true; changed; {
		changed = false
		for r, starts := range g.rules {
			if nullable[r] {
				continue
			}
			for _, p := range starts {
				if g.nullableFrom(p, nullable) {
					nullable[r], changed = true, true
					break
				}
			}
		}
	}
	const (
		unvisited = iota
		active
		done
	)
	state := make([]uint8, len(g.rules))
	var visit func(r int, path []string) error
	visit = func(r int, path []string) error {
		switch state[r] {
		case active:
			return fmt.Errorf("grammar: rule %s is left-recursive (%s): it can call itself before reading a character", g.names[r], strings.Join(append(path, g.names[r]), " → "))
		case done:
			return nil
		}
		state[r] = active
		for _, p := range g.rules[r] {
			for ; g.code[p].kind == kindRef; p++ {
				if err := visit(int(g.code[p].ref), append(path, g.names[r])); err != nil {
					return err
				}
				if !nullable[g.code[p].ref] {
					break
				}
			}
		}
		state[r] = done
		return nil
	}
	for r := range g.rules {
		if err := visit(r, nil); err != nil {
			return err
		}
	}
	return nil
}

func (g *Grammar) nullableFrom(p int, nullable []bool) bool {
	for ; ; p++ {
		switch e := g.code[p]; e.kind {
		case kindEnd:
			return true
		case kindSet:
			return false
		case kindRef:
			if !nullable[e.ref] {
				return false
			}
		}
	}
}
