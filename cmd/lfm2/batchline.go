package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"

	"github.com/lfm2go/lfm2/internal/engine"
	"github.com/lfm2go/lfm2/internal/tokenizer"
)

// inputLine is one prompt of a batch. Optional fields override the flags.
type inputLine struct {
	ID                json.RawMessage
	Prompt            *string
	Messages          []tokenizer.Message
	Tools             []json.RawMessage
	MaxTokens         *int
	Temperature       *float32
	TopK              *int
	TopP              *float32
	MinP              *float32
	RepetitionPenalty *float32
	FrequencyPenalty  *float32
	PresencePenalty   *float32
	LogitBias         map[string]float64
	Seed              *uint64
	Stop              []string
	ResponseFormat    json.RawMessage // OpenAI's: json_object or json_schema constrain the completion
	Grammar           *string         // a GBNF grammar the completion must follow
}

// lineFieldError is a rejected line: the message, and the line's id when
// one could be read (so the error record can be matched to the input).
type lineFieldError struct {
	id  json.RawMessage
	msg string
}

func (e *lineFieldError) Error() string { return e.msg }

// lineID is the id a line without one gets: a string, so it can never
// collide with a numeric id.
func lineID(lineNo int) json.RawMessage {
	return json.RawMessage(strconv.Quote("line-" + strconv.Itoa(lineNo)))
}

// knownFields are the keys a JSONL line may have.
var knownFields = []string{"id", "prompt", "messages", "tools", "max_tokens", "temperature", "top_k", "top_p", "min_p", "repetition_penalty", "frequency_penalty", "presence_penalty", "logit_bias", "seed", "stop", "response_format", "grammar"}

// parseInputLine reads one JSONL line field by field, so that every error
// names the field in the user's terms (never a Go type) and the id is
// known even when another field is bad. unknown lists keys it ignored.
func parseInputLine(text string, lineNo int) (ln inputLine, unknown []string, err error) {
	var fields map[string]json.RawMessage
	dec := json.NewDecoder(strings.NewReader(text))
	dec.UseNumber()
	if err := dec.Decode(&fields); err != nil || fields == nil {
		var syn *json.SyntaxError
		if errors.As(err, &syn) || errors.Is(err, io.ErrUnexpectedEOF) {
			return ln, nil, &lineFieldError{msg: "invalid JSON: " + describeJSONError(err)}
		}
		return ln, nil, &lineFieldError{msg: "not a JSON object: " + describeJSONError(err)}
	}
	if dec.More() {
		return ln, nil, &lineFieldError{msg: "more than one JSON value on the line"}
	}
	ln.ID = lineID(lineNo)
	if raw, ok := fields["id"]; ok && !isJSONNull(raw) {
		switch raw[0] {
		case '"', '-', '0', '1', '2', '3', '4', '5', '6', '7', '8', '9':
			ln.ID = compactJSON(raw)
		default:
			return ln, nil, &lineFieldError{msg: `"id": want a string or a number`}
		}
	}
	bad := func(field, want string) error {
		return &lineFieldError{id: ln.ID, msg: fmt.Sprintf("%q: want %s", field, want)}
	}
	get := func(field string, dst any, want string) error {
		raw, ok := fields[field]
		if !ok || isJSONNull(raw) {
			return nil
		}
		if json.Unmarshal(raw, dst) != nil {
			return bad(field, want)
		}
		return nil
	}
	for _, f := range []struct {
		name, want string
		dst        any
	}{
		{"prompt", "a string", &ln.Prompt},
		{"max_tokens", "a whole number", &ln.MaxTokens},
		{"temperature", "a number", &ln.Temperature},
		{"top_k", "a whole number", &ln.TopK},
		{"top_p", "a number", &ln.TopP},
		{"min_p", "a number", &ln.MinP},
		{"repetition_penalty", "a number", &ln.RepetitionPenalty},
		{"frequency_penalty", "a number", &ln.FrequencyPenalty},
		{"presence_penalty", "a number", &ln.PresencePenalty},
		{"logit_bias", "an object of token ids to biases", &ln.LogitBias},
		{"seed", "a whole number ≥ 0", &ln.Seed},
		{"grammar", "a GBNF grammar (a string)", &ln.Grammar},
	} {
		if err := get(f.name, f.dst, f.want); err != nil {
			return ln, nil, err
		}
	}
	if raw, ok := fields["messages"]; ok && !isJSONNull(raw) {
		if json.Unmarshal(raw, &ln.Messages) != nil {
			return ln, nil, bad("messages", `a list of {"role": ..., "content": ...} objects`)
		}
		if ln.Messages == nil {
			ln.Messages = []tokenizer.Message{}
		}
		for i, m := range ln.Messages {
			if m.Role == "" {
				return ln, nil, &lineFieldError{id: ln.ID, msg: fmt.Sprintf(`"messages"[%d]: missing "role"`, i)}
			}
		}
	}
	if raw, ok := fields["tools"]; ok && !isJSONNull(raw) {
		if json.Unmarshal(raw, &ln.Tools) != nil {
			return ln, nil, bad("tools", "a list of tool definitions")
		}
	}
	if raw, ok := fields["response_format"]; ok && !isJSONNull(raw) {
		if _, _, err := engine.ResponseFormat(raw); err != nil {
			return ln, nil, &lineFieldError{id: ln.ID, msg: fmt.Sprintf(`"response_format": %v`, err)}
		}
		if ln.Grammar != nil {
			return ln, nil, &lineFieldError{id: ln.ID, msg: `give "grammar" or "response_format", not both`}
		}
		ln.ResponseFormat = raw
	}
	if raw, ok := fields["stop"]; ok && !isJSONNull(raw) {
		var one string
		if json.Unmarshal(raw, &one) == nil {
			ln.Stop = []string{one} // "stop": "text" means ["text"], as in OpenAI's API
		} else if json.Unmarshal(raw, &ln.Stop) != nil {
			return ln, nil, bad("stop", "a string or a list of strings")
		}
	}
	for k := range fields {
		if !slices.Contains(knownFields, k) {
			unknown = append(unknown, k)
		}
	}
	slices.Sort(unknown)
	return ln, unknown, nil
}

func isJSONNull(raw json.RawMessage) bool { return string(bytes.TrimSpace(raw)) == "null" }

// compactJSON removes insignificant space, so "id": 1 and "id":1 match on resume.
func compactJSON(raw json.RawMessage) json.RawMessage {
	var buf bytes.Buffer
	if json.Compact(&buf, raw) != nil {
		return raw
	}
	return buf.Bytes()
}

// describeJSONError turns encoding/json's syntax errors into a short
// message with the byte offset, without Go type names.
func describeJSONError(err error) string {
	switch e := err.(type) {
	case nil:
		return "null"
	case *json.SyntaxError:
		return fmt.Sprintf("%s at byte %d", e.Error(), e.Offset)
	case *json.UnmarshalTypeError:
		return fmt.Sprintf("found a JSON %s", e.Value)
	}
	if errors.Is(err, io.ErrUnexpectedEOF) {
		return "the line ends inside a value"
	}
	return err.Error()
}
