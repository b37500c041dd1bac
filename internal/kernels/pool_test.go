package kernels

import (
	"fmt"
	"runtime"
	"sync/atomic"
	"testing"
	"time"
)

// coverTask counts how often each index is run, and the ranges that do
// not start at a multiple of grain.
type coverTask struct {
	hits       []atomic.Int32
	grain      int
	misaligned atomic.Int32
}

func (c *coverTask) Run(worker, lo, hi int) {
	if lo%c.grain != 0 {
		c.misaligned.Add(1)
	}
	for i := lo; i < hi; i++ {
		c.hits[i].Add(1)
	}
}

// TestPoolRunsEveryIndexOnce hands jobs, fixed and guided, to spinning
// and to parking workers, with pauses long enough for spinning workers to
// park in between, and checks that every job covers each index exactly
// once in ranges starting at multiples of its grain, and that Close stops
// parked workers.
func TestPoolRunsEveryIndexOnce(t *testing.T) {
	for _, spin := range []bool{true, false} {
		for _, threads := range []int{2, 3, 5} {
			t.Run(fmt.Sprintf("spin=%v/threads=%d", spin, threads), func(t *testing.T) {
				before := runtime.NumGoroutine()
				p := newPool(threads, goFamily(), spin)
				task := &coverTask{hits: make([]atomic.Int32, 1000)}
				for job := 0; job < 200; job++ {
					n, grain := 1+job*37%1000, 1+job%13
					for i := range task.hits {
						task.hits[i].Store(0)
					}
					task.grain = grain
					if job%2 == 0 {
						p.Run(task, n, grain)
					} else {
						p.runGuided(task, n, grain)
					}
					if m := task.misaligned.Swap(0); m != 0 {
						t.Fatalf("job %d (n=%d, grain=%d): %d ranges start off the grain", job, n, grain, m)
					}
					for i := range task.hits {
						want := int32(0)
						if i < n {
							want = 1
						}
						if got := task.hits[i].Load(); got != want {
							t.Fatalf("job %d (n=%d, grain=%d): index %d run %d times", job, n, grain, i, got)
						}
					}
					if job%50 == 49 {
						time.Sleep(2 * idleWait) // let spinning workers park
					}
				}
				time.Sleep(2 * idleWait)
				p.Close()
				for deadline := time.Now().Add(5 * time.Second); runtime.NumGoroutine() > before; {
					if time.Now().After(deadline) {
						t.Fatalf("%d goroutines still running after Close, %d before the pool", runtime.NumGoroutine(), before)
					}
					time.Sleep(time.Millisecond)
				}
			})
		}
	}
}

// BenchmarkPoolRun is the cost of handing a job to the workers and waiting
// for them, with nothing to do.
func BenchmarkPoolRun(b *testing.B) {
	p := NewPool(0)
	defer p.Close()
	task := &coverTask{hits: make([]atomic.Int32, 2)}
	for i := 0; i < b.N; i++ {
		p.Run(task, 2, 1)
	}
}

// TestStreamReadSums: every family's read loop sums every word once,
// whatever the length and split.
func TestStreamReadSums(t *testing.T) {
	buf := make([]uint64, 3<<17+37)
	for i := range buf {
		buf[i] = uint64(i)*0x9E3779B97F4A7C15 + 1
	}
	want := readSumGo(buf)
	for _, impl := range Available() {
		p := NewPoolImpl(2, impl)
		for _, n := range []int{0, 1, 31, 32, 33, 1000, len(buf)} {
			if got := p.StreamRead(buf[:n]); got != readSumGo(buf[:n]) {
				t.Errorf("%s n=%d: sum %#x, want %#x", impl, n, got, readSumGo(buf[:n]))
			}
		}
		if got := p.StreamRead(buf); got != want {
			t.Errorf("%s: sum %#x, want %#x", impl, got, want)
		}
		p.Close()
	}
}
