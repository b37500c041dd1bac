package main

import (
	"context"
	"time"

	"github.com/lfm2go/lfm2/internal/engine"
	"github.com/lfm2go/lfm2/internal/scheduler"
)

// streamedAnswer is one answer generated through the engine service.
type streamedAnswer struct {
	ids         []int32 // generated, the end-of-sequence token included
	finish      string
	err         error // with finish "error"
	usage       engine.Usage
	interrupted bool // ctx ended first: ids are what arrived until then
	timings     timings
}

// streamAnswer submits req and hands each event to show as it arrives (its
// pieces have stop strings held back and the end of sequence left out).
// When ctx ends first the answer is cut there and marked interrupted.
func streamAnswer(ctx context.Context, svc *engine.Service, req engine.Request, show func(engine.Event)) (streamedAnswer, error) {
	start := time.Now()
	events, err := svc.Submit(ctx, req)
	if err != nil {
		return streamedAnswer{}, err
	}
	var a streamedAnswer
	var first, last time.Time
	done := false
	for ev := range events {
		if ev.Token >= 0 {
			a.ids = append(a.ids, ev.Token)
			last = time.Now()
			if first.IsZero() {
				first = last
			}
		}
		show(ev)
		if ev.Done {
			done = true
			a.finish, a.err, a.usage = ev.Finish, ev.Err, ev.Usage
		}
	}
	a.interrupted = !done
	a.timings = answerTimings(len(req.Prompt), len(a.ids), start, first, last)
	return a, nil
}

// seqTimings are a finished sequence's timings (batch records), measured
// from started.
func seqTimings(q *scheduler.Sequence, started time.Time) timings {
	t := answerTimings(len(q.Prompt), len(q.Output), started, q.Timings.FirstToken, q.Timings.Finished)
	t.PreemptCount = q.Timings.Preempted
	return t
}

// answerTimings measures prefill (to the first token) and decode (the rest).
func answerTimings(promptTokens, generated int, start, first, last time.Time) timings {
	var t timings
	if first.IsZero() {
		return t
	}
	t.PrefillMS = float64(first.Sub(start).Microseconds()) / 1e3
	if t.PrefillMS > 0 {
		t.PrefillTokS = float64(promptTokens) / (t.PrefillMS / 1e3)
	}
	if generated > 1 && !last.IsZero() {
		t.DecodeMS = float64(last.Sub(first).Microseconds()) / 1e3
		if t.DecodeMS > 0 {
			t.DecodeTokS = float64(generated-1) / (t.DecodeMS / 1e3)
		}
	}
	return t
}
