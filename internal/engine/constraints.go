package engine

import (
	"encoding/json"
	"errors"
	"fmt"
	"sync"

	"github.com/lfm2go/lfm2/internal/grammar"
	"github.com/lfm2go/lfm2/internal/model"
	"github.com/lfm2go/lfm2/internal/scheduler"
	"github.com/lfm2go/lfm2/internal/tokenizer"
	"github.com/lfm2go/lfm2/internal/toolcall"
)

// Constraints makes the per-sequence constraints of structured output for
// one model and tokenizer. It compiles grammars once per source (so their
// mask caches are shared by every request using them) and builds the
// vocabulary trie once. It is safe for concurrent use.
type Constraints struct {
	tok       *tokenizer.Tokenizer
	isEOS     func(int) bool
	eos       []int
	vocabSize int

	vocabOnce sync.Once
	vocab     *grammar.Vocab

	mu       sync.Mutex
	compiled map[string]*grammar.Grammar // by kind and source
	budget   int                         // bytes the compiled grammars may hold (compiledBudget)
}

// NewConstraints prepares constraints for m's vocabulary as tok spells it.
func NewConstraints(m *model.Model, tok *tokenizer.Tokenizer) *Constraints {
	return &Constraints{tok: tok, isEOS: m.Config.IsEOS, eos: m.Config.EOS, vocabSize: m.Config.VocabSize,
		compiled: map[string]*grammar.Grammar{}, budget: compiledBudget}
}

// Grammar kinds for Compile.
const (
	KindJSONSchema = "json_schema" // src is a JSON Schema
	KindJSONObject = "json_object" // any JSON value; src is ignored
	KindGBNF       = "gbnf"        // src is a GBNF grammar
)

// maxCompiled bounds the grammars kept; past it the cache starts over.
const maxCompiled = 256

// compiledBudget bounds the bytes the kept grammars hold (their code, and
// the states and masks each caches as it is used: Grammar.Footprint);
// past it the cache starts over. A grammar may be 2²⁰ elements (40 MB):
// without it, 256 requests of distinct near-limit schemas would keep
// some 10 GB.
const compiledBudget = 512 << 20

// Compile compiles (or finds) the grammar of a kind and source.
func (c *Constraints) Compile(kind, src string) (*grammar.Grammar, error) {
	key := kind + "\x00" + src
	c.mu.Lock()
	g := c.compiled[key]
	c.mu.Unlock()
	if g != nil {
		return g, nil
	}
	var err error
	switch kind {
	case KindJSONSchema:
		g, err = grammar.CompileSchema([]byte(src))
	case KindJSONObject:
		g = grammar.JSONValue()
	case KindGBNF:
		g, err = grammar.ParseGBNF(src)
	default:
		err = errors.New("unknown grammar kind " + kind)
	}
	if err != nil {
		return nil, err
	}
	c.store(key, g)
	return g, nil
}

// CompileToolCalls compiles (or finds) the grammar of a call block over
// tools (grammar.CompileToolCalls).
func (c *Constraints) CompileToolCalls(tools []grammar.Tool, only string, single bool) (*grammar.Grammar, error) {
	src, err := json.Marshal(struct {
		Tools  []grammar.Tool
		Only   string
		Single bool
	}{tools, only, single})
	if err != nil {
		return nil, err
	}
	key := "tools\x00" + string(src)
	c.mu.Lock()
	g := c.compiled[key]
	c.mu.Unlock()
	if g != nil {
		return g, nil
	}
	if g, err = grammar.CompileToolCalls(tools, only, single); err != nil {
		return nil, err
	}
	c.store(key, g)
	return g, nil
}

func (c *Constraints) store(key string, g *grammar.Grammar) {
	c.mu.Lock()
	defer c.mu.Unlock()
	held := g.Footprint()
	for _, h := range c.compiled {
		held += h.Footprint()
	}
	if len(c.compiled) >= maxCompiled || held > c.budget {
		clear(c.compiled)
	}
	c.compiled[key] = g
}

// New starts a sequence's constraint: the answer is text in g's language,
// or, with toolCall, one tool-call block whose inside is in g's language.
func (c *Constraints) New(g *grammar.Grammar, toolCall bool) (scheduler.Constraint, error) {
	if c.tok == nil {
		return nil, errors.New("structured output needs the model's tokenizer")
	}
	inner := grammar.NewConstraint(g, c.trie(), c.tok.TokenBytes, func(id int32) bool { return c.isEOS(int(id)) })
	if !toolCall {
		return inner, nil
	}
	start, ok1 := c.tok.TokenID(toolcall.StartMarker)
	end, ok2 := c.tok.TokenID(toolcall.EndMarker)
	if !ok1 || !ok2 {
		return nil, errors.New("the model's vocabulary has no tool-call markers")
	}
	return &framed{start: start, end: end, eos: c.eos, inner: inner, mask: make([]uint64, (c.vocabSize+63)/64)}, nil
}

// trie builds, once, the vocabulary as bytes.
func (c *Constraints) trie() *grammar.Vocab {
	c.vocabOnce.Do(func() {
		eos := make([]int32, len(c.eos))
		for i, id := range c.eos {
			eos[i] = int32(id)
		}
		c.vocab = grammar.NewVocab(c.vocabSize, eos, c.tok.TokenBytes)
	})
	return c.vocab
}

// FromRequest compiles what an OpenAI-style request asks for: its
// response_format, or a GBNF grammar (llama-server's "grammar" field); nil
// when neither. isJSON says the answer is JSON; on error, field names the
// field at fault.
func (c *Constraints) FromRequest(responseFormat json.RawMessage, gbnf *string) (g *grammar.Grammar, isJSON bool, field string, err error) {
	kind, src, err := ResponseFormat(responseFormat)
	if err != nil {
		return nil, false, "response_format", err
	}
	field = "response_format"
	if gbnf != nil {
		if kind != "" {
			return nil, false, "grammar", errors.New(`give "grammar" or a JSON "response_format", not both`)
		}
		kind, src, field = KindGBNF, *gbnf, "grammar"
	}
	if kind == "" {
		return nil, false, "", nil
	}
	if g, err = c.Compile(kind, src); err != nil {
		return nil, false, field, err
	}
	return g, kind != KindGBNF, "", nil
}

// ResponseFormat reads OpenAI's response_format: {"type": "text"} (no
// constraint: kind ""), {"type": "json_object"} (KindJSONObject) or
// {"type": "json_schema", "json_schema": {"name": …, "schema": {…}}}
// (KindJSONSchema, src the schema).
func ResponseFormat(raw json.RawMessage) (kind, src string, err error) {
	if len(raw) == 0 || string(raw) == "null" {
		return "", "", nil
	}
	var rf struct {
		Type       string `json:"type"`
		JSONSchema *struct {
			Schema json.RawMessage `json:"schema"`
		} `json:"json_schema"`
	}
	if json.Unmarshal(raw, &rf) != nil {
		return "", "", errors.New(`want {"type": "text" | "json_object" | "json_schema", ...}`)
	}
	switch rf.Type {
	case "text":
		return "", "", nil
	case "json_object":
		return KindJSONObject, "", nil
	case "json_schema":
		if rf.JSONSchema == nil || len(rf.JSONSchema.Schema) == 0 || string(rf.JSONSchema.Schema) == "null" {
			return "", "", errors.New(`json_schema needs "json_schema": {"name": …, "schema": {…}}`)
		}
		return KindJSONSchema, string(rf.JSONSchema.Schema), nil
	}
	return "", "", fmt.Errorf("type %q is not one of text, json_object, json_schema", rf.Type)
}
