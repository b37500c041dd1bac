package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// modelDir copies the fixture model into a folder, with extra files.
func modelDir(t *testing.T, extra map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for _, f := range []string{"config.json", "model.safetensors", "tokenizer.json", "tokenizer_config.json"} {
		b, err := os.ReadFile(filepath.Join(fixture, f))
		if err != nil {
			t.Fatal(err)
		}
		os.WriteFile(filepath.Join(dir, f), b, 0o644)
	}
	for name, content := range extra {
		os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644)
	}
	return dir
}

// Sampling settings: generation_config.json over the family's, flags over
// both; run --verbose names the source of each.
func TestSamplingDefaultsFromModel(t *testing.T) {
	plain := modelDir(t, nil)
	withGen := modelDir(t, map[string]string{"generation_config.json": `{"bos_token_id": 1, "eos_token_id": [7, 2], "temperature": 0.7, "top_p": 0.9}`})
	lfm25 := modelDir(t, map[string]string{"chat_template.jinja": "{{ bos_token }}{% set preserve_thinking = preserve_thinking | default(false) %}{% for m in messages %}{{ m.content }}{% endfor %}"})
	cases := []struct {
		dir   string
		flags []string
		wants []string
	}{
		{plain, nil, []string{"LFM2 model", "temperature 0.3 (LFM2 defaults)", "min_p 0.15 (LFM2 defaults)", "repetition_penalty 1.05 (LFM2 defaults)"}},
		{withGen, nil, []string{"temperature 0.7 (generation_config.json)", "top_p 0.9 (generation_config.json)", "min_p 0.15 (LFM2 defaults)"}},
		{withGen, []string{"--temperature", "0.2"}, []string{"temperature 0.2 (--temperature)", "top_p 0.9 (generation_config.json)"}},
		{lfm25, nil, []string{"LFM2.5 model", "temperature 0.1 (LFM2.5 defaults)", "top_k 50 (LFM2.5 defaults)", "min_p 0 (LFM2.5 defaults)"}},
	}
	for _, c := range cases {
		args := append([]string{"run", "--model", c.dir, "--verbose", "--raw", "-n", "1", "hi"}, c.flags...)
		_, stderr, code := runBinary(t, "", nil, args...)
		if code != 0 {
			t.Fatalf("%v: exit %d: %s", args, code, stderr)
		}
		for _, w := range c.wants {
			if !strings.Contains(stderr, w) {
				t.Errorf("%v: stderr lacks %q:\n%s", c.flags, w, stderr)
			}
		}
	}
}

func TestGenerationConfigEOSList(t *testing.T) {
	dir := modelDir(t, map[string]string{"generation_config.json": `{"eos_token_id": [7, 2]}`})
	l, err := openModel(&globals{model: dir, quiet: true}, true)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	if !l.model.Config.IsEOS(7) || !l.model.Config.IsEOS(2) {
		t.Fatalf("EOS %v", l.model.Config.EOS)
	}
	bad := modelDir(t, map[string]string{"generation_config.json": `{"eos_token_id": [999999]}`})
	if _, err := openModel(&globals{model: bad, quiet: true}, true); err == nil || !strings.Contains(err.Error(), "eos_token_id 999999") {
		t.Fatalf("out-of-vocabulary eos: %v", err)
	}
}

// transformers 5 writes tokenizer_class "TokenizersBackend"; it loads.
func TestTokenizersBackendClass(t *testing.T) {
	cfg, _ := os.ReadFile(filepath.Join(fixture, "tokenizer_config.json"))
	patched := strings.Replace(string(cfg), "{", `{"tokenizer_class": "TokenizersBackend", `, 1)
	dir := modelDir(t, map[string]string{"tokenizer_config.json": patched})
	if _, stderr, code := runBinary(t, "", nil, "tokenize", "--model", dir, "hi"); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
}
