package grammar

import (
	"fmt"
	"time"
)

// Vocab is a model's vocabulary as bytes, in a trie, for computing masks.
type Vocab struct {
	size  int     // token ids are below size
	eos   []int32 // end-of-sequence tokens: allowed where the text is complete
	nodes []trieNode
}

type trieNode struct {
	edges  []trieEdge
	tokens []int32 // tokens whose bytes end here
}

type trieEdge struct {
	b     byte
	child int32
}

// NewVocab builds the trie. bytesOf gives a token's bytes, ok false for
// tokens that may never appear in constrained text (special tokens).
func NewVocab(size int, eos []int32, bytesOf func(id int32) ([]byte, bool)) *Vocab {
	v := &Vocab{size: size, eos: eos, nodes: []trieNode{{}}}
	for id := range int32(size) {
		b, ok := bytesOf(id)
		if !ok || len(b) == 0 {
			continue
		}
		n := int32(0)
		for _, c := range b {
			n = v.child(n, c)
		}
		v.nodes[n].tokens = append(v.nodes[n].tokens, id)
	}
	return v
}

func (v *Vocab) child(n int32, c byte) int32 {
	for _, e := range v.nodes[n].edges {
		if e.b == c {
			return e.child
		}
	}
	v.nodes = append(v.nodes, trieNode{})
	id := int32(len(v.nodes) - 1)
	v.nodes[n].edges = append(v.nodes[n].edges, trieEdge{c, id})
	return id
}

// Size is the number of token ids a mask covers.
func (v *Vocab) Size() int { return v.size }

// maxMasks bounds the cached masks per vocabulary.
const maxMasks = 4096

// maxWalkStates bounds the new transitions one mask may compute: a grammar
// so ambiguous that a mask would take longer gets an empty mask (the
// sequence then ends with an error) rather than stalling the engine.
const maxWalkStates = 300000

// Mask returns the allowed tokens in state s as a bitset (bit id%64 of word
// id/64): the tokens whose bytes keep the text in the language, and the
// end-of-sequence tokens when the text is complete. The result is cached
// per state and must not be modified.
func (g *Grammar) Mask(s *State, v *Vocab) []uint64 {
	g.mu.Lock()
	defer g.mu.Unlock()
	byVocab := g.masks[v]
	if byVocab == nil {
		if g.masks == nil {
			g.masks = map[*Vocab]map[*State][]uint64{}
		}
		byVocab = map[*State][]uint64{}
		g.masks[v] = byVocab
	}
	g.masksServed++
	if m, ok := byVocab[s]; ok {
		return m
	}
	g.masksComputed++
	t0 := time.Now()
	m := make([]uint64, (v.size+63)/64)
	if len(s.stacks) > 0 {
		g.newStates = 0
		if !g.walk(v, 0, s, m) {
			clear(m) // over budget: nothing is allowed
		}
	}
	g.maskTime += time.Since(t0)
	if s.accept {
		for _, id := range v.eos {
			m[id/64] |= 1 << (id % 64)
		}
	}
	if len(byVocab) >= maxMasks {
		g.maskBytes -= len(byVocab) * 8 * len(m)
		clear(byVocab)
	}
	byVocab[s] = m
	g.maskBytes += 8 * len(m)
	return m
}

// MaskStats reports how many masks were asked for, how many of them had to
// be computed (a trie walk) rather than found in the cache, and the time
// those walks took.
func (g *Grammar) MaskStats() (served, computed int, walking time.Duration) {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.masksServed, g.masksComputed, g.maskTime
}

// walk allows every token under trie node n whose bytes lead s somewhere;
// false when it ran over maxWalkStates.
func (g *Grammar) walk(v *Vocab, n int32, s *State, m []uint64) bool {
	for _, e := range v.nodes[n].edges {
		t := g.step(s, e.b)
		if g.newStates > maxWalkStates {
			return false
		}
		if t.Dead() {
			continue
		}
		for _, id := range v.nodes[e.child].tokens {
			m[id/64] |= 1 << (id % 64)
		}
		if len(t.stacks) > 0 && !g.walk(v, e.child, t, m) {
			return false
		}
	}
	return true
}

// Constraint follows one generation through a grammar: the mask for its
// next token, and its state after each token it takes.
type Constraint struct {
	g     *Grammar
	v     *Vocab
	state *State
	bytes func(id int32) ([]byte, bool)
	isEOS func(id int32) bool
}

// NewConstraint starts a generation at the beginning of the grammar.
func NewConstraint(g *Grammar, v *Vocab, bytesOf func(int32) ([]byte, bool), isEOS func(int32) bool) *Constraint {
	return &Constraint{g: g, v: v, state: g.Start(), bytes: bytesOf, isEOS: isEOS}
}

// Allowed is the mask of tokens that may come next.
func (c *Constraint) Allowed() []uint64 { return c.g.Mask(c.state, c.v) }

// Accept moves past a generated token; an error means the token was not
// allowed (a caller that masked first never sees one).
func (c *Constraint) Accept(id int32) error {
	if c.isEOS(id) {
		if !c.state.Accepting() {
			return fmt.Errorf("grammar: end of sequence before the text is complete")
		}
		c.state = &State{accept: true} // nothing more may follow
		return nil
	}
	b, ok := c.bytes(id)
	if !ok {
		return fmt.Errorf("grammar: token %d has no text the grammar could accept", id)
	}
	t := c.g.AdvanceBytes(c.state, b)
	if t.Dead() {
		return fmt.Errorf("grammar: token %d (%q) leaves the grammar", id, b)
	}
	c.state = t
	return nil
}

// Complete reports whether the text is a whole string of the language;
// Final that nothing more may follow it.
func (c *Constraint) Complete() bool { return c.state.Accepting() }

// Final reports that the text is complete and no token can extend it.
func (c *Constraint) Final() bool { return c.state.Final() }
