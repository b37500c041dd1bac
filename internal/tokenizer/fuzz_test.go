package tokenizer

import (
	"os"
	"path/filepath"
	"testing"
)

// FuzzParse: any tokenizer.json (it comes with every downloaded model)
// parses or fails with an error — never a panic — and a tokenizer that
// parses encodes and decodes any text. Seeds: the generated test
// tokenizers and small ones of each model type.
func FuzzParse(f *testing.F) {
	paths, err := filepath.Glob(filepath.Join("..", "..", "testdata", "tokenizers", "generated", "*", "tokenizer.json"))
	if err != nil || len(paths) == 0 {
		f.Fatalf("no seed tokenizers: %v", err)
	}
	for _, p := range paths {
		data, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data, "Hello, world! 123 ünïcödé  <|im_start|>")
	}
	f.Add([]byte(`{"model": {"type": "BPE", "vocab": {"a": 0, "b": 1, "ab": 2, "<s>": 3}, "merges": ["a b"]},
		"added_tokens": [{"id": 3, "content": "<s>", "special": true}],
		"pre_tokenizer": {"type": "ByteLevel", "add_prefix_space": false, "use_regex": true},
		"post_processor": {"type": "TemplateProcessing", "single": [{"SpecialToken": {"id": "<s>", "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}}], "special_tokens": {"<s>": {"id": "<s>", "ids": [3], "tokens": ["<s>"]}}},
		"decoder": {"type": "ByteLevel"}}`), "abab ba")
	f.Add([]byte(`{"normalizer": {"type": "Sequence", "normalizers": [{"type": "NFC"}, {"type": "Replace", "pattern": {"String": " "}, "content": "▁"}]},
		"model": {"type": "BPE", "vocab": {"▁": 0, "a": 1, "▁a": 2, "<0x41>": 3}, "merges": [["▁", "a"]], "byte_fallback": true},
		"decoder": {"type": "Sequence", "decoders": [{"type": "Replace", "pattern": {"String": "▁"}, "content": " "}, {"type": "ByteFallback"}, {"type": "Fuse"}]}}`), "a aA")
	f.Fuzz(func(t *testing.T, data []byte, text string) {
		tok, err := Parse(data)
		if err != nil {
			return
		}
		ids := tok.Encode(text, true)
		tok.Decode(ids, false)
		tok.Decode([]int32{-1, 0, 1 << 30}, true)
	})
}
