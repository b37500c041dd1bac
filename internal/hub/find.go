// Package hub finds models on disk (a folder, $LFM2_MODEL, the Hugging Face
// cache) and downloads them from the Hugging Face Hub.
package hub

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// DefaultRepo is the model used when none is named.
const DefaultRepo = "LiquidAI/LFM2-350M"

// SyntheticPrefix marks a random-weight model built in memory.
const SyntheticPrefix = "synthetic:"

// ErrNotFound means no model could be found; the message says what to do.
var ErrNotFound = errors.New("model not found")

// Source is a resolved model: a folder on disk, a GGUF file, or a
// synthetic preset.
type Source struct {
	Dir       string // folder with config.json, or holding GGUF (empty for synthetic)
	GGUF      string // the .gguf file, for a GGUF model
	Synthetic string // preset name, e.g. "350m"
	Repo      string // repo id, when it came from the cache
}

func (s Source) String() string {
	switch {
	case s.Synthetic != "":
		return SyntheticPrefix + s.Synthetic + " (random weights)"
	case s.GGUF != "":
		return s.GGUF
	}
	return s.Dir
}

// withGGUF turns a folder without config.json but with GGUF files into
// the GGUF file quant picks.
func withGGUF(src Source, quant, where string) (Source, error) {
	if quant == "" && hasSafetensors(src.Dir) {
		return src, nil
	}
	names := ggufFiles(src.Dir)
	if len(names) == 0 {
		if quant != "" {
			return Source{}, fmt.Errorf("%w: --quant %s: %s has no GGUF files", ErrNotFound, quant, where)
		}
		if _, err := os.Stat(filepath.Join(src.Dir, "config.json")); err == nil {
			return src, nil // the loader names what the folder lacks
		}
		return Source{}, fmt.Errorf("%w: %s has no config.json and no .gguf file", ErrNotFound, where)
	}
	name, err := pickGGUF(names, quant, where)
	if err != nil {
		return Source{}, err
	}
	src.GGUF = filepath.Join(src.Dir, name)
	return src, nil
}

// CacheDir is the Hugging Face hub cache: $HF_HUB_CACHE, else $HF_HOME/hub,
// else ~/.cache/huggingface/hub.
func CacheDir() string {
	if d := os.Getenv("HF_HUB_CACHE"); d != "" {
		return d
	}
	if d := os.Getenv("HF_HOME"); d != "" {
		return filepath.Join(d, "hub")
	}
	if d := os.Getenv("XDG_CACHE_HOME"); d != "" {
		return filepath.Join(d, "huggingface", "hub")
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return filepath.Join(".cache", "huggingface", "hub")
	}
	return filepath.Join(home, ".cache", "huggingface", "hub")
}

// RepoDir is where the cache keeps a repo: models--ORG--NAME.
func RepoDir(cacheDir, repo string) string {
	return filepath.Join(cacheDir, "models--"+strings.ReplaceAll(repo, "/", "--"))
}

// Resolve finds the model named by spec: "synthetic:PRESET", a folder, or a
// repo id in the cache. An empty spec means $LFM2_MODEL, else the cached
// default repo.
//
// quant picks a GGUF file by its quantization (Q4_K_M, Q8_0, …) in a folder
// or repo that holds several; a .gguf path is a model by itself.
func Resolve(spec, quant string) (Source, error) {
	from := "--model"
	if spec == "" {
		spec, from = os.Getenv("LFM2_MODEL"), "$LFM2_MODEL"
	}
	if spec == "" {
		src, err := FindCached(CacheDir(), DefaultRepo, "main")
		if err != nil {
			return Source{}, fmt.Errorf("%w: no --model given, $LFM2_MODEL is unset, and %s is not in %s.\n"+
				"  Download it:        lfm2 pull\n"+
				"  Or use a folder:    lfm2 run --model DIR ...   (DIR has config.json, model.safetensors, tokenizer.json)\n"+
				"  Or try it offline:  lfm2 run --model synthetic:350m ...   (random weights, for speed tests)",
				ErrNotFound, DefaultRepo, CacheDir())
		}
		return withGGUF(src, quant, DefaultRepo)
	}
	if p, ok := strings.CutPrefix(spec, SyntheticPrefix); ok {
		return Source{Synthetic: p}, nil
	}
	if st, err := os.Stat(spec); err == nil && st.Mode().IsRegular() && strings.HasSuffix(strings.ToLower(spec), ".gguf") {
		return Source{GGUF: spec, Dir: filepath.Dir(spec)}, nil
	}
	if st, err := os.Stat(spec); err == nil && st.IsDir() {
		return withGGUF(Source{Dir: spec}, quant, spec+" (from "+from+")")
	}
	if strings.Count(spec, "/") == 1 && !strings.HasPrefix(spec, ".") && !strings.HasPrefix(spec, "/") {
		src, err := FindCached(CacheDir(), spec, "main")
		if err != nil {
			return Source{}, fmt.Errorf("%w: %s (from %s) is not in the cache %s; run: lfm2 pull %s", ErrNotFound, spec, from, CacheDir(), spec)
		}
		return withGGUF(src, quant, spec)
	}
	return Source{}, fmt.Errorf("%w: %s (from %s) is neither a folder, a cached repo id, nor synthetic:PRESET", ErrNotFound, spec, from)
}

// FindCached returns the snapshot of repo at revision (a ref such as "main"
// or a commit), falling back to the newest complete snapshot.
func FindCached(cacheDir, repo, revision string) (Source, error) {
	dir := RepoDir(cacheDir, repo)
	commit := revision
	if b, err := os.ReadFile(filepath.Join(dir, "refs", revision)); err == nil {
		commit = strings.TrimSpace(string(b))
	}
	snap := filepath.Join(dir, "snapshots", commit)
	if complete(snap) {
		return Source{Dir: snap, Repo: repo}, nil
	}
	entries, err := os.ReadDir(filepath.Join(dir, "snapshots"))
	if err != nil {
		return Source{}, fmt.Errorf("%s: %w", repo, ErrNotFound)
	}
	type cand struct {
		dir string
		mod int64
	}
	var cands []cand
	for _, e := range entries {
		p := filepath.Join(dir, "snapshots", e.Name())
		if st, err := os.Stat(p); err == nil && complete(p) {
			cands = append(cands, cand{p, st.ModTime().UnixNano()})
		}
	}
	if len(cands) == 0 {
		return Source{}, fmt.Errorf("%s: %w", repo, ErrNotFound)
	}
	sort.Slice(cands, func(i, j int) bool { return cands[i].mod > cands[j].mod })
	return Source{Dir: cands[0].dir, Repo: repo}, nil
}

// hasSafetensors reports whether a folder holds safetensors weights.
func hasSafetensors(dir string) bool {
	for _, f := range []string{"model.safetensors", "model.safetensors.index.json"} {
		if _, err := os.Stat(filepath.Join(dir, f)); err == nil {
			return true
		}
	}
	return false
}

// complete reports whether a snapshot has a config and weights, or GGUF files.
func complete(dir string) bool {
	if len(ggufFiles(dir)) > 0 {
		return true
	}
	if _, err := os.Stat(filepath.Join(dir, "config.json")); err != nil {
		return false
	}
	for _, f := range []string{"model.safetensors", "model.safetensors.index.json"} {
		if _, err := os.Stat(filepath.Join(dir, f)); err == nil {
			return true
		}
	}
	return false
}
