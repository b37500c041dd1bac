package tokenizer

import (
	"encoding/json"
	"os"
	"strings"
	"testing"
)

// TestParseToolCallArguments: arguments sent as a JSON string (OpenAI's
// wire form) render exactly as the same arguments sent as an object, keys
// in the order the string holds them; objects, other roles and messages
// without calls are left as they are; a string that holds no JSON object
// is refused naming the call.
func TestParseToolCallArguments(t *testing.T) {
	src, err := os.ReadFile("../../testdata/templates/lfm2-v2.jinja")
	if err != nil {
		t.Fatal(err)
	}
	ct, err := ParseChatTemplate("lfm2-v2.jinja", string(src))
	if err != nil {
		t.Fatal(err)
	}
	msg := func(s string) Message {
		t.Helper()
		var m Message
		if err := json.Unmarshal([]byte(s), &m); err != nil {
			t.Fatal(err)
		}
		return m
	}
	render := func(ms ...Message) (string, error) {
		return ct.Render(Conversation{Messages: ms, AddGenerationPrompt: true})
	}
	user := msg(`{"role": "user", "content": "Weather in Zürich and in Paris?"}`)
	asObject := msg(`{"role": "assistant", "content": null, "tool_calls": [{"id": "c1", "type": "function", "function": {"name": "get_weather", "arguments": {"unit": "C", "city": "Zürich", "days": 2, "opts": {"a": [1, true, null]}}}}, {"type": "function", "function": {"name": "get_weather", "arguments": {"city": "Paris <&>"}}}]}`)
	asString := msg(`{"role": "assistant", "content": null, "tool_calls": [{"id": "c1", "type": "function", "function": {"name": "get_weather", "arguments": "{\"unit\": \"C\", \"city\": \"Z\u00fcrich\", \"days\": 2, \"opts\": {\"a\": [1, true, null]}}"}}, {"type": "function", "function": {"name": "get_weather", "arguments": "{\"city\": \"Paris <&>\"}"}}]}`)
	tool := msg(`{"role": "tool", "content": "{\"temp\": 18}", "arguments": "not parsed: not an assistant"}`)

	if _, err := render(user, asString, tool); err == nil {
		t.Fatal("the template took string arguments: the test shows nothing")
	}
	want, err := render(user, asObject, tool)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(want, "get_weather(unit='C', city='Zürich', days=2") {
		t.Fatalf("rendered %q", want)
	}
	parsed, err := asString.ParseToolCallArguments()
	if err != nil {
		t.Fatal(err)
	}
	got, err := render(user, parsed, tool)
	if err != nil || got != want {
		t.Fatalf("parsed string arguments render\n%q (%v), object arguments\n%q", got, err, want)
	}

	for _, m := range []Message{asObject, user, tool, msg(`{"role": "assistant", "content": "hi"}`)} {
		same, err := m.ParseToolCallArguments()
		b1, _ := m.MarshalJSON()
		b2, _ := same.MarshalJSON()
		if err != nil || string(b1) != string(b2) {
			t.Errorf("%s changed to %s (%v)", b1, b2, err)
		}
	}
	for _, bad := range []string{`"not json"`, `"[1, 2]"`, `"{\"city\": "`, `"{} {}"`} {
		m := msg(`{"role": "assistant", "tool_calls": [{"function": {"name": "f", "arguments": "{}"}}, {"function": {"name": "f", "arguments": ` + bad + `}}]}`)
		if _, err := m.ParseToolCallArguments(); err == nil || !strings.Contains(err.Error(), "tool_calls[1].function.arguments") {
			t.Errorf("arguments %s: err %v", bad, err)
		}
	}
}
