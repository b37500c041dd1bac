package kernels

import "unsafe"

// StreamRead reads buf once with the pool's threads, as decode reads its
// weights, and returns a checksum (so the reads cannot be skipped). Timed
// over a buffer far larger than the caches it measures the memory read
// bandwidth the decode kernels are bounded by (lfm2 bench reports both).
func (p *Pool) StreamRead(buf []uint64) uint64 {
	// The read rate is the bound decode is measured against: every thread
	// takes part, even one found late by a job before.
	for i := range p.workers {
		p.workers[i].late.endBench()
	}
	t := streamTask{buf: buf, sums: make([]uint64, p.threads), sum: p.fam.readSum}
	p.Run(&t, len(buf), streamGrain)
	var s uint64
	for _, v := range t.sums {
		s += v
	}
	return s
}

// StreamReadSpans is StreamRead over the whole 8-byte words of several
// byte spans (a model's weight arrays, where decode reads them), in
// pieces of at most streamGrain words taken by the threads as they come.
func (p *Pool) StreamReadSpans(spans [][]byte) uint64 {
	for i := range p.workers {
		p.workers[i].late.endBench()
	}
	var pieces [][]uint64
	for _, b := range spans {
		words := wordsOf(b)
		for len(words) > 0 {
			n := min(len(words), streamGrain)
			pieces, words = append(pieces, words[:n]), words[n:]
		}
	}
	t := spansTask{pieces: pieces, sums: make([]uint64, p.threads), sum: p.fam.readSum}
	p.Run(&t, len(pieces), 1)
	var s uint64
	for _, v := range t.sums {
		s += v
	}
	return s
}

// wordsOf is the whole aligned 8-byte words inside b.
func wordsOf(b []byte) []uint64 {
	skip := int((8 - uintptr(unsafe.Pointer(unsafe.SliceData(b)))%8) % 8)
	if len(b) < skip+8 {
		return nil
	}
	return unsafe.Slice((*uint64)(unsafe.Pointer(&b[skip])), (len(b)-skip)/8)
}

type spansTask struct {
	pieces [][]uint64
	sums   []uint64 // per worker
	sum    func([]uint64) uint64
}

func (t *spansTask) Run(worker, lo, hi int) {
	for _, w := range t.pieces[lo:hi] {
		t.sums[worker] += t.sum(w)
	}
}

// streamGrain is the words a StreamRead chunk covers: 1 MiB.
const streamGrain = 1 << 17

type streamTask struct {
	buf  []uint64
	sums []uint64 // per worker
	sum  func([]uint64) uint64
}

func (t *streamTask) Run(worker, lo, hi int) { t.sums[worker] += t.sum(t.buf[lo:hi]) }

// readSumGo is the sum of the words (wrapping): the specification of the
// vector read loops.
func readSumGo(buf []uint64) uint64 {
	var s uint64
	for _, v := range buf {
		s += v
	}
	return s
}
