package server

import (
	"encoding/json"
	"net/http"
)

// tokenizeRequest takes llama-server's "content" or vLLM's "prompt", or
// vLLM's "messages" (rendered with the chat template first).
type tokenizeRequest struct {
	Content    *string           `json:"content"`
	Prompt     *string           `json:"prompt"`
	Messages   []json.RawMessage `json:"messages"`
	Tools      []json.RawMessage `json:"tools"`
	AddSpecial *bool             `json:"add_special"`
}

func (s *Server) tokenize(w http.ResponseWriter, r *http.Request) *apiError {
	var req tokenizeRequest
	if e := decodeBody(r, &req); e != nil {
		return e
	}
	b, e := s.ready()
	if e != nil {
		return e
	}
	var ids []int32
	switch {
	case req.Messages != nil:
		ids, e = chatPrompt(b, &chatRequest{Messages: req.Messages, Tools: req.Tools})
		if e != nil {
			return e
		}
	case req.Content != nil || req.Prompt != nil:
		text := req.Content
		if text == nil {
			text = req.Prompt
		}
		// llama-server adds no special tokens unless asked; vLLM adds them
		// by default. Without the field this follows llama-server.
		ids = b.Tokenizer.Encode(*text, req.AddSpecial != nil && *req.AddSpecial)
	default:
		return badRequest("content", `give "content" (or "prompt") text, or "messages"`)
	}
	if ids == nil {
		ids = []int32{}
	}
	writeJSON(w, http.StatusOK, map[string]any{"tokens": ids, "count": len(ids), "max_model_len": b.Service.Limits().MaxContext})
	return nil
}

func (s *Server) detokenize(w http.ResponseWriter, r *http.Request) *apiError {
	var req struct {
		Tokens *[]int32 `json:"tokens"`
	}
	if e := decodeBody(r, &req); e != nil {
		return e
	}
	b, e := s.ready()
	if e != nil {
		return e
	}
	if req.Tokens == nil {
		return badRequest("tokens", `give "tokens": a list of token ids`)
	}
	for i, id := range *req.Tokens {
		if id < 0 || int(id) >= b.VocabSize {
			return badRequest("tokens", "tokens[%d]: token id %d is outside the vocabulary of %d", i, id, b.VocabSize)
		}
	}
	text := b.Tokenizer.Decode(*req.Tokens, false)
	writeJSON(w, http.StatusOK, map[string]string{"content": text, "prompt": text})
	return nil
}
