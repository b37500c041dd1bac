// Package reply turns the tokens a model generated into what a user reads:
// the answer text, the reasoning of thinking models (<think>…</think>),
// and the tool calls between <|tool_call_start|> and <|tool_call_end|>,
// parsed. A call that does not parse stays in the text, with a warning:
// nothing the model wrote is dropped.
package reply

import (
	"fmt"
	"strings"

	"github.com/lfm2go/lfm2/internal/tokenizer"
	"github.com/lfm2go/lfm2/internal/toolcall"
)

// Reply is a generated answer split into its parts.
type Reply struct {
	Text      string
	Reasoning string
	ToolCalls []toolcall.Call
	Warnings  []string
}

// Reasoning markers (plain text in LFM2's vocabulary, tokens in some).
const (
	ThinkStart = "<think>"
	ThinkEnd   = "</think>"
)

// markerText decodes ids like the tokenizer does with special tokens
// skipped, except that the tool-call and thinking markers are kept as text.
func markerText(tok *tokenizer.Tokenizer, ids []int32) string {
	var b strings.Builder
	start := 0
	for i, id := range ids {
		if !tok.IsSpecial(id) {
			continue
		}
		b.WriteString(tok.Decode(ids[start:i], true))
		start = i + 1
		switch s := tok.Token(id); s {
		case toolcall.StartMarker, toolcall.EndMarker, ThinkStart, ThinkEnd:
			b.WriteString(s)
		}
	}
	b.WriteString(tok.Decode(ids[start:], true))
	return b.String()
}

// Split parses generated ids (without the end-of-turn token).
func Split(tok *tokenizer.Tokenizer, ids []int32) Reply {
	return SplitText(markerText(tok, ids))
}

// SplitText parses generated text in which the markers are written out.
func SplitText(text string) Reply {
	var r Reply
	if !strings.Contains(text, toolcall.StartMarker) {
		r.Reasoning, r.Text = splitThinking(text)
		return r
	}
	var kept strings.Builder
	for {
		i := strings.Index(text, toolcall.StartMarker)
		if i < 0 {
			kept.WriteString(text)
			break
		}
		kept.WriteString(text[:i])
		rest := text[i+len(toolcall.StartMarker):]
		j := strings.Index(rest, toolcall.EndMarker)
		if j < 0 {
			r.Warnings = append(r.Warnings, "an unfinished tool call (no "+toolcall.EndMarker+") is kept as text")
			kept.WriteString(text[i:])
			break
		}
		calls, err := toolcall.Parse(rest[:j])
		segment := text[i : i+len(toolcall.StartMarker)+j+len(toolcall.EndMarker)]
		if err != nil {
			r.Warnings = append(r.Warnings, fmt.Sprintf("a malformed tool call is kept as text: %v", err))
			kept.WriteString(segment)
		} else {
			r.ToolCalls = append(r.ToolCalls, calls...)
		}
		text = text[i+len(segment):]
	}
	r.Reasoning, r.Text = splitThinking(kept.String())
	if len(r.ToolCalls) > 0 {
		r.Text = strings.TrimSpace(r.Text)
	}
	return r
}

// splitThinking separates "<think>reasoning</think>answer". Text before
// </think> is reasoning (with or without the opening tag, which templates
// may have written into the prompt); an opened but unfinished block is all
// reasoning. The answer loses the whitespace after </think>, as the LFM2.5
// templates trim it.
func splitThinking(text string) (reasoning, answer string) {
	if i := strings.Index(text, ThinkEnd); i >= 0 {
		before := strings.TrimSpace(text[:i])
		if !strings.HasPrefix(before, ThinkStart) && strings.Contains(before, ThinkStart) {
			return "", text // a <think> in the middle of an answer: not a reasoning block
		}
		return strings.TrimSpace(strings.TrimPrefix(before, ThinkStart)), strings.TrimLeft(text[i+len(ThinkEnd):], " \t\r\n")
	}
	if t := strings.TrimLeft(text, " \t\r\n"); strings.HasPrefix(t, ThinkStart) {
		return strings.TrimSpace(t[len(ThinkStart):]), ""
	}
	return "", text
}
