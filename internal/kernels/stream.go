package kernels

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
