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
	vocab := make(map[string]int, len(v.Tokens))
	type added struct {
		ID         int    `json:"id"`
		Content    string `json:"content"`
		SingleWord bool   `json:"single_word"`
		Lstrip     bool   `json:"lstrip"`
		Rstrip     bool   `json:"rstrip"`
		Normalized bool   `json:"normalized"`
		Special    bool   `json:"special"`
	}
	var addedTokens []added
	for id, tok := range v.Tokens {
		if _, dup := vocab[tok]; !dup {
			vocab[tok] = id
		}
		switch v.Types[id] {
		case tokenControl:
			addedTokens = append(addedTokens, added{ID: id, Content: tok, Special: true})
		case tokenUserDefined:
			addedTokens = append(addedTokens, added{ID: id, Content: tok, Normalized: true})
		}
	}
	js := map[string]any{
		"version":       "1.0",
		"added_tokens":  addedTokens,
		"normalizer":    nil,
		"pre_tokenizer": json.RawMessage(pre),
		"decoder":       map[string]any{"type": "ByteLevel", "add_prefix_space": true, "trim_offsets": true, "use_regex": true},
		"model": map[string]any{"type": "BPE", "vocab": vocab, "merges": v.Merges, "ignore_merges": true,
			"fuse_unk": false, "byte_fallback": false},
	}
	if v.AddBOS && v.BOS >= 0 && v.BOS < len(v.Tokens) {
		bos := v.Tokens[v.BOS]
		js["post_processor"] = map[string]any{"type": "TemplateProcessing",
			"single":         []any{map[string]any{"SpecialToken": map[string]any{"id": bos, "type_id": 0}}, map[string]any{"Sequence": map[string]any{"id": "A", "type_id": 0}}},
			"pair":           []any{map[string]any{"SpecialToken": map[string]any{"id": bos, "type_id": 0}}, map[string]any{"Sequence": map[string]any{"id": "A", "type_id": 0}}, map[string]any{"SpecialToken": map[string]any{"id": bos, "type_id": 1}}, map[string]any{"Sequence": map[string]any{"id": "B", "type_id": 1}}},
			"special_tokens": map[string]any{bos: map[string]any{"id": bos, "ids": []int{v.BOS}, "tokens": []string{bos}}}}
	} else {
		js["post_processor"] = nil
	}
	data, err := json.Marshal(js)
	if err != nil {
		return nil, err
	}
	t, err := Parse(data)
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
