package hub

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// DefaultEndpoint is the Hugging Face Hub; $HF_ENDPOINT overrides it.
const DefaultEndpoint = "https://huggingface.co"

// Files a model needs besides its weights; chat_template.jinja and
// generation_config.json are fetched when the repo has them.
var (
	requiredFiles = []string{"config.json", "tokenizer.json", "tokenizer_config.json"}
	optionalFiles = []string{"generation_config.json", "chat_template.jinja", "special_tokens_map.json"}
)

// Client downloads from the Hub into the Hugging Face cache layout.
type Client struct {
	Endpoint string       // e.g. https://huggingface.co
	Token    string       // bearer token for gated repos
	CacheDir string       // the hub cache (…/huggingface/hub)
	HTTP     *http.Client // redirects are followed
	Retries  int          // attempts to resume an interrupted transfer
	// Progress, when set, is called to make a per-file progress writer.
	Progress func(file string, size int64) io.WriteCloser
}

// NewClient reads $HF_ENDPOINT and $HF_TOKEN.
func NewClient() *Client {
	ep := os.Getenv("HF_ENDPOINT")
	if ep == "" {
		ep = DefaultEndpoint
	}
	return &Client{
		Endpoint: strings.TrimRight(ep, "/"),
		Token:    os.Getenv("HF_TOKEN"),
		CacheDir: CacheDir(),
		HTTP:     &http.Client{Timeout: 0, Transport: &http.Transport{Proxy: http.ProxyFromEnvironment, ResponseHeaderTimeout: 60 * time.Second}},
		Retries:  3,
	}
}

// Hub errors, so callers and tests can tell them apart.
var (
	ErrOffline      = errors.New("cannot reach the Hub")
	ErrUnauthorized = errors.New("access denied (gated or private repo)")
	ErrNoSuchRepo   = errors.New("no such repo, revision or file")
	ErrChecksum     = errors.New("checksum mismatch")
)

type repoInfo struct {
	SHA      string `json:"sha"`
	Siblings []struct {
		RFilename string `json:"rfilename"`
	} `json:"siblings"`
}

// Pull downloads what a model needs at revision and returns its snapshot folder.
func (c *Client) Pull(ctx context.Context, repo, revision string) (string, error) {
	if strings.Count(repo, "/") != 1 {
		return "", fmt.Errorf("repo %q: want ORG/NAME", repo)
	}
	var info repoInfo
	apiURL := fmt.Sprintf("%s/api/models/%s/revision/%s", c.Endpoint, repo, url.PathEscape(revision))
	if err := c.getJSON(ctx, apiURL, &info); err != nil {
		return "", fmt.Errorf("pull %s@%s: %w", repo, revision, err)
	}
	if !isHex(info.SHA, 40) {
		return "", fmt.Errorf("pull %s@%s: the Hub returned commit %q", repo, revision, info.SHA)
	}
	files, err := pickFiles(info)
	if err != nil {
		return "", fmt.Errorf("pull %s: %w", repo, err)
	}
	repoDir := RepoDir(c.CacheDir, repo)
	snap := filepath.Join(repoDir, "snapshots", info.SHA)
	for _, f := range files {
		if err := c.fetch(ctx, repo, info.SHA, f, repoDir, snap); err != nil {
			return "", fmt.Errorf("pull %s: %s: %w", repo, f, err)
		}
	}
	if revision != info.SHA {
		if err := os.MkdirAll(filepath.Join(repoDir, "refs"), 0o755); err != nil {
			return "", err
		}
		if err := writeAtomic(filepath.Join(repoDir, "refs", revision), []byte(info.SHA)); err != nil {
			return "", fmt.Errorf("pull %s: write ref: %w", repo, err)
		}
	}
	return snap, nil
}

// pickFiles chooses the config, tokenizer and weight files from the listing.
func pickFiles(info repoInfo) ([]string, error) {
	have := map[string]bool{}
	for _, s := range info.Siblings {
		have[s.RFilename] = true
	}
	var out []string
	for _, f := range requiredFiles {
		if !have[f] {
			return nil, fmt.Errorf("%w: the repo has no %s", ErrNoSuchRepo, f)
		}
		out = append(out, f)
	}
	for _, f := range optionalFiles {
		if have[f] {
			out = append(out, f)
		}
	}
	switch {
	case have["model.safetensors"]:
		out = append(out, "model.safetensors")
	case have["model.safetensors.index.json"]:
		out = append(out, "model.safetensors.index.json")
		for _, s := range info.Siblings {
			if strings.HasPrefix(s.RFilename, "model-") && strings.HasSuffix(s.RFilename, ".safetensors") {
				out = append(out, s.RFilename)
			}
		}
	default:
		return nil, fmt.Errorf("%w: the repo has no model.safetensors (or index)", ErrNoSuchRepo)
	}
	return out, nil
}

func (c *Client) request(ctx context.Context, method, u string, hdr http.Header) (*http.Response, error) {
	return c.requestWith(ctx, c.HTTP, method, u, hdr)
}

func (c *Client) requestWith(ctx context.Context, client *http.Client, method, u string, hdr http.Header) (*http.Response, error) {
	req, err := http.NewRequestWithContext(ctx, method, u, nil)
	if err != nil {
		return nil, err
	}
	for k, v := range hdr {
		req.Header[k] = v
	}
	req.Header.Set("User-Agent", "lfm2-go")
	if c.Token != "" {
		req.Header.Set("Authorization", "Bearer "+c.Token)
	}
	resp, err := client.Do(req)
	if err != nil {
		var dns *net.DNSError
		var op *net.OpError
		if errors.As(err, &dns) || errors.As(err, &op) {
			host := req.URL.Host
			return nil, fmt.Errorf("%w: %s: %v (offline? use a local folder with --model DIR)", ErrOffline, host, err)
		}
		return nil, err
	}
	switch {
	case resp.StatusCode == http.StatusUnauthorized || resp.StatusCode == http.StatusForbidden:
		resp.Body.Close()
		return nil, fmt.Errorf("%w: HTTP %d for %s; accept the licence on the Hub and set HF_TOKEN", ErrUnauthorized, resp.StatusCode, u)
	case resp.StatusCode == http.StatusNotFound:
		resp.Body.Close()
		return nil, fmt.Errorf("%w: HTTP 404 for %s", ErrNoSuchRepo, u)
	case resp.StatusCode >= 400:
		resp.Body.Close()
		return nil, fmt.Errorf("HTTP %d for %s", resp.StatusCode, u)
	}
	return resp, nil
}

func (c *Client) getJSON(ctx context.Context, u string, v any) error {
	resp, err := c.request(ctx, http.MethodGet, u, nil)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if err := json.NewDecoder(io.LimitReader(resp.Body, 64<<20)).Decode(v); err != nil {
		return fmt.Errorf("%s: bad JSON: %w", u, err)
	}
	return nil
}

// fileMeta is what the resolve endpoint says about a file before the bytes.
type fileMeta struct {
	etag string // blob name: the LFS sha256 or the git blob id
	size int64  // -1 if unknown
	lfs  bool   // etag is a sha256 to verify
}

// meta asks for the file's headers without following the redirect, as
// huggingface_hub does: X-Linked-Etag (LFS sha256) wins over ETag.
func (c *Client) meta(ctx context.Context, fileURL string) (fileMeta, error) {
	noRedirect := *c.HTTP
	noRedirect.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	resp, err := c.requestWith(ctx, &noRedirect, http.MethodHead, fileURL, nil)
	if err != nil {
		return fileMeta{}, err
	}
	resp.Body.Close()
	m := fileMeta{size: -1}
	if e := resp.Header.Get("X-Linked-Etag"); e != "" {
		m.etag, m.lfs = normEtag(e), true
		if n, err := strconv.ParseInt(resp.Header.Get("X-Linked-Size"), 10, 64); err == nil {
			m.size = n
		}
	} else {
		m.etag = normEtag(resp.Header.Get("ETag"))
		m.size = resp.ContentLength
	}
	if m.etag == "" || strings.ContainsAny(m.etag, "/\\") {
		return fileMeta{}, fmt.Errorf("the Hub gave no usable ETag for %s", fileURL)
	}
	m.lfs = m.lfs && isHex(m.etag, 64)
	return m, nil
}

func normEtag(e string) string {
	return strings.Trim(strings.TrimPrefix(strings.TrimSpace(e), "W/"), `"`)
}

// fetch downloads one file into blobs/<etag> (resuming a partial
// download), verifies it, and links snapshots/<commit>/<file> to it.
func (c *Client) fetch(ctx context.Context, repo, commit, file, repoDir, snap string) error {
	fileURL := fmt.Sprintf("%s/%s/resolve/%s/%s", c.Endpoint, repo, commit, file)
	m, err := c.meta(ctx, fileURL)
	if err != nil {
		return err
	}
	blobs := filepath.Join(repoDir, "blobs")
	if err := os.MkdirAll(blobs, 0o755); err != nil {
		return err
	}
	blob := filepath.Join(blobs, m.etag)
	if st, err := os.Stat(blob); err != nil || (m.size >= 0 && st.Size() != m.size) {
		if err := c.download(ctx, fileURL, blob, m); err != nil {
			return err
		}
	}
	link := filepath.Join(snap, filepath.FromSlash(file))
	if err := os.MkdirAll(filepath.Dir(link), 0o755); err != nil {
		return err
	}
	rel, err := filepath.Rel(filepath.Dir(link), blob)
	if err != nil {
		return err
	}
	os.Remove(link)
	if err := os.Symlink(rel, link); err != nil {
		return fmt.Errorf("link %s: %w", link, err)
	}
	return nil
}

// download writes the blob through <blob>.incomplete, resuming with an HTTP
// Range request from whatever is already there, retrying interrupted
// transfers, and renaming into place only when complete and verified.
func (c *Client) download(ctx context.Context, fileURL, blob string, m fileMeta) error {
	part := blob + ".incomplete"
	var lastErr error
	for attempt := 0; attempt <= c.Retries; attempt++ {
		if attempt > 0 {
			select {
			case <-ctx.Done():
				return ctx.Err()
			case <-time.After(time.Duration(attempt) * 200 * time.Millisecond):
			}
		}
		lastErr = c.downloadOnce(ctx, fileURL, part, m)
		if lastErr == nil {
			break
		}
		if errors.Is(lastErr, ErrUnauthorized) || errors.Is(lastErr, ErrNoSuchRepo) || errors.Is(lastErr, syscall.ENOSPC) || ctx.Err() != nil {
			return lastErr
		}
	}
	if lastErr != nil {
		return fmt.Errorf("download interrupted %d times, partial file kept for the next pull: %w", c.Retries+1, lastErr)
	}
	if m.lfs {
		sum, err := sha256File(part)
		if err != nil {
			return err
		}
		if sum != m.etag {
			os.Remove(part)
			return fmt.Errorf("%w: sha256 %s, the Hub says %s; the partial file was deleted, run pull again", ErrChecksum, sum, m.etag)
		}
	}
	return os.Rename(part, blob)
}

func (c *Client) downloadOnce(ctx context.Context, fileURL, part string, m fileMeta) error {
	f, err := os.OpenFile(part, os.O_CREATE|os.O_WRONLY, 0o644)
	if err != nil {
		return err
	}
	defer f.Close()
	have, err := f.Seek(0, io.SeekEnd)
	if err != nil {
		return err
	}
	if m.size >= 0 && have == m.size {
		return nil
	}
	if m.size >= 0 && have > m.size {
		if err := f.Truncate(0); err != nil {
			return err
		}
		have, _ = f.Seek(0, io.SeekStart)
	}
	hdr := http.Header{}
	if have > 0 {
		hdr.Set("Range", fmt.Sprintf("bytes=%d-", have))
	}
	resp, err := c.request(ctx, http.MethodGet, fileURL, hdr)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if have > 0 && resp.StatusCode != http.StatusPartialContent {
		// The server ignored the range: start over.
		if err := f.Truncate(0); err != nil {
			return err
		}
		if _, err := f.Seek(0, io.SeekStart); err != nil {
			return err
		}
		have = 0
	}
	var w io.Writer = f
	if c.Progress != nil {
		p := c.Progress(path.Base(fileURL), m.size)
		defer p.Close()
		if have > 0 {
			io.CopyN(p, zeroReader{}, have) // show resumed bytes as done
		}
		w = io.MultiWriter(f, p)
	}
	n, err := io.Copy(w, resp.Body)
	if err != nil {
		if errors.Is(err, syscall.ENOSPC) {
			return fmt.Errorf("disk full writing %s: %w", part, err)
		}
		return fmt.Errorf("transfer stopped after %d bytes: %w", have+n, err)
	}
	if m.size >= 0 && have+n != m.size {
		return fmt.Errorf("transfer stopped at %d of %d bytes", have+n, m.size)
	}
	return f.Sync()
}

type zeroReader struct{}

func (zeroReader) Read(p []byte) (int, error) {
	clear(p)
	return len(p), nil
}

func sha256File(p string) (string, error) {
	f, err := os.Open(p)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

func writeAtomic(p string, b []byte) error {
	tmp := p + ".tmp"
	if err := os.WriteFile(tmp, b, 0o644); err != nil {
		return err
	}
	return os.Rename(tmp, p)
}

// isHex reports whether s is n lowercase hex digits.
func isHex(s string, n int) bool {
	if len(s) != n {
		return false
	}
	for _, c := range s {
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f') {
			return false
		}
	}
	return true
}
