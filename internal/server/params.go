package server

import (
	"crypto/rand"
	"encoding/json"
	"fmt"
	"math"

	"github.com/lfm2go/lfm2/internal/engine"
	"github.com/lfm2go/lfm2/internal/grammar"
	"github.com/lfm2go/lfm2/internal/sample"
)

// genFields are the generation settings chat and plain completions share.
type genFields struct {
	Model               string             `json:"model"`
	MaxTokens           *int               `json:"max_tokens"`
	MaxCompletionTokens *int               `json:"max_completion_tokens"`
	Temperature         *float32           `json:"temperature"`
	TopP                *float32           `json:"top_p"`
	TopK                *int               `json:"top_k"`
	MinP                *float32           `json:"min_p"`
	RepetitionPenalty   *float32           `json:"repetition_penalty"`
	PresencePenalty     *float32           `json:"presence_penalty"`
	FrequencyPenalty    *float32           `json:"frequency_penalty"`
	LogitBias           map[string]float64 `json:"logit_bias"`
	Seed                *int64             `json:"seed"`
	Stop                json.RawMessage    `json:"stop"`
	N                   *int               `json:"n"`
	Stream              bool               `json:"stream"`
	StreamOptions       *struct {
		IncludeUsage bool `json:"include_usage"`
	} `json:"stream_options"`
	IgnoreEOS      bool            `json:"ignore_eos"`
	Grammar        *string         `json:"grammar"`          // llama-server's extension: a GBNF grammar
	ReturnTokenIDs bool            `json:"return_token_ids"` // vLLM's extension: the ids of prompt and answer
	ResponseFormat json.RawMessage `json:"response_format"`
}

// request turns the fields into an engine request for a prompt of
// promptLen tokens (Prompt is left for the caller), and the number of
// choices; defaultMax is the max_tokens of a request that sets none
// (0: the rest of the context).
func (s *Server) request(g *genFields, b *Backend, promptLen, defaultMax int) (req engine.Request, n int, e *apiError) {
	req = engine.Request{Sample: b.Defaults, IgnoreEOS: g.IgnoreEOS}
	p := &req.Sample
	if v := g.Temperature; v != nil {
		if *v < 0 || math.IsNaN(float64(*v)) {
			return req, 0, badRequest("temperature", "temperature %v must be ≥ 0", *v)
		}
		p.Temperature = *v
	}
	if v := g.TopP; v != nil {
		if !(*v > 0 && *v <= 1) {
			return req, 0, badRequest("top_p", "top_p %v must be in (0, 1]", *v)
		}
		p.TopP = *v
	}
	if v := g.TopK; v != nil {
		if *v < -1 {
			return req, 0, badRequest("top_k", "top_k %d must be ≥ 0 (0 or -1: off)", *v)
		}
		p.TopK = max(*v, 0)
	}
	if v := g.MinP; v != nil {
		if !(*v >= 0 && *v <= 1) {
			return req, 0, badRequest("min_p", "min_p %v must be in [0, 1]", *v)
		}
		p.MinP = *v
	}
	if v := g.RepetitionPenalty; v != nil {
		if !(*v > 0) {
			return req, 0, badRequest("repetition_penalty", "repetition_penalty %v must be > 0", *v)
		}
		p.RepetitionPenalty = *v
	}
	if v := g.FrequencyPenalty; v != nil {
		if !sample.PenaltyInRange(*v) {
			return req, 0, badRequest("frequency_penalty", "frequency_penalty %v must be in [-2, 2]", *v)
		}
		p.FrequencyPenalty = *v
	}
	if v := g.PresencePenalty; v != nil {
		if !sample.PenaltyInRange(*v) {
			return req, 0, badRequest("presence_penalty", "presence_penalty %v must be in [-2, 2]", *v)
		}
		p.PresencePenalty = *v
	}
	if g.LogitBias != nil {
		bias, err := sample.ParseLogitBias(g.LogitBias, b.VocabSize)
		if err != nil {
			return req, 0, badRequest("logit_bias", "logit_bias: %v", err)
		}
		p.LogitBias = bias
	}
	if g.Seed != nil {
		p.Seed = uint64(*g.Seed)
	} else {
		p.Seed = randomSeed()
	}
	n = 1
	if g.N != nil {
		if *g.N < 1 || *g.N > s.cfg.MaxN {
			return req, 0, badRequest("n", "n %d must be between 1 and %d", *g.N, s.cfg.MaxN)
		}
		n = *g.N
	}
	maxField, maxTokens := "max_tokens", g.MaxTokens
	if g.MaxCompletionTokens != nil {
		maxField, maxTokens = "max_completion_tokens", g.MaxCompletionTokens
	}
	ctx := b.Service.Limits().MaxContext
	switch {
	case maxTokens != nil:
		if *maxTokens < 1 {
			return req, 0, badRequest(maxField, "%s %d must be at least 1", maxField, *maxTokens)
		}
		req.MaxTokens = *maxTokens
	case defaultMax > 0:
		req.MaxTokens = defaultMax
	default:
		req.MaxTokens = ctx - promptLen
	}
	if promptLen+req.MaxTokens > ctx {
		if maxTokens != nil {
			return req, 0, badRequest(maxField, "the prompt of %d tokens + %s %d is over the context length of %d", promptLen, maxField, req.MaxTokens, ctx)
		}
		req.MaxTokens = ctx - promptLen
	}
	if req.MaxTokens < 1 {
		return req, 0, badRequest("messages", "the prompt of %d tokens fills the context length of %d", promptLen, ctx)
	}
	var err error
	if req.Stop, err = parseStop(g.Stop); err != nil {
		return req, 0, badRequest("stop", "%v", err)
	}
	if req.Grammar, e = constraint(b, g); e != nil {
		return req, 0, e
	}
	return req, n, nil
}

// parseStop reads "stop": null, a string, or a list of strings.
func parseStop(raw json.RawMessage) ([]string, error) {
	if len(raw) == 0 || string(raw) == "null" {
		return nil, nil
	}
	var one string
	if json.Unmarshal(raw, &one) == nil {
		if one == "" {
			return nil, nil
		}
		raw, _ = json.Marshal([]string{one}) // checked as a list below
	}
	var list []string
	if err := json.Unmarshal(raw, &list); err != nil {
		return nil, fmt.Errorf("want a string or a list of strings")
	}
	out := list[:0]
	for _, s := range list {
		if s != "" {
			out = append(out, s)
		}
	}
	if len(out) > 16 {
		return nil, fmt.Errorf("at most 16 stop strings, got %d", len(out))
	}
	for _, s := range out {
		if len(s) > 1024 {
			return nil, fmt.Errorf("a stop string is %d bytes; at most 1024", len(s))
		}
	}
	return out, nil
}

// constraint reads response_format ({"type": "text"}, "json_object": any
// JSON value, "json_schema": {"schema": …}) and the grammar extension into
// the grammar the answer must follow (nil: none).
func constraint(b *Backend, g *genFields) (*grammar.Grammar, *apiError) {
	gr, _, field, err := b.Service.Constraints().FromRequest(g.ResponseFormat, g.Grammar)
	if err != nil {
		return nil, badRequest(field, "%s: %v", field, err)
	}
	return gr, nil
}

func randomSeed() uint64 {
	var b [8]byte
	rand.Read(b[:])
	var v uint64
	for _, x := range b {
		v = v<<8 | uint64(x)
	}
	return v
}

// checkTextBytes refuses a text that cannot fit the context whatever it
// tokenizes to (tokenizer.MaxTextBytes), before the time and the tens of
// bytes of memory a byte that tokenizing it would take.
func checkTextBytes(b *Backend, param, what, text string) *apiError {
	ctx := b.Service.Limits().MaxContext
	if limit := b.Tokenizer.MaxTextBytes(ctx); int64(len(text)) > limit {
		return badRequest(param, "%s %d bytes, more than the context length of %d tokens can hold (%d bytes at most)", what, len(text), ctx, limit)
	}
	return nil
}
