package kernels

import "time"

// A worker whose thread loses its core — to another process, or to the
// hypervisor taking the vCPU — stalls every job it has a chunk of: the
// caller finishes the rest and then waits, often milliseconds, for the
// thread to run again. With one other busy process on a 2-core machine
// this made single-stream decode slower than one thread alone (35 tok/s
// against 78 for Q4_0 on Zen 4), and the spinning of the idle worker took
// time from the thread that had work. So the caller notes a worker that
// is late and leaves it out (parked, not spinning) of the jobs of the next
// while; if it is late again soon after coming back, for twice as long.
// Who computes a chunk never changes a result (see MatMul), so this only
// moves work.

const (
	// lateAfter is how long the caller waits, after finishing its own
	// chunks, before it calls a worker late, unless twice its own share
	// took longer: a chunk in flight takes microseconds in decode and at
	// most a share's worth where a job has few chunks, a lost core
	// milliseconds.
	lateAfter = 100 * time.Microsecond
	// benchMin and benchMax bound how long a late worker sits out.
	benchMin = time.Millisecond
	benchMax = 128 * time.Millisecond
	// lateAgain: late again within this time after a bench ended doubles
	// the next one; later, it starts again at benchMin.
	lateAgain = 20 * time.Millisecond
)

// lateness is the caller's record of one worker. Only the calling
// goroutine reads and writes it.
type lateness struct {
	until time.Time     // the worker sits out jobs published before this
	span  time.Duration // the last bench's length
}

// benched reports whether the worker sits out a job published at now.
func (l *lateness) benched(now time.Time) bool { return now.Before(l.until) }

// late records that the worker was late for a job at now and benches it.
func (l *lateness) late(now time.Time) {
	if l.span > 0 && now.Sub(l.until) < lateAgain {
		l.span = min(2*l.span, benchMax)
	} else {
		l.span = benchMin
	}
	l.until = now.Add(l.span)
}

// endBench ends any bench now and forgets it: late again later starts at
// benchMin.
func (l *lateness) endBench() { l.until = time.Time{} }
