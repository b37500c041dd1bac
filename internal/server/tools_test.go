package server

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/lfm2go/lfm2/internal/engine"
	"github.com/lfm2go/lfm2/internal/reply"
	"github.com/lfm2go/lfm2/internal/scheduler"
	"github.com/lfm2go/lfm2/internal/toolcall"
)

// toolEvents is what the engine sends for an answer that says a few words
// and then calls two functions (the model's own call syntax parsed by
// reply.Streamer into one PieceCalls).
func toolEvents() []engine.Event {
	calls, err := toolcall.Parse(`[get_weather(city="Paris"), add(a=2, b=3)]`)
	if err != nil {
		panic(err)
	}
	return []engine.Event{
		{Token: 10, Pieces: []reply.Piece{{Kind: reply.PieceText, Text: "Checking."}}},
		{Token: 11},
		{Token: 12, Pieces: []reply.Piece{{Kind: reply.PieceCalls, Calls: calls}}},
		{Token: 7, Done: true, Finish: scheduler.FinishStop, Usage: engine.Usage{PromptTokens: 5, CompletionTokens: 4}},
	}
}

// TestToolCallsStreamed: calls arrive as OpenAI tool_calls deltas with an
// index, an id, the function name and its arguments as a JSON string,
// and the choice finishes with "tool_calls".
func TestToolCallsStreamed(t *testing.T) {
	ts := newTestServer(t, options{})
	ch := make(chan choiceEvent)
	go func() {
		for _, ev := range toolEvents() {
			ch <- choiceEvent{0, ev}
		}
		close(ch)
	}()
	rec := httptest.NewRecorder()
	ts.srv.streamChat(context.Background(), rec, ts.b, ch, streamOptions{n: 1, id: "chatcmpl-x", created: 1})
	evs := sseEvents(t, strings.NewReader(rec.Body.String()))
	var calls []map[string]any
	var content, finish string
	for _, ev := range evs {
		for _, c := range ev["choices"].([]any) {
			c := c.(map[string]any)
			d := c["delta"].(map[string]any)
			if s, ok := d["content"].(string); ok {
				content += s
			}
			if tc, ok := d["tool_calls"].([]any); ok {
				for _, x := range tc {
					calls = append(calls, x.(map[string]any))
				}
			}
			if f, ok := c["finish_reason"].(string); ok {
				finish = f
			}
		}
	}
	if content != "Checking." || finish != "tool_calls" || len(calls) != 2 {
		t.Fatalf("content %q finish %q calls %v", content, finish, calls)
	}
	for i, c := range calls {
		fn := c["function"].(map[string]any)
		var args map[string]any
		if err := json.Unmarshal([]byte(fn["arguments"].(string)), &args); err != nil {
			t.Fatalf("call %d arguments are not a JSON string of an object: %v", i, fn["arguments"])
		}
		if int(c["index"].(float64)) != i || c["type"] != "function" || !strings.HasPrefix(c["id"].(string), "call_") {
			t.Errorf("call %d: %v", i, c)
		}
	}
	if fn := calls[0]["function"].(map[string]any); fn["name"] != "get_weather" || fn["arguments"] != `{"city":"Paris"}` {
		t.Errorf("first call %v", fn)
	}
}

// TestToolCallsWhole: the same answer unstreamed has message.tool_calls.
func TestToolCallsWhole(t *testing.T) {
	ts := newTestServer(t, options{})
	var c choice
	for _, ev := range toolEvents() {
		c.add(ev, ts.b, false)
	}
	if c.finish != "tool_calls" || len(c.calls) != 2 || c.text.String() != "Checking." {
		t.Fatalf("finish %q calls %v text %q", c.finish, c.calls, c.text.String())
	}
	if c.calls[1].Function.Name != "add" || c.calls[1].Function.Arguments != `{"a":2,"b":3}` {
		t.Fatalf("second call %+v", c.calls[1])
	}
}

// TestToolConversation: a conversation with tool definitions, an
// assistant's tool_calls and the tool's answer, as OpenAI clients send it,
// goes through the templates of LFM2 and LFM2.5 — which render the calls,
// refuse arguments given as a string, and (LFM2.5) refuse null content:
// the server gives them the object and "" (tokenizer.Message.ServerForm).
func TestToolConversation(t *testing.T) {
	for _, tmpl := range []string{"lfm2-v2.jinja", "lfm2.5-v2.jinja"} {
		t.Run(tmpl, func(t *testing.T) { toolConversation(t, "../../testdata/templates/"+tmpl) })
	}
}

func toolConversation(t *testing.T, template string) {
	ts := newTestServer(t, options{chatTemplate: template})
	tools := []any{map[string]any{"type": "function", "function": map[string]any{"name": "get_weather",
		"description": "Weather in a city", "parameters": map[string]any{"type": "object", "properties": map[string]any{"city": map[string]any{"type": "string"}}}}}}
	msgs := []any{
		map[string]any{"role": "user", "content": "Weather in Paris?"},
		map[string]any{"role": "assistant", "content": nil, "tool_calls": []any{map[string]any{"id": "call_1", "type": "function",
			"function": map[string]any{"name": "get_weather", "arguments": `{"city": "Paris"}`}}}},
		map[string]any{"role": "tool", "tool_call_id": "call_1", "content": `{"temp": 18}`},
	}
	status, out := ts.post(t, "/v1/chat/completions", map[string]any{"messages": msgs, "tools": tools, "max_tokens": 4})
	if status != 200 {
		t.Fatalf("%d %v", status, out)
	}
	// The tools reach the prompt: it is longer with them than without
	// (tool_choice "none" hides them).
	_, with := ts.post(t, "/tokenize", map[string]any{"messages": msgs, "tools": tools})
	_, without := ts.post(t, "/tokenize", map[string]any{"messages": msgs})
	if with["count"].(float64) <= without["count"].(float64) {
		t.Fatalf("tools did not reach the prompt: %v vs %v tokens", with["count"], without["count"])
	}
	// The string arguments render as the object they hold.
	asObject := append([]any(nil), msgs...)
	asObject[1] = map[string]any{"role": "assistant", "content": nil, "tool_calls": []any{map[string]any{"id": "call_1", "type": "function",
		"function": map[string]any{"name": "get_weather", "arguments": map[string]any{"city": "Paris"}}}}}
	_, fromObject := ts.post(t, "/tokenize", map[string]any{"messages": asObject, "tools": tools})
	if with["tokens"] == nil || fmt.Sprint(fromObject["tokens"]) != fmt.Sprint(with["tokens"]) {
		t.Fatalf("string arguments give %v, object arguments %v", with["tokens"], fromObject["tokens"])
	}
	// Arguments that are no JSON object are the client's error, named.
	bad := append([]any(nil), msgs...)
	bad[1] = map[string]any{"role": "assistant", "tool_calls": []any{map[string]any{"type": "function",
		"function": map[string]any{"name": "get_weather", "arguments": "city=Paris"}}}}
	status, out = ts.post(t, "/v1/chat/completions", map[string]any{"messages": bad, "max_tokens": 4})
	if status != 400 || !strings.Contains(fmt.Sprint(out), "messages[1]: tool_calls[0].function.arguments") {
		t.Fatalf("%d %v", status, out)
	}
}

// TestContentParts: a user turn sent as text parts reaches an LFM2
// template (which reads content as a string) as the parts' texts joined by
// newlines, as vLLM gives it; an LFM2.5 template reads the parts itself.
func TestContentParts(t *testing.T) {
	parts := []any{map[string]any{"type": "text", "text": "Weather"}, map[string]any{"type": "text", "text": "in Paris?"}}
	for _, c := range []struct {
		template, same string
	}{{"lfm2-v2.jinja", "Weather\nin Paris?"}, {"lfm2.5-v2.jinja", "Weatherin Paris?"}} {
		t.Run(c.template, func(t *testing.T) {
			ts := newTestServer(t, options{chatTemplate: "../../testdata/templates/" + c.template})
			_, got := ts.post(t, "/tokenize", map[string]any{"messages": []any{map[string]any{"role": "user", "content": parts}}})
			_, want := ts.post(t, "/tokenize", map[string]any{"messages": []any{map[string]any{"role": "user", "content": c.same}}})
			if want["tokens"] == nil || fmt.Sprint(got["tokens"]) != fmt.Sprint(want["tokens"]) {
				t.Fatalf("parts give %v, %q gives %v", got["tokens"], c.same, want["tokens"])
			}
			status, out := ts.post(t, "/v1/chat/completions", map[string]any{"messages": []any{map[string]any{"role": "user", "content": parts}}, "max_tokens": 2})
			if status != 200 {
				t.Fatalf("%d %v", status, out)
			}
		})
	}
}
