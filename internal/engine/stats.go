package engine

import "time"

// stepBounds are the upper bounds, in seconds, of the step-time histogram.
var stepBounds = [...]float64{0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5}

// StepBounds returns the upper bounds, in seconds, of Stats.StepBuckets.
func StepBounds() []float64 { return stepBounds[:] }

// Stats are the service's counters since it started.
type Stats struct {
	Requests         uint64 // taken by Submit
	Rejected         uint64 // refused with ErrQueueFull
	PromptTokens     uint64
	CompletionTokens uint64
	CachedTokens     uint64 // prompt tokens served from the prefix cache
	Waiting, Running int
	MaxQueue         int
	KVBlocksUsed     int
	KVBlocksTotal    int
	Steps            uint64
	StepSeconds      float64
	StepBuckets      []uint64 // per StepBounds(), then +Inf (not cumulative)
}

// Stats returns a copy of the counters.
func (s *Service) Stats() Stats {
	s.mu.Lock()
	defer s.mu.Unlock()
	st := s.stats
	st.StepBuckets = append([]uint64(nil), s.stats.StepBuckets...)
	return st
}

func (s *Service) observeStep(d time.Duration) {
	sec := d.Seconds()
	i := 0
	for i < len(stepBounds) && sec > stepBounds[i] {
		i++
	}
	s.mu.Lock()
	s.stats.Steps++
	s.stats.StepSeconds += sec
	s.stats.StepBuckets[i]++
	s.mu.Unlock()
}

// publish copies the loop's view of the queues into the shared stats.
func (s *Service) publish() {
	used, total := s.eng.KVBlocks()
	sch := s.eng.Scheduler()
	s.mu.Lock()
	s.stats.Waiting, s.stats.Running = sch.Waiting(), sch.Running()
	s.stats.KVBlocksUsed, s.stats.KVBlocksTotal = used, total
	s.mu.Unlock()
}
