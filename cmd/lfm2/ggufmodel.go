package main

import (
	"fmt"

	"github.com/lfm2go/lfm2/internal/gguf"
	"github.com/lfm2go/lfm2/internal/tokenizer"
)

// ggufTokenizer builds the tokenizer a GGUF file carries in its
// tokenizer.ggml.* metadata, with its chat template.
func ggufTokenizer(path string) (*tokenizer.Tokenizer, error) {
	g, err := gguf.Open(path)
	if err != nil {
		return nil, err
	}
	defer g.Close()
	v := tokenizer.Vocab{BOS: -1, EOS: -1}
	v.Model, _ = g.String("tokenizer.ggml.model")
	v.Pre, _ = g.String("tokenizer.ggml.pre")
	v.ChatTemplate, _ = g.String("tokenizer.chat_template")
	v.AddBOS, _ = g.Bool("tokenizer.ggml.add_bos_token")
	strs := func(key string) ([]string, error) {
		arr, ok := g.Array(key)
		if !ok {
			return nil, fmt.Errorf("%s: metadata %s is missing", path, key)
		}
		out := make([]string, len(arr))
		for i, a := range arr {
			s, ok := a.(string)
			if !ok {
				return nil, fmt.Errorf("%s: %s[%d] is not a string", path, key, i)
			}
			out[i] = s
		}
		return out, nil
	}
	if v.Tokens, err = strs("tokenizer.ggml.tokens"); err != nil {
		return nil, err
	}
	if v.Merges, err = strs("tokenizer.ggml.merges"); err != nil {
		return nil, err
	}
	types, ok := g.Array("tokenizer.ggml.token_type")
	if !ok {
		return nil, fmt.Errorf("%s: metadata tokenizer.ggml.token_type is missing", path)
	}
	for i, t := range types {
		n, ok := gguf.AsUint(t)
		if !ok {
			return nil, fmt.Errorf("%s: tokenizer.ggml.token_type[%d] is not an integer", path, i)
		}
		v.Types = append(v.Types, int32(n))
	}
	if id, ok := g.Uint("tokenizer.ggml.bos_token_id"); ok {
		v.BOS = int(id)
	}
	if id, ok := g.Uint("tokenizer.ggml.eos_token_id"); ok {
		v.EOS = int(id)
	}
	tok, err := tokenizer.FromVocab(v)
	if err != nil {
		return nil, fmt.Errorf("%s: tokenizer: %w", path, err)
	}
	return tok, nil
}
