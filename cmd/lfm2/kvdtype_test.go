package main

import (
	"encoding/json"
	"os"
	"strings"
	"testing"
)

// TestKVDtypeF16: --kv-dtype f16 reaches the cache of every command that
// keeps one: bench reports it and half the KV bytes a step reads, and
// run, score, chat and batch complete on it.
func TestKVDtypeF16(t *testing.T) {
	file := "../../testdata/fixtures/gguf-tiny/model-BF16.gguf"
	kv := map[string]int64{}
	for _, dtype := range []string{"f32", "f16"} {
		stdout, stderr, code := runBinary(t, "", nil, "bench", "--model", file, "--kv-dtype", dtype,
			"--prompt", "16", "--gen", "4", "--parallel", "2", "--repeat", "1", "--json")
		var r struct {
			KV    int64  `json:"kv_bytes_per_token"`
			Dtype string `json:"kv_dtype"`
		}
		if err := json.Unmarshal([]byte(stdout), &r); code != 0 || err != nil || r.Dtype != dtype {
			t.Fatalf("bench --kv-dtype %s: exit %d, %v, kv_dtype %q: %s", dtype, code, err, r.Dtype, stderr)
		}
		kv[dtype] = r.KV
	}
	if kv["f16"] <= 0 || 2*kv["f16"] != kv["f32"] {
		t.Errorf("KV bytes a decode step reads: f32 %d, f16 %d; want twice as many in f32", kv["f32"], kv["f16"])
	}
	dir := t.TempDir()
	in := dir + "/in.jsonl"
	os.WriteFile(in, []byte(`{"id": "a", "messages": [{"role": "user", "content": "Hi"}], "max_tokens": 3}`+"\n"), 0o644)
	for _, args := range [][]string{
		{"run", "--model", file, "--kv-dtype", "f16", "-n", "3", "Hello"},
		{"score", "--model", file, "--kv-dtype", "f16", "Hello world"},
		{"batch", "--model", file, "--kv-dtype", "f16", "-i", in, "-o", dir + "/out.jsonl", "-q"},
	} {
		if _, stderr, code := runBinary(t, "", nil, args...); code != 0 {
			t.Errorf("%v: exit %d: %s", args, code, stderr)
		}
	}
	if stdout, stderr, code := runBinary(t, "Hi\n", nil, "chat", "--model", file, "--kv-dtype", "f16", "-n", "3", "--json"); code != 0 || !strings.Contains(stdout, `"turn":1`) {
		t.Errorf("chat: exit %d %s %s", code, stdout, stderr)
	}
}
