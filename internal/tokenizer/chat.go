package tokenizer

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/lfm2go/lfm2/internal/jinja"
)

// Chat templates are rendered by internal/jinja, which reproduces Python
// Jinja2 under transformers' settings byte for byte: a model sees exactly
// the prompt text it was trained on, whatever template its files carry.

// The current published templates, for models built in memory (synthetic:).
var (
	//go:embed templates/lfm2-v2.jinja
	lfm2Template string
	//go:embed templates/lfm2.5-v2.jinja
	lfm25Template string
)

// Message is one chat turn in OpenAI form. Role and Content are read for
// the engine's own use; the whole object as given (tool_calls,
// reasoning_content, thinking, name, tool_call_id, image parts, any other
// field) reaches the template unchanged, with its key order.
type Message struct {
	Role    string
	Content json.RawMessage // nil when absent
	raw     json.RawMessage
}

// UnmarshalJSON keeps the object and checks it has a string role.
func (m *Message) UnmarshalJSON(b []byte) error {
	var f struct {
		Role    *string         `json:"role"`
		Content json.RawMessage `json:"content"`
	}
	if err := json.Unmarshal(b, &f); err != nil {
		return fmt.Errorf("a message must be a JSON object with a role: %w", err)
	}
	if f.Role == nil {
		return fmt.Errorf(`a message has no "role"`)
	}
	m.Role, m.Content, m.raw = *f.Role, f.Content, append(json.RawMessage(nil), b...)
	return nil
}

// MarshalJSON writes the message as it was given.
func (m Message) MarshalJSON() ([]byte, error) {
	if m.raw != nil {
		return m.raw, nil
	}
	return json.Marshal(map[string]any{"role": m.Role, "content": m.Content})
}

// TextMessage makes a message with string content.
func TextMessage(role, content string) Message {
	m, _ := NewMessage(map[string]any{"role": role, "content": content})
	return m
}

// NewMessage builds a message from fields, in the order OpenAI writes them
// (role, content, then the rest by name).
func NewMessage(fields map[string]any) (Message, error) {
	var b bytes.Buffer
	b.WriteByte('{')
	keys := []string{"role", "content"}
	for k := range fields {
		if k != "role" && k != "content" {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys[2:])
	first := true
	for _, k := range keys {
		v, ok := fields[k]
		if !ok {
			continue
		}
		if !first {
			b.WriteByte(',')
		}
		first = false
		kb, _ := json.Marshal(k)
		vb, err := json.Marshal(v)
		if err != nil {
			return Message{}, fmt.Errorf("message field %s: %w", k, err)
		}
		b.Write(kb)
		b.WriteByte(':')
		b.Write(vb)
	}
	b.WriteByte('}')
	var m Message
	err := m.UnmarshalJSON(b.Bytes())
	return m, err
}

// Conversation is the input of a chat template: messages, OpenAI tool
// definitions, the generation prompt flag, and any other variable the
// template reads (transformers passes extra keyword arguments through,
// e.g. preserve_thinking).
type Conversation struct {
	Messages            []Message
	Tools               []json.RawMessage
	AddGenerationPrompt bool
	Extra               map[string]json.RawMessage
}

// UnmarshalJSON reads {"messages": [...], "tools": [...],
// "add_generation_prompt": bool, ...}; other keys become template variables.
func (c *Conversation) UnmarshalJSON(b []byte) error {
	var f map[string]json.RawMessage
	if err := json.Unmarshal(b, &f); err != nil {
		return err
	}
	*c = Conversation{}
	for k, v := range f {
		var err error
		switch k {
		case "messages":
			err = json.Unmarshal(v, &c.Messages)
		case "tools":
			if !isNull(v) {
				err = json.Unmarshal(v, &c.Tools)
			}
		case "add_generation_prompt":
			err = json.Unmarshal(v, &c.AddGenerationPrompt)
		default:
			if c.Extra == nil {
				c.Extra = map[string]json.RawMessage{}
			}
			c.Extra[k] = v
		}
		if err != nil {
			return fmt.Errorf("%q: %w", k, err)
		}
	}
	return nil
}

// ChatTemplate renders conversations into prompt text.
type ChatTemplate struct {
	name     string // where it came from, for error messages
	source   string
	main     *jinja.Template
	toolUse  *jinja.Template // tokenizer_config's "tool_use" template, used when tools are given
	specials map[string]string
	parts    bool // the template reads content given as a list of parts (takesContentParts)
}

// ParseChatTemplate parses a template's source; name says where it came
// from (a file name) in error messages.
func ParseChatTemplate(name, src string) (*ChatTemplate, error) {
	t, err := jinja.Parse(name, src)
	if err != nil {
		return nil, fmt.Errorf("chat template: %w", err)
	}
	return &ChatTemplate{name: name, source: src, main: t, specials: map[string]string{}, parts: takesContentParts(t)}, nil
}

// takesContentParts renders a conversation of one user message whose
// content is a list of one text part, and reports whether the template
// wrote the part's text (it reads parts, as LFM2.5's templates do) rather
// than the list printed as JSON or an error (it reads content as a
// string, as LFM2's do). vLLM asks the same of a template, from its
// syntax tree, to choose the form it passes content in.
func takesContentParts(t *jinja.Template) bool {
	const probe = "lfm2-content-part-probe"
	msg, err := jinja.FromJSON([]byte(`{"role": "user", "content": [{"type": "text", "text": "` + probe + `"}]}`))
	if err != nil {
		return false
	}
	out, err := t.Render(map[string]jinja.Value{"messages": []jinja.Value{msg}, "tools": nil,
		"add_generation_prompt": false, "bos_token": "", "eos_token": ""})
	return err == nil && strings.Contains(out, probe) && !strings.Contains(out, `"type"`)
}

// TakesContentParts reports whether the template reads message content
// given as a list of {"type": "text", …} parts; if not, it reads content
// as a string, and a server joins the parts' text first (ServerForm).
func (c *ChatTemplate) TakesContentParts() bool { return c.parts }

// parseTemplateList reads tokenizer_config.json's chat_template when it is
// a list of {"name", "template"}: "default" is the template, "tool_use" is
// used when tools are given (as transformers chooses).
func parseTemplateList(raw json.RawMessage) (*ChatTemplate, error) {
	var list []struct {
		Name     string `json:"name"`
		Template string `json:"template"`
	}
	if err := json.Unmarshal(raw, &list); err != nil {
		return nil, fmt.Errorf("chat_template must be a string or a list of {name, template}: %w", err)
	}
	byName := map[string]string{}
	for _, e := range list {
		byName[e.Name] = e.Template
	}
	src, ok := byName["default"]
	if !ok {
		names := make([]string, 0, len(list))
		for _, e := range list {
			names = append(names, e.Name)
		}
		return nil, fmt.Errorf("chat_template lists templates %s but none named \"default\"", strings.Join(names, ", "))
	}
	ct, err := ParseChatTemplate("tokenizer_config.json chat_template \"default\"", src)
	if err != nil {
		return nil, err
	}
	if tu, ok := byName["tool_use"]; ok {
		if ct.toolUse, err = jinja.Parse("tokenizer_config.json chat_template \"tool_use\"", tu); err != nil {
			return nil, fmt.Errorf("chat template: %w", err)
		}
	}
	return ct, nil
}

// Uses reports whether the template's source mentions name (used to tell
// template families apart, e.g. LFM2.5's preserve_thinking).
func (c *ChatTemplate) Uses(name string) bool { return strings.Contains(c.source, name) }

// Name says where the template came from.
func (c *ChatTemplate) Name() string { return c.name }

// Render produces the prompt exactly as HF's apply_chat_template(tokenize=False)
// does. The text starts with BOS: encode it without adding special tokens.
// A template that raises, or uses something the engine does not support,
// gives an error naming the template and line.
func (c *ChatTemplate) Render(conv Conversation) (string, error) {
	vars := map[string]jinja.Value{}
	for k, v := range c.specials {
		vars[k] = v
	}
	msgs := make([]jinja.Value, len(conv.Messages))
	for i, m := range conv.Messages {
		b, err := m.MarshalJSON()
		if err != nil {
			return "", err
		}
		if msgs[i], err = jinja.FromJSON(b); err != nil {
			return "", fmt.Errorf("message %d: %w", i, err)
		}
	}
	vars["messages"] = msgs
	vars["tools"] = nil
	if conv.Tools != nil {
		tools := make([]jinja.Value, len(conv.Tools))
		for i, raw := range conv.Tools {
			v, err := jinja.FromJSON(raw)
			if err != nil {
				return "", fmt.Errorf("tool %d: %w", i, err)
			}
			tools[i] = v
		}
		vars["tools"] = tools
	}
	vars["add_generation_prompt"] = conv.AddGenerationPrompt
	for k, raw := range conv.Extra {
		v, err := jinja.FromJSON(raw)
		if err != nil {
			return "", fmt.Errorf("%s: %w", k, err)
		}
		vars[k] = v
	}
	t := c.main
	if len(conv.Tools) > 0 && c.toolUse != nil {
		t = c.toolUse
	}
	out, err := t.Render(vars)
	if err != nil {
		return "", fmt.Errorf("chat %w", err)
	}
	return out, nil
}
