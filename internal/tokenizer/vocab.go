package tokenizer

import (
	"encoding/json"
	"fmt"
)

// Vocab is a tokenizer described the way GGUF files carry it
// (tokenizer.ggml.*): token strings with their types, BPE merges, the
// pre-tokenizer's name, special ids and the chat template.
type Vocab struct {
	Model        string   // "gpt2" (byte-level BPE) is the one LFM2 uses
	Pre          string   // pre-tokenizer name, e.g. "lfm2"
	Tokens       []string // by id
	Types        []int32  // 1 normal, 2 unknown, 3 control, 4 user-defined, 5 unused, 6 byte
	Merges       []string // "a b", by rank
	BOS, EOS     int      // -1 when absent
	AddBOS       bool
	ChatTemplate string
}

// Token types (llama.cpp's).
const (
	tokenNormal      = 1
	tokenControl     = 3
	tokenUserDefined = 4
)

// preTokenizers maps GGUF pre-tokenizer names to the Hugging Face
// pre_tokenizer they stand for. llama.cpp maps LFM2's to LLaMA-3's pattern
// followed by byte-level mapping without its own regex.
var preTokenizers = map[string]string{
	"lfm2":      llama3Pre,
	"llama3":    llama3Pre,
	"llama-bpe": llama3Pre,
}

const llama3Pre = `{"type": "Sequence", "pretokenizers": [{"type": "Split", "pattern": {"Regex": "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}{1,3}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+"}, "behavior": "Isolated", "invert": false}, {"type": "ByteLevel", "add_prefix_space": false, "trim_offsets": true, "use_regex": false}]}`

// FromVocab builds a tokenizer equal to the tokenizer.json the vocabulary
// was converted from: control tokens become special added tokens,
// user-defined ones non-special added tokens, BOS is added when the file
// says so, and the chat template comes along.
func FromVocab(v Vocab) (*Tokenizer, error) {
	if v.Model != "gpt2" {
		return nil, fmt.Errorf("tokenizer model %q is not supported (LFM2 uses byte-level BPE, \"gpt2\")", v.Model)
	}
	pre, ok := preTokenizers[v.Pre]
	if !ok {
		return nil, fmt.Errorf("pre-tokenizer %q is not supported (LFM2's is \"lfm2\")", v.Pre)
	}
	if len(v.Types) != len(v.Tokens) {
		return nil, fmt.Errorf("%d token types for %d tokens", len(v.Types), len(v.Tokens))
	}
	// The tokenizer.json the vocabulary was converted from, its model and
	// added tokens given as the structures Parse decodes them into (the
	// 65536-entry vocabulary and its merges need no JSON round trip).
	vocab := make(map[string]int32, len(v.Tokens))
	var added []*addedToken
	for id, tok := range v.Tokens {
		if _, dup := vocab[tok]; !dup {
			vocab[tok] = int32(id)
		}
		switch v.Types[id] {
		case tokenControl:
			added = append(added, &addedToken{ID: int32(id), Content: tok, Special: true})
		case tokenUserDefined:
			added = append(added, &addedToken{ID: int32(id), Content: tok, Normalized: true})
		}
	}
	merges, err := splitMerges(v.Merges)
	if err != nil {
		return nil, err
	}
	model, err := newBPE(&bpeModel{Type: "BPE", Vocab: vocab, IgnoreMerges: true, merges: merges})
	if err != nil {
		return nil, err
	}
	decoder := json.RawMessage(`{"type": "ByteLevel", "add_prefix_space": true, "trim_offsets": true, "use_regex": true}`)
	post := json.RawMessage("null")
	if v.AddBOS && v.BOS >= 0 && v.BOS < len(v.Tokens) {
		bos := v.Tokens[v.BOS]
		if post, err = json.Marshal(map[string]any{"type": "TemplateProcessing",
			"single":         []any{map[string]any{"SpecialToken": map[string]any{"id": bos, "type_id": 0}}, map[string]any{"Sequence": map[string]any{"id": "A", "type_id": 0}}},
			"pair":           []any{map[string]any{"SpecialToken": map[string]any{"id": bos, "type_id": 0}}, map[string]any{"Sequence": map[string]any{"id": "A", "type_id": 0}}, map[string]any{"SpecialToken": map[string]any{"id": bos, "type_id": 1}}, map[string]any{"Sequence": map[string]any{"id": "B", "type_id": 1}}},
			"special_tokens": map[string]any{bos: map[string]any{"id": bos, "ids": []int{v.BOS}, "tokens": []string{bos}}}}); err != nil {
			return nil, err
		}
	}
	t, err := assemble(model, added, json.RawMessage("null"), json.RawMessage(pre), post, decoder)
	if err != nil {
		return nil, err
	}
	cfg := map[string]any{}
	if v.BOS >= 0 && v.BOS < len(v.Tokens) {
		cfg["bos_token"] = v.Tokens[v.BOS]
	}
	if v.EOS >= 0 && v.EOS < len(v.Tokens) {
		cfg["eos_token"] = v.Tokens[v.EOS]
	}
	cfgJSON, _ := json.Marshal(cfg)
	if err := t.configure(cfgJSON, nil); err != nil {
		return nil, err
	}
	if v.ChatTemplate != "" {
		if err := t.SetChatTemplate("the GGUF file's tokenizer.chat_template", v.ChatTemplate); err != nil {
			return nil, err
		}
	}
	return t, nil
}
