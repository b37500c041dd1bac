package server

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

// TestStructuredOutputThroughAPI: response_format json_schema and
// json_object, the grammar extension and a forced tool call, on the
// random-weight fixture: answers that finish with "stop" are valid, judged
// by an independent validator or parser.
func TestStructuredOutputThroughAPI(t *testing.T) {
	ts := newTestServer(t, options{})
	msgs := []map[string]any{{"role": "user", "content": "Extract the person."}}
	schema := `{"type": "object", "properties": {"name": {"type": "string", "maxLength": 12}, "age": {"type": "integer"}, "tags": {"type": "array", "items": {"enum": ["a", "b"]}, "maxItems": 2}}, "required": ["name", "age", "tags"], "additionalProperties": false}`
	doc, _ := jsonschema.UnmarshalJSON(strings.NewReader(schema))
	c := jsonschema.NewCompiler()
	c.AddResource("s.json", doc)
	v, err := c.Compile("s.json")
	if err != nil {
		t.Fatal(err)
	}
	content := func(out map[string]any) (string, string) {
		ch := out["choices"].([]any)[0].(map[string]any)
		text, _ := ch["message"].(map[string]any)["content"].(string)
		return text, ch["finish_reason"].(string)
	}
	stopped := 0
	for seed := range 6 {
		status, out := ts.post(t, "/v1/chat/completions", map[string]any{"messages": msgs, "seed": seed, "temperature": 1, "max_tokens": 150,
			"response_format": map[string]any{"type": "json_schema", "json_schema": map[string]any{"name": "person", "schema": json.RawMessage(schema), "strict": true}}})
		if status != 200 {
			t.Fatalf("%d %v", status, out)
		}
		text, finish := content(out)
		if finish != "stop" {
			continue
		}
		stopped++
		inst, err := jsonschema.UnmarshalJSON(strings.NewReader(text))
		if err != nil || v.Validate(inst) != nil {
			t.Fatalf("json_schema answer %q invalid: %v", text, err)
		}
	}
	for seed := range 4 {
		_, out := ts.post(t, "/v1/chat/completions", map[string]any{"messages": msgs, "seed": seed, "max_tokens": 300,
			"response_format": map[string]any{"type": "json_object"}})
		if text, finish := content(out); finish == "stop" {
			stopped++
			if !json.Valid([]byte(text)) {
				t.Fatalf("json_object answer %q is not JSON", text)
			}
		}
	}
	for seed := range 4 {
		_, out := ts.post(t, "/v1/completions", map[string]any{"prompt": "Color:", "seed": seed, "max_tokens": 20, "grammar": `root ::= "#" [0-9a-f]{6}`})
		ch := out["choices"].([]any)[0].(map[string]any)
		if ch["finish_reason"] == "stop" {
			stopped++
			text := ch["text"].(string)
			if len(text) != 7 || text[0] != '#' || strings.Trim(text[1:], "0123456789abcdef") != "" {
				t.Fatalf("grammar answer %q", text)
			}
		}
	}
	tools := []any{map[string]any{"type": "function", "function": map[string]any{"name": "get_weather",
		"parameters": map[string]any{"type": "object", "properties": map[string]any{"city": map[string]any{"type": "string", "maxLength": 10}}, "required": []string{"city"}}}}}
	for seed, choice := range []any{"required", map[string]any{"type": "function", "function": map[string]any{"name": "get_weather"}}} {
		for _, stream := range []bool{false, true} {
			body := map[string]any{"messages": msgs, "seed": seed, "max_tokens": 60, "tools": tools, "tool_choice": choice, "temperature": 1,
				"parallel_tool_calls": false}
			if stream {
				body["stream"] = true
				evs := stream2calls(t, ts, body)
				if len(evs) != 1 || evs[0]["function"].(map[string]any)["name"] != "get_weather" {
					t.Fatalf("streamed forced call: %v", evs)
				}
				continue
			}
			status, out := ts.post(t, "/v1/chat/completions", body)
			if status != 200 {
				t.Fatalf("%d %v", status, out)
			}
			ch := out["choices"].([]any)[0].(map[string]any)
			calls, _ := ch["message"].(map[string]any)["tool_calls"].([]any)
			if ch["finish_reason"] != "tool_calls" || len(calls) != 1 {
				t.Fatalf("forced call: %v", ch)
			}
			fn := calls[0].(map[string]any)["function"].(map[string]any)
			var args map[string]any
			if fn["name"] != "get_weather" || json.Unmarshal([]byte(fn["arguments"].(string)), &args) != nil || args["city"] == nil {
				t.Fatalf("forced call %v", fn)
			}
			stopped++
		}
	}
	if stopped < 14 {
		t.Fatalf("only %d of 18 constrained answers finished", stopped)
	}
}

// stream2calls streams a chat request and returns the tool calls it sent.
func stream2calls(t *testing.T, ts *testServer, body map[string]any) []map[string]any {
	t.Helper()
	var calls []map[string]any
	for _, ev := range stream(t, ts, "/v1/chat/completions", body) {
		for _, c := range ev["choices"].([]any) {
			d := c.(map[string]any)["delta"].(map[string]any)
			if tc, ok := d["tool_calls"].([]any); ok {
				for _, x := range tc {
					calls = append(calls, x.(map[string]any))
				}
			}
		}
	}
	return calls
}
