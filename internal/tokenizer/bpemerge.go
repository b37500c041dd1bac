package tokenizer

import "container/heap"

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
	q := make(pairQueue, 0, n)
	for i := 0; i+1 < n; i++ {
		if m, ok := b.ranks[[2]int32{syms[i], syms[i+1]}]; ok {
			q = append(q, pairCandidate{rank: m.rank, pos: int32(i), id: m.id})
		}
	}
	heap.Init(&q)
	for q.Len() > 0 {
		c := heap.Pop(&q).(pairCandidate)
		l := c.pos
		if !alive[l] || next[l] < 0 {
			continue
		}
		r := next[l]
		// The pair may have changed since it was queued: accept it only if
		// these two symbols still merge into what the candidate recorded.
		if m, ok := b.ranks[[2]int32{syms[l], syms[r]}]; !ok || m.id != c.id || m.rank != c.rank {
			continue
		}
		syms[l] = c.id
		alive[r] = false
		next[l] = next[r]
		if next[r] >= 0 {
			prev[next[r]] = l
		}
		if p := prev[l]; p >= 0 {
			if m, ok := b.ranks[[2]int32{syms[p], syms[l]}]; ok {
				heap.Push(&q, pairCandidate{rank: m.rank, pos: p, id: m.id})
			}
		}
		if nx := next[l]; nx >= 0 {
			if m, ok := b.ranks[[2]int32{syms[l], syms[nx]}]; ok {
				heap.Push(&q, pairCandidate{rank: m.rank, pos: l, id: m.id})
			}
		}
	}
	out := syms[:0]
	for i := int32(0); i >= 0; i = next[i] {
		out = append(out, syms[i])
	}
	return out
}

// pairCandidate is a queued merge of the symbol at pos with its right neighbour.
type pairCandidate struct {
	rank, pos, id int32
}

type pairQueue []pairCandidate

func (q pairQueue) Len() int { return len(q) }
func (q pairQueue) Less(i, j int) bool {
	if q[i].rank != q[j].rank {
		return q[i].rank < q[j].rank
	}
	return q[i].pos < q[j].pos
}
func (q pairQueue) Swap(i, j int) { q[i], q[j] = q[j], q[i] }
func (q *pairQueue) Push(x any)   { *q = append(*q, x.(pairCandidate)) }
func (q *pairQueue) Pop() any {
	old := *q
	x := old[len(old)-1]
	*q = old[:len(old)-1]
	return x
}
