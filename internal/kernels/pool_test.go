package kernels

import (
	"fmt"
	"runtime"
	"strings"
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
// and to parking workers, some of them benched, with pauses long enough for spinning workers to
// park in between, and checks that every job covers each index exactly
// once in ranges starting at multiples of its grain, and that Close stops
// parked workers.
// TestLatenessBench: a late worker sits out benchMin, twice as long each
// time it is late again soon after a bench, up to benchMax, and benchMin
// again when it was late long ago.
func TestLatenessBench(t *testing.T) {
	var l lateness
	t0 := time.Unix(1000, 0)
	if l.benched(t0) {
		t.Fatal("benched before ever late")
	}
	l.late(t0)
	if !l.benched(t0.Add(benchMin-time.Nanosecond)) || l.benched(t0.Add(benchMin)) {
		t.Fatalf("late at t0: benched until %v, want t0+%v", l.until.Sub(t0), benchMin)
	}
	now, want := l.until.Add(lateAgain/2), 2*benchMin
	for range 10 {
		l.late(now)
		if l.span != want || l.until != now.Add(want) {
			t.Fatalf("late again %v after a bench: %v until +%v, want %v", lateAgain/2, l.span, l.until.Sub(now), want)
		}
		now, want = l.until.Add(lateAgain/2), min(2*want, benchMax)
	}
	if l.span != benchMax {
		t.Fatalf("after ten benches in a row: %v, want the cap %v", l.span, benchMax)
	}
	l.late(l.until.Add(lateAgain))
	if l.span != benchMin {
		t.Fatalf("late %v after a bench: %v, want %v", lateAgain, l.span, benchMin)
	}
}

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
					switch job % 7 { // bench a worker now and then, as if found late
					case 3:
						p.workers[1+job%(threads-1)].late.until = time.Now().Add(time.Hour)
					case 6:
						for i := range p.workers {
							p.workers[i].late = lateness{}
						}
					}
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

// stallTask records which workers run its chunks; in a job with stall
// set, worker 1 stalls in its first chunk, and worker 0 waits in its own
// until worker 1 has begun one. Worker 1 stalls once the caller has run
// every other index, for stall or four times as long as it took to begin,
// whichever is longer: the pool judges a worker late against how long the
// caller took for its own share, and on a loaded machine (or under
// emulation) a worker can take milliseconds to get its core back.
type stallTask struct {
	stall   time.Duration
	n       int
	begun   time.Time // when the job was handed to the pool
	started atomic.Bool
	indices [2]atomic.Int32 // run by each worker
}

func (s *stallTask) Run(worker, lo, hi int) {
	s.indices[worker].Add(int32(hi - lo))
	if s.stall == 0 {
		return
	}
	deadline := time.Now().Add(5 * time.Second)
	if worker == 1 && s.started.CompareAndSwap(false, true) {
		took := time.Since(s.begun)
		for int(s.indices[0].Load()) < s.n-(hi-lo) && time.Now().Before(deadline) {
		}
		time.Sleep(max(s.stall, 4*took))
	}
	for worker == 0 && !s.started.Load() && time.Now().Before(deadline) {
	}
}

// TestPoolBenchesLateWorker: a worker that stalls in a chunk is benched,
// a benched worker takes no chunk and, once its bench is over, is woken
// for jobs again.
func TestPoolBenchesLateWorker(t *testing.T) {
	p := newPool(2, goFamily(), true)
	defer p.Close()
	late := &p.workers[1].late
	// A worker woken from parking for the job is not judged: on a loaded
	// machine (go test runs other packages' tests beside this one, and
	// make test-arm64 runs it under emulation) worker 1 may have parked
	// before a try, so each try follows a job of no work, which leaves it
	// awake, and there are many tries. That job may itself find worker 1
	// late and bench it, and a worker descheduled for the whole stall
	// takes no chunk: such a try proves nothing, and is forgotten.
	forget := func() {
		late.endBench()
		late.span = 0
		p.lates.Store(0)
	}
	stalledOnce := false
	for try := 0; try < 100 && !stalledOnce; try++ {
		p.Run(&stallTask{}, 64, 1)
		if p.Lates() != 0 {
			forget()
			continue
		}
		stalled := &stallTask{stall: 20 * time.Millisecond, n: 64, begun: time.Now()}
		p.Run(stalled, stalled.n, 1)
		if !stalled.started.Load() {
			forget()
			continue
		}
		stalledOnce = p.Lates() != 0
	}
	if !stalledOnce {
		t.Fatal("in 100 tries worker 1 never stalled in a chunk of the job and was found late")
	}
	if late.span != benchMin || late.until.IsZero() || p.Lates() != 1 {
		t.Fatalf("after a stall: bench of %v until %v, %d lates counted, want %v and 1", late.span, late.until, p.Lates(), benchMin)
	}

	late.until = time.Now().Add(time.Hour)
	idle := &stallTask{}
	for range 100 {
		p.Run(idle, 64, 1)
	}
	if n := idle.indices[1].Load(); n != 0 {
		t.Fatalf("a benched worker ran %d indices", n)
	}
	if n := idle.indices[0].Load(); n != 100*64 {
		t.Fatalf("the caller ran %d indices, want %d", n, 100*64)
	}

	time.Sleep(2 * idleWait) // the benched worker is parked
	late.until = time.Time{}
	back := &stallTask{stall: time.Nanosecond, n: 64, begun: time.Now()}
	p.Run(back, back.n, 1)
	if !back.started.Load() {
		t.Fatal("worker 1 was not woken after its bench")
	}
}

// TestPoolRunUnevenBenchesNone: the stalls that bench a worker under Run
// (TestPoolBenchesLateWorker) bench none under RunUneven, whose indices
// may take milliseconds each.
func TestPoolRunUnevenBenchesNone(t *testing.T) {
	p := newPool(2, goFamily(), true)
	defer p.Close()
	stalls := 0 // tries in which worker 1 took a chunk and stalled in it (under load it may take none)
	for try := 0; try < 50 && stalls < 5; try++ {
		stalled := &stallTask{stall: 20 * time.Millisecond, n: 64, begun: time.Now()}
		p.RunUneven(stalled, stalled.n)
		if total := stalled.indices[0].Load() + stalled.indices[1].Load(); total != 64 {
			t.Fatalf("%d indices run, want 64", total)
		}
		if stalled.started.Load() {
			stalls++
		}
	}
	if stalls == 0 {
		t.Fatal("in 50 tries worker 1 never took a chunk")
	}
	if late := &p.workers[1].late; p.Lates() != 0 || !late.until.IsZero() {
		t.Fatalf("%d lates counted, worker 1 benched until %v", p.Lates(), late.until)
	}
}

// BenchmarkPoolRun is the cost of handing a job to the workers and waiting
// for them, with nothing to do.
func BenchmarkPoolRun(b *testing.B) {
	p := NewPool(0)
	defer p.Close()
	task := &coverTask{hits: make([]atomic.Int32, 2), grain: 1}
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

// $LFM2_KERNELS naming a family this CPU lacks is reported (front ends
// warn) and the pool, and the choice of how weights are held, take the
// best family instead; unset or available names report nothing.
func TestRequestedFamilyFallsBackToBest(t *testing.T) {
	best := Available()[0]
	t.Setenv("LFM2_KERNELS", "no-such-family")
	err := CheckRequested()
	if err == nil || !strings.Contains(err.Error(), "LFM2_KERNELS=no-such-family") || !strings.Contains(err.Error(), "using "+string(best)) {
		t.Fatalf("CheckRequested: %v, want the name and the family used instead", err)
	}
	p := NewPool(1)
	defer p.Close()
	if p.Impl() != best {
		t.Fatalf("pool runs %s, want the best family %s", p.Impl(), best)
	}
	if chosenFamily().impl != best {
		t.Fatalf("weights held for %s, want %s", chosenFamily().impl, best)
	}
	for _, name := range []string{"", string(ImplGo)} {
		t.Setenv("LFM2_KERNELS", name)
		if err := CheckRequested(); err != nil {
			t.Fatalf("LFM2_KERNELS=%q: %v", name, err)
		}
	}
}
