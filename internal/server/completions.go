package server

import (
	"encoding/json"
	"fmt"
	"net/http"
	"time"

	"github.com/lfm2go/lfm2/internal/engine"
	"github.com/lfm2go/lfm2/internal/reply"
	"github.com/lfm2go/lfm2/internal/sample"
	"github.com/lfm2go/lfm2/internal/scheduler"
)

type completionRequest struct {
	genFields
	Prompt   json.RawMessage `json:"prompt"`
	Echo     bool            `json:"echo"`
	Logprobs *int            `json:"logprobs"`
	Suffix   *string         `json:"suffix"`
}

// completionPrompts reads "prompt": a string, a list of strings, a list of
// token ids, or a list of such lists. Text gets BOS as in plain completion.
func completionPrompts(b *Backend, raw json.RawMessage) ([][]int32, *apiError) {
	var one string
	if json.Unmarshal(raw, &one) == nil {
		if e := checkTextBytes(b, "prompt", "the prompt is", one); e != nil {
			return nil, e
		}
		return [][]int32{b.Tokenizer.Encode(one, true)}, nil
	}
	var texts []string
	if json.Unmarshal(raw, &texts) == nil && len(texts) > 0 {
		out := make([][]int32, len(texts))
		for i, t := range texts {
			if e := checkTextBytes(b, "prompt", fmt.Sprintf("prompt[%d] is", i), t); e != nil {
				return nil, e
			}
			out[i] = b.Tokenizer.Encode(t, true)
		}
		return out, nil
	}
	var ids []int32
	if json.Unmarshal(raw, &ids) == nil && len(ids) > 0 {
		return [][]int32{ids}, checkIDs(b, ids, "prompt")
	}
	var lists [][]int32
	if json.Unmarshal(raw, &lists) == nil && len(lists) > 0 {
		for i, l := range lists {
			if e := checkIDs(b, l, fmt.Sprintf("prompt[%d]", i)); e != nil {
				return nil, e
			}
		}
		return lists, nil
	}
	return nil, badRequest("prompt", "prompt: want a string, a list of strings, a list of token ids or a list of such lists")
}

func checkIDs(b *Backend, ids []int32, where string) *apiError {
	if len(ids) == 0 {
		return badRequest("prompt", "%s is empty", where)
	}
	for i, id := range ids {
		if id < 0 || int(id) >= b.VocabSize {
			return badRequest("prompt", "%s[%d]: token id %d is outside the vocabulary of %d", where, i, id, b.VocabSize)
		}
	}
	return nil
}

type completionChoice struct {
	Text         string          `json:"text"`
	Index        int             `json:"index"`
	Logprobs     *legacyLogprobs `json:"logprobs"`
	FinishReason *string         `json:"finish_reason"`
	// With return_token_ids (vLLM's extension).
	PromptTokenIDs []int32 `json:"prompt_token_ids,omitempty"`
	TokenIDs       []int32 `json:"token_ids,omitempty"`
}

// legacyLogprobs is the completions API's logprobs block.
type legacyLogprobs struct {
	Tokens        []string             `json:"tokens"`
	TokenLogprobs []*float32           `json:"token_logprobs"`
	TopLogprobs   []map[string]float32 `json:"top_logprobs"`
	TextOffset    []int                `json:"text_offset"`
}

type completionResponse struct {
	ID      string             `json:"id"`
	Object  string             `json:"object"`
	Created int64              `json:"created"`
	Model   string             `json:"model"`
	Choices []completionChoice `json:"choices"`
	Usage   json.RawMessage    `json:"usage,omitempty"`
}

func (s *Server) completions(w http.ResponseWriter, r *http.Request) *apiError {
	var req completionRequest
	if e := decodeBody(r, &req); e != nil {
		return e
	}
	b, e := s.ready()
	if e != nil {
		return e
	}
	if req.Suffix != nil && *req.Suffix != "" {
		return badRequest("suffix", "suffix (fill-in-the-middle) is not supported by LFM2 models")
	}
	if len(req.Prompt) == 0 || string(req.Prompt) == "null" {
		return badRequest("prompt", "prompt is required")
	}
	prompts, e := completionPrompts(b, req.Prompt)
	if e != nil {
		return e
	}
	top := -1
	if req.Logprobs != nil {
		if *req.Logprobs < 0 || *req.Logprobs > 20 {
			return badRequest("logprobs", "logprobs %d must be between 0 and 20", *req.Logprobs)
		}
		top = *req.Logprobs
	}
	var reqs []engine.Request
	n := 1
	for _, p := range prompts {
		base, k, e := s.request(&req.genFields, b, len(p), 16)
		if e != nil {
			return e
		}
		n = k
		base.Prompt, base.Plain = p, true
		base.Logprobs, base.TopLogprobs = top >= 0, max(top, 0)
		for i := range n {
			base.Stream = uint64(i + 1)
			reqs = append(reqs, base)
		}
	}
	events, cancel, e := submitAll(r.Context(), b.Service, reqs)
	if e != nil {
		return e
	}
	defer cancel()
	id, created := newID("cmpl-"), time.Now().Unix()
	resp := completionResponse{ID: id, Object: "text_completion", Created: created, Model: b.ModelID}
	texts := make([]string, len(reqs))
	lps := make([]*legacyLogprobs, len(reqs))
	for i, q := range reqs {
		if req.Echo {
			texts[i] = b.Tokenizer.Decode(q.Prompt, true)
		}
		if top >= 0 {
			lps[i] = &legacyLogprobs{}
			if req.Echo {
				// Prompt tokens are shown without log-probabilities: the
				// engine computes logits only where it samples.
				for _, id := range q.Prompt {
					lps[i].add(b, id, len(texts[i]), nil, nil)
				}
			}
		}
	}
	us := make([]engine.Usage, len(reqs))
	ids := make([][]int32, len(reqs))
	out := &sse{w: w}
	usageNull := json.RawMessage(nil)
	includeUsage := req.StreamOptions != nil && req.StreamOptions.IncludeUsage
	if includeUsage {
		usageNull = json.RawMessage("null")
	}
	if req.Stream && req.Echo {
		for i := range reqs {
			c := completionChoice{Text: texts[i], Index: i, Logprobs: lps[i]}
			if req.ReturnTokenIDs {
				c.PromptTokenIDs = reqs[i].Prompt
			}
			if out.send(completionResponse{ID: id, Object: "text_completion", Created: created, Model: b.ModelID, Choices: []completionChoice{c}, Usage: usageNull}) != nil {
				return nil
			}
		}
	}
	for ce := range events {
		i, ev := ce.index, ce.ev
		var text string
		for _, p := range ev.Pieces {
			if p.Kind == reply.PieceText {
				text += p.Text
			}
		}
		var lp *legacyLogprobs
		if top >= 0 && ev.Token >= 0 {
			lp = &legacyLogprobs{}
			lp.add(b, ev.Token, len(texts[i]), &ev.Logprob, ev.Top)
			lps[i].add(b, ev.Token, len(texts[i]), &ev.Logprob, ev.Top)
		}
		texts[i] += text
		if ev.Token >= 0 {
			ids[i] = append(ids[i], ev.Token)
		}
		if ev.Done {
			us[i] = ev.Usage
		}
		if !req.Stream {
			if ev.Done && ev.Finish == "error" {
				return choiceError(&choice{err: ev.Err})
			}
			if ev.Done && ev.Finish == scheduler.FinishAbort && r.Context().Err() == nil {
				return errShutdown()
			}
			if ev.Done {
				reason := finishReason(ev.Finish, false)
				resp.Choices = append(resp.Choices, completionChoice{Index: i, FinishReason: &reason})
			}
			continue
		}
		if ev.Done && ev.Finish == scheduler.FinishAbort {
			if r.Context().Err() == nil { // aborted by a shutdown, not by the client
				out.error(errShutdown())
				out.done()
			}
			return nil
		}
		if ev.Done && ev.Finish == "error" {
			out.error(choiceError(&choice{err: ev.Err}))
			out.done()
			return nil
		}
		c := completionChoice{Text: text, Index: i, Logprobs: lp}
		if req.ReturnTokenIDs && ev.Token >= 0 {
			c.TokenIDs = []int32{ev.Token}
		}
		if ev.Done {
			reason := finishReason(ev.Finish, false)
			c.FinishReason = &reason
		}
		if text == "" && lp == nil && c.TokenIDs == nil && !ev.Done {
			continue
		}
		if out.send(completionResponse{ID: id, Object: "text_completion", Created: created, Model: b.ModelID, Choices: []completionChoice{c}, Usage: usageNull}) != nil {
			return nil
		}
	}
	if r.Context().Err() != nil {
		return nil
	}
	u, _ := json.Marshal(totalUsage(us, n))
	if req.Stream {
		if includeUsage {
			out.send(completionResponse{ID: id, Object: "text_completion", Created: created, Model: b.ModelID, Choices: []completionChoice{}, Usage: u})
		}
		out.done()
		return nil
	}
	// Choices arrive in finishing order: put them in index order.
	ordered := make([]completionChoice, len(reqs))
	for _, c := range resp.Choices {
		c.Text, c.Logprobs = texts[c.Index], lps[c.Index]
		if req.ReturnTokenIDs {
			c.PromptTokenIDs, c.TokenIDs = reqs[c.Index].Prompt, ids[c.Index]
		}
		ordered[c.Index] = c
	}
	resp.Choices, resp.Usage = ordered, u
	writeJSON(w, http.StatusOK, resp)
	return nil
}

// add appends one token; lp nil marks a token without a log-probability.
func (l *legacyLogprobs) add(b *Backend, id int32, offset int, lp *float32, top []sample.TokenLogprob) {
	text, _ := tokenText(b.Tokenizer, id)
	l.Tokens = append(l.Tokens, text)
	l.TextOffset = append(l.TextOffset, offset)
	if lp == nil {
		l.TokenLogprobs = append(l.TokenLogprobs, nil)
		l.TopLogprobs = append(l.TopLogprobs, nil)
		return
	}
	v := *lp
	l.TokenLogprobs = append(l.TokenLogprobs, &v)
	m := map[string]float32{}
	for _, t := range top {
		s, _ := tokenText(b.Tokenizer, t.Token)
		if _, dup := m[s]; !dup {
			m[s] = t.Logprob
		}
	}
	l.TopLogprobs = append(l.TopLogprobs, m)
}
