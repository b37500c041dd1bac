package kernels

import "time"

// multiplyAddLoop is the instruction that bounds a family's matrix
// products of some weight format, in a loop that issues it back to back
// (twelve independent accumulators, no loads): timed, the ceiling of
// those products' GFLOP/s on this machine, as StreamRead's rate is
// decode's.
type multiplyAddLoop struct {
	name string // the instruction, as the README names it
	run  func(iters int)
	// macs is the multiply-adds one iteration of run issues: twelve
	// instructions' lanes (two a lane for VDPBF16PS).
	macs int
	// perProduct is how many of the instruction's multiply-adds one
	// product of the matrix takes: 2 in the exact tier of the bf16-pair
	// kernels (each activation's high and low halves), else 1.
	perProduct int
}

// peakIters is one piece of the timed loop: 2¹⁹ iterations, about 2 ms on
// a 3–4 GHz core issuing one instruction a cycle.
const peakIters = 1 << 19

// MatMulPeak times, with the pool's threads, the instruction that bounds
// the matrix products of format f in this family (best of passes), and
// returns its rate in FLOP/s of the matrix (two per product) and the
// instruction's name; ok is false where the family has no such loop (the
// pure-Go family, the AMX tiles, arm64, the integer formats).
func (p *Pool) MatMulPeak(f Format, passes int) (flops float64, instruction string, ok bool) {
	if p.fam.peakLoop == nil {
		return 0, "", false
	}
	loop, ok := p.fam.peakLoop(f)
	if !ok {
		return 0, "", false
	}
	for i := range p.workers {
		p.workers[i].late.endBench()
	}
	// Four pieces a thread, taken as they come; RunUneven, as waiting
	// out another thread's 2 ms piece is no sign that it lost its core.
	t := peakTask{run: loop.run}
	n := 4 * p.threads
	var best float64
	for range passes {
		t0 := time.Now()
		p.RunUneven(&t, n)
		macs := float64(n) * peakIters * float64(loop.macs)
		best = max(best, 2*macs/float64(loop.perProduct)/time.Since(t0).Seconds())
	}
	return best, loop.name, true
}

// peakTask runs the loop peakIters times an index.
type peakTask struct{ run func(iters int) }

func (t *peakTask) Run(_, lo, hi int) {
	for range hi - lo {
		t.run(peakIters)
	}
}
