package tokenizer

import (
	"encoding/json"
	"os"
	"strings"
	"testing"
)

func testTemplate(t *testing.T, name string) *ChatTemplate {
	t.Helper()
	src, err := os.ReadFile("../../testdata/templates/" + name)
	if err != nil {
		t.Fatal(err)
	}
	ct, err := ParseChatTemplate(name, string(src))
	if err != nil {
		t.Fatal(err)
	}
	return ct
}

func testMessage(t *testing.T, s string) Message {
	t.Helper()
	var m Message
	if err := json.Unmarshal([]byte(s), &m); err != nil {
		t.Fatal(err)
	}
	return m
}

// TestServerFormArguments: arguments sent as a JSON string (OpenAI's wire
// form) render exactly as the same arguments sent as an object, keys in
// the order the string holds them; objects, other roles and messages
// without calls are left as they are; a string that holds no JSON object
// is refused naming the call.
func TestServerFormArguments(t *testing.T) {
	ct := testTemplate(t, "lfm2-v2.jinja")
	msg := func(s string) Message { return testMessage(t, s) }
	render := func(ms ...Message) (string, error) {
		return ct.Render(Conversation{Messages: ms, AddGenerationPrompt: true})
	}
	user := msg(`{"role": "user", "content": "Weather in Zürich and in Paris?"}`)
	asObject := msg(`{"role": "assistant", "content": "", "tool_calls": [{"id": "c1", "type": "function", "function": {"name": "get_weather", "arguments": {"unit": "C", "city": "Zürich", "days": 2, "opts": {"a": [1, true, null]}}}}, {"type": "function", "function": {"name": "get_weather", "arguments": {"city": "Paris <&>"}}}]}`)
	asString := msg(`{"role": "assistant", "content": "", "tool_calls": [{"id": "c1", "type": "function", "function": {"name": "get_weather", "arguments": "{\"unit\": \"C\", \"city\": \"Z\u00fcrich\", \"days\": 2, \"opts\": {\"a\": [1, true, null]}}"}}, {"type": "function", "function": {"name": "get_weather", "arguments": "{\"city\": \"Paris <&>\"}"}}]}`)
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
	parsed, err := asString.ServerForm(false)
	if err != nil {
		t.Fatal(err)
	}
	got, err := render(user, parsed, tool)
	if err != nil || got != want {
		t.Fatalf("parsed string arguments render\n%q (%v), object arguments\n%q", got, err, want)
	}

	for _, m := range []Message{asObject, user, tool, msg(`{"role": "assistant", "content": "hi"}`)} {
		same, err := m.ServerForm(false)
		b1, _ := m.MarshalJSON()
		b2, _ := same.MarshalJSON()
		if err != nil || string(b1) != string(b2) {
			t.Errorf("%s changed to %s (%v)", b1, b2, err)
		}
	}
	for _, bad := range []string{`"not json"`, `"[1, 2]"`, `"{\"city\": "`, `"{} {}"`} {
		m := msg(`{"role": "assistant", "content": "", "tool_calls": [{"function": {"name": "f", "arguments": "{}"}}, {"function": {"name": "f", "arguments": ` + bad + `}}]}`)
		if _, err := m.ServerForm(false); err == nil || !strings.Contains(err.Error(), "tool_calls[1].function.arguments") {
			t.Errorf("arguments %s: err %v", bad, err)
		}
	}
}

// TestServerFormContent: a calling turn's "content": null, which LFM2.5's
// templates refuse, renders as "" does; absent content is written after
// the role; present content is untouched.
func TestServerFormContent(t *testing.T) {
	ct := testTemplate(t, "lfm2.5-v2.jinja")
	user := testMessage(t, `{"role": "user", "content": "hi"}`)
	call := `"tool_calls": [{"type": "function", "function": {"name": "f", "arguments": {"a": 1}}}]`
	null := testMessage(t, `{"role": "assistant", "content": null, `+call+`}`)
	empty := testMessage(t, `{"role": "assistant", "content": "", `+call+`}`)
	render := func(m Message) (string, error) {
		return ct.Render(Conversation{Messages: []Message{user, m}, AddGenerationPrompt: true})
	}
	if _, err := render(null); err == nil {
		t.Fatal("the template took null content: the test shows nothing")
	}
	want, err := render(empty)
	if err != nil {
		t.Fatal(err)
	}
	got, err := null.ServerForm(false)
	if err != nil {
		t.Fatal(err)
	}
	if s, err := render(got); err != nil || s != want {
		t.Fatalf("null content renders %q (%v), empty content %q", s, err, want)
	}
	for _, c := range []struct{ in, want string }{
		{`{"role": "tool", "tool_call_id": "c1"}`, `{"role":"tool","content":"","tool_call_id":"c1"}`},
		{`{"tool_call_id": "c1", "role": "tool", "content": null}`, `{"tool_call_id":"c1","role":"tool","content":""}`},
		{`{"role": "user", "content": "as sent"}`, `{"role": "user", "content": "as sent"}`},
	} {
		m, err := testMessage(t, c.in).ServerForm(false)
		b, _ := m.MarshalJSON()
		if err != nil || string(b) != c.want || string(m.Content) != map[bool]string{true: `""`, false: `"as sent"`}[c.want != c.in] {
			t.Errorf("%s: %s, content %s (%v), want %s", c.in, b, m.Content, err, c.want)
		}
	}
}

// TestServerFormContentParts: LFM2's templates read content as a string
// (and print a list of parts as JSON), LFM2.5's read parts; for the former
// a server joins text parts with newlines, as vLLM does, and the message
// then renders as that string does. Parts that are not all text, and
// string content, stay as sent.
func TestServerFormContentParts(t *testing.T) {
	for name, want := range map[string]bool{"lfm2.jinja": false, "lfm2-v2.jinja": false, "lfm2.5.jinja": true, "lfm2.5-v2.jinja": true} {
		if got := testTemplate(t, name).TakesContentParts(); got != want {
			t.Errorf("%s: TakesContentParts %v, want %v", name, got, want)
		}
	}
	ct := testTemplate(t, "lfm2-v2.jinja")
	parts := testMessage(t, `{"role": "user", "content": [{"type": "text", "text": "a <b> & \"c\""}, {"type": "text", "text": "d"}], "name": "x"}`)
	joined := testMessage(t, `{"role": "user", "content": "a <b> & \"c\"\nd", "name": "x"}`)
	got, err := parts.ServerForm(true)
	if err != nil {
		t.Fatal(err)
	}
	render := func(m Message) string {
		s, err := ct.Render(Conversation{Messages: []Message{m}, AddGenerationPrompt: true})
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	if a, b := render(got), render(joined); a != b || strings.Contains(a, `"type"`) {
		t.Fatalf("joined parts render %q, the string %q", a, b)
	}
	if s := render(parts); !strings.Contains(s, `"type"`) {
		t.Fatalf("the template read the parts itself (%q): the test shows nothing", s)
	}
	for _, in := range []string{
		`{"role": "user", "content": [{"type": "text", "text": "a"}, {"type": "image_url", "image_url": {"url": "x"}}]}`,
		`{"role": "user", "content": "as sent"}`,
	} {
		m, err := testMessage(t, in).ServerForm(true)
		if b, _ := m.MarshalJSON(); err != nil || string(b) != in {
			t.Errorf("%s became %s (%v)", in, b, err)
		}
	}
	if m, _ := parts.ServerForm(false); string(m.Content) != string(parts.Content) {
		t.Errorf("parts joined for a template that reads them: %s", m.Content)
	}
}
