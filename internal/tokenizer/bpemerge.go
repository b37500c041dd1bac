package tokenizer

// mergeAll applies merges to syms lowest rank first, leftmost among equal
// ranks, as tokenizers' Word::merge_all does. A naive rescan after every
// merge is quadratic in the word length (a 10 MB line of one word would
// never finish), so the candidate pairs live in a min-heap keyed by
// (rank, position) over a doubly linked list of symbols: O(n log n).
// Position order is the original left-to-right order, because merging only
// ever removes the right symbol of a pair, so "leftmost" is "smallest pos".
func (b *bpe) mergeAll(syms []int32) []int32 {
	n := len(syms)
	if n < 2 {
		return syms
	}
	prev := make([]int32, n)
	next := make([]int32, n)
	alive := make([]bool, n)
	for i := range syms {
		prev[i], next[i], alive[i] = int32(i-1), int32(i+1), true
	}
	next[n-1] = -1
	q := make(pairHeap, 0, n)
	for i := 0; i+1 < n; i++ {
		if m, ok := b.ranks[[2]int32{syms[i], syms[i+1]}]; ok {
			q = append(q, pairKey(m.rank, int32(i)))
		}
	}
	q.init()
	for len(q) > 0 {
		rank, l := q.pop()
		if !alive[l] || next[l] < 0 {
			continue
		}
		r := next[l]
		// The pair may have changed since it was queued: accept it only if
		// these two symbols still merge by the rank queued (a rank names
		// one pair: it is the merge's line in the merges list).
		m, ok := b.ranks[[2]int32{syms[l], syms[r]}]
		if !ok || m.rank != rank {
			continue
		}
		syms[l] = m.id
		alive[r] = false
		next[l] = next[r]
		if next[r] >= 0 {
			prev[next[r]] = l
		}
		if p := prev[l]; p >= 0 {
			if m, ok := b.ranks[[2]int32{syms[p], syms[l]}]; ok {
				q.push(pairKey(m.rank, p))
			}
		}
		if nx := next[l]; nx >= 0 {
			if m, ok := b.ranks[[2]int32{syms[l], syms[nx]}]; ok {
				q.push(pairKey(m.rank, l))
			}
		}
	}
	out := syms[:0]
	for i := int32(0); i >= 0; i = next[i] {
		out = append(out, syms[i])
	}
	return out
}

// pairHeap is a min-heap of queued merges, each the symbol at a position
// with its right neighbour, packed as rank<<32 | position: ordering the
// keys orders by rank, then leftmost. Eight bytes a candidate and no boxing
// (container/heap's interface cost a long word 60 bytes of memory a byte).
type pairHeap []uint64

func pairKey(rank, pos int32) uint64 { return uint64(uint32(rank))<<32 | uint64(uint32(pos)) }

func (h pairHeap) init() {
	for i := len(h)/2 - 1; i >= 0; i-- {
		h.down(i)
	}
}

func (h *pairHeap) push(k uint64) {
	*h = append(*h, k)
	q := *h
	for i := len(q) - 1; i > 0; {
		parent := (i - 1) / 2
		if q[parent] <= q[i] {
			break
		}
		q[parent], q[i] = q[i], q[parent]
		i = parent
	}
}

// pop removes the smallest key and returns its rank and position.
func (h *pairHeap) pop() (rank, pos int32) {
	q := *h
	k := q[0]
	last := len(q) - 1
	q[0] = q[last]
	*h = q[:last]
	h.down(0)
	return int32(k >> 32), int32(uint32(k))
}

func (h pairHeap) down(i int) {
	for {
		small := i
		if l := 2*i + 1; l < len(h) && h[l] < h[small] {
			small = l
		}
		if r := 2*i + 2; r < len(h) && h[r] < h[small] {
			small = r
		}
		if small == i {
			return
		}
		h[i], h[small] = h[small], h[i]
		i = small
	}
}
