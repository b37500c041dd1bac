package tokenizer

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
)

// OpenAI-compatible servers (vLLM, llama.cpp's server) do not hand a
// request's messages to the chat template exactly as sent: OpenAI's wire
// form differs from what templates written for transformers read.
//   - An assistant turn's tool call arguments come as a JSON string
//     ("arguments": "{\"city\": \"Paris\"}"); templates read a mapping —
//     LFM2's current ones iterate arguments.items() and raise on a string
//     ("parse arguments with json.loads() before applying the chat
//     template"). The string is parsed into the object it holds.
//   - An assistant turn that only calls tools has "content": null; LFM2.5's
//     templates iterate a content that is not a string, and raise on null.
//     Null (or absent) content becomes "".
//   - Content may come as a list of {"type": "text", "text": …} parts;
//     LFM2's templates read content as a string and would print the list
//     as JSON into the prompt. For such a template (TakesContentParts
//     false) the parts' texts are joined with newlines, as vLLM joins them.
// ServerForm makes these changes, so a client's conversation renders as
// it would behind vLLM. The other front ends render what they are given,
// as transformers' apply_chat_template does.

// ServerForm returns the message as an OpenAI-compatible server gives it
// to a chat template: null or absent content as "", content of text parts
// as their texts joined by newlines when joinParts is set (the template
// reads content as a string), and an assistant's tool call arguments sent
// as a JSON string replaced by the JSON object the string holds, every key
// in its place. Anything else is unchanged. A string that does not hold a
// JSON object is an error naming the call.
func (m Message) ServerForm(joinParts bool) (Message, error) {
	if m.raw == nil {
		return m, nil
	}
	raw := m.raw
	if m.Role == "assistant" {
		var err error
		if raw, err = parseToolCallArguments(raw); err != nil {
			return Message{}, err
		}
	}
	if content, ok := serverContent(m.Content, joinParts); ok {
		raw = withContent(raw, content)
		m.Content = content
	}
	m.raw = raw
	return m, nil
}

// withContent returns a message's JSON with its content replaced, or
// written after the role where it is absent (where OpenAI writes it).
func withContent(raw, content json.RawMessage) json.RawMessage {
	ms, _ := objectMembers(raw) // a Message always holds an object
	at := -1
	for i, mb := range ms {
		if mb.key == "content" {
			at = i
		}
	}
	if at < 0 {
		at = 0
		for i, mb := range ms {
			if mb.key == "role" {
				at = i + 1
			}
		}
		ms = append(ms[:at], append([]member{{key: "content"}}, ms[at:]...)...)
	}
	ms[at].val = content
	return encodeMembers(ms)
}

// serverContent is the content a server gives the template in place of
// the content sent, and whether it differs: "" for null or absent, and
// with joinParts the texts of a list of text parts joined by newlines.
func serverContent(content json.RawMessage, joinParts bool) (json.RawMessage, bool) {
	if content == nil || string(content) == "null" {
		return json.RawMessage(`""`), true
	}
	if !joinParts {
		return nil, false
	}
	var parts []struct {
		Type string  `json:"type"`
		Text *string `json:"text"`
	}
	if json.Unmarshal(content, &parts) != nil {
		return nil, false // a string, or not a list of parts: as sent
	}
	texts := make([]string, len(parts))
	for i, p := range parts {
		if p.Type != "text" || p.Text == nil {
			return nil, false // an image or other part: the template decides
		}
		texts[i] = *p.Text
	}
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.Encode(strings.Join(texts, "\n"))
	return bytes.TrimSpace(b.Bytes()), true
}

// member is one key and value of a JSON object, in the order written.
type member struct {
	key string
	val json.RawMessage
}

// objectMembers splits a JSON object into its members in order; ok is
// false if raw is not an object.
func objectMembers(raw json.RawMessage) (ms []member, ok bool) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	if t, err := dec.Token(); err != nil || t != json.Delim('{') {
		return nil, false
	}
	for dec.More() {
		t, err := dec.Token()
		if err != nil {
			return nil, false
		}
		var v json.RawMessage
		if err := dec.Decode(&v); err != nil {
			return nil, false
		}
		ms = append(ms, member{t.(string), v})
	}
	return ms, true
}

// encodeMembers writes members back as a JSON object.
func encodeMembers(ms []member) json.RawMessage {
	var b bytes.Buffer
	b.WriteByte('{')
	for i, m := range ms {
		if i > 0 {
			b.WriteByte(',')
		}
		k, _ := json.Marshal(m.key)
		b.Write(k)
		b.WriteByte(':')
		b.Write(m.val)
	}
	b.WriteByte('}')
	return b.Bytes()
}

// parseToolCallArguments replaces, in a message's JSON, each tool call's
// arguments given as a string by the JSON object the string holds.
func parseToolCallArguments(raw json.RawMessage) (json.RawMessage, error) {
	out, _, err := editMember(raw, "tool_calls", func(v json.RawMessage) (json.RawMessage, bool, error) {
		var calls []json.RawMessage
		if json.Unmarshal(v, &calls) != nil {
			return v, false, nil // not a list: the template decides
		}
		changed := false
		for j, call := range calls {
			c, ch, err := editMember(call, "function", func(f json.RawMessage) (json.RawMessage, bool, error) {
				return editMember(f, "arguments", argumentsObject)
			})
			if err != nil {
				return nil, false, fmt.Errorf("tool_calls[%d].function.arguments: %w", j, err)
			}
			calls[j], changed = c, changed || ch
		}
		if !changed {
			return v, false, nil
		}
		list, err := json.Marshal(calls)
		return list, true, err
	})
	return out, err
}

// argumentsObject is the JSON object tool call arguments given as a string
// hold (changed), or the arguments as they are if they are not a string.
func argumentsObject(v json.RawMessage) (json.RawMessage, bool, error) {
	var s string
	if json.Unmarshal(v, &s) != nil {
		return v, false, nil
	}
	if _, isObject := objectMembers(json.RawMessage(s)); !isObject || !json.Valid([]byte(s)) {
		return nil, false, fmt.Errorf("a string that does not hold a JSON object: %.60q", s)
	}
	return json.RawMessage(s), true, nil
}

// editMember applies edit to the value of key in the JSON object raw and
// returns the object rewritten if edit changed it; raw unchanged if it is
// not an object, has no such key, or edit changed nothing.
func editMember(raw json.RawMessage, key string, edit func(json.RawMessage) (json.RawMessage, bool, error)) (json.RawMessage, bool, error) {
	ms, ok := objectMembers(raw)
	if !ok {
		return raw, false, nil
	}
	changed := false
	for i, m := range ms {
		if m.key != key {
			continue
		}
		v, ch, err := edit(m.val)
		if err != nil {
			return nil, false, err
		}
		ms[i].val, changed = v, changed || ch
	}
	if !changed {
		return raw, false, nil
	}
	return encodeMembers(ms), true, nil
}
