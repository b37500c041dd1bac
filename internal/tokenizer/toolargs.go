package tokenizer

import (
	"bytes"
	"encoding/json"
	"fmt"
)

// OpenAI's API sends an assistant turn's tool call arguments as a JSON
// string ("arguments": "{\"city\": \"Paris\"}"), while chat templates read
// them as a mapping: LFM2's current templates iterate arguments.items() and
// raise on a string ("parse arguments with json.loads() before applying
// the chat template"), as transformers' apply_chat_template does. An
// OpenAI-compatible server parses them first, as vLLM and llama.cpp's
// server do, so a client can send back the calls it was given; the other
// front ends render what they are given, as transformers would.

// ParseToolCallArguments returns an assistant message with each tool
// call's string arguments replaced by the JSON object the string holds,
// every key in its place; other messages, and arguments given as objects,
// unchanged. A string that does not hold a JSON object is an error naming
// the call.
func (m Message) ParseToolCallArguments() (Message, error) {
	if m.Role != "assistant" || m.raw == nil {
		return m, nil
	}
	raw, err := parseToolCallArguments(m.raw)
	if err != nil {
		return Message{}, err
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

// parseToolCallArguments is ParseToolCallArguments on a message's JSON.
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
