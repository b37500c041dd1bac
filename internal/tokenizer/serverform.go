package tokenizer

import (
	"bytes"
	"encoding/json"
	"fmt"
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
// ServerForm makes both changes, so a client can send back the calls it
// was given. The other front ends render what they are given, as
// transformers' apply_chat_template does.

// ServerForm returns the message as an OpenAI-compatible server gives it
// to a chat template: null or absent content as "", and an assistant's
// tool call arguments sent as a JSON string replaced by the JSON object the
// string holds, every key in its place. Anything else is unchanged. A
// string that does not hold a JSON object is an error naming the call.
func (m Message) ServerForm() (Message, error) {
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
	if m.Content == nil || string(m.Content) == "null" {
		ms, ok := objectMembers(raw)
		if !ok {
			return m, nil
		}
		at := -1
		for i, mb := range ms {
			if mb.key == "content" {
				at = i
			}
		}
		if at < 0 { // absent: after the role, where OpenAI writes it
			at = 0
			for i, mb := range ms {
				if mb.key == "role" {
					at = i + 1
				}
			}
			ms = append(ms[:at], append([]member{{key: "content"}}, ms[at:]...)...)
		}
		ms[at].val = json.RawMessage(`""`)
		raw = encodeMembers(ms)
		m.Content = ms[at].val
	}
	m.raw = raw
	return m, nil
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
	ms, ok := objectMembers(raw)
	if !ok {
		return raw, nil
	}
	changed := false
	for i, m := range ms {
		if m.key != "tool_calls" {
			continue
		}
		var calls []json.RawMessage
		if json.Unmarshal(m.val, &calls) != nil {
			return raw, nil // not a list: the template decides
		}
		for j, call := range calls {
			cm, ok := objectMembers(call)
			if !ok {
				continue
			}
			for k, f := range cm {
				if f.key != "function" {
					continue
				}
				fm, ok := objectMembers(f.val)
				if !ok {
					continue
				}
				for l, a := range fm {
					var s string
					if a.key != "arguments" || json.Unmarshal(a.val, &s) != nil {
						continue
					}
					if _, isObject := objectMembers(json.RawMessage(s)); !isObject || !json.Valid([]byte(s)) {
						return nil, fmt.Errorf("tool_calls[%d].function.arguments: a string that does not hold a JSON object: %.60q", j, s)
					}
					fm[l].val = json.RawMessage(s)
					changed = true
				}
				cm[k].val = encodeMembers(fm)
			}
			calls[j] = encodeMembers(cm)
		}
		list, _ := json.Marshal(calls)
		ms[i].val = list
	}
	if !changed {
		return raw, nil
	}
	return encodeMembers(ms), nil
}
