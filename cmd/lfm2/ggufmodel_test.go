package main

import (
	"encoding/json"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/lfm2go/lfm2/internal/tokenizer"
	"github.com/lfm2go/lfm2/internal/tokenizer/hfcases"
)

// The tokenizer built from a GGUF file's metadata tokenizes the reference
// texts to the ids llama.cpp and Hugging Face both give, and carries the
// chat template.
func TestGGUFTokenizer(t *testing.T) {
	tok, err := ggufTokenizer("../../testdata/fixtures/gguf-tiny/model-Q8_0.gguf")
	if err != nil {
		t.Fatal(err)
	}
	hf, err := tokenizer.LoadDir(fixture) // the tokenizer.json the GGUF was converted from
	if err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile("../../testdata/fixtures/gguf-tiny/reference.json")
	var ref struct {
		TextCases []struct {
			Text     string  `json:"text"`
			LlamaIDs []int32 `json:"llama_ids"`
			HFIDs    []int32 `json:"hf_ids"`
		} `json:"text_cases"`
	}
	if err := json.Unmarshal(b, &ref); err != nil || len(ref.TextCases) == 0 {
		t.Fatalf("reference: %v", err)
	}
	for _, c := range ref.TextCases {
		got := tok.Encode(c.Text, true)
		if !slices.Equal(got, c.HFIDs) || !slices.Equal(got, c.LlamaIDs) {
			t.Errorf("%q:\n got %v\nwant %v", c.Text, got, c.HFIDs)
		}
		for _, skip := range []bool{true, false} {
			if dec, want := tok.Decode(got, skip), hf.Decode(got, skip); dec != want {
				t.Errorf("decode %q, tokenizer.json's decoder gives %q", dec, want)
			}
		}
	}
	// Hugging Face's own tokenizations of the tokenizer the GGUF file was
	// converted from (the same vocabulary, merges and specials), with and
	// without the BOS, and its decodings: the hand-picked cases and the
	// random texts.
	n := 0
	for _, file := range []string{"../../testdata/tokenizers/lfm2like/cases.jsonl", "../../testdata/tokenizers/random/lfm2like.jsonl"} {
		cases := hfcases.Read(t, file)
		hfcases.Check(t, tok, cases)
		n += len(cases)
	}
	if n < 1100 {
		t.Fatalf("%d Hugging Face cases read", n)
	}
	if tok.ChatTemplate() == nil || tok.BOSToken != "<|startoftext|>" || tok.EOSToken != "<|im_end|>" {
		t.Fatalf("template %v, BOS %q, EOS %q", tok.ChatTemplate(), tok.BOSToken, tok.EOSToken)
	}
	// The same tokenizer as the fixture's tokenizer.json on the chat markers.
	if ids := tok.Encode("<|im_start|>user\nHi<|im_end|>", false); ids[0] != 6 || ids[len(ids)-1] != 7 {
		t.Fatalf("special tokens: %v", ids)
	}
}

// A GGUF file is a model for every command, with no other file.
func TestGGUFEveryCommand(t *testing.T) {
	file := "../../testdata/fixtures/gguf-tiny/model-Q8_0.gguf"
	dir := t.TempDir()
	in := dir + "/in.jsonl"
	os.WriteFile(in, []byte(`{"id": "a", "messages": [{"role": "user", "content": "Hi"}], "max_tokens": 3}`+"\n"), 0o644)
	for _, args := range [][]string{
		{"run", "--model", file, "-n", "3", "Hello"},
		{"run", "--model", file, "-n", "3", "--raw", "--json", "Hello"},
		{"score", "--model", file, "Hello world"},
		{"tokenize", "--model", file, "Hello world"},
		{"batch", "--model", file, "-i", in, "-o", dir + "/out.jsonl", "-q"},
		{"bench", "--model", file, "--prompt", "16", "--gen", "4", "--parallel", "2", "--repeat", "1", "--json"},
	} {
		stdout, stderr, code := runBinary(t, "", nil, args...)
		if code != 0 {
			t.Errorf("%v: exit %d: %s", args, code, stderr)
		}
		if args[0] == "bench" && !strings.Contains(stdout, `"format":"GGUF Q8_0 (Q8_0)"`) {
			t.Errorf("bench does not report the format: %s", stdout)
		}
		if args[0] == "bench" {
			// The KV cache a step reads at the mean depth, 16 + 4/2 positions.
			var r struct {
				KV   int64  `json:"kv_bytes_per_token"`
				Late *int64 `json:"late_workers"`
			}
			if err := json.Unmarshal([]byte(stdout), &r); err != nil || r.KV <= 0 || r.KV%18 != 0 {
				t.Errorf("bench: kv_bytes_per_token %d (%v), want a positive multiple of 18 positions' bytes", r.KV, err)
			}
			if r.Late == nil || *r.Late < 0 {
				t.Errorf("bench does not report how often a thread lost its core: %s", stdout)
			}
		}
		if args[0] == "tokenize" && strings.TrimSpace(stdout) != "1 3930 8502" {
			t.Errorf("tokenize: %q", stdout)
		}
	}
	stdout, stderr, code := runBinary(t, "Hi\n", nil, "chat", "--model", file, "-n", "3", "--json")
	if code != 0 || !strings.Contains(stdout, `"turn":1`) {
		t.Errorf("chat: exit %d %s %s", code, stdout, stderr)
	}
}
