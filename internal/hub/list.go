package hub

import (
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// Cached is one snapshot in the cache.
type Cached struct {
	Repo     string
	Revision string // the ref pointing at it ("main"), or the commit
	Commit   string
	Path     string
	Bytes    int64 // size of the files it links to
	Complete bool  // has config and weights
}

// List returns every model snapshot in the cache, sorted by repo.
func List(cacheDir string) ([]Cached, error) {
	entries, err := os.ReadDir(cacheDir)
	if os.IsNotExist(err) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var out []Cached
	for _, e := range entries {
		name, ok := strings.CutPrefix(e.Name(), "models--")
		if !ok || !e.IsDir() {
			continue
		}
		repo := strings.Replace(name, "--", "/", 1)
		dir := filepath.Join(cacheDir, e.Name())
		refs := map[string]string{} // commit → ref name
		if rs, err := os.ReadDir(filepath.Join(dir, "refs")); err == nil {
			for _, r := range rs {
				if b, err := os.ReadFile(filepath.Join(dir, "refs", r.Name())); err == nil {
					refs[strings.TrimSpace(string(b))] = r.Name()
				}
			}
		}
		snaps, _ := os.ReadDir(filepath.Join(dir, "snapshots"))
		for _, s := range snaps {
			p := filepath.Join(dir, "snapshots", s.Name())
			c := Cached{Repo: repo, Commit: s.Name(), Revision: s.Name(), Path: p, Complete: complete(p)}
			if r, ok := refs[s.Name()]; ok {
				c.Revision = r
			}
			filepath.WalkDir(p, func(path string, d os.DirEntry, err error) error {
				if err == nil && !d.IsDir() {
					if st, err := os.Stat(path); err == nil { // follows the blob link
						c.Bytes += st.Size()
					}
				}
				return nil
			})
			out = append(out, c)
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Repo != out[j].Repo {
			return out[i].Repo < out[j].Repo
		}
		return out[i].Revision < out[j].Revision
	})
	return out, nil
}
