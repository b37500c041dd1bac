package jinja

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A template can neither hang nor exhaust memory: recursion, loops and
// output are bounded, and anything unsupported is an error with a line.
func TestHostileTemplates(t *testing.T) {
	for _, c := range []struct{ src, want string }{
		{"{% macro f(i) %}{{ f(i + 1) }}{% endmacro %}{{ f(0) }}", "recursion"},
		{"{% for i in range(100000000) %}{% endfor %}", "too large"},
		{"{% for i in range(1000000) %}{% for j in range(1000000) %}{% endfor %}{% endfor %}", "too long"},
		{"{% for i in range(1000000) %}{% for j in range(1000000) if j < 0 %}{% endfor %}{% endfor %}", "too long"},
		// Each step reads a long string or list without building anything:
		// a million steps of it ran for hours.
		{"{% set s = 'x' * 20000000 %}{% for i in range(1000000) %}{% if 'y' in s %}{% endif %}{% endfor %}", "read more than"},
		{"{% set s = 'x' * 20000000 %}{% for i in range(1000000) %}{% set n = s.count('y') %}{% endfor %}", "read more than"},
		{"{% set s = 'x' * 20000000 %}{% for i in range(1000000) %}{% set c = s[-1] %}{% endfor %}", "read more than"},
		{"{% set s = 'x' * 20000000 %}{% for i in range(1000000) %}{% set c = s[1:2] %}{% endfor %}", "read more than"},
		{"{% set s = 'x' * 20000000 %}{% for i in range(1000000) %}{% if s == s ~ '' %}{% endif %}{% endfor %}", "more than 1"},
		{"{% set s = 'x' * 20000000 %}{% for i in range(1000000) %}{% set n = s|length %}{% endfor %}", "read more than"},
		{"{% set l = range(1000000)|list %}{% for i in range(1000000) %}{% set n = l|sum %}{% endfor %}", "read more than"},
		{"{% set l = range(1000000)|list %}{% for i in range(1000000) %}{% if -1 in l %}{% endif %}{% endfor %}", "read more than"},
		{"{% set s = 'x' * 20000000 %}{% for c in s %}{% endfor %}", "iterating a string"},
		{"{% set s = 'x' * 1000000 %}{% for i in range(1000) %}{{ s }}{% endfor %}", "output"},
		{"{{ 'x' * 100000000000 }}", "limit"},
		{"{{ 'xy' * 4611686018427387904 }}", "limit"}, // n·len(s) wraps to 0
		// Strings and lists doubled in a loop: each step is cheap, the
		// sixtieth would be 2⁶⁰ long.
		{"{% set ns = namespace(s='x') %}{% for i in range(60) %}{% set ns.s = ns.s ~ ns.s %}{% endfor %}", "limit"},
		{"{% set ns = namespace(s='x') %}{% for i in range(60) %}{% set ns.s = ns.s + ns.s %}{% endfor %}", "limit"},
		{"{% set ns = namespace(s=[1]) %}{% for i in range(60) %}{% set ns.s = ns.s + ns.s %}{% endfor %}", "limit"},
		{"{% set ns = namespace(s=(1,)) %}{% for i in range(60) %}{% set ns.s = ns.s + ns.s %}{% endfor %}", "limit"},
		// One call that would build a huge string.
		{"{{ 'a\nb'|indent(10000000000) }}", "limit"},
		{"{{ ('a\n' * 1000000)|indent(100) }}", "limit"},
		{"{{ 'a'|center(10000000000) }}", "limit"},
		{"{% set s = 'x' * 10000000 %}{{ s|replace('x', s) }}", "limit"},
		{"{% set s = 'x' * 10000000 %}{{ s.replace('', s) }}", "limit"},
		{"{{ [[[1]]]|tojson(indent=1000000000000) }}", "limit"},
		{"{% set s = 'x' * 40000000 %}{{ [s, s]|tojson }}", "limit"},
		{"{% set s = 'x' * 40000000 %}{{ [s, s]|join }}", "limit"},
		{"{% set s = 'x' * 40000000 %}{{ ''.join([s, s]) }}", "limit"},
		// A list holding one long string many times: its repr is cut short
		// and refused.
		{"{% set s = 'x' * 40000000 %}{% set ns = namespace(l=[]) %}{% for i in range(10) %}{% set ns.l = ns.l + [s] %}{% endfor %}{{ ns.l }}", "64 MiB"},
		{"{% set s = 'x' * 40000000 %}{% set ns = namespace(l=[]) %}{% for i in range(10) %}{% set ns.l = ns.l + [s] %}{% endfor %}{{ ns.l|string|length }}", "limit"},
		// A list built by concatenation in a loop copies it each time:
		// counted against the budget of built bytes.
		{"{% set ns = namespace(l=[]) %}{% for i in range(1000000) %}{% set ns.l = ns.l + [i] %}{% endfor %}", "built more than"},
		// Work that was a loop of the operand's size.
		{"{{ range(-9223372036854775807, 9223372036854775807)|length }}", "too large"},
		{"{% extends 'base.html' %}", "not supported"},
		{"{% include 'x' %}", "not supported"},
		{"{% for x in y recursive %}{% endfor %}", "recursive"},
		{"{% if %}", "line 1"},
		{"{{ 1 +* 2 }}", "line 1"},
		{"{{ 'unterminated }}", "line 1"},
		{"\n\n{% endif %}", "line 3"},
		{"{% break %}", "outside a loop"},
	} {
		tmpl, err := Parse("h.jinja", c.src)
		if err == nil {
			_, err = tmpl.Render(nil)
		}
		if err == nil || !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), "h.jinja") {
			t.Errorf("%q: err %v, want one naming h.jinja and %q", c.src, err, c.want)
		}
	}
}

// Powers take a step per bit of the exponent (as int64, wrapping where
// Python's integers would grow): a hostile exponent is answered at once.
func TestIntPow(t *testing.T) {
	for _, c := range []struct{ a, b, want int64 }{{2, 10, 1024}, {3, 0, 1}, {-3, 3, -27}, {7, 1, 7}, {2, 63, -1 << 63}, {1, 999999999999999, 1}, {-1, 999999999999999, -1}} {
		if got := intPow(c.a, c.b); got != c.want {
			t.Errorf("%d ** %d = %d, want %d", c.a, c.b, got, c.want)
		}
	}
	tmpl, err := Parse("p.jinja", "{{ 2 ** 10 }} {{ 1 ** 999999999999999999 }}")
	if err != nil {
		t.Fatal(err)
	}
	if out, err := tmpl.Render(nil); err != nil || out != "1024 1" {
		t.Fatalf("%q, %v", out, err)
	}
}

// Many strings each under the limit are refused together past the render's
// budget of built bytes (lowered here from maxBuilt's GiB), with the line;
// a template under it renders.
func TestTemplateBuildBudget(t *testing.T) {
	src := "{% set ns = namespace(l=[]) %}{% for i in range(100) %}\n{% set ns.l = ns.l + ['x' * 100000 ~ i] %}{% endfor %}{{ ns.l|length }}"
	tmpl, err := Parse("b.jinja", src)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tmpl.render(nil, 5<<20); err == nil || !strings.Contains(err.Error(), "built more than 5 MiB") || !strings.Contains(err.Error(), "line 2") {
		t.Fatalf("err %v, want the budget named at line 2", err)
	}
	if out, err := tmpl.render(nil, 50<<20); err != nil || out != "100" {
		t.Fatalf("under the budget: %q, %v", out, err)
	}
}

// range() near the ends of int64 stops where Python's would, where i + step
// had wrapped into a loop without end.
func TestRangeNearInt64Ends(t *testing.T) {
	for src, want := range map[string]string{
		"{{ range(9223372036854775806, 9223372036854775807, 1000)|list }}":     "[9223372036854775806]",
		"{{ range(-9223372036854775806, -9223372036854775807, -5)|list }}":     "[-9223372036854775806]",
		"{{ range(9223372036854775800, 9223372036854775807, 3)|list|length }}": "3",
	} {
		tmpl, err := Parse("r.jinja", src)
		if err != nil {
			t.Fatal(err)
		}
		if out, err := tmpl.Render(nil); err != nil || out != want {
			t.Errorf("%s: %q, %v; want %q", src, out, err, want)
		}
	}
}

// TestLongConversationsFitTheBudgets: the published templates render the
// longest conversations a context can hold — one 8 MB message (the most a
// 32k context's prompt can be in bytes), an 8 MB answer with reasoning to
// cut out, or 4,000 messages with thinking
// and tool calls — well inside every budget, so the limits only ever stop
// hostile templates.
func TestLongConversationsFitTheBudgets(t *testing.T) {
	files, err := filepath.Glob(testdata("templates", "*.jinja"))
	if err != nil || len(files) < 4 {
		t.Fatalf("published templates: %v %v", files, err)
	}
	long := `[{"role": "system", "content": "s"}, {"role": "user", "content": "` + strings.Repeat("word ", 8<<20/5) + `"}]`
	answer := `[{"role": "user", "content": "q"}, {"role": "assistant", "content": "<think>` + strings.Repeat("hmm ", 1<<20) + `</think>` + strings.Repeat("word ", 4<<20/5) + `"}, {"role": "user", "content": "q"}]`
	var many []string
	for i := range 2000 {
		many = append(many, fmt.Sprintf(`{"role": "user", "content": "question %d %s"}`, i, strings.Repeat("x", 500)),
			fmt.Sprintf(`{"role": "assistant", "content": "<think>hm</think>answer %d", "tool_calls": [{"type": "function", "function": {"name": "f", "arguments": {"a": %d}}}]}`, i, i))
	}
	for _, f := range files {
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		tmpl, err := Parse(filepath.Base(f), string(src))
		if err != nil {
			t.Fatal(err)
		}
		for name, conv := range map[string]string{"one 8 MB message": long, "an 8 MB answer with reasoning": answer, "4,000 messages": "[" + strings.Join(many, ",") + "]"} {
			msgs, err := FromJSON(json.RawMessage(conv))
			if err != nil {
				t.Fatal(err)
			}
			r := &renderer{maxBuilt: maxBuilt}
			out, err := tmpl.renderWith(r, map[string]Value{"messages": msgs, "bos_token": "<|startoftext|>", "add_generation_prompt": true})
			if err != nil {
				t.Fatalf("%s, %s: %v", filepath.Base(f), name, err)
			}
			t.Logf("%s, %s: %d bytes out; read %d MB of %d, built %d MB of %d, %d steps of %d", filepath.Base(f), name, len(out),
				r.readBytes>>20, maxRead>>20, r.built>>20, maxBuilt>>20, r.steps, maxSteps)
			if r.readBytes > maxRead/4 || r.built > maxBuilt/4 || r.steps > maxSteps/4 {
				t.Errorf("%s, %s: within a quarter of a budget", filepath.Base(f), name)
			}
		}
	}
}
