package main

import (
	"strings"
	"testing"
)

// TestDefaultTierByWeights: without --precision, quantized weights (a
// quantized GGUF file, --dtype) run in the fast tier and float weights in
// the exact one; --precision overrides both ways. --verbose names the
// tier in its kernels line.
func TestDefaultTierByWeights(t *testing.T) {
	quant := "../../testdata/fixtures/gguf-quant/model-Q4_0.gguf"
	float := "../../testdata/fixtures/tiny-bf16"
	for _, c := range []struct {
		args []string
		fast bool
	}{
		{[]string{"--model", quant}, true},
		{[]string{"--model", quant, "--precision", "exact"}, false},
		{[]string{"--model", float}, false},
		{[]string{"--model", float, "--precision", "fast"}, true},
		{[]string{"--model", float, "--dtype", "q4_0"}, true},
		{[]string{"--model", float, "--dtype", "q8_0", "--precision", "exact"}, false},
	} {
		args := append([]string{"run", "--verbose", "--raw", "-n", "1"}, c.args...)
		_, stderr, code := runBinary(t, "", nil, append(args, "hi")...)
		if code != 0 {
			t.Fatalf("%v: exit %d: %s", c.args, code, stderr)
		}
		// A family with no fast kernels says so; it is still the tier asked.
		fast := strings.Contains(stderr, "; fast: ") || strings.Contains(stderr, "; exact: no fast kernels")
		exact := strings.Contains(stderr, "; exact) kernels")
		if fast != c.fast || exact == c.fast {
			t.Errorf("%v: want fast=%v; --verbose said %q", c.args, c.fast, stderr)
		}
	}
}
