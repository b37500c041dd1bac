package hub

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestResolve(t *testing.T) {
	t.Setenv("HF_HOME", t.TempDir())
	t.Setenv("HF_HUB_CACHE", "")
	t.Setenv("LFM2_MODEL", "")
	if s, err := Resolve("synthetic:350m", ""); err != nil || s.Synthetic != "350m" {
		t.Fatalf("synthetic: %+v %v", s, err)
	}
	dir := t.TempDir()
	if _, err := Resolve(dir, ""); !errors.Is(err, ErrNotFound) {
		t.Fatalf("folder without config.json: %v", err)
	}
	os.WriteFile(filepath.Join(dir, "config.json"), []byte("{}"), 0o644)
	if s, err := Resolve(dir, ""); err != nil || s.Dir != dir {
		t.Fatalf("folder: %+v %v", s, err)
	}
	t.Setenv("LFM2_MODEL", dir)
	if s, err := Resolve("", ""); err != nil || s.Dir != dir {
		t.Fatalf("$LFM2_MODEL: %+v %v", s, err)
	}
	t.Setenv("LFM2_MODEL", "")
	if _, err := Resolve("", ""); !errors.Is(err, ErrNotFound) {
		t.Fatalf("nothing cached: %v", err)
	}
	if _, err := Resolve("LiquidAI/LFM2-350M", ""); !errors.Is(err, ErrNotFound) {
		t.Fatalf("repo not cached: %v", err)
	}
}

func TestPulledModelIsFoundAndListed(t *testing.T) {
	h, c := newFake(t)
	t.Setenv("HF_HUB_CACHE", c.CacheDir)
	t.Setenv("LFM2_MODEL", "")
	snap, err := c.Pull(context.Background(), h.repo, "main", "")
	if err != nil {
		t.Fatal(err)
	}
	for _, spec := range []string{"", h.repo} {
		if s, err := Resolve(spec, ""); err != nil || s.Dir != snap {
			t.Fatalf("Resolve(%q) = %+v, %v", spec, s, err)
		}
	}
	list, err := List(c.CacheDir)
	if err != nil || len(list) != 1 {
		t.Fatalf("List = %+v, %v", list, err)
	}
	var want int64
	for name, b := range h.files {
		if name != "README.md" {
			want += int64(len(b))
		}
	}
	if l := list[0]; l.Repo != h.repo || l.Revision != "main" || l.Commit != commit || !l.Complete || l.Bytes != want {
		t.Fatalf("listed %+v (want %d bytes)", l, want)
	}
}

func TestResolveGGUF(t *testing.T) {
	dir := t.TempDir()
	for _, n := range []string{"LFM2-350M-Q4_K_M.gguf", "LFM2-350M-Q4_K.gguf", "LFM2-350M-Q8_0.gguf"} {
		os.WriteFile(filepath.Join(dir, n), []byte("GGUF"), 0o644)
	}
	file := filepath.Join(dir, "LFM2-350M-Q8_0.gguf")
	if s, err := Resolve(file, ""); err != nil || s.GGUF != file {
		t.Fatalf("a .gguf path: %+v, %v", s, err)
	}
	for quant, want := range map[string]string{"Q4_K_M": "LFM2-350M-Q4_K_M.gguf", "q4_k": "LFM2-350M-Q4_K.gguf", "Q8_0": "LFM2-350M-Q8_0.gguf"} {
		s, err := Resolve(dir, quant)
		if err != nil || filepath.Base(s.GGUF) != want {
			t.Errorf("--quant %s: %+v, %v", quant, s, err)
		}
	}
	if _, err := Resolve(dir, ""); !errors.Is(err, ErrNotFound) || !strings.Contains(err.Error(), "--quant") {
		t.Errorf("several files without --quant: %v", err)
	}
	if _, err := Resolve(dir, "Q2_K"); !errors.Is(err, ErrNotFound) || !strings.Contains(err.Error(), "LFM2-350M-Q8_0.gguf") {
		t.Errorf("missing quant: %v", err)
	}
}
