package kernels

import (
	"runtime"
	"sync/atomic"
	"time"
)

// Task is work split into index ranges. Run is called with disjoint
// [lo, hi) ranges covering [0, n), possibly from several goroutines at once;
// worker identifies the goroutine (0 ≤ worker < Pool.Threads()) so a task can
// keep per-worker scratch space.
type Task interface {
	Run(worker, lo, hi int)
}

// Pool is a fixed set of goroutines that share the work of one Task at a
// time. Work is handed out in chunks through an atomic counter, so a core
// slowed by other load takes fewer chunks, and a worker that lost its core
// in the middle of a chunk sits out the next jobs (lateness.go). A call
// allocates nothing and spawns no goroutine. A Pool must not be used by two
// callers at once.
//
// Workers wait for the next job by watching a generation counter, and only
// after a while with no work (idleWait) park on a channel. Decode runs
// some hundred short jobs per token: handing each to a parked goroutine
// through the scheduler took tens of microseconds, often longer than the
// caller needed to do the whole job alone, so 2 MB matrices streamed at
// one core's speed.
type Pool struct {
	threads int
	workers []poolWorker

	// The job in flight, written by the caller while no worker is in a job
	// (pending is 0) and published by incrementing gen.
	task  Task
	n     int
	grain int
	guide int // hand out a 1/guide share of what is left (else grain) at a time
	// next is the first index not yet handed out, on a cache line of its
	// own: the workers' claims bounce it between cores, and the job's
	// fields above, read at every claim, must not bounce with it.
	_       [64]byte
	next    atomic.Int64
	_       [56]byte
	gen     atomic.Uint64
	pending atomic.Int32 // workers not yet done with the current job
	spin    bool         // workers wait for jobs spinning: no more of them than Go runs at once
	lates   atomic.Int64 // how often a worker was found late (see Lates)

	scratch   [][]float32
	attnMasks [][lanes]uint16           // per worker: which queries see which keys of a chunk
	attnRuns  [][MaxAttendHeads]attnRun // per worker: the query blocks in progress
	closed    bool

	// Preallocated task structs, one per op, so calls do not allocate.
	mm      matmulTask
	mmViews []matmulTask // per worker: the matrix a range of mm is in
	elem    elemTask
	xp      []float32 // activations rearranged for the kernel family
	xa      []uint64  // activations packed for the AMX kernel
	act     act8      // activations rounded to int8 for the 4-bit kernels
	act16   act16     // activations rounded to int16 (Q8_0 on VPMADDWD)
	xb      []uint32  // activations as bf16 pairs for the VDPBF16PS kernels
	fam     family
	// batchBlock is the weight bytes a batched decode matmul hands its
	// kernels at a time (batchBlockRows); tests make it small.
	batchBlock int
	// l1d is the level-1 data cache's size in bytes (0: unknown), which
	// decides whether the 8×3 bf16-pair tiles take rows in blocks
	// (pairBlockFor); tests set it to take either way.
	l1d int

	amxCfg  [64]byte    // the AMX tile configuration (immutable)
	amxOut  [][]float32 // per worker: one chunk of output tiles
	pairAcc [][]float32 // per worker: parked accumulators of the 8×3 bf16-pair tiles
	padOut  [][]float32 // per worker: outputs of a padded 8×3 tile
}

// NewPool starts a pool of n goroutines (n ≤ 0 means GOMAXPROCS) using the
// best kernel family of this CPU, or the one $LFM2_KERNELS names (an
// unavailable name falls back to the best). The calling goroutine takes part
// in the work, so n-1 goroutines are started.
func NewPool(n int) *Pool {
	impl, _ := chooseImpl() // the best family when the named one is unavailable
	return NewPoolImpl(n, impl)
}

// NewPoolImpl starts a pool that uses the kernel family impl, which must be
// one of Available().
func NewPoolImpl(n int, impl Impl) *Pool { return NewPoolTier(n, impl, false) }

// NewPoolTier is NewPoolImpl in the fast tier if fast is set: bf16 matmuls
// with activations rounded once to bf16, where the family has such a tier
// (avx512bf16); other families stay exact.
func NewPoolTier(n int, impl Impl, fast bool) *Pool {
	if n <= 0 {
		n = runtime.GOMAXPROCS(0)
	}
	return newPool(n, familyOf(impl, fast), n <= runtime.GOMAXPROCS(0))
}

// newPool is NewPoolImpl with the waiting strategy chosen: spinning pays
// only while every worker has a processor of its own.
func newPool(n int, fam family, spin bool) *Pool {
	p := &Pool{threads: n, workers: make([]poolWorker, n), scratch: make([][]float32, n), fam: fam, spin: spin, batchBlock: batchBlockBytes, l1d: l1DataBytes(),
		mmViews: make([]matmulTask, n), attnMasks: make([][lanes]uint16, n), attnRuns: make([][MaxAttendHeads]attnRun, n), pairAcc: make([][]float32, n), padOut: make([][]float32, n)}
	if p.fam.amx {
		p.amxCfg = amxTileConfig()
		p.amxOut = make([][]float32, n)
		for i := range p.amxOut {
			p.amxOut[i] = make([]float32, 2*rowBlock*amxRows)
		}
	}
	for i := 1; i < n; i++ {
		p.workers[i].wake = make(chan struct{}, 1)
		go p.worker(i)
	}
	return p
}

// poolWorker is the parking place of one worker goroutine and what the
// caller knows of it.
type poolWorker struct {
	parked atomic.Bool
	wake   chan struct{} // one token: the worker may have work
	joins  atomic.Uint64 // the newest generation the worker takes part in
	done   atomic.Uint64 // the newest generation the worker has finished
	late   lateness      // the caller's record (see lateness.go)
	_      [64]byte      // workers poll their own fields: keep them apart
}

// idleWait is how long a worker looks for a new job before it parks:
// longer than the pauses between the jobs of a forward pass, far shorter
// than a pause between requests.
const idleWait = 200 * time.Microsecond

// unpark wakes worker i if it is parked, and reports whether it was.
func (p *Pool) unpark(i int) bool {
	if p.workers[i].parked.Swap(false) {
		p.workers[i].wake <- struct{}{}
		return true
	}
	return false
}

// awaitJob returns the first generation after seen, spinning for a while
// (if spin) and then parking.
func (p *Pool) awaitJob(i int, seen uint64, spin bool) uint64 {
	w := &p.workers[i]
	for {
		start := time.Now()
		for spins := 1; spin; spins++ {
			if g := p.gen.Load(); g != seen {
				return g
			}
			if spins%1024 == 0 && time.Since(start) > idleWait {
				break
			}
		}
		// A swap, not a store: with the caller's gen.Add and parked.Swap
		// this is Dekker's handshake, which needs the store ordered before
		// the load of gen below. Go's atomics promise that; a read-modify-
		// write keeps it even where an emulator maps a plain store and load
		// to the host's (qemu-user on x86 lost wake-ups this way).
		w.parked.Swap(true)
		if g := p.gen.Load(); g != seen {
			// Published meanwhile: take back the parked flag, or if
			// the caller already did, consume its token.
			if !w.parked.Swap(false) {
				<-w.wake
			}
			return g
		}
		<-w.wake
	}
}

// Impl is the kernel family the pool's ops use.
func (p *Pool) Impl() Impl { return p.fam.impl }

// Fast reports whether the pool's bf16 matmuls run in the fast tier.
func (p *Pool) Fast() bool { return p.fam.fast }

// Describe names the pool's kernel family and the CPU features it uses.
func (p *Pool) Describe() string { return p.fam.describe() }

// Lates is how many times so far a worker was found late for a job and
// benched (lateness.go): each is a core taken from the pool for a while
// by another process or the hypervisor, so a measurement with many was
// disturbed.
func (p *Pool) Lates() int64 { return p.lates.Load() }

// Threads is the number of goroutines that share a task.
func (p *Pool) Threads() int { return p.threads }

// Close stops the worker goroutines.
func (p *Pool) Close() {
	if p.closed {
		return
	}
	p.closed = true
	p.gen.Add(1)
	for i := 1; i < p.threads; i++ {
		p.unpark(i)
	}
}

// Scratch returns a per-worker buffer of at least n floats, reused across
// calls (by attention's jobs, and matmuls' f16 rows: see growScratch).
func (p *Pool) Scratch(worker, n int) []float32 {
	if cap(p.scratch[worker]) < n {
		p.scratch[worker] = make([]float32, n)
	}
	return p.scratch[worker][:n]
}

// growScratch makes every worker's scratch hold n floats, before a job
// whose tasks read it directly (a matmul of f16 weights).
func (p *Pool) growScratch(n int) {
	for i := range p.scratch {
		p.Scratch(i, n)
	}
}

func (p *Pool) worker(i int) {
	w := &p.workers[i]
	var seen uint64
	spin := p.spin
	for {
		seen = p.awaitJob(i, seen, spin)
		if p.closed {
			return
		}
		// Left out of this job (found late): park at once, so as not to
		// take time from a thread that has work on a shared core.
		joined := w.joins.Load() == seen
		if spin = p.spin && joined; !joined {
			continue
		}
		p.drain(i)
		w.done.Store(seen)
		p.pending.Add(-1)
	}
}

func (p *Pool) drain(worker int) {
	for {
		lo, hi, ok := p.claim()
		if !ok {
			return
		}
		p.task.Run(worker, lo, hi)
	}
}

// claim takes the next chunk of the job: grain indices, or in a guided job
// a 1/guide share of what is left, in whole grains (at least one), so that
// every chunk starts at a multiple of grain.
func (p *Pool) claim() (lo, hi int, ok bool) {
	n, grain, guide := p.n, p.grain, p.guide
	for {
		cur := int(p.next.Load())
		if cur >= n {
			return 0, 0, false
		}
		size := grain
		if guide > 0 {
			size = max(grain, (n-cur)/guide/grain*grain)
		}
		if p.next.CompareAndSwap(int64(cur), int64(cur+size)) {
			return cur, min(cur+size, n), true
		}
	}
}

// Run executes task over [0, n) in chunks of grain indices and returns when
// all are done. Small jobs run on the calling goroutine alone.
func (p *Pool) Run(task Task, n, grain int) { p.run(task, n, grain, 0, true) }

// RunUneven is Run, one index at a time, for tasks whose indices may
// differ in cost by milliseconds (sampling a step's sequences, each with
// its own settings): the caller waiting out a worker's long index is no
// sign that the worker lost its core, so no worker is benched for it.
func (p *Pool) RunUneven(task Task, n int) { p.run(task, n, 1, 0, false) }

// runGuided is Run with chunks that start large and shrink to grain: a
// 1/(2·threads) share of what is left at a time. Single-stream decode runs
// a hundred matmuls a token in chunks that stream in a microsecond or
// two, and each claim of a chunk moves the shared counter between cores
// (about 140 ns on Zen 5: 5% of a Q4_0 decode step in the profile); the
// shrinking chunks keep the finish as even as fixed ones.
func (p *Pool) runGuided(task Task, n, grain int) { p.run(task, n, grain, 2*p.threads, true) }

// run hands task's [0, n) out in chunks (see Run, runGuided); judge: bench
// the workers found late (lateness.go).
func (p *Pool) run(task Task, n, grain, guide int, judge bool) {
	if n <= 0 {
		return
	}
	if grain < 1 {
		grain = 1
	}
	if p.threads == 1 || n <= grain {
		task.Run(0, 0, n)
		return
	}
	start := time.Now()
	gen, joined := p.gen.Load()+1, 0
	for i := 1; i < p.threads; i++ {
		if !p.workers[i].late.benched(start) {
			p.workers[i].joins.Store(gen)
			joined++
		}
	}
	if joined == 0 {
		task.Run(0, 0, n)
		return
	}
	p.task, p.n, p.grain, p.guide = task, n, grain, guide
	p.next.Store(0)
	p.pending.Store(int32(joined))
	p.gen.Store(gen)
	var woken uint64 // bit i: worker i was parked (the first 64 are watched)
	for i := 1; i < p.threads; i++ {
		if p.workers[i].joins.Load() == gen && p.unpark(i) && i < 64 {
			woken |= 1 << i
		}
	}
	p.drain(0)
	if !judge {
		woken = ^uint64(0) // none is judged late
	}
	p.awaitWorkers(gen, start, woken)
	p.task = nil
}

// awaitWorkers waits for the workers of job gen to finish their last
// chunks (or, woken from parking, find none left), and benches those
// that were late (see lateness.go) from the time they are done — not
// those it woke for the job (in woken), whose waking takes tens of
// microseconds on an idle machine. It yields if that takes long: the
// thread it waits for may need this core.
func (p *Pool) awaitWorkers(gen uint64, start time.Time, woken uint64) {
	var drained time.Time
	var late uint64 // bit i: worker i was late (the first 64 are watched)
	checked := false
	for spins := 0; p.pending.Load() != 0; spins++ {
		if spins > 1000 {
			runtime.Gosched()
		}
		if checked || spins%64 != 0 {
			continue
		}
		now := time.Now()
		if drained.IsZero() {
			drained = now
		}
		if waited := now.Sub(drained); waited > max(lateAfter, 2*drained.Sub(start)) {
			for i := 1; i < min(p.threads, 64); i++ {
				if w := &p.workers[i]; woken&(1<<i) == 0 && w.joins.Load() == gen && w.done.Load() != gen {
					late |= 1 << i
				}
			}
			checked = true
		}
	}
	if late != 0 {
		now := time.Now()
		for i := 1; i < min(p.threads, 64); i++ {
			if late&(1<<i) != 0 {
				p.workers[i].late.late(now)
				p.lates.Add(1)
			}
		}
	}
}
