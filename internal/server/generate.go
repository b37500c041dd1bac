package server

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"

	"github.com/lfm2go/lfm2/internal/engine"
	"github.com/lfm2go/lfm2/internal/reply"
	"github.com/lfm2go/lfm2/internal/sample"
	"github.com/lfm2go/lfm2/internal/scheduler"
	"github.com/lfm2go/lfm2/internal/tokenizer"
	"github.com/lfm2go/lfm2/internal/toolcall"
)

// choiceEvent is an event of the choice with that index.
type choiceEvent struct {
	index int
	ev    engine.Event
}

// submitAll queues one engine request per choice and merges their events
// into one channel, closed when every choice has finished. When one
// submission is refused the others are cancelled.
func submitAll(ctx context.Context, svc *engine.Service, reqs []engine.Request) (<-chan choiceEvent, context.CancelFunc, *apiError) {
	ctx, cancel := context.WithCancel(ctx)
	chans := make([]<-chan engine.Event, len(reqs))
	for i, req := range reqs {
		ch, err := svc.Submit(ctx, req)
		if err != nil {
			cancel()
			for _, c := range chans[:i] {
				for range c {
				}
			}
			return nil, nil, submitError(err)
		}
		chans[i] = ch
	}
	merged := make(chan choiceEvent)
	done := make(chan struct{})
	for i, ch := range chans {
		go func() {
			for ev := range ch {
				select {
				case merged <- choiceEvent{i, ev}:
				case <-ctx.Done():
				}
			}
			done <- struct{}{}
		}()
	}
	go func() {
		for range chans {
			<-done
		}
		close(merged)
	}()
	return merged, cancel, nil
}

// choice accumulates one choice's answer.
type choice struct {
	text      strings.Builder
	reasoning strings.Builder
	calls     []toolCall
	logprobs  []tokenLogprob
	ids       []int32
	finish    string
	usage     engine.Usage
	err       error
	warnings  []string
}

// toolCall is a call in OpenAI's form.
type toolCall struct {
	Index    *int   `json:"index,omitempty"` // streaming deltas only
	ID       string `json:"id"`
	Type     string `json:"type"`
	Function struct {
		Name      string `json:"name"`
		Arguments string `json:"arguments"` // a JSON object, as text
	} `json:"function"`
}

func openAICalls(calls []toolcall.Call) []toolCall {
	out := make([]toolCall, len(calls))
	for i, c := range calls {
		out[i] = toolCall{ID: newID("call_"), Type: "function"}
		out[i].Function.Name, out[i].Function.Arguments = c.Name, string(c.Arguments)
	}
	return out
}

// tokenLogprob is one token's entry in a chat logprobs list.
type tokenLogprob struct {
	Token   string  `json:"token"`
	Logprob float32 `json:"logprob"`
	Bytes   []int   `json:"bytes"`
	Top     []struct {
		Token   string  `json:"token"`
		Logprob float32 `json:"logprob"`
		Bytes   []int   `json:"bytes"`
	} `json:"top_logprobs"`
}

func tokenText(tok *tokenizer.Tokenizer, id int32) (string, []int) {
	s := tok.Decode([]int32{id}, false)
	b := make([]int, len(s))
	for i := range len(s) {
		b[i] = int(s[i])
	}
	return s, b
}

func chatLogprob(tok *tokenizer.Tokenizer, id int32, lp float32, top []sample.TokenLogprob) tokenLogprob {
	e := tokenLogprob{Logprob: lp}
	e.Token, e.Bytes = tokenText(tok, id)
	e.Top = make([]struct {
		Token   string  `json:"token"`
		Logprob float32 `json:"logprob"`
		Bytes   []int   `json:"bytes"`
	}, len(top))
	for i, t := range top {
		e.Top[i].Token, e.Top[i].Bytes = tokenText(tok, t.Token)
		e.Top[i].Logprob = t.Logprob
	}
	return e
}

// add takes one event's pieces into the choice.
func (c *choice) add(ev engine.Event, b *Backend, wantLogprobs bool) {
	if ev.Token >= 0 {
		c.ids = append(c.ids, ev.Token)
		if wantLogprobs {
			c.logprobs = append(c.logprobs, chatLogprob(b.Tokenizer, ev.Token, ev.Logprob, ev.Top))
		}
	}
	for _, p := range ev.Pieces {
		switch p.Kind {
		case reply.PieceText:
			c.text.WriteString(p.Text)
		case reply.PieceReasoning:
			c.reasoning.WriteString(p.Text)
		case reply.PieceCalls:
			c.calls = append(c.calls, openAICalls(p.Calls)...)
		}
		if p.Warning != "" {
			c.warnings = append(c.warnings, p.Warning)
		}
	}
	if ev.Done {
		c.finish, c.usage, c.err = finishReason(ev.Finish, len(c.calls) > 0), ev.Usage, ev.Err
	}
}

// finishReason is OpenAI's name for how a choice ended.
func finishReason(engineReason string, calls bool) string {
	switch {
	case engineReason == scheduler.FinishStop && calls:
		return "tool_calls"
	case engineReason == scheduler.FinishError:
		return "error"
	}
	return engineReason
}

// usage is OpenAI's token count block.
type usage struct {
	PromptTokens        int `json:"prompt_tokens"`
	CompletionTokens    int `json:"completion_tokens"`
	TotalTokens         int `json:"total_tokens"`
	PromptTokensDetails struct {
		CachedTokens int `json:"cached_tokens"`
	} `json:"prompt_tokens_details"`
}

// totalUsage counts each prompt once and every choice's completion.
func totalUsage(us []engine.Usage, choicesPerPrompt int) usage {
	var u usage
	for i, x := range us {
		if i%choicesPerPrompt == 0 {
			u.PromptTokens += x.PromptTokens
			u.PromptTokensDetails.CachedTokens += x.CachedTokens
		}
		u.CompletionTokens += x.CompletionTokens
	}
	u.TotalTokens = u.PromptTokens + u.CompletionTokens
	return u
}

// sse writes server-sent events in OpenAI's framing.
type sse struct {
	w       http.ResponseWriter
	started bool
}

func (s *sse) send(v any) error {
	if !s.started {
		h := s.w.Header()
		h.Set("Content-Type", "text/event-stream")
		h.Set("Cache-Control", "no-cache")
		h.Set("Connection", "keep-alive")
		h.Set("X-Accel-Buffering", "no")
		s.w.WriteHeader(http.StatusOK)
		s.started = true
	}
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	if _, err := fmt.Fprintf(s.w, "data: %s\n\n", b); err != nil {
		return err
	}
	if f, ok := s.w.(http.Flusher); ok {
		f.Flush()
	}
	return nil
}

func (s *sse) done() {
	fmt.Fprint(s.w, "data: [DONE]\n\n")
	if f, ok := s.w.(http.Flusher); ok {
		f.Flush()
	}
}

// streamError ends a stream that had started with an error object.
func (s *sse) error(e *apiError) {
	body := map[string]any{"message": e.Message, "type": e.Type, "param": nil, "code": nil}
	s.send(map[string]any{"error": body})
}

func choiceError(c *choice) *apiError {
	msg := "generation failed"
	if c.err != nil {
		msg = "generation failed: " + c.err.Error()
	}
	return &apiError{Status: http.StatusInternalServerError, Type: "server_error", Message: msg}
}
