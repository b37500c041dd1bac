package server

import (
	"context"
	"encoding/json"
	"net/http"
	"time"

	"github.com/lfm2go/lfm2/internal/engine"
	"github.com/lfm2go/lfm2/internal/grammar"
	"github.com/lfm2go/lfm2/internal/reply"
	"github.com/lfm2go/lfm2/internal/scheduler"
	"github.com/lfm2go/lfm2/internal/tokenizer"
)

type chatRequest struct {
	genFields
	Messages           []json.RawMessage          `json:"messages"`
	Tools              []json.RawMessage          `json:"tools"`
	ToolChoice         json.RawMessage            `json:"tool_choice"`
	ParallelToolCalls  *bool                      `json:"parallel_tool_calls"`
	Logprobs           bool                       `json:"logprobs"`
	TopLogprobs        *int                       `json:"top_logprobs"`
	ChatTemplateKwargs map[string]json.RawMessage `json:"chat_template_kwargs"`
}

// chatPrompt renders the conversation with the model's chat template.
func chatPrompt(b *Backend, req *chatRequest) ([]int32, *apiError) {
	if len(req.Messages) == 0 {
		return nil, badRequest("messages", "messages must be a non-empty list")
	}
	ct := b.Tokenizer.ChatTemplate()
	if ct == nil {
		return nil, badRequest("messages", "the model has no chat template; use /v1/completions")
	}
	msgs := make([]tokenizer.Message, len(req.Messages))
	for i, raw := range req.Messages {
		var m tokenizer.Message
		err := json.Unmarshal(raw, &m)
		if err == nil {
			// OpenAI's wire form is not what templates read: string tool
			// call arguments, null content, text parts for a template
			// that reads a string (see tokenizer/serverform.go).
			m, err = m.ServerForm(!ct.TakesContentParts())
		}
		if err != nil {
			return nil, badRequest("messages", "messages[%d]: %v", i, err)
		}
		msgs[i] = m
	}
	tc, e := toolsFor(req.Tools, req.ToolChoice)
	if e != nil {
		return nil, e
	}
	text, err := ct.Render(tokenizer.Conversation{Messages: msgs, Tools: tc.tools, AddGenerationPrompt: true, Extra: req.ChatTemplateKwargs})
	if err != nil {
		return nil, badRequest("messages", "the chat template refused the conversation: %v", err)
	}
	if e := checkTextBytes(b, "messages", "the conversation renders to", text); e != nil {
		return nil, e
	}
	return b.Tokenizer.Encode(text, false), nil // the template writes BOS itself
}

// toolChoice is what tool_choice asks: the tools the model is shown, and
// when a call is forced, the grammar of the call block.
type toolChoice struct {
	tools  []json.RawMessage
	forced bool   // "required" or a named function
	name   string // the named function
	defs   []grammar.Tool
}

// toolsFor applies tool_choice: "none" hides the tools from the model,
// "auto" (the default) shows them, "required" and {"type": "function",
// "function": {"name": …}} force one call block in the model's syntax.
func toolsFor(tools []json.RawMessage, choice json.RawMessage) (toolChoice, *apiError) {
	tc := toolChoice{tools: tools}
	for i, t := range tools {
		var def struct {
			Type     string `json:"type"`
			Function *struct {
				Name       string          `json:"name"`
				Parameters json.RawMessage `json:"parameters"`
			} `json:"function"`
		}
		if json.Unmarshal(t, &def) != nil || def.Function == nil || def.Function.Name == "" {
			return tc, badRequest("tools", "tools[%d]: want {\"type\": \"function\", \"function\": {\"name\": …, \"parameters\": …}}", i)
		}
		tc.defs = append(tc.defs, grammar.Tool{Name: def.Function.Name, Parameters: def.Function.Parameters})
	}
	if len(choice) == 0 || string(choice) == "null" {
		return tc, nil
	}
	var mode string
	if json.Unmarshal(choice, &mode) == nil {
		switch mode {
		case "auto":
			return tc, nil
		case "none":
			tc.tools = nil
			return tc, nil
		case "required":
			tc.forced = true
		default:
			return tc, badRequest("tool_choice", "tool_choice %q is not one of none, auto, required", mode)
		}
	} else {
		var named struct {
			Function struct {
				Name string `json:"name"`
			} `json:"function"`
		}
		if json.Unmarshal(choice, &named) != nil || named.Function.Name == "" {
			return tc, badRequest("tool_choice", `tool_choice: want "none", "auto", "required" or {"type": "function", "function": {"name": …}}`)
		}
		tc.forced, tc.name = true, named.Function.Name
	}
	if len(tools) == 0 {
		return tc, badRequest("tool_choice", "tool_choice forces a call but no tools are given")
	}
	return tc, nil
}

type chatMessage struct {
	Role             string     `json:"role"`
	Content          *string    `json:"content"`
	ReasoningContent string     `json:"reasoning_content,omitempty"`
	ToolCalls        []toolCall `json:"tool_calls,omitempty"`
}

type chatChoice struct {
	Index        int          `json:"index"`
	Message      chatMessage  `json:"message"`
	Logprobs     *logprobList `json:"logprobs"`
	FinishReason string       `json:"finish_reason"`
	TokenIDs     []int32      `json:"token_ids,omitempty"` // return_token_ids (vLLM's extension)
}

type logprobList struct {
	Content []tokenLogprob `json:"content"`
}

type chatResponse struct {
	ID      string       `json:"id"`
	Object  string       `json:"object"`
	Created int64        `json:"created"`
	Model   string       `json:"model"`
	Choices []chatChoice `json:"choices"`
	Usage   usage        `json:"usage"`
	// PromptTokenIDs is set with return_token_ids (vLLM's extension).
	PromptTokenIDs []int32 `json:"prompt_token_ids,omitempty"`
}

func (s *Server) chatCompletions(w http.ResponseWriter, r *http.Request) *apiError {
	var req chatRequest
	if e := decodeBody(r, &req); e != nil {
		return e
	}
	b, e := s.ready()
	if e != nil {
		return e
	}
	prompt, e := chatPrompt(b, &req)
	if e != nil {
		return e
	}
	base, n, e := s.request(&req.genFields, b, len(prompt), 0)
	if e != nil {
		return e
	}
	base.Prompt = prompt
	if tc, _ := toolsFor(req.Tools, req.ToolChoice); tc.forced {
		if base.Grammar != nil {
			return badRequest("tool_choice", "a forced tool call cannot be combined with response_format or grammar")
		}
		single := req.ParallelToolCalls != nil && !*req.ParallelToolCalls
		g, err := b.Service.Constraints().CompileToolCalls(tc.defs, tc.name, single)
		if err != nil {
			return badRequest("tool_choice", "%v", err)
		}
		base.Grammar, base.ToolCall = g, true
	}
	if req.TopLogprobs != nil {
		if *req.TopLogprobs < 0 || *req.TopLogprobs > 20 {
			return badRequest("top_logprobs", "top_logprobs %d must be between 0 and 20", *req.TopLogprobs)
		}
		if !req.Logprobs {
			return badRequest("top_logprobs", "top_logprobs needs logprobs: true")
		}
		base.TopLogprobs = *req.TopLogprobs
	}
	base.Logprobs = req.Logprobs
	reqs := make([]engine.Request, n)
	for i := range reqs {
		reqs[i] = base
		reqs[i].Stream = uint64(i + 1)
	}
	events, cancel, e := submitAll(r.Context(), b.Service, reqs)
	if e != nil {
		return e
	}
	defer cancel()
	id, created := newID("chatcmpl-"), time.Now().Unix()
	if req.Stream {
		s.streamChat(r.Context(), w, b, events, streamOptions{n: n, id: id, created: created, logprobs: req.Logprobs,
			usage: req.StreamOptions != nil && req.StreamOptions.IncludeUsage, tokenIDs: req.ReturnTokenIDs})
		return nil
	}
	choices := make([]choice, n)
	for ce := range events {
		choices[ce.index].add(ce.ev, b, req.Logprobs)
	}
	if r.Context().Err() != nil {
		return nil // the client is gone
	}
	for i := range choices {
		if choices[i].finish == scheduler.FinishAbort {
			return errShutdown()
		}
	}
	resp := chatResponse{ID: id, Object: "chat.completion", Created: created, Model: b.ModelID}
	us := make([]engine.Usage, n)
	for i := range choices {
		c := &choices[i]
		if c.finish == "error" {
			return choiceError(c)
		}
		msg := chatMessage{Role: "assistant", ReasoningContent: c.reasoning.String(), ToolCalls: c.calls}
		if text := c.text.String(); text != "" || len(c.calls) == 0 {
			msg.Content = &text
		}
		cc := chatChoice{Index: i, Message: msg, FinishReason: c.finish}
		if req.ReturnTokenIDs {
			cc.TokenIDs = c.ids
		}
		if req.Logprobs {
			cc.Logprobs = &logprobList{Content: c.logprobs}
		}
		resp.Choices = append(resp.Choices, cc)
		us[i] = c.usage
	}
	resp.Usage = totalUsage(us, n)
	if req.ReturnTokenIDs {
		resp.PromptTokenIDs = prompt
	}
	writeJSON(w, http.StatusOK, resp)
	return nil
}

// Streaming chunks.
type chatChunk struct {
	ID      string            `json:"id"`
	Object  string            `json:"object"`
	Created int64             `json:"created"`
	Model   string            `json:"model"`
	Choices []chatChunkChoice `json:"choices"`
	Usage   json.RawMessage   `json:"usage,omitempty"`
}

type chatChunkChoice struct {
	Index        int          `json:"index"`
	Delta        chatDelta    `json:"delta"`
	Logprobs     *logprobList `json:"logprobs"`
	FinishReason *string      `json:"finish_reason"`
	TokenIDs     []int32      `json:"token_ids,omitempty"`
}

type chatDelta struct {
	Role             string     `json:"role,omitempty"`
	Content          *string    `json:"content,omitempty"`
	ReasoningContent string     `json:"reasoning_content,omitempty"`
	ToolCalls        []toolCall `json:"tool_calls,omitempty"`
}

// streamOptions say what a chat stream carries.
type streamOptions struct {
	n        int
	id       string
	created  int64
	logprobs bool // choices' logprobs
	usage    bool // stream_options.include_usage
	tokenIDs bool // return_token_ids
}

// streamChat writes a chat answer as OpenAI's chunks. A token's logprob and
// id go out with the first chunk after it (a token inside a tool call, or
// text held back for a stop string, has none of its own).
func (s *Server) streamChat(ctx context.Context, w http.ResponseWriter, b *Backend, events <-chan choiceEvent, o streamOptions) {
	out := &sse{w: w}
	nullUsage := json.RawMessage(nil)
	if o.usage {
		nullUsage = json.RawMessage("null")
	}
	chunk := func(c chatChunkChoice) chatChunk {
		return chatChunk{ID: o.id, Object: "chat.completion.chunk", Created: o.created, Model: b.ModelID,
			Choices: []chatChunkChoice{c}, Usage: nullUsage}
	}
	empty := ""
	for i := range o.n {
		if out.send(chunk(chatChunkChoice{Index: i, Delta: chatDelta{Role: "assistant", Content: &empty}})) != nil {
			return
		}
	}
	calls := make([]int, o.n) // tool calls sent per choice, for their indexes
	us := make([]engine.Usage, o.n)
	pendingLP := make([][]tokenLogprob, o.n) // of tokens not yet sent
	pendingIDs := make([][]int32, o.n)
	attach := func(c *chatChunkChoice) {
		i := c.Index
		if o.logprobs && (len(pendingLP[i]) > 0 || c.FinishReason == nil) {
			c.Logprobs, pendingLP[i] = &logprobList{Content: pendingLP[i]}, nil
		}
		if o.tokenIDs {
			c.TokenIDs, pendingIDs[i] = pendingIDs[i], nil
		}
	}
	for ce := range events {
		i, ev := ce.index, ce.ev
		if ev.Token >= 0 {
			if o.logprobs {
				pendingLP[i] = append(pendingLP[i], chatLogprob(b.Tokenizer, ev.Token, ev.Logprob, ev.Top))
			}
			pendingIDs[i] = append(pendingIDs[i], ev.Token)
		}
		for _, p := range ev.Pieces {
			var d chatDelta
			switch p.Kind {
			case reply.PieceText:
				text := p.Text
				d.Content = &text
			case reply.PieceReasoning:
				d.ReasoningContent = p.Text
			case reply.PieceCalls:
				d.ToolCalls = openAICalls(p.Calls)
				for k := range d.ToolCalls {
					idx := calls[i] + k
					d.ToolCalls[k].Index = &idx
				}
				calls[i] += len(d.ToolCalls)
			}
			c := chatChunkChoice{Index: i, Delta: d}
			attach(&c)
			if out.send(chunk(c)) != nil {
				return
			}
		}
		if !ev.Done {
			continue
		}
		if ev.Finish == scheduler.FinishAbort {
			if ctx.Err() == nil { // aborted by a shutdown, not by the client
				out.error(errShutdown())
				out.done()
			}
			return
		}
		reason := finishReason(ev.Finish, calls[i] > 0)
		if reason == "error" {
			c := choice{err: ev.Err}
			out.error(choiceError(&c))
			out.done()
			return
		}
		c := chatChunkChoice{Index: i, FinishReason: &reason}
		attach(&c)
		if out.send(chunk(c)) != nil {
			return
		}
		us[i] = ev.Usage
	}
	if o.usage {
		u, _ := json.Marshal(totalUsage(us, o.n))
		out.send(chatChunk{ID: o.id, Object: "chat.completion.chunk", Created: o.created, Model: b.ModelID,
			Choices: []chatChunkChoice{}, Usage: u})
	}
	out.done()
}
