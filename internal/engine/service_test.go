package engine

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/lfm2go/lfm2/internal/fixture"
	"github.com/lfm2go/lfm2/internal/model"
	"github.com/lfm2go/lfm2/internal/reply"
	"github.com/lfm2go/lfm2/internal/sample"
	"github.com/lfm2go/lfm2/internal/scheduler"
	"github.com/lfm2go/lfm2/internal/tokenizer"
)

func loadFixture(t *testing.T) (*model.Model, *tokenizer.Tokenizer) {
	t.Helper()
	m, err := model.Load(fixture.Dir("tiny-bf16"), 2)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { m.Close() })
	tok, err := tokenizer.LoadDir(fixture.Dir("tiny-bf16"))
	if err != nil {
		t.Fatal(err)
	}
	return m, tok
}

func start(t *testing.T, m *model.Model, tok *tokenizer.Tokenizer, seqs, maxQueue int) *Service {
	t.Helper()
	s, err := New(m, tok, Config{Config: scheduler.Config{
		Limits:    scheduler.Limits{MaxBatchTokens: 64, MaxSeqs: seqs},
		BlockSize: 16, KVBytes: 8 << 20,
	}, MaxQueue: maxQueue})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close(context.Background()) })
	return s
}

// result is everything a request's events said.
type result struct {
	ids    []int32
	text   string
	finish string
	usage  Usage
	events int
}

func collect(t *testing.T, ch <-chan Event) result {
	t.Helper()
	var r result
	for ev := range ch {
		r.events++
		if ev.Token >= 0 {
			r.ids = append(r.ids, ev.Token)
		}
		for _, p := range ev.Pieces {
			if p.Kind == reply.PieceText {
				r.text += p.Text
			}
		}
		if ev.Done {
			r.finish, r.usage = ev.Finish, ev.Usage
		}
	}
	if r.finish == "" {
		t.Fatal("the channel closed without a final event")
	}
	return r
}

// TestConcurrentSubmitsMatchReference: requests submitted from many
// goroutines at once get the independent reference's greedy tokens.
func TestConcurrentSubmitsMatchReference(t *testing.T) {
	m, tok := loadFixture(t)
	s := start(t, m, tok, 3, 0)
	cases := fixture.Load(t, "tiny-bf16").Cases
	var wg sync.WaitGroup
	got := make([]result, len(cases)*3)
	for i := range got {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c := cases[i%len(cases)]
			ch, err := s.Submit(context.Background(), Request{Prompt: c.IDs, MaxTokens: len(c.Greedy), IgnoreEOS: true})
			if err != nil {
				t.Error(err)
				return
			}
			got[i] = collect(t, ch)
		}()
	}
	wg.Wait()
	for i, r := range got {
		c := cases[i%len(cases)]
		if !slices.Equal(r.ids, c.Greedy) {
			t.Errorf("request %d: %v, want %v", i, r.ids, c.Greedy)
		}
		if r.finish != scheduler.FinishLength || r.usage.PromptTokens != len(c.IDs) || r.usage.CompletionTokens != len(c.Greedy) {
			t.Errorf("request %d: finish %q usage %+v", i, r.finish, r.usage)
		}
	}
}

// TestSampledAloneAndTogether: a seeded sampled request gives the same
// tokens alone and among others, whatever the arrival order.
func TestSampledAloneAndTogether(t *testing.T) {
	m, tok := loadFixture(t)
	prompts := [][]int32{{1, 5, 9, 200}, {1, 77}, {1, 300, 301, 302, 303, 304, 305, 306, 307, 308, 309, 310, 311, 312, 313, 314, 315, 316, 317}}
	req := func(i int) Request {
		return Request{Prompt: prompts[i], MaxTokens: 20, IgnoreEOS: true, Stream: uint64(i + 1),
			Sample: sample.Params{Temperature: 0.9, TopP: 0.95, Seed: 7}}
	}
	alone := make([][]int32, len(prompts))
	for i := range prompts {
		s := start(t, m, tok, 1, 0)
		ch, err := s.Submit(context.Background(), req(i))
		if err != nil {
			t.Fatal(err)
		}
		alone[i] = collect(t, ch).ids
	}
	s := start(t, m, tok, 3, 0)
	chans := make([]<-chan Event, len(prompts))
	for i := len(prompts) - 1; i >= 0; i-- {
		var err error
		if chans[i], err = s.Submit(context.Background(), req(i)); err != nil {
			t.Fatal(err)
		}
	}
	for i, ch := range chans {
		if got := collect(t, ch).ids; !slices.Equal(got, alone[i]) {
			t.Errorf("prompt %d: together %v, alone %v", i, got, alone[i])
		}
	}
}

// TestCancelFreesBlocks: cancelling a request mid-generation ends it with
// FinishAbort and gives its KV blocks back.
func TestCancelFreesBlocks(t *testing.T) {
	m, tok := loadFixture(t)
	s := start(t, m, tok, 2, 0)
	ctx, cancel := context.WithCancel(context.Background())
	ch, err := s.Submit(ctx, Request{Prompt: []int32{1, 2, 3, 4, 5}, MaxTokens: 10000, IgnoreEOS: true})
	if err != nil {
		t.Fatal(err)
	}
	for range 3 {
		<-ch // generation is under way
	}
	if st := s.Stats(); st.KVBlocksUsed == 0 {
		t.Fatalf("no KV blocks in use while generating: %+v", st)
	}
	cancel()
	for range ch { // drained and closed
	}
	deadline := time.Now().Add(10 * time.Second)
	for s.Stats().KVBlocksUsed != 0 || s.Stats().Running != 0 {
		if time.Now().After(deadline) {
			t.Fatalf("blocks not freed after cancel: %+v", s.Stats())
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// TestQueueFullAndClosed: past MaxQueue waiting requests Submit refuses;
// after Close it refuses with ErrClosed; invalid requests are refused.
func TestQueueFullAndClosed(t *testing.T) {
	m, tok := loadFixture(t)
	s := start(t, m, tok, 1, 2)
	long := Request{Prompt: []int32{1, 2, 3}, MaxTokens: 5000, IgnoreEOS: true}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var chans []<-chan Event
	full := false
	for range 10 {
		ch, err := s.Submit(ctx, long)
		if errors.Is(err, ErrQueueFull) {
			full = true
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		chans = append(chans, ch)
	}
	if !full || len(chans) > 3 {
		t.Fatalf("queue of 2 with 1 slot took %d requests (full=%v)", len(chans), full)
	}
	if _, err := s.Submit(ctx, Request{MaxTokens: 3}); !errors.As(err, new(*InvalidError)) {
		t.Fatalf("empty prompt: %v", err)
	}
	cancel()
	for _, ch := range chans {
		for range ch { // a cancelled request's channel closes
		}
	}
	s.Close(context.Background())
	if st := s.Stats(); st.KVBlocksUsed != 0 || st.Running != 0 || st.Waiting != 0 || st.Rejected == 0 {
		t.Fatalf("after cancelling everything: %+v", st)
	}
	if _, err := s.Submit(context.Background(), long); !errors.Is(err, ErrClosed) {
		t.Fatalf("after Close: %v", err)
	}
}

// TestCloseDrainsThenAborts: Close lets running requests finish, and aborts
// them when its context ends first.
func TestCloseDrainsThenAborts(t *testing.T) {
	m, tok := loadFixture(t)
	s := start(t, m, tok, 2, 0)
	short, err := s.Submit(context.Background(), Request{Prompt: []int32{1, 2}, MaxTokens: 8, IgnoreEOS: true})
	if err != nil {
		t.Fatal(err)
	}
	s.Close(context.Background())
	if r := collect(t, short); r.finish != scheduler.FinishLength || len(r.ids) != 8 {
		t.Fatalf("drained request: %q with %d tokens", r.finish, len(r.ids))
	}

	s = start(t, m, tok, 2, 0)
	long, err := s.Submit(context.Background(), Request{Prompt: []int32{1, 2}, MaxTokens: 10000, IgnoreEOS: true})
	if err != nil {
		t.Fatal(err)
	}
	<-long
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	s.Close(ctx)
	if r := collect(t, long); r.finish != scheduler.FinishAbort {
		t.Fatalf("request past the drain timeout finished %q", r.finish)
	}
}

// TestStopStrings: text stops before a stop string, which is never
// streamed, and the sequence ends there with FinishStop.
func TestStopStrings(t *testing.T) {
	m, tok := loadFixture(t)
	s := start(t, m, tok, 1, 0)
	c := fixture.Load(t, "tiny-bf16").Cases[0]
	ch, err := s.Submit(context.Background(), Request{Prompt: c.IDs, MaxTokens: len(c.Greedy), IgnoreEOS: true})
	if err != nil {
		t.Fatal(err)
	}
	full := collect(t, ch)
	want := tok.Decode(c.Greedy, true)
	if full.text != strings.TrimLeft(want, " \t\r\n") && full.text != want {
		t.Fatalf("streamed text %q, decoded %q", full.text, want)
	}
	// Stop on a piece of the middle of the answer.
	runes := []rune(full.text)
	if len(runes) < 6 {
		t.Skip("answer too short to cut")
	}
	stop := string(runes[len(runes)/2 : len(runes)/2+3])
	ch, err = s.Submit(context.Background(), Request{Prompt: c.IDs, MaxTokens: len(c.Greedy), IgnoreEOS: true, Stop: []string{stop}})
	if err != nil {
		t.Fatal(err)
	}
	cut := collect(t, ch)
	if want := full.text[:strings.Index(full.text, stop)]; cut.text != want || cut.finish != scheduler.FinishStop {
		t.Fatalf("with stop %q: %q (%s), want %q (stop)", stop, cut.text, cut.finish, want)
	}
}

func jsonUnmarshal(s string, v any) error { return json.Unmarshal([]byte(s), v) }
