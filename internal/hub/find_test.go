package hub

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"
)

func TestResolve(t *testing.T) {
	t.Setenv("HF_HOME", t.TempDir())
	t.Setenv("HF_HUB_CACHE", "")
	t.Setenv("LFM2_MODEL", "")
	if s, err := Resolve("synthetic:350m"); err != nil || s.Synthetic != "350m" {
		t.Fatalf("synthetic: %+v %v", s, err)
	}
	dir := t.TempDir()
	if _, err := Resolve(dir); !errors.Is(err, ErrNotFound) {
		t.Fatalf("folder without config.json: %v", err)
	}
	os.WriteFile(filepath.Join(dir, "config.json"), []byte("{}"), 0o644)
	if s, err := Resolve(dir); err != nil || s.Dir != dir {
		t.Fatalf("folder: %+v %v", s, err)
	}
	t.Setenv("LFM2_MODEL", dir)
	if s, err := Resolve(""); err != nil || s.Dir != dir {
		t.Fatalf("$LFM2_MODEL: %+v %v", s, err)
	}
	t.Setenv("LFM2_MODEL", "")
	if _, err := Resolve(""); !errors.Is(err, ErrNotFound) {
		t.Fatalf("nothing cached: %v", err)
	}
	if _, err := Resolve("LiquidAI/LFM2-350M"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("repo not cached: %v", err)
	}
}

func TestPulledModelIsFoundAndListed(t *testing.T) {
	h, c := newFake(t)
	t.Setenv("HF_HUB_CACHE", c.CacheDir)
	t.Setenv("LFM2_MODEL", "")
	snap, err := c.Pull(context.Background(), h.repo, "main")
	if err != nil {
		t.Fatal(err)
	}
	for _, spec := range []string{"", h.repo} {
		if s, err := Resolve(spec); err != nil || s.Dir != snap {
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
