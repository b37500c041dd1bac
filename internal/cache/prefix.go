package cache

import (
	"encoding/binary"
	"fmt"
	"hash/maphash"
	"slices"
)

// prefixIndex finds full KV blocks by their content: the hash of the block's
// tokens chained with the hash of every block before it, so a hit on block k
// means the whole prefix up to block k matches. Each indexed block carries
// the conv state at its end, which is what makes reuse exact for LFM2: KV
// alone would not restore the short-conv layers' state.
type prefixIndex struct {
	seed    maphash.Seed
	entries map[uint64]*prefixEntry
	idle    int    // indexed blocks no slot holds: evicted first come, least recently used first
	clock   uint64 // LRU time, advanced on every publish and reuse
}

type prefixEntry struct {
	key, parent uint64
	tokens      []int32 // the block's tokens (checked on lookup: a hash collision is not a hit)
	block       int32
	used        uint64
}

// EnablePrefixCache turns the prefix cache on. It must be called before
// any block is handed out. Each block then carries a conv-state snapshot,
// which counts against the KV budget (so fewer blocks fit).
func (c *Cache) EnablePrefixCache() error {
	if len(c.blocks) > 0 {
		return fmt.Errorf("kv cache: the prefix cache must be enabled before use")
	}
	if c.shape.AttnLayers > 0 {
		kv := c.shape.KVBytesPerToken() * int64(c.blockSize)
		snap := int64(len(c.slots[0].conv)) * 4
		budget := int64(c.maxBlocks) * kv
		if c.maxBlocks = int(budget / (kv + snap)); c.maxBlocks < 1 {
			return fmt.Errorf("kv cache: the budget cannot hold one block with its conv snapshot (%d bytes)", kv+snap)
		}
	}
	c.prefix = &prefixIndex{seed: maphash.MakeSeed(), entries: map[uint64]*prefixEntry{}}
	return nil
}

// PrefixBlocks is the number of blocks the prefix index holds.
func (c *Cache) PrefixBlocks() int {
	if c.prefix == nil {
		return 0
	}
	return len(c.prefix.entries)
}

func (c *Cache) hashBlock(parent uint64, tokens []int32) uint64 {
	var h maphash.Hash
	h.SetSeed(c.prefix.seed)
	var b [8]byte
	binary.LittleEndian.PutUint64(b[:], parent)
	h.Write(b[:])
	for _, t := range tokens {
		binary.LittleEndian.PutUint32(b[:4], uint32(t))
		h.Write(b[:4])
	}
	return h.Sum64()
}

// ReusePrefix gives an empty slot the longest indexed prefix of tokens that
// is at most limit tokens long: it shares those blocks, takes the conv
// state at their end, and returns how many tokens it now holds (a multiple
// of the block size; 0 when nothing matched or the cache is off).
func (c *Cache) ReusePrefix(id int, tokens []int32, limit int) int {
	s := &c.slots[id]
	if c.prefix == nil || s.length != 0 || len(s.table) != 0 || c.shape.AttnLayers == 0 {
		return 0
	}
	bs := c.blockSize
	var found []*prefixEntry
	parent := uint64(0)
	for k := 0; (k+1)*bs <= min(limit, len(tokens)); k++ {
		toks := tokens[k*bs : (k+1)*bs]
		e := c.prefix.entries[c.hashBlock(parent, toks)]
		if e == nil || e.parent != parent || !slices.Equal(e.tokens, toks) {
			break
		}
		found = append(found, e)
		parent = e.key
	}
	if len(found) == 0 {
		return 0
	}
	for _, e := range found {
		c.ref(e.block)
		c.appendBlock(id, e.block)
		s.chain = append(s.chain, e.key)
	}
	c.touch(s.table)
	n := len(found) * bs
	copy(s.conv, c.blocks[found[len(found)-1].block].conv)
	s.tokens = append(s.tokens[:0], tokens[:n]...)
	s.length = n
	return n
}

// ConvSnapshot is where the forward pass writes the conv state of one conv
// layer at position pos of a slot (the state after token pos-1), when pos
// ends a block and the prefix cache is on; nil otherwise.
func (c *Cache) ConvSnapshot(id, pos, convLayer int) []float32 {
	if c.prefix == nil || pos%c.blockSize != 0 || pos == 0 {
		return nil
	}
	s := &c.slots[id]
	k := pos/c.blockSize - 1
	if k >= len(s.table) {
		return nil
	}
	n := c.shape.ConvHistory * c.shape.Hidden
	return c.blocks[s.table[k]].conv[convLayer*n : (convLayer+1)*n]
}

// publish indexes the slot's blocks that are now full. A block whose
// content another sequence already published stays private to the slot.
func (c *Cache) publish(id int) {
	s := &c.slots[id]
	bs := c.blockSize
	for k := len(s.chain); (k+1)*bs <= s.length && c.shape.AttnLayers > 0; k++ {
		parent := uint64(0)
		if k > 0 {
			parent = s.chain[k-1]
		}
		toks := s.tokens[k*bs : (k+1)*bs]
		key := c.hashBlock(parent, toks)
		s.chain = append(s.chain, key)
		b := s.table[k]
		if _, ok := c.prefix.entries[key]; ok || c.blocks[b].entry != nil {
			continue
		}
		c.prefix.clock++
		e := &prefixEntry{key: key, parent: parent, tokens: slices.Clone(toks), block: b, used: c.prefix.clock}
		c.prefix.entries[key] = e
		c.blocks[b].refs++ // the index's reference (the slot holds one: not idle)
		c.blocks[b].entry = e
	}
}

// touch marks the indexed blocks of a table as just used, the first block
// most recently: a prefix outlives its continuations, which are evicted
// first (a block is worth as much as the prompts that start with it).
func (c *Cache) touch(table []int32) {
	if c.prefix == nil {
		return
	}
	for k := len(table) - 1; k >= 0; k-- {
		if e := c.blocks[table[k]].entry; e != nil {
			c.prefix.clock++
			e.used = c.prefix.clock
		}
	}
}

// evict frees the least recently used block only the index holds.
func (c *Cache) evict() {
	var victim *prefixEntry
	for _, e := range c.prefix.entries {
		if c.blocks[e.block].refs == 1 && (victim == nil || e.used < victim.used) {
			victim = e
		}
	}
	if victim == nil {
		return
	}
	delete(c.prefix.entries, victim.key)
	c.blocks[victim.block].entry = nil
	c.prefix.idle--
	c.unref(victim.block)
}
