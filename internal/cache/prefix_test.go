package cache

import (
	"slices"
	"testing"
)

// tinyShape: one attention layer of 2 floats per token, one conv layer of
// 2 rows of 2 floats.
var tinyShape = Shape{ConvLayers: 1, ConvHistory: 2, Hidden: 2, AttnLayers: 1, KVDim: 2}

// fill writes recognisable K values for positions [from, to) of a slot and
// records the tokens, as a forward pass would.
func fill(t *testing.T, c *Cache, slot int, tokens []int32, from int) {
	t.Helper()
	if err := c.Reserve(slot, len(tokens)); err != nil {
		t.Fatal(err)
	}
	for p := from; p < len(tokens); p++ {
		k, v := c.KVRow(slot, 0, p)
		k[0], v[0] = float32(tokens[p]), float32(p)
		if snap := c.ConvSnapshot(slot, p+1, 0); snap != nil {
			snap[0] = float32(100 + p + 1) // the conv state "after position p"
		}
	}
	c.Advance(slot, tokens[from:])
}

func TestPrefixReuseAndRefcounts(t *testing.T) {
	c, err := New(tinyShape, 3, 2, 10*tinyShape.KVBytesPerToken()*2)
	if err != nil {
		t.Fatal(err)
	}
	if err := c.EnablePrefixCache(); err != nil {
		t.Fatal(err)
	}
	total := c.TotalBlocks()
	a, _ := c.Acquire()
	fill(t, c, a, []int32{5, 6, 7, 8, 9}, 0)
	if got := c.PrefixBlocks(); got != 2 {
		t.Fatalf("%d blocks published after 5 tokens of 2-token blocks, want 2", got)
	}
	c.Release(a)
	if c.FreeBlocks() != total {
		t.Fatalf("after release %d free of %d (published blocks are evictable, so free)", c.FreeBlocks(), total)
	}

	b, _ := c.Acquire()
	if n := c.ReusePrefix(b, []int32{5, 6, 7, 8, 1, 2}, 5); n != 4 {
		t.Fatalf("reused %d tokens, want 4", n)
	}
	if c.Len(b) != 4 || c.ConvState(b, 0)[0] != 104 {
		t.Fatalf("len %d conv %v: want 4 and the snapshot after position 3", c.Len(b), c.ConvState(b, 0))
	}
	for p := range 4 {
		if k, _ := c.KVRow(b, 0, p); k[0] != float32([]int32{5, 6, 7, 8}[p]) {
			t.Fatalf("position %d K %v", p, k)
		}
	}
	// A different second block matches only the first.
	d, _ := c.Acquire()
	if n := c.ReusePrefix(d, []int32{5, 6, 0, 8, 9}, 5); n != 2 {
		t.Fatalf("partial match reused %d, want 2", n)
	}
	// The limit keeps at least one token to compute.
	c.Release(d)
	d, _ = c.Acquire()
	if n := c.ReusePrefix(d, []int32{5, 6, 7, 8}, 3); n != 2 {
		t.Fatalf("limit 3 reused %d, want 2", n)
	}
	c.Release(d)

	c.Release(b)
	if c.FreeBlocks() != total {
		t.Fatalf("leak: %d free of %d", c.FreeBlocks(), total)
	}
}

// TestPrefixEviction: when the pool is full, blocks only the index holds
// are evicted, continuations before the prefixes they continue.
func TestPrefixEviction(t *testing.T) {
	c, _ := New(tinyShape, 2, 2, 6*(tinyShape.KVBytesPerToken()*2+2*2*4))
	c.EnablePrefixCache()
	if c.TotalBlocks() != 6 {
		t.Fatalf("%d blocks, want 6", c.TotalBlocks())
	}
	a, _ := c.Acquire()
	fill(t, c, a, []int32{1, 2, 3, 4, 5, 6, 7}, 0) // 4 blocks, 3 published
	c.Release(a)
	b, _ := c.Acquire()
	// Needs 4 blocks: the free partial one, the 2 never allocated, and one
	// evicted — the last of the 3 published, a continuation.
	fill(t, c, b, []int32{9, 9, 9, 9, 9, 9, 9, 9}, 0)
	if c.PrefixBlocks() != 2+4 {
		t.Fatalf("%d blocks indexed, want 6 (the first two prefix blocks and the 4 new)", c.PrefixBlocks())
	}
	c.Release(b)
	d, _ := c.Acquire()
	if n := c.ReusePrefix(d, []int32{1, 2, 3, 4, 5, 6, 7}, 7); n != 4 {
		t.Fatalf("after eviction reused %d, want the first two blocks (4)", n)
	}
	if !slices.Equal(c.slots[d].tokens, []int32{1, 2, 3, 4}) {
		t.Fatalf("slot tokens %v", c.slots[d].tokens)
	}
}
