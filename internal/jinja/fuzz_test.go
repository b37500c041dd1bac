package jinja

import (
	"os"
	"path/filepath"
	"testing"
)

// FuzzTemplate: any template source, rendered with a small conversation,
// parses and renders or fails with an error — never a panic, and within
// the limits (limits.go): a chat template comes with every downloaded
// model. Seeds: the published templates and a few hostile ones.
func FuzzTemplate(f *testing.F) {
	paths, err := filepath.Glob(testdata("templates", "*.jinja"))
	if err != nil || len(paths) == 0 {
		f.Fatalf("no seed templates: %v", err)
	}
	for _, p := range paths {
		src, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(string(src))
	}
	for _, s := range []string{
		"{% set ns = namespace(s='x') %}{% for i in range(30) %}{% set ns.s = ns.s ~ ns.s %}{% endfor %}{{ ns.s|length }}",
		"{{ messages|tojson(indent=2) }}{{ (messages|string)[:10] }}{{ 2 ** 62 }}",
		"{% macro m(x) %}{{ x|indent(4) }}{% endmacro %}{{ m('a\nb')|center(20)|replace('a', 'bb') }}",
		"{{ range(3, -9, -2)|list|join(',') }}{{ '%5d|%-4s|%.2f' % (3, 'x', 1.5) }}",
	} {
		f.Add(s)
	}
	msgs, err := FromJSON([]byte(`[{"role": "system", "content": "Be brief."}, {"role": "user", "content": "Hi"}, {"role": "assistant", "content": "Hello", "tool_calls": [{"type": "function", "function": {"name": "f", "arguments": {"a": 1}}}]}]`))
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, src string) {
		tmpl, err := Parse("fuzz.jinja", src)
		if err != nil {
			return
		}
		out, err := tmpl.render(map[string]Value{"messages": msgs, "bos_token": "<s>", "add_generation_prompt": true}, 64<<20)
		if err == nil && len(out) > maxOutput {
			t.Fatalf("rendered %d bytes, over the limit", len(out))
		}
	})
}
