package jinja

import (
	"bufio"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func testdata(parts ...string) string {
	return filepath.Join(append([]string{"..", "..", "testdata"}, parts...)...)
}

// templateCase is one line of testdata/templates/cases.jsonl: a
// conversation and what Python Jinja2 renders for it under transformers'
// settings (or the error it raises).
type templateCase struct {
	Template            string          `json:"template"`
	Messages            json.RawMessage `json:"messages"`
	Tools               json.RawMessage `json:"tools"`
	AddGenerationPrompt bool            `json:"add_generation_prompt"`
	Rendered            *string         `json:"rendered"`
	Error               *string         `json:"error"`
}

// TestPublishedTemplates renders every reference case of the four
// published LFM2 / LFM2.5 templates and compares byte for byte.
func TestPublishedTemplates(t *testing.T) {
	f, err := os.Open(testdata("templates", "cases.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	templates := map[string]*Template{}
	n := 0
	for sc.Scan() {
		var c templateCase
		if err := json.Unmarshal(sc.Bytes(), &c); err != nil {
			t.Fatal(err)
		}
		n++
		tmpl := templates[c.Template]
		if tmpl == nil {
			src, err := os.ReadFile(testdata("templates", c.Template))
			if err != nil {
				t.Fatal(err)
			}
			if tmpl, err = Parse(c.Template, string(src)); err != nil {
				t.Fatal(err)
			}
			templates[c.Template] = tmpl
		}
		vars := map[string]Value{"bos_token": "<|startoftext|>", "eos_token": "<|im_end|>", "add_generation_prompt": c.AddGenerationPrompt}
		if vars["messages"], err = FromJSON(c.Messages); err != nil {
			t.Fatal(err)
		}
		vars["tools"] = nil
		if len(c.Tools) > 0 {
			if vars["tools"], err = FromJSON(c.Tools); err != nil {
				t.Fatal(err)
			}
		}
		got, err := tmpl.Render(vars)
		switch {
		case c.Error != nil:
			if err == nil {
				t.Errorf("case %d (%s): rendered %q, want the error %s", n, c.Template, got, *c.Error)
			}
		case err != nil:
			t.Errorf("case %d (%s): %v", n, c.Template, err)
		case got != *c.Rendered:
			t.Errorf("case %d (%s):\n got %q\nwant %q", n, c.Template, got, *c.Rendered)
		}
	}
	if n != 36 {
		t.Fatalf("%d cases, want 36", n)
	}
}

func TestErrorsNameTemplateAndLine(t *testing.T) {
	_, err := Parse("t.jinja", "a\n{% if x %}\nb")
	if err == nil || !strings.Contains(err.Error(), "t.jinja") || !strings.Contains(err.Error(), "endif") {
		t.Fatalf("parse error %v", err)
	}
	tmpl, err := Parse("t.jinja", "a\n\n{{ raise_exception('no') }}")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tmpl.Render(nil); err == nil || !strings.Contains(err.Error(), "t.jinja: line 3") || !strings.Contains(err.Error(), "no") {
		t.Fatalf("render error %v", err)
	}
}
