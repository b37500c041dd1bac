package tokenizer

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"strings"
)

// The LFM2 chat template is rendered natively rather than by a general Jinja
// engine: Go has no maintained Jinja implementation that reproduces Python
// Jinja's and HF's tojson output byte for byte, and one template is all LFM2
// needs. A model whose template differs is refused at render time, never
// rendered wrongly.

//go:embed templates/lfm2.jinja
var lfm2Template string

// Message is one chat turn. Content is usually a string; anything else is
// rendered as JSON (as the template's tojson does).
type Message struct {
	Role    string          `json:"role"`
	Content json.RawMessage `json:"content"`
}

// TextMessage makes a message with string content.
func TextMessage(role, content string) Message {
	b, _ := json.Marshal(content)
	return Message{Role: role, Content: b}
}

// Conversation is the input of a chat template.
type Conversation struct {
	Messages            []Message         `json:"messages"`
	Tools               []json.RawMessage `json:"tools"`
	AddGenerationPrompt bool              `json:"add_generation_prompt"`
}

// ChatTemplate renders conversations into prompt text.
type ChatTemplate struct {
	source    string
	supported bool
	bos       string
}

// ParseChatTemplate recognises the template. An unknown template parses but
// refuses to render.
func ParseChatTemplate(src string) (*ChatTemplate, error) {
	return &ChatTemplate{source: src, supported: canonical(src) == canonical(lfm2Template)}, nil
}

// canonical ignores trailing whitespace, which does not change rendering.
func canonical(s string) string {
	return strings.TrimRight(strings.ReplaceAll(s, "\r\n", "\n"), " \t\n")
}

// Supported reports whether Render will work.
func (c *ChatTemplate) Supported() bool { return c.supported }

// Render produces the prompt exactly as HF's apply_chat_template(tokenize=False)
// does. The text starts with BOS: encode it without adding special tokens.
func (c *ChatTemplate) Render(conv Conversation) (string, error) {
	if !c.supported {
		return "", fmt.Errorf("this model's chat template is not LFM2's; rendering it needs a Jinja engine this build lacks (use --raw for plain completion)")
	}
	msgs := conv.Messages
	var b strings.Builder
	b.WriteString(c.bos)
	system := ""
	if len(msgs) > 0 && msgs[0].Role == "system" {
		s, err := contentText(msgs[0].Content)
		if err != nil {
			return "", fmt.Errorf("message 0: %w", err)
		}
		system, msgs = s, msgs[1:]
	}
	if len(conv.Tools) > 0 {
		if system != "" {
			system += "\n"
		}
		system += "List of tools: <|tool_list_start|>["
		for i, tool := range conv.Tools {
			s, err := contentText(tool)
			if err != nil {
				return "", fmt.Errorf("tool %d: %w", i, err)
			}
			if i > 0 {
				system += ", "
			}
			system += s
		}
		system += "]<|tool_list_end|>"
	}
	if system != "" {
		b.WriteString("<|im_start|>system\n" + system + "<|im_end|>\n")
	}
	for i, m := range msgs {
		content, err := contentText(m.Content)
		if err != nil {
			return "", fmt.Errorf("message %d: %w", i, err)
		}
		if m.Role == "tool" {
			content = "<|tool_response_start|>" + content + "<|tool_response_end|>"
		}
		b.WriteString("<|im_start|>" + m.Role + "\n" + content + "<|im_end|>\n")
	}
	if conv.AddGenerationPrompt {
		b.WriteString("<|im_start|>assistant\n")
	}
	return b.String(), nil
}

// contentText is the string itself, or tojson of anything else.
func contentText(raw json.RawMessage) (string, error) {
	if len(raw) == 0 {
		return "null", nil // a missing content renders as None | tojson
	}
	var s string
	if err := json.Unmarshal(raw, &s); err == nil {
		return s, nil
	}
	return PythonJSON(raw)
}
