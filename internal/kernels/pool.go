package kernels

import (
	"runtime"
	"sync"
	"sync/atomic"
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
// slowed by other load takes fewer chunks. A call allocates nothing and
// spawns no goroutine. A Pool must not be used by two callers at once.
type Pool struct {
	threads int
	wake    []chan struct{}
	wg      sync.WaitGroup

	// The job in flight; written by the caller before waking the workers.
	task  Task
	n     int
	grain int
	next  atomic.Int64

	scratch [][]float32
	closed  bool

	// Preallocated task structs, one per op, so calls do not allocate.
	mm   matmulTask
	elem elemTask
	xp   []float32 // activations rearranged for the kernel family
	xa   []uint64  // activations packed for the AMX kernel
	impl Impl

	amxCfg [64]byte    // the AMX tile configuration (immutable)
	amxOut [][]float32 // per worker: one chunk of output tiles
}

// NewPool starts a pool of n goroutines (n ≤ 0 means GOMAXPROCS) using the
// best kernel family of this CPU, or the one $LFM2_KERNELS names (an
// unavailable name falls back to the best). The calling goroutine takes part
// in the work, so n-1 goroutines are started.
func NewPool(n int) *Pool {
	impl, err := chooseImpl()
	if err != nil {
		impl = Available()[0]
	}
	return NewPoolImpl(n, impl)
}

// NewPoolImpl starts a pool that uses the kernel family impl, which must be
// one of Available().
func NewPoolImpl(n int, impl Impl) *Pool {
	if n <= 0 {
		n = runtime.GOMAXPROCS(0)
	}
	p := &Pool{threads: n, wake: make([]chan struct{}, n), scratch: make([][]float32, n), impl: impl}
	if impl == ImplAMX {
		p.amxCfg = amxTileConfig()
		p.amxOut = make([][]float32, n)
		for i := range p.amxOut {
			p.amxOut[i] = make([]float32, 2*rowBlock*amxRows)
		}
	}
	for i := 1; i < n; i++ {
		p.wake[i] = make(chan struct{})
		go p.worker(i)
	}
	return p
}

// Impl is the kernel family the pool's matmuls use.
func (p *Pool) Impl() Impl { return p.impl }

// Threads is the number of goroutines that share a task.
func (p *Pool) Threads() int { return p.threads }

// Close stops the worker goroutines.
func (p *Pool) Close() {
	if p.closed {
		return
	}
	p.closed = true
	for i := 1; i < p.threads; i++ {
		close(p.wake[i])
	}
}

// Scratch returns a per-worker buffer of at least n floats, reused across calls.
func (p *Pool) Scratch(worker, n int) []float32 {
	if cap(p.scratch[worker]) < n {
		p.scratch[worker] = make([]float32, n)
	}
	return p.scratch[worker][:n]
}

func (p *Pool) worker(i int) {
	for range p.wake[i] {
		p.drain(i)
		p.wg.Done()
	}
}

func (p *Pool) drain(worker int) {
	for {
		lo := int(p.next.Add(int64(p.grain))) - p.grain
		if lo >= p.n {
			return
		}
		p.task.Run(worker, lo, min(lo+p.grain, p.n))
	}
}

// Run executes task over [0, n) in chunks of grain indices and returns when
// all are done. Small jobs run on the calling goroutine alone.
func (p *Pool) Run(task Task, n, grain int) {
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
	p.task, p.n, p.grain = task, n, grain
	p.next.Store(0)
	helpers := min(p.threads, (n+grain-1)/grain) - 1
	p.wg.Add(helpers)
	for i := 1; i <= helpers; i++ {
		p.wake[i] <- struct{}{}
	}
	p.drain(0)
	p.wg.Wait()
	p.task = nil
}
