package tokenizer

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/lfm2go/lfm2/internal/tokenizer/hfcases"
)

func testdata(parts ...string) string {
	return filepath.Join(append([]string{"..", "..", "testdata"}, parts...)...)
}

// TestHuggingFaceCases: every case of both test tokenizers, made by Hugging
// Face's Rust tokenizers, must match exactly: ids with and without special
// tokens, and decodings with and without skipping them.
func TestHuggingFaceCases(t *testing.T) {
	for _, name := range []string{"lfm2like", "variant-b"} {
		t.Run(name, func(t *testing.T) {
			cases := hfcases.Read(t, testdata("tokenizers", name, "cases.jsonl"))
			if len(cases) < 100 {
				t.Fatalf("only %d cases", len(cases))
			}
			hfcases.Check(t, loadTokenizer(t, testdata("tokenizers", name, "tokenizer.json")), cases)
		})
	}
}

// TestRandomTextCases: the two test tokenizers on a thousand random texts
// each (built from pieces that stress every stage, and random code points),
// against what Hugging Face's tokenizers made of them
// (testdata/tokenizers/random/make-cases.js).
func TestRandomTextCases(t *testing.T) {
	for _, name := range []string{"lfm2like", "variant-b"} {
		t.Run(name, func(t *testing.T) {
			cases := hfcases.Read(t, testdata("tokenizers", "random", name+".jsonl"))
			if len(cases) < 1000 {
				t.Fatalf("only %d cases", len(cases))
			}
			hfcases.Check(t, loadTokenizer(t, testdata("tokenizers", name, "tokenizer.json")), cases)
		})
	}
}

// TestGeneratedComponentCases covers the component types the two main test
// tokenizers lack (Metaspace, Digits, every Split behaviour, byte fallback,
// subword prefix/suffix, added-token flags, …). The references come from
// Hugging Face's tokenizers via testdata/tokenizers/generated/make-variants.js.
func TestGeneratedComponentCases(t *testing.T) {
	dirs, err := filepath.Glob(testdata("tokenizers", "generated", "*", "tokenizer.json"))
	if err != nil || len(dirs) < 10 {
		t.Fatalf("generated variants: %v, %v", dirs, err)
	}
	for _, file := range dirs {
		t.Run(filepath.Base(filepath.Dir(file)), func(t *testing.T) {
			hfcases.Check(t, loadTokenizer(t, file), hfcases.Read(t, filepath.Join(filepath.Dir(file), "cases.jsonl")))
		})
	}
}

func loadTokenizer(t *testing.T, path string) *Tokenizer {
	t.Helper()
	tok, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

// chatCase is a conversation and its rendering; Conversation has its own
// UnmarshalJSON, so the two are read separately.
type chatCase struct {
	Conversation
	Rendered string
}

func (c *chatCase) UnmarshalJSON(b []byte) error {
	var r struct {
		Rendered string `json:"rendered"`
	}
	if err := json.Unmarshal(b, &r); err != nil {
		return err
	}
	c.Rendered = r.Rendered
	return json.Unmarshal(b, &c.Conversation)
}

func TestChatTemplateCases(t *testing.T) {
	tok, err := LoadDir(testdata("fixtures", "tiny-bf16"))
	if err != nil {
		t.Fatal(err)
	}
	if tok.ChatTemplate() == nil {
		t.Fatal("no chat template")
	}
	cases := hfcases.ReadLines[chatCase](t, testdata("lfm2-350m", "chat-cases.jsonl"))
	for i, c := range cases {
		got, err := tok.ChatTemplate().Render(c.Conversation)
		if err != nil {
			t.Fatal(err)
		}
		if got != c.Rendered {
			t.Errorf("case %d:\n got  %q\n want %q", i, got, c.Rendered)
		}
		// The rendered text carries BOS itself: encoding it without special
		// tokens gives exactly one BOS.
		ids := tok.Encode(got, false)
		if ids[0] != tok.BOS || slices.Contains(ids[1:], tok.BOS) {
			t.Errorf("case %d: BOS count wrong in %v", i, ids[:min(4, len(ids))])
		}
	}
}

func TestTemplateErrorsNameTemplateAndLine(t *testing.T) {
	ct, err := ParseChatTemplate("chat_template.jinja", "{{ bos_token }}\n{{ raise_exception('no tools here') }}")
	if err != nil {
		t.Fatal(err)
	}
	_, err = ct.Render(Conversation{})
	if err == nil || !strings.Contains(err.Error(), "chat_template.jinja") || !strings.Contains(err.Error(), "line 2") || !strings.Contains(err.Error(), "no tools here") {
		t.Fatalf("err = %v", err)
	}
	if _, err := ParseChatTemplate("x.jinja", "{% for %}"); err == nil || !strings.Contains(err.Error(), "x.jinja") {
		t.Fatalf("parse err = %v", err)
	}
}

// tokenizer_config.json's chat_template as a list: "default" normally,
// "tool_use" when tools are given, as transformers picks.
func TestNamedTemplates(t *testing.T) {
	tok, err := Builtin(false)
	if err != nil {
		t.Fatal(err)
	}
	cfg := []byte(`{"bos_token": "<|startoftext|>", "chat_template": [{"name": "default", "template": "D{{ bos_token }}"}, {"name": "tool_use", "template": "T{{ tools | length }}"}]}`)
	if err := tok.configure(cfg, nil); err != nil {
		t.Fatal(err)
	}
	plain, _ := tok.ChatTemplate().Render(Conversation{})
	tools, _ := tok.ChatTemplate().Render(Conversation{Tools: []json.RawMessage{[]byte(`{"type": "function"}`)}})
	if plain != "D<|startoftext|>" || tools != "T1" {
		t.Fatalf("default %q, tool_use %q", plain, tools)
	}
	if err := tok.configure([]byte(`{"chat_template": [{"name": "other", "template": "x"}]}`), nil); err == nil || !strings.Contains(err.Error(), "default") {
		t.Fatalf("no default: %v", err)
	}
}

func TestUnsupportedComponentsNamed(t *testing.T) {
	base, err := os.ReadFile(testdata("tokenizers", "variant-b", "tokenizer.json"))
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ field, typ, want string }{
		{"normalizer", "BertNormalizer", `normalizer type "BertNormalizer"`},
		{"decoder", "WordPiece", `decoder type "WordPiece"`},
		{"model", "Unigram", `model type "Unigram"`},
		{"post_processor", "RobertaProcessing", `post_processor type "RobertaProcessing"`},
		{"pre_tokenizer", "Whitespace", `pre_tokenizer type "Whitespace"`},
	} {
		var v map[string]any
		if err := json.Unmarshal(base, &v); err != nil {
			t.Fatal(err)
		}
		v[c.field].(map[string]any)["type"] = c.typ
		b, _ := json.Marshal(v)
		if _, err := Parse(b); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("err = %v, want %q", err, c.want)
		}
	}
}

// TestStreamPrintsEveryByteOnce: concatenated stream output equals Decode of
// the whole sequence and no chunk holds a partial UTF-8 character.
func TestStreamPrintsEveryByteOnce(t *testing.T) {
	tok, err := Load(testdata("tokenizers", "lfm2like", "tokenizer.json"))
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range hfcases.Read(t, testdata("tokenizers", "lfm2like", "cases.jsonl")) {
		ids := c.IDsSpecial
		// Byte-level tokens can split a character: feed single-byte tokens too.
		for _, r := range []byte(c.Text) {
			if id, ok := tok.TokenID(string(byteToRune[r])); ok {
				ids = append(ids, id)
			}
		}
		for _, skip := range []bool{false, true} {
			s := tok.NewStream(skip)
			var b strings.Builder
			for _, id := range ids {
				chunk := s.Add(id)
				if !utf8.ValidString(chunk) {
					t.Fatalf("%q: chunk %q is not valid UTF-8", c.Text, chunk)
				}
				b.WriteString(chunk)
			}
			b.WriteString(s.Flush())
			if want := tok.Decode(ids, skip); b.String() != want {
				t.Fatalf("%q: streamed %q, want %q", c.Text, b.String(), want)
			}
		}
	}
}
