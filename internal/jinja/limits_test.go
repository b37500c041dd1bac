package jinja

import (
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
		{"{% set s = 'x' * 1000000 %}{% for i in range(1000) %}{{ s }}{% endfor %}", "output"},
		{"{{ 'x' * 100000000000 }}", "too large"},
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
