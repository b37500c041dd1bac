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
	"regexp"
	"strconv"
	"strings"
	"sync/atomic"
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
	Retries  int          // further attempts after a transient failure (reset, 5xx, stall)
	// Backoff is the wait before the first retry; it doubles each time, up to 30 s.
	Backoff time.Duration
	// IdleTimeout abandons a transfer (and retries it) when no byte has
	// arrived for this long: a server that stops sending mid-file must
	// not hang pull forever.
	IdleTimeout time.Duration
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
		Endpoint:    strings.TrimRight(ep, "/"),
		Token:       os.Getenv("HF_TOKEN"),
		CacheDir:    CacheDir(),
		HTTP:        &http.Client{Timeout: 0, Transport: &http.Transport{Proxy: http.ProxyFromEnvironment, ResponseHeaderTimeout: 60 * time.Second}},
		Retries:     5,
		Backoff:     time.Second,
		IdleTimeout: 30 * time.Second,
	}
}

// Hub errors, so callers and tests can tell them apart.
var (
	ErrOffline      = errors.New("cannot reach the Hub")
	ErrUnauthorized = errors.New("access denied (gated or private repo)")
	ErrNoSuchRepo   = errors.New("no such repo, revision or file")
	ErrChecksum     = errors.New("checksum mismatch")
	ErrServer       = errors.New("server error")
	ErrStalled      = errors.New("transfer stalled")
)

type repoInfo struct {
	SHA      string `json:"sha"`
	Siblings []struct {
		RFilename string `json:"rfilename"`
	} `json:"siblings"`
}

// Pull downloads what a model needs at revision and returns its snapshot
// folder. For a repo of GGUF files, quant picks the one to download (it may
// be empty when the repo has only one).
func (c *Client) Pull(ctx context.Context, repo, revision, quant string) (string, error) {
	// Both end up in file names: check them before touching anything.
	if err := ValidateRepoID(repo); err != nil {
		return "", err
	}
	if err := ValidateRevision(revision); err != nil {
		return "", err
	}
	var info repoInfo
	apiURL := fmt.Sprintf("%s/api/models/%s/revision/%s", c.Endpoint, repo, url.PathEscape(revision))
	if err := c.getJSON(ctx, apiURL, &info); err != nil {
		return "", fmt.Errorf("pull %s@%s: %w", repo, revision, err)
	}
	if !isHex(info.SHA, 40) {
		return "", fmt.Errorf("pull %s@%s: the Hub returned commit %q", repo, revision, info.SHA)
	}
	files, err := pickFiles(info, quant, repo)
	if err != nil {
		return "", fmt.Errorf("pull %s: %w", repo, err)
	}
	repoDir := RepoDir(c.CacheDir, repo)
	snap, err := within(repoDir, "snapshots", info.SHA)
	if err != nil {
		return "", err
	}
	for _, f := range files {
		if err := c.fetch(ctx, repo, info.SHA, f, repoDir, snap); err != nil {
			return "", fmt.Errorf("pull %s: %s: %w", repo, f, err)
		}
	}
	if revision != info.SHA {
		// A revision like refs/pr/1 is a nested ref file, as huggingface_hub writes it.
		ref, err := within(repoDir, "refs", filepath.FromSlash(revision))
		if err != nil {
			return "", err
		}
		if err := os.MkdirAll(filepath.Dir(ref), 0o755); err != nil {
			return "", fmt.Errorf("pull %s: write ref: %w", repo, err)
		}
		if err := writeAtomic(ref, []byte(info.SHA)); err != nil {
			return "", fmt.Errorf("pull %s: write ref: %w", repo, err)
		}
	}
	return snap, nil
}

// pickFiles chooses the config, tokenizer and weight files from the
// listing, or, for a GGUF repo (or with quant), the one GGUF file.
func pickFiles(info repoInfo, quant, repo string) ([]string, error) {
	have := map[string]bool{}
	for _, s := range info.Siblings {
		// A listing naming ../x or /etc/x is refused whole: a Hub that
		// sends one is not to be trusted with the rest either.
		if err := validRelPath(s.RFilename); err != nil {
			return nil, fmt.Errorf("the Hub lists a file %q: %w", s.RFilename, err)
		}
		have[s.RFilename] = true
	}
	var ggufs []string
	for _, s := range info.Siblings {
		if strings.HasSuffix(strings.ToLower(s.RFilename), ".gguf") && !strings.Contains(s.RFilename, "/") {
			ggufs = append(ggufs, s.RFilename)
		}
	}
	if len(ggufs) > 0 && (quant != "" || !have["config.json"]) {
		name, err := pickGGUF(ggufs, quant, repo)
		if err != nil {
			return nil, err
		}
		return []string{name}, nil
	}
	if quant != "" {
		return nil, fmt.Errorf("%w: --quant %s: %s has no GGUF files", ErrNoSuchRepo, quant, repo)
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
	case resp.StatusCode >= 500:
		resp.Body.Close()
		return nil, fmt.Errorf("%w: %s answered HTTP %d for %s", ErrServer, req.URL.Host, resp.StatusCode, u)
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
	if !etagPattern.MatchString(m.etag) || m.etag == "." || m.etag == ".." {
		return fileMeta{}, fmt.Errorf("the Hub gave no usable ETag for %s", fileURL)
	}
	m.lfs = m.lfs && isHex(m.etag, 64)
	return m, nil
}

// etagPattern is what a blob name may be: the ETag becomes a file name.
var etagPattern = regexp.MustCompile(`^[A-Za-z0-9._-]{1,128}$`)

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
	blob, err := within(blobs, m.etag)
	if err != nil {
		return err
	}
	if st, err := os.Stat(blob); err != nil || (m.size >= 0 && st.Size() != m.size) {
		if err := c.download(ctx, fileURL, blob, m); err != nil {
			return err
		}
	}
	link, err := within(snap, filepath.FromSlash(file))
	if err != nil {
		return err
	}
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
	wait := c.Backoff
	for attempt := 0; attempt <= c.Retries; attempt++ {
		if attempt > 0 {
			select {
			case <-ctx.Done():
				return ctx.Err()
			case <-time.After(wait):
			}
			wait = min(2*wait, 30*time.Second)
		}
		lastErr = c.downloadOnce(ctx, fileURL, part, m)
		if lastErr == nil {
			break
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if errors.Is(lastErr, ErrUnauthorized) || errors.Is(lastErr, ErrNoSuchRepo) || errors.Is(lastErr, syscall.ENOSPC) {
			return lastErr
		}
	}
	if lastErr != nil {
		host := fileURL
		if u, err := url.Parse(fileURL); err == nil {
			host = u.Host
		}
		what := "download from " + host + " interrupted"
		switch {
		case errors.Is(lastErr, ErrServer):
			what = "server error from " + host
		case errors.Is(lastErr, ErrStalled):
			what = "download from " + host + " stalled"
		}
		attempts := fmt.Sprintf("%d attempts", c.Retries+1)
		if c.Retries == 0 {
			attempts = "1 attempt"
		}
		return fmt.Errorf("%s (%s); the partial file is kept and the next pull resumes it: %w", what, attempts, lastErr)
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
	// The transfer's own context: cancelled when the body goes idle.
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
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
	body := newIdleReader(resp.Body, c.IdleTimeout, cancel)
	var src io.Reader = body
	if m.size >= 0 {
		// A server sending past the size it announced would fill the disk:
		// take one byte more than is due, to tell too long from complete.
		src = io.LimitReader(body, m.size-have+1)
	}
	n, err := io.Copy(w, src)
	if err == nil && m.size >= 0 && have+n > m.size {
		f.Truncate(0) // nothing of it can be trusted; the next attempt starts over
		return fmt.Errorf("%w: %s sent more than the %d bytes it announced", ErrServer, resp.Request.URL.Host, m.size)
	}
	if body.stalled() {
		err = fmt.Errorf("%w: no data for %v", ErrStalled, c.IdleTimeout)
	}
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

// idleReader cancels a transfer when no byte arrives for the idle time.
type idleReader struct {
	r     io.Reader
	idle  time.Duration
	timer *time.Timer
	fired atomic.Bool
}

func newIdleReader(r io.Reader, idle time.Duration, cancel context.CancelFunc) *idleReader {
	ir := &idleReader{r: r, idle: idle}
	if idle > 0 {
		ir.timer = time.AfterFunc(idle, func() { ir.fired.Store(true); cancel() })
	}
	return ir
}

func (ir *idleReader) Read(p []byte) (int, error) {
	n, err := ir.r.Read(p)
	if ir.timer != nil {
		if n > 0 {
			ir.timer.Reset(ir.idle)
		}
		if err != nil {
			ir.timer.Stop()
		}
	}
	return n, err
}

// stalled reports whether the idle timer ended the transfer.
func (ir *idleReader) stalled() bool {
	if ir.timer != nil {
		ir.timer.Stop()
	}
	return ir.fired.Load()
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
