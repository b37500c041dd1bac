package cache

import "testing"

// TestF16Cache: an f16 cache takes half the bytes a token (so a budget
// holds twice the blocks), hands out its rows as halves only, and the
// attention spans see what was stored there, block after block.
func TestF16Cache(t *testing.T) {
	shape := Shape{AttnLayers: 2, KVDim: 4}
	half := shape
	half.F16 = true
	if got, want := half.KVBytesPerToken(), shape.KVBytesPerToken()/2; got != want {
		t.Fatalf("f16: %d bytes a token, want %d", got, want)
	}
	budget := 6 * 2 * shape.KVBytesPerToken() // six 2-token blocks in f32
	c32, err := New(shape, 1, 2, budget)
	if err != nil {
		t.Fatal(err)
	}
	c16, err := New(half, 1, 2, budget)
	if err != nil {
		t.Fatal(err)
	}
	if c32.TotalBlocks() != 6 || c16.TotalBlocks() != 12 {
		t.Fatalf("blocks in the same budget: f32 %d, f16 %d; want 6 and 12", c32.TotalBlocks(), c16.TotalBlocks())
	}
	slot, _ := c16.Acquire()
	if err := c16.Reserve(slot, 5); err != nil {
		t.Fatal(err)
	}
	if k, v := c16.KVRow(slot, 1, 0); k != nil || v != nil {
		t.Fatal("an f16 cache handed out f32 rows")
	}
	for pos := 0; pos < 5; pos++ {
		k, v := c16.KVRowF16(slot, 1, pos)
		if len(k) != 4 || len(v) != 4 {
			t.Fatalf("position %d: rows of %d and %d halves", pos, len(k), len(v))
		}
		k[3], v[0] = uint16(100+pos), uint16(200+pos)
	}
	ks, vs := c16.KV(slot, 1)
	if ks.Blocks != nil || len(ks.Half) != 3 || len(vs.Half) != 3 {
		t.Fatalf("spans: %d f32 blocks, %d and %d f16 blocks; want 0, 3 and 3", len(ks.Blocks), len(ks.Half), len(vs.Half))
	}
	for pos := 0; pos < 5; pos++ {
		b, r := pos/2, pos%2*4
		if ks.Half[b][r+3] != uint16(100+pos) || vs.Half[b][r] != uint16(200+pos) {
			t.Fatalf("position %d: the span holds %d, %d", pos, ks.Half[b][r+3], vs.Half[b][r])
		}
	}
	c16.Release(slot)
	if ks, _ := c16.KV(slot, 1); len(ks.Half) != 0 {
		t.Fatalf("released slot keeps %d f16 blocks", len(ks.Half))
	}
	slot, _ = c32.Acquire()
	if err := c32.Reserve(slot, 1); err != nil {
		t.Fatal(err)
	}
	if k, _ := c32.KVRowF16(slot, 0, 0); k != nil {
		t.Fatal("an f32 cache handed out f16 rows")
	}
}
