package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/lfm2go/lfm2/internal/reply"
	"github.com/lfm2go/lfm2/internal/tokenizer"
)

// A generated answer's record carries the text without the call, the
// parsed calls, and the reasoning; a turn stored from it renders in the
// next prompt as the templates expect.
func TestAnswerRecordsAndHistory(t *testing.T) {
	tok := loadFixtureTokenizer(t)
	out := "<think>The user wants weather.</think>Checking. <|tool_call_start|>[get_weather(city='Paris', days=2)]<|tool_call_end|>"
	text, f := splitAnswer(tok, tok.Encode(out, false), nil)
	rec, _ := json.Marshal(runRecord{Text: text, answerFields: f})
	for _, want := range []string{`"text":"Checking."`, `"reasoning":"The user wants weather."`, `"tool_calls":[{"name":"get_weather","arguments":{"city":"Paris","days":2}}]`} {
		if !strings.Contains(string(rec), want) {
			t.Errorf("record %s lacks %s", rec, want)
		}
	}
	msg, err := assistantMessage(text, f)
	if err != nil {
		t.Fatal(err)
	}
	for name, want := range map[string]string{
		// LFM2's current template renders the call back in its Pythonic form.
		"lfm2-v2.jinja": "<|im_start|>assistant\nChecking.<|tool_call_start|>[get_weather(city='Paris', days=2)]<|tool_call_end|><|im_end|>\n",
		// LFM2.5 keeps the reasoning of the turn after the last user message.
		"lfm2.5-v2.jinja": "<|im_start|>assistant\n<think>The user wants weather.</think>Checking.<|tool_call_start|>[get_weather(city='Paris', days=2)]<|tool_call_end|><|im_end|>\n",
	} {
		src, _ := readTestdata("templates", name)
		ct, err := tokenizer.ParseChatTemplate(name, src)
		if err != nil {
			t.Fatal(err)
		}
		got, err := ct.Render(tokenizer.Conversation{Messages: []tokenizer.Message{tokenizer.TextMessage("user", "Weather?"), msg}})
		if err != nil || !strings.HasSuffix(got, want) {
			t.Errorf("%s: %q, %v\nwant suffix %q", name, got, err, want)
		}
	}
}

// Streaming: reasoning between think tags on a pipe (hidden with
// --hide-reasoning), calls on their own line, a malformed call as text
// with a warning.
func TestAnswerPrinter(t *testing.T) {
	tok := loadFixtureTokenizer(t)
	for _, c := range []struct {
		out, want string
		hide      bool
		warn      bool
	}{
		{"<think>hmm</think>Answer.", "<think>hmm</think>Answer.", false, false},
		{"<think>hmm</think>Answer.", "Answer.", true, false},
		{"Sure <|tool_call_start|>[f(a=1)]<|tool_call_end|>", "Sure \n[tool call] f {\"a\":1}\n", false, false},
		{"<|tool_call_start|>[f(a=]<|tool_call_end|>", "<|tool_call_start|>[f(a=]<|tool_call_end|>", false, true},
	} {
		var b bytes.Buffer
		p := &answerPrinter{out: &b, hideReasoning: c.hide}
		s := reply.NewStreamer(tok)
		for _, id := range tok.Encode(c.out, false) {
			p.print(s.Add(id))
		}
		p.print(s.Flush())
		p.finish(true)
		if b.String() != c.want || (len(p.warnings) > 0) != c.warn {
			t.Errorf("%q: printed %q (warnings %v), want %q", c.out, b.String(), p.warnings, c.want)
		}
	}
}

func readTestdata(parts ...string) (string, error) {
	b, err := readFile(append([]string{"..", "..", "testdata"}, parts...)...)
	return string(b), err
}

func readFile(parts ...string) ([]byte, error) { return os.ReadFile(filepath.Join(parts...)) }
