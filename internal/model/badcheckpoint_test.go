package model

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/lfm2go/lfm2/internal/fixture"
	"github.com/lfm2go/lfm2/internal/safetensors"
)

// rewrite copies the bf16 fixture into a temp dir, passing every tensor
// through edit (which may rename, reshape or drop it) and adding extra ones.
func rewrite(t *testing.T, edit func(*safetensors.WriteTensor) bool, extra ...safetensors.WriteTensor) string {
	t.Helper()
	src := fixture.Dir("tiny-bf16")
	ck, err := safetensors.OpenDir(src)
	if err != nil {
		t.Fatal(err)
	}
	defer ck.Close()
	var ts []safetensors.WriteTensor
	for _, n := range ck.Names() {
		tt := ck.Get(n)
		w := safetensors.WriteTensor{Name: n, DType: tt.DType, Shape: append([]int(nil), tt.Shape...), Data: tt.Bytes()}
		if edit(&w) {
			ts = append(ts, w)
		}
	}
	ts = append(ts, extra...)
	var buf bytes.Buffer
	if err := safetensors.Write(&buf, ts, nil); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "model.safetensors"), buf.Bytes(), 0o644)
	cfg, _ := os.ReadFile(filepath.Join(src, "config.json"))
	os.WriteFile(filepath.Join(dir, "config.json"), cfg, 0o644)
	return dir
}

func TestBadCheckpoints(t *testing.T) {
	cases := []struct {
		name  string
		dir   func(t *testing.T) string
		wants []string
	}{
		{"missing tensors are all listed", func(t *testing.T) string {
			return rewrite(t, func(w *safetensors.WriteTensor) bool {
				return w.Name != "model.layers.0.conv.in_proj.weight" && w.Name != "model.embedding_norm.weight"
			})
		}, []string{"missing 2 tensor(s)", "model.layers.0.conv.in_proj.weight [192 64]", "model.embedding_norm.weight [64]"}},
		{"wrong shape", func(t *testing.T) string {
			return rewrite(t, func(w *safetensors.WriteTensor) bool {
				if w.Name == "model.layers.2.feed_forward.w1.weight" {
					w.Shape = []int{w.Shape[1], w.Shape[0]}
				}
				return true
			})
		}, []string{"model.layers.2.feed_forward.w1.weight has shape [64 192], want [192 64]", "feed-forward width from config: 192"}},
		{"unexpected tensor", func(t *testing.T) string {
			return rewrite(t, func(*safetensors.WriteTensor) bool { return true },
				safetensors.WriteTensor{Name: "model.layers.0.self_attn.q_proj.weight", DType: safetensors.F32, Shape: []int{1}, Data: make([]byte, 4)})
		}, []string{"unexpected 1 tensor(s): model.layers.0.self_attn.q_proj.weight"}},
		{"truncated file", func(t *testing.T) string {
			dir := rewrite(t, func(*safetensors.WriteTensor) bool { return true })
			p := filepath.Join(dir, "model.safetensors")
			b, _ := os.ReadFile(p)
			os.WriteFile(p, b[:len(b)/2], 0o644)
			return dir
		}, []string{"model.safetensors", "outside the"}},
		{"config missing a field", func(t *testing.T) string {
			dir := rewrite(t, func(*safetensors.WriteTensor) bool { return true })
			os.WriteFile(filepath.Join(dir, "config.json"), []byte(`{"vocab_size": 30508, "hidden_size": 64}`), 0o644)
			return dir
		}, []string{"config.json", `missing field "num_hidden_layers"`}},
		{"no config", func(t *testing.T) string { return t.TempDir() }, []string{"config.json"}},
		{"config far larger than the weights", func(t *testing.T) string {
			dir := rewrite(t, func(*safetensors.WriteTensor) bool { return true })
			editConfig(t, dir, map[string]any{"num_hidden_layers": 1000, "layer_types": nil, "full_attn_idxs": nil})
			return dir
		}, []string{"config implies", "config.json does not describe these weights"}},
		{"negative norm_eps", func(t *testing.T) string {
			dir := rewrite(t, func(*safetensors.WriteTensor) bool { return true })
			editConfig(t, dir, map[string]any{"norm_eps": -1})
			return dir
		}, []string{"config.json", "norm_eps -1 must be a positive number"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			m, err := Load(tc.dir(t), 1)
			if err == nil {
				m.Close()
				t.Fatal("loaded a bad checkpoint")
			}
			for _, w := range tc.wants {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q\nlacks %q", err, w)
				}
			}
		})
	}
}

func TestTiedCheckpointMayStoreHead(t *testing.T) {
	dir := rewrite(t, func(*safetensors.WriteTensor) bool { return true },
		safetensors.WriteTensor{Name: "lm_head.weight", DType: safetensors.F32, Shape: []int{1}, Data: make([]byte, 4)})
	m, err := Load(dir, 1)
	if err != nil {
		t.Fatal(err)
	}
	m.Close()
}

// editConfig sets (or, with nil, deletes) fields of dir's config.json.
func editConfig(t *testing.T, dir string, set map[string]any) {
	t.Helper()
	p := filepath.Join(dir, "config.json")
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	var cfg map[string]any
	if err := json.Unmarshal(b, &cfg); err != nil {
		t.Fatal(err)
	}
	for k, v := range set {
		if v == nil {
			delete(cfg, k)
		} else {
			cfg[k] = v
		}
	}
	b, _ = json.Marshal(cfg)
	if err := os.WriteFile(p, b, 0o644); err != nil {
		t.Fatal(err)
	}
}
