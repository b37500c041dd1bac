package grammar

import (
	"os"
	"path/filepath"
	"testing"
)

// FuzzGrammar: a JSON schema or a GBNF grammar comes from any client of
// `lfm2 serve` (response_format, tools); whatever it is, compiling it
// returns a grammar or an error — never a panic, a hang or unbounded
// memory — and a grammar that compiles matches any text and computes
// token masks within its bounds. Seeds: the structured-output test files.
func FuzzGrammar(f *testing.F) {
	for _, dir := range []string{"schemas", "grammars"} {
		files, err := filepath.Glob(filepath.Join(structuredDir, dir, "*"))
		if err != nil || len(files) == 0 {
			f.Fatalf("no seeds in %s: %v", dir, err)
		}
		for _, p := range files {
			src, err := os.ReadFile(p)
			if err != nil {
				f.Fatal(err)
			}
			f.Add(dir == "schemas", src, []byte(`{"name": "Ada", "age": 36} 1+2*3 yes`))
		}
	}
	// A small vocabulary: every byte, and some multi-byte tokens, so masks
	// walk a trie as a model's do.
	vocab := []string{`{"`, `":`, `", "`, `"}`, "true", "false", "null", "12", "3.5", "\\u00", "é"}
	size := 256 + len(vocab)
	bytesOf := func(id int32) ([]byte, bool) {
		if id < 256 {
			return []byte{byte(id)}, true
		}
		return []byte(vocab[id-256]), true
	}
	v := NewVocab(size, []int32{0}, bytesOf)
	f.Fuzz(func(t *testing.T, schema bool, src, text []byte) {
		var g *Grammar
		var err error
		if schema {
			// A tool's parameters are compiled by the same code, as arguments.
			CompileToolCalls([]Tool{{Name: "f", Parameters: src}}, "", false)
			g, err = CompileSchema(src)
		} else {
			g, err = ParseGBNF(string(src))
		}
		if err != nil {
			return
		}
		if len(text) > 1<<12 {
			text = text[:1<<12]
		}
		g.Matches(string(text))
		c := NewConstraint(g, v, bytesOf, func(id int32) bool { return id == 0 })
		for _, b := range text[:min(len(text), 64)] {
			allowed := c.Allowed()
			if len(allowed)*64 < size {
				t.Fatalf("a mask of %d words for %d tokens", len(allowed), size)
			}
			if allowed[b/64]&(1<<(b%64)) == 0 || b == 0 {
				break
			}
			if err := c.Accept(int32(b)); err != nil {
				t.Fatalf("byte %q allowed by the mask and refused: %v", b, err)
			}
		}
	})
}
