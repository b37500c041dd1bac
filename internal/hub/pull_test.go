package hub

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

const commit = "0123456789abcdef0123456789abcdef01234567"

// fakeHub imitates the Hub's revision API and resolve endpoints: LFS files
// redirect to a CDN path with X-Linked-Etag / X-Linked-Size / X-Repo-Commit,
// small files answer directly with an ETag. It can cut a transfer short,
// corrupt one, or demand a token.
type fakeHub struct {
	repo      string
	files     map[string][]byte
	lfs       map[string]bool
	token     string
	mu        sync.Mutex
	cutNext   int // CDN transfers still to cut in half
	corrupt   bool
	rangeSeen []string
	// stallNext CDN transfers send a third of the body and then nothing
	// until the client gives up; failNext answer HTTP 500.
	stallNext, failNext int
	etag                string // overrides the LFS ETag when set
	extraSibling        string // listed but not served
	oversend            bool   // CDN transfers go on past the file, without end
}

// sawRangeRequest: whether a CDN transfer asked for a byte range (a resume).
func (h *fakeHub) sawRangeRequest() bool {
	for _, r := range h.rangeSeen {
		if strings.HasPrefix(r, "bytes=") {
			return true
		}
	}
	return false
}

func sum(b []byte) string { h := sha256.Sum256(b); return hex.EncodeToString(h[:]) }

func (h *fakeHub) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if h.token != "" && r.Header.Get("Authorization") != "Bearer "+h.token && !strings.HasPrefix(r.URL.Path, "/cdn/") {
		http.Error(w, "gated", http.StatusUnauthorized)
		return
	}
	switch {
	case strings.HasPrefix(r.URL.Path, "/api/models/"):
		rest := strings.TrimPrefix(r.URL.Path, "/api/models/")
		if !strings.HasPrefix(rest, h.repo+"/revision/") {
			http.NotFound(w, r)
			return
		}
		var sib []map[string]string
		for name := range h.files {
			sib = append(sib, map[string]string{"rfilename": name})
		}
		if h.extraSibling != "" {
			sib = append(sib, map[string]string{"rfilename": h.extraSibling})
		}
		json.NewEncoder(w).Encode(map[string]any{"sha": commit, "siblings": sib})
	case strings.HasPrefix(r.URL.Path, "/"+h.repo+"/resolve/"):
		file := strings.SplitN(strings.TrimPrefix(r.URL.Path, "/"+h.repo+"/resolve/"), "/", 2)[1]
		data, ok := h.files[file]
		if !ok {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("X-Repo-Commit", commit)
		if h.lfs[file] {
			etag := sum(data)
			if h.etag != "" {
				etag = h.etag
			}
			w.Header().Set("X-Linked-Etag", `"`+etag+`"`)
			w.Header().Set("X-Linked-Size", fmt.Sprint(len(data)))
			w.Header().Set("ETag", `"gitsha-of-pointer"`)
			http.Redirect(w, r, "/cdn/"+file, http.StatusFound)
			return
		}
		w.Header().Set("ETag", fmt.Sprintf(`"git-%x"`, sha256.Sum256(data))[:20]+`"`)
		w.Write(data)
	case strings.HasPrefix(r.URL.Path, "/cdn/"):
		data := h.files[strings.TrimPrefix(r.URL.Path, "/cdn/")]
		h.mu.Lock()
		h.rangeSeen = append(h.rangeSeen, r.Header.Get("Range"))
		cut := h.cutNext > 0
		if cut {
			h.cutNext--
		}
		stall, fail := h.stallNext > 0, h.failNext > 0
		if stall {
			h.stallNext--
		}
		if fail {
			h.failNext--
		}
		corrupt := h.corrupt
		h.mu.Unlock()
		if corrupt {
			data = append([]byte{}, data...)
			data[len(data)/2] ^= 0xff
		}
		if fail {
			http.Error(w, "upstream broke", http.StatusInternalServerError)
			return
		}
		if stall {
			w.Header().Set("Content-Length", fmt.Sprint(len(data)))
			w.WriteHeader(http.StatusOK)
			w.Write(data[:len(data)/3])
			w.(http.Flusher).Flush()
			select { // until the client hangs up (bounded, so the test server can close)
			case <-r.Context().Done():
			case <-time.After(10 * time.Second):
			}
			return
		}
		if h.oversend {
			w.WriteHeader(http.StatusOK) // no Content-Length: chunked
			w.Write(data)
			junk := make([]byte, 64<<10)
			for r.Context().Err() == nil {
				if _, err := w.Write(junk); err != nil {
					return
				}
			}
			return
		}
		if cut {
			w.Header().Set("Content-Length", fmt.Sprint(len(data)))
			w.WriteHeader(http.StatusOK)
			w.Write(data[:len(data)/3])
			w.(http.Flusher).Flush()
			panic(http.ErrAbortHandler) // drop the connection mid-body
		}
		http.ServeContent(w, r, "blob", time.Time{}, strings.NewReader(string(data)))
	default:
		http.NotFound(w, r)
	}
}

func newFake(t *testing.T) (*fakeHub, *Client) {
	weights := make([]byte, 300_000)
	for i := range weights {
		weights[i] = byte(i * 7)
	}
	h := &fakeHub{repo: "LiquidAI/LFM2-350M", files: map[string][]byte{
		"config.json":           []byte(`{"model_type":"lfm2"}`),
		"tokenizer.json":        []byte(`{"model":{}}`),
		"tokenizer_config.json": []byte(`{}`),
		"chat_template.jinja":   []byte(`{{ bos_token }}`),
		"model.safetensors":     weights,
		"README.md":             []byte("not fetched"),
	}, lfs: map[string]bool{"model.safetensors": true, "tokenizer.json": true}}
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	c := NewClient()
	c.Endpoint, c.CacheDir, c.Token, c.Retries = srv.URL, filepath.Join(t.TempDir(), "cache"), "", 2
	c.Backoff, c.IdleTimeout = 5*time.Millisecond, 300*time.Millisecond
	return h, c
}

func checkSnapshot(t *testing.T, h *fakeHub, c *Client, snap string) {
	t.Helper()
	if want := filepath.Join(RepoDir(c.CacheDir, h.repo), "snapshots", commit); snap != want {
		t.Fatalf("snapshot %s, want %s", snap, want)
	}
	for name, data := range h.files {
		p := filepath.Join(snap, name)
		if name == "README.md" {
			if _, err := os.Lstat(p); err == nil {
				t.Errorf("fetched %s, which a model does not need", name)
			}
			continue
		}
		fi, err := os.Lstat(p)
		if err != nil || fi.Mode()&os.ModeSymlink == 0 {
			t.Fatalf("%s is not a symlink into blobs: %v", name, err)
		}
		target, _ := os.Readlink(p)
		if !strings.HasPrefix(target, "../../blobs/") {
			t.Errorf("%s links to %s, want a relative ../../blobs/ link as huggingface_hub makes", name, target)
		}
		got, err := os.ReadFile(p)
		if err != nil || string(got) != string(data) {
			t.Fatalf("%s differs from the served bytes", name)
		}
	}
	ref, err := os.ReadFile(filepath.Join(RepoDir(c.CacheDir, h.repo), "refs", "main"))
	if err != nil || string(ref) != commit {
		t.Fatalf("refs/main = %q, %v", ref, err)
	}
	if _, err := os.Stat(filepath.Join(RepoDir(c.CacheDir, h.repo), "blobs", sum(h.files["model.safetensors"]))); err != nil {
		t.Fatalf("LFS blob is not named by its sha256: %v", err)
	}
	// What pull wrote is what model discovery finds.
	src, err := FindCached(c.CacheDir, h.repo, "main")
	if err != nil || src.Dir != snap {
		t.Fatalf("FindCached = %+v, %v", src, err)
	}
}

func TestPull(t *testing.T) {
	h, c := newFake(t)
	snap, err := c.Pull(context.Background(), h.repo, "main", "")
	if err != nil {
		t.Fatal(err)
	}
	checkSnapshot(t, h, c, snap)
	// A second pull downloads nothing.
	h.rangeSeen = nil
	if _, err := c.Pull(context.Background(), h.repo, "main", ""); err != nil || len(h.rangeSeen) != 0 {
		t.Fatalf("second pull: %v, %d transfers", err, len(h.rangeSeen))
	}
}

func TestPullResumesInterruptedTransfer(t *testing.T) {
	h, c := newFake(t)
	h.cutNext = 2 // tokenizer.json and model.safetensors are both cut once
	snap, err := c.Pull(context.Background(), h.repo, "main", "")
	if err != nil {
		t.Fatal(err)
	}
	checkSnapshot(t, h, c, snap)
	if !h.sawRangeRequest() {
		t.Fatalf("no Range request after the cut: %v", h.rangeSeen)
	}
}

func TestPullResumesAcrossRuns(t *testing.T) {
	h, c := newFake(t)
	c.Retries = 0
	h.cutNext = 1
	if _, err := c.Pull(context.Background(), h.repo, "main", ""); err == nil || !strings.Contains(err.Error(), "partial file is kept") {
		t.Fatalf("cut transfer with no retries: %v", err)
	}
	snap, err := c.Pull(context.Background(), h.repo, "main", "")
	if err != nil {
		t.Fatal(err)
	}
	checkSnapshot(t, h, c, snap)
}

func TestPullRefusesCorruption(t *testing.T) {
	h, c := newFake(t)
	h.corrupt = true
	_, err := c.Pull(context.Background(), h.repo, "main", "")
	if !errors.Is(err, ErrChecksum) {
		t.Fatalf("err = %v, want checksum mismatch", err)
	}
	matches, _ := filepath.Glob(filepath.Join(RepoDir(c.CacheDir, h.repo), "blobs", "*"))
	for _, m := range matches {
		if strings.HasSuffix(m, ".incomplete") {
			t.Errorf("partial file %s left behind", m)
		}
	}
	if _, err := os.Stat(filepath.Join(RepoDir(c.CacheDir, h.repo), "blobs", sum(h.files["tokenizer.json"]))); err == nil {
		t.Errorf("a corrupt blob was kept")
	}
}

func TestPullErrors(t *testing.T) {
	h, c := newFake(t)
	if _, err := c.Pull(context.Background(), "nobody/nothing", "main", ""); !errors.Is(err, ErrNoSuchRepo) {
		t.Errorf("unknown repo: %v", err)
	}
	h.token = "secret"
	if _, err := c.Pull(context.Background(), h.repo, "main", ""); !errors.Is(err, ErrUnauthorized) || !strings.Contains(err.Error(), "HF_TOKEN") {
		t.Errorf("gated without token: %v", err)
	}
	c.Token = "secret"
	if _, err := c.Pull(context.Background(), h.repo, "main", ""); err != nil {
		t.Errorf("gated with token: %v", err)
	}
	c.Endpoint = "http://127.0.0.1:1" // nothing listens there
	if _, err := c.Pull(context.Background(), h.repo, "main", ""); !errors.Is(err, ErrOffline) || !strings.Contains(err.Error(), "127.0.0.1:1") || !strings.Contains(err.Error(), "--model") {
		t.Errorf("offline: %v", err)
	}
}

func TestPullRetriesStalledTransfer(t *testing.T) {
	h, c := newFake(t)
	h.stallNext = 2 // tokenizer.json and model.safetensors each stall once
	snap, err := c.Pull(context.Background(), h.repo, "main", "")
	if err != nil {
		t.Fatal(err)
	}
	checkSnapshot(t, h, c, snap)
	if !h.sawRangeRequest() {
		t.Fatalf("a stalled transfer was not resumed with a Range request: %v", h.rangeSeen)
	}
}

func TestPullGivesUpOnAServerThatStopsSending(t *testing.T) {
	h, c := newFake(t)
	h.stallNext = 100
	c.Retries = 1
	_, err := c.Pull(context.Background(), h.repo, "main", "")
	if !errors.Is(err, ErrStalled) {
		t.Fatalf("err = %v, want a stall", err)
	}
	host := strings.TrimPrefix(c.Endpoint, "http://")
	for _, want := range []string{"tokenizer.json", host, "stalled", "2 attempts", "partial file is kept"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q lacks %q", err, want)
		}
	}
}

func TestPullServerErrors(t *testing.T) {
	h, c := newFake(t)
	h.failNext = 2 // transient: retried
	snap, err := c.Pull(context.Background(), h.repo, "main", "")
	if err != nil {
		t.Fatal(err)
	}
	checkSnapshot(t, h, c, snap)

	h, c = newFake(t)
	h.failNext = 100
	_, err = c.Pull(context.Background(), h.repo, "main", "")
	if !errors.Is(err, ErrServer) || !strings.Contains(err.Error(), "HTTP 500") || !strings.Contains(err.Error(), "server error from") ||
		strings.Contains(err.Error(), "interrupted") {
		t.Fatalf("persistent 500: %v", err)
	}
}

// TestPullStopsAServerThatSendsTooMuch: a server (a hostile mirror in
// HF_ENDPOINT) that goes on sending past the size it announced must not
// fill the disk: the transfer stops one byte past it, and nothing is kept.
func TestPullStopsAServerThatSendsTooMuch(t *testing.T) {
	h, c := newFake(t)
	h.oversend = true
	c.Retries = 1
	done := make(chan error, 1)
	go func() {
		_, err := c.Pull(context.Background(), h.repo, "main", "")
		done <- err
	}()
	var err error
	select {
	case err = <-done:
	case <-time.After(30 * time.Second):
		t.Fatal("pull did not stop a server sending without end")
	}
	if !errors.Is(err, ErrServer) || !strings.Contains(err.Error(), "more than the") {
		t.Fatalf("err = %v, want a server that sent too much", err)
	}
	blobs := filepath.Join(RepoDir(c.CacheDir, h.repo), "blobs")
	partial, _ := filepath.Glob(filepath.Join(blobs, "*.incomplete"))
	for _, m := range partial {
		if st, err := os.Stat(m); err == nil && st.Size() > 0 {
			t.Errorf("%s kept %d bytes", m, st.Size())
		}
	}
	for name, lfs := range h.lfs {
		if _, err := os.Stat(filepath.Join(blobs, sum(h.files[name]))); lfs && err == nil {
			t.Errorf("%s was kept from a transfer that went on past its end", name)
		}
	}
}

func TestPullCancelled(t *testing.T) {
	h, c := newFake(t)
	h.stallNext = 100
	c.IdleTimeout = time.Minute
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(200*time.Millisecond, cancel)
	if _, err := c.Pull(ctx, h.repo, "main", ""); !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
}

func TestPullRefsPR(t *testing.T) {
	h, c := newFake(t)
	snap, err := c.Pull(context.Background(), h.repo, "refs/pr/1", "")
	if err != nil {
		t.Fatal(err)
	}
	if filepath.Base(snap) != commit {
		t.Fatalf("snapshot %s", snap)
	}
	ref, err := os.ReadFile(filepath.Join(RepoDir(c.CacheDir, h.repo), "refs", "refs", "pr", "1"))
	if err != nil || string(ref) != commit {
		t.Fatalf("refs/refs/pr/1 = %q, %v", ref, err)
	}
}

// listTree returns every path under dir.
func listTree(t *testing.T, dir string) []string {
	var out []string
	filepath.Walk(dir, func(p string, _ os.FileInfo, err error) error {
		if err == nil {
			out = append(out, p)
		}
		return nil
	})
	return out
}

// Traversal in the repo id, the revision, a listed file name or a blob
// ETag is refused, and nothing is written outside the cache folder.
func TestPullRefusesPathTraversal(t *testing.T) {
	cases := []struct {
		name, repo, rev string
		setup           func(h *fakeHub)
		want            string
	}{
		{"repo dot-dot", "../evil", "main", nil, "repo id"},
		{"repo nested dot-dot", "a/../../b", "main", nil, "repo id"},
		{"repo three parts", "a/b/c", "main", nil, "repo id"},
		{"repo double dash", "a--b/c", "main", nil, "repo id"},
		{"revision traversal", "", "../../../../evil", nil, "revision"},
		{"revision absolute", "", "/tmp/evil", nil, "revision"},
		{"revision backslash", "", `..\evil`, nil, "revision"},
		{"revision empty segment", "", "refs//pr", nil, "revision"},
		{"sibling traversal", "", "main", func(h *fakeHub) { h.extraSibling = "../../../../x" }, `file "../../../../x"`},
		{"sharded sibling traversal", "", "main", func(h *fakeHub) { h.extraSibling = "model-a/../../../../x.safetensors" }, "model-a/../../../../x.safetensors"},
		{"etag traversal", "", "main", func(h *fakeHub) { h.etag = ".." }, "ETag"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			h, c := newFake(t)
			if tc.setup != nil {
				tc.setup(h)
			}
			repo := tc.repo
			if repo == "" {
				repo = h.repo
			}
			outside := filepath.Dir(c.CacheDir)
			_, err := c.Pull(context.Background(), repo, tc.rev, "")
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want one naming %q", err, tc.want)
			}
			for _, p := range listTree(t, outside) {
				if p != outside && p != c.CacheDir && !strings.HasPrefix(p, c.CacheDir+string(filepath.Separator)) {
					t.Errorf("wrote %s outside the cache", p)
				}
			}
		})
	}
}

// Other repos of the family resolve like the 350M: pull, then --model REPO.
func TestPullOtherRepo(t *testing.T) {
	h, c := newFake(t)
	h.repo = "LiquidAI/LFM2.5-350M"
	snap, err := c.Pull(context.Background(), h.repo, "main", "")
	if err != nil {
		t.Fatal(err)
	}
	src, err := FindCached(c.CacheDir, "LiquidAI/LFM2.5-350M", "main")
	if err != nil || src.Dir != snap || src.Repo != "LiquidAI/LFM2.5-350M" {
		t.Fatalf("FindCached = %+v, %v", src, err)
	}
	if !strings.HasSuffix(filepath.Dir(filepath.Dir(snap)), "models--LiquidAI--LFM2.5-350M") {
		t.Fatalf("snapshot %s", snap)
	}
}

// A GGUF repo: --quant picks the one file to download; without it a repo
// of several files is an error that lists them.
func TestPullGGUFQuant(t *testing.T) {
	h, c := newFake(t)
	h.repo = "LiquidAI/LFM2-350M-GGUF"
	h.files = map[string][]byte{
		"LFM2-350M-Q4_K_M.gguf": []byte("GGUF-q4km"),
		"LFM2-350M-Q8_0.gguf":   []byte("GGUF-q8"),
		"README.md":             []byte("readme"),
	}
	h.lfs = map[string]bool{"LFM2-350M-Q4_K_M.gguf": true, "LFM2-350M-Q8_0.gguf": true}
	if _, err := c.Pull(context.Background(), h.repo, "main", ""); !errors.Is(err, ErrNotFound) || !strings.Contains(err.Error(), "--quant") {
		t.Fatalf("no --quant: %v", err)
	}
	snap, err := c.Pull(context.Background(), h.repo, "main", "Q4_K_M")
	if err != nil {
		t.Fatal(err)
	}
	entries, _ := os.ReadDir(snap)
	if len(entries) != 1 || entries[0].Name() != "LFM2-350M-Q4_K_M.gguf" {
		t.Fatalf("downloaded %v", entries)
	}
	t.Setenv("HF_HUB_CACHE", c.CacheDir)
	src, err := Resolve(h.repo, "Q4_K_M")
	if err != nil || filepath.Base(src.GGUF) != "LFM2-350M-Q4_K_M.gguf" {
		t.Fatalf("Resolve: %+v, %v", src, err)
	}
}
