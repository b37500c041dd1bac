// Package cache holds per-sequence model state between forward passes: the
// short-conv state of every conv layer, and a paged KV store for the
// attention layers. Sequences live in numbered slots; KV memory comes in
// fixed-size blocks from one pool bounded by a byte budget. Running out of
// blocks is a normal answer (ErrNoBlocks), for the scheduler to handle.
//
// With the prefix cache on (prefix.go), full blocks are also kept in an
// index by their content, with the conv state at their end, so a sequence
// whose prompt starts with a computed prefix can share those blocks.
// Blocks are reference-counted: a slot's table and the index each hold one.
package cache

import (
	"errors"
	"fmt"

	"github.com/lfm2go/lfm2/internal/kernels"
	"github.com/lfm2go/lfm2/internal/pages"
)

// ErrNoBlocks reports that the KV budget cannot hold what was asked.
var ErrNoBlocks = errors.New("kv cache: out of blocks")

// Shape is what the cache must know of the model.
type Shape struct {
	ConvLayers  int // number of short-conv layers
	ConvHistory int // rows of conv state per layer (conv_L_cache - 1)
	Hidden      int // conv channels
	AttnLayers  int // number of attention layers
	KVDim       int // kv heads × head dim: values per token per layer for K (and for V)
	// F16 stores K and V in half precision (kernels' kvhalf.go): half the
	// memory and half the bytes attention reads, each value rounded once.
	F16 bool
}

// KVBytesPerToken is the KV memory one token takes across all attention layers.
func (s Shape) KVBytesPerToken() int64 {
	size := int64(4)
	if s.F16 {
		size = 2
	}
	return int64(s.AttnLayers) * 2 * int64(s.KVDim) * size
}

// Cache is the state store. It is not safe for concurrent use.
type Cache struct {
	shape     Shape
	blockSize int
	maxBlocks int

	blocks []block // allocated lazily, never more than maxBlocks
	free   []int32 // ids of allocated blocks not in use
	slots  []slot
	prefix *prefixIndex // nil when the prefix cache is off
}

// block is BlockSize tokens of K and V for every attention layer.
type block struct {
	k, v     [][]float32 // [layer][BlockSize*KVDim]
	k16, v16 [][]uint16  // the same in an f16 cache (k and v are nil)
	refs     int32       // slot tables and the prefix index holding it
	// With the prefix cache: the conv state after the block's last token
	// (written by the forward pass as it crosses the block's end), and the
	// block's index entry once it is published.
	conv  []float32
	entry *prefixEntry
}

type slot struct {
	inUse  bool
	length int       // tokens whose K/V (and conv effect) are stored
	table  []int32   // block ids, in position order
	conv   []float32 // [ConvLayers][ConvHistory][Hidden]
	spans  []kvSpans // per attention layer, views of table's blocks
	// With the prefix cache: the tokens stored, and the content hash of
	// each full block published (chain[k] covers blocks 0..k).
	tokens []int32
	chain  []uint64
}

type kvSpans struct{ k, v kernels.KVSpan }

// New makes a cache with room for slots sequences and at most kvBytes of KV
// blocks of blockSize tokens each.
func New(shape Shape, slots, blockSize int, kvBytes int64) (*Cache, error) {
	if slots < 1 || blockSize < 1 {
		return nil, fmt.Errorf("kv cache: need at least one slot and a positive block size (got %d, %d)", slots, blockSize)
	}
	per := shape.KVBytesPerToken() * int64(blockSize)
	maxBlocks := 0
	if per > 0 {
		maxBlocks = int(kvBytes / per)
		if maxBlocks < 1 {
			return nil, fmt.Errorf("kv cache: budget of %d bytes is smaller than one %d-token block (%d bytes)", kvBytes, blockSize, per)
		}
	} else {
		maxBlocks = int(^uint(0) >> 1) // no attention layers: nothing to store
	}
	c := &Cache{shape: shape, blockSize: blockSize, maxBlocks: maxBlocks, slots: make([]slot, slots)}
	for i := range c.slots {
		c.slots[i].conv = make([]float32, shape.ConvLayers*shape.ConvHistory*shape.Hidden)
		c.slots[i].spans = make([]kvSpans, shape.AttnLayers)
		for l := range c.slots[i].spans {
			c.slots[i].spans[l] = kvSpans{
				k: kernels.KVSpan{BlockSize: blockSize, Stride: shape.KVDim},
				v: kernels.KVSpan{BlockSize: blockSize, Stride: shape.KVDim},
			}
		}
	}
	return c, nil
}

// Shape returns the model shape the cache was made for.
func (c *Cache) Shape() Shape { return c.shape }

// BlockSize is the number of tokens per KV block.
func (c *Cache) BlockSize() int { return c.blockSize }

// Slots is the number of sequence slots.
func (c *Cache) Slots() int { return len(c.slots) }

// Acquire takes a free slot, or returns ok=false when all are in use.
func (c *Cache) Acquire() (id int, ok bool) {
	for i := range c.slots {
		if !c.slots[i].inUse {
			c.slots[i].inUse = true
			return i, true
		}
	}
	return 0, false
}

// Release empties a slot: its blocks go back to the pool (those the prefix
// index holds stay there) and its conv state is zeroed.
func (c *Cache) Release(id int) {
	s := &c.slots[id]
	c.touch(s.table)
	for _, b := range s.table {
		c.unref(b)
	}
	s.table = s.table[:0]
	for l := range s.spans {
		s.spans[l].k.Blocks = s.spans[l].k.Blocks[:0]
		s.spans[l].v.Blocks = s.spans[l].v.Blocks[:0]
		s.spans[l].k.Half = s.spans[l].k.Half[:0]
		s.spans[l].v.Half = s.spans[l].v.Half[:0]
	}
	clear(s.conv)
	s.length = 0
	s.tokens, s.chain = s.tokens[:0], s.chain[:0]
	s.inUse = false
}

// ref adds a holder to block b.
func (c *Cache) ref(b int32) {
	bl := &c.blocks[b]
	if bl.refs == 1 && bl.entry != nil {
		c.prefix.idle-- // the index's block is in use again
	}
	bl.refs++
}

// unref drops a holder of block b; the last one frees it.
func (c *Cache) unref(b int32) {
	bl := &c.blocks[b]
	bl.refs--
	switch {
	case bl.refs == 0:
		c.free = append(c.free, b)
	case bl.refs == 1 && bl.entry != nil:
		c.prefix.idle++ // only the index holds it: evictable
	}
}

// Len is the number of tokens already processed in the slot.
func (c *Cache) Len(id int) int { return c.slots[id].length }

// Advance records that the slot has processed these tokens (the batch's
// span for it). With the prefix cache on, the blocks they complete are
// published to the index.
func (c *Cache) Advance(id int, tokens []int32) {
	s := &c.slots[id]
	s.length += len(tokens)
	if c.prefix != nil {
		s.tokens = append(s.tokens, tokens...)
		c.publish(id)
	}
}

// BlocksFor is how many more blocks the slot needs to hold total tokens.
func (c *Cache) BlocksFor(id, total int) int {
	if c.shape.AttnLayers == 0 {
		return 0
	}
	need := (total+c.blockSize-1)/c.blockSize - len(c.slots[id].table)
	return max(need, 0)
}

// FreeBlocks is how many blocks can still be handed out (counting blocks
// only the prefix index holds, which are evicted for new ones).
func (c *Cache) FreeBlocks() int {
	if c.shape.AttnLayers == 0 {
		return c.maxBlocks
	}
	n := len(c.free) + c.maxBlocks - len(c.blocks)
	if c.prefix != nil {
		n += c.prefix.idle
	}
	return n
}

// TotalBlocks is the pool size in blocks.
func (c *Cache) TotalBlocks() int { return c.maxBlocks }

// Reserve makes sure the slot has blocks for total tokens. It either takes
// every block needed or none, and returns ErrNoBlocks when the pool is short.
func (c *Cache) Reserve(id, total int) error {
	need := c.BlocksFor(id, total)
	if need == 0 {
		return nil
	}
	if need > c.FreeBlocks() {
		return ErrNoBlocks
	}
	for ; need > 0; need-- {
		c.appendBlock(id, c.takeBlock())
	}
	return nil
}

// appendBlock puts block b (whose reference the caller passes on) at the
// end of the slot's table.
func (c *Cache) appendBlock(id int, b int32) {
	s := &c.slots[id]
	s.table = append(s.table, b)
	bl := &c.blocks[b]
	for l := range s.spans {
		sp := &s.spans[l]
		if c.shape.F16 {
			sp.k.Half, sp.v.Half = append(sp.k.Half, bl.k16[l]), append(sp.v.Half, bl.v16[l])
			continue
		}
		sp.k.Blocks, sp.v.Blocks = append(sp.k.Blocks, bl.k[l]), append(sp.v.Blocks, bl.v[l])
	}
}

// takeBlock hands out a block with one reference: a free one, a new one
// while under the budget, else the least recently used block only the
// prefix index holds. The caller has checked FreeBlocks.
func (c *Cache) takeBlock() int32 {
	if len(c.free) == 0 && len(c.blocks) >= c.maxBlocks && c.prefix != nil {
		c.evict()
	}
	if n := len(c.free); n > 0 {
		b := c.free[n-1]
		c.free = c.free[:n-1]
		c.blocks[b].refs = 1
		return b
	}
	sz, layers := c.blockSize*c.shape.KVDim, c.shape.AttnLayers
	b := block{refs: 1}
	// Backed now, in one call per array: written a row at a time, fresh
	// pages would fault one by one inside the forward pass.
	if c.shape.F16 {
		b.k16, b.v16 = make([][]uint16, layers), make([][]uint16, layers)
		for l := range b.k16 {
			b.k16[l], b.v16[l] = make([]uint16, sz), make([]uint16, sz)
			pages.Populate(b.k16[l])
			pages.Populate(b.v16[l])
		}
	} else {
		b.k, b.v = make([][]float32, layers), make([][]float32, layers)
		for l := range b.k {
			b.k[l], b.v[l] = make([]float32, sz), make([]float32, sz)
			pages.Populate(b.k[l])
			pages.Populate(b.v[l])
		}
	}
	if c.prefix != nil {
		b.conv = make([]float32, len(c.slots[0].conv))
	}
	c.blocks = append(c.blocks, b)
	return int32(len(c.blocks) - 1)
}

// ConvState is the conv state of one conv layer of a slot: ConvHistory rows
// of Hidden floats, oldest first.
func (c *Cache) ConvState(id, convLayer int) []float32 {
	n := c.shape.ConvHistory * c.shape.Hidden
	return c.slots[id].conv[convLayer*n : (convLayer+1)*n]
}

// KV returns the key and value spans of one attention layer of a slot.
func (c *Cache) KV(id, attnLayer int) (k, v *kernels.KVSpan) {
	s := &c.slots[id].spans[attnLayer]
	return &s.k, &s.v
}

// KVRow returns where the key and value of position pos go in an f32
// cache (nil in an f16 one: KVRowF16). The slot must have blocks reserved
// for pos.
func (c *Cache) KVRow(id, attnLayer, pos int) (k, v []float32) {
	b, r := c.rowAt(id, pos)
	if b.k == nil {
		return nil, nil
	}
	return b.k[attnLayer][r : r+c.shape.KVDim], b.v[attnLayer][r : r+c.shape.KVDim]
}

// KVRowF16 is KVRow in an f16 cache (nil in an f32 one).
func (c *Cache) KVRowF16(id, attnLayer, pos int) (k, v []uint16) {
	b, r := c.rowAt(id, pos)
	if b.k16 == nil {
		return nil, nil
	}
	return b.k16[attnLayer][r : r+c.shape.KVDim], b.v16[attnLayer][r : r+c.shape.KVDim]
}

// rowAt is the block holding position pos of a slot, and the offset of
// its row there.
func (c *Cache) rowAt(id, pos int) (*block, int) {
	s := &c.slots[id]
	return &c.blocks[s.table[pos/c.blockSize]], (pos % c.blockSize) * c.shape.KVDim
}
