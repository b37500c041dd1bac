package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/lfm2go/lfm2/internal/engine"
	"github.com/lfm2go/lfm2/internal/scheduler"
	"github.com/lfm2go/lfm2/internal/server"
)

type serveFlags struct {
	host, kvMemory, apiKey, modelID, maxBody string
	port, parallel, maxQueue, maxBatchTokens int
	ctxLen, maxN                             int
	drainTimeout                             time.Duration
	noPrefixCache                            bool
	sampling                                 samplingFlags // the defaults of requests that leave a setting out
}

func newServeCmd(g *globals) *cobra.Command {
	var f serveFlags
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Serve the model over an OpenAI-compatible HTTP API",
		Long: "Serves /v1/chat/completions, /v1/completions and /v1/models (OpenAI's API, streaming\n" +
			"included), /health, /metrics (Prometheus), /tokenize and /detokenize. Requests share the\n" +
			"continuous-batching engine: up to --parallel sequences generate at once, the rest wait in\n" +
			"a queue of --max-queue (then 429). Sampling fields a request leaves out take the sampling\n" +
			"flags given here, else the model's own settings (generation_config.json, else Liquid's\n" +
			"recommendations for its family).\n" +
			"SIGTERM or Ctrl-C stops taking requests, lets running ones finish for up to\n" +
			"--drain-timeout, then exits 0. The API key may also come from $LFM2_API_KEY.",
		Example: `  lfm2 serve --model LiquidAI/LFM2-350M
  lfm2 serve --model synthetic:350m --port 8081 --parallel 16
  curl http://127.0.0.1:8080/v1/chat/completions -H 'Content-Type: application/json' \
    -d '{"messages": [{"role": "user", "content": "Hello"}]}'`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error { return serve(cmd, g, &f) },
	}
	fl := cmd.Flags()
	fl.StringVar(&f.host, "host", "127.0.0.1", "address to listen on (0.0.0.0 for every interface)")
	fl.IntVar(&f.port, "port", 8080, "port to listen on (0: any free port, printed)")
	fl.IntVar(&f.parallel, "parallel", 8, "sequences generated at once")
	fl.StringVar(&f.kvMemory, "kv-memory", "2GiB", "KV cache memory (e.g. 2GiB, 512MiB)")
	fl.StringVar(&f.apiKey, "api-key", "", "require Authorization: Bearer KEY on /v1, /tokenize and /detokenize")
	fl.IntVar(&f.maxQueue, "max-queue", 256, "requests waiting for a slot before new ones get 429")
	fl.IntVar(&f.maxBatchTokens, "max-batch-tokens", 512, "tokens per engine step (decode + prefill chunks)")
	fl.IntVar(&f.ctxLen, "ctx", 32768, "context limit per request: prompt + generated tokens")
	fl.IntVar(&f.maxN, "max-n", 16, "the largest n (choices per request) accepted")
	fl.StringVar(&f.modelID, "model-id", "", "the model name /v1/models reports (default: the model's folder or file name)")
	fl.StringVar(&f.maxBody, "max-body", "16MiB", "largest request body (413 beyond)")
	fl.BoolVar(&f.noPrefixCache, "no-prefix-cache", false, "compute every prompt in full (by default prompts reuse the cached state of a prefix computed before: same output, less work)")
	fl.DurationVar(&f.drainTimeout, "drain-timeout", 30*time.Second, "on SIGTERM, how long running requests may take to finish")
	f.sampling.registerSettings(cmd)
	return g.register(cmd)
}

func (f *serveFlags) check() error {
	switch {
	case f.port < 0 || f.port > 65535:
		return fmt.Errorf("%w: --port %d: want 0–65535", errUsage, f.port)
	case f.parallel < 1:
		return fmt.Errorf("%w: --parallel %d: want at least 1", errUsage, f.parallel)
	case f.maxQueue < 1:
		return fmt.Errorf("%w: --max-queue %d: want at least 1", errUsage, f.maxQueue)
	case f.maxBatchTokens < 1:
		return fmt.Errorf("%w: --max-batch-tokens %d: want at least 1", errUsage, f.maxBatchTokens)
	case f.maxN < 1:
		return fmt.Errorf("%w: --max-n %d: want at least 1", errUsage, f.maxN)
	case f.drainTimeout < 0:
		return fmt.Errorf("%w: --drain-timeout %v: want a duration ≥ 0", errUsage, f.drainTimeout)
	}
	if err := checkSampling(f.sampling.p, 1, nil, "--"); err != nil {
		return fmt.Errorf("%w: %v", errUsage, err)
	}
	return checkCtx(f.ctxLen)
}

func serve(cmd *cobra.Command, g *globals, f *serveFlags) error {
	if err := f.check(); err != nil {
		return err
	}
	kvBytes, err := parseBytes(f.kvMemory)
	if err != nil {
		return fmt.Errorf("--kv-memory: %w", err)
	}
	maxBody, err := parseBytes(f.maxBody)
	if err != nil {
		return fmt.Errorf("--max-body: %w", err)
	}
	if f.apiKey == "" {
		f.apiKey = os.Getenv("LFM2_API_KEY")
	}
	// Listen before loading: a taken port fails at once, and /health
	// answers 503 while the model loads.
	ln, err := net.Listen("tcp", net.JoinHostPort(f.host, strconv.Itoa(f.port)))
	if err != nil {
		return fmt.Errorf("%w: --host %s --port %d: %v", errUsage, f.host, f.port, err)
	}
	if f.apiKey == "" && !isLoopback(f.host) {
		fmt.Fprintf(os.Stderr, "lfm2: WARNING: listening on %s with no --api-key: anyone who can reach this address can use the server\n", f.host)
	}
	srv := server.New(server.Config{APIKey: f.apiKey, MaxBodyBytes: maxBody, MaxN: f.maxN})
	hs := &http.Server{Handler: srv, ReadHeaderTimeout: 30 * time.Second}
	serveErr := make(chan error, 1)
	go func() { serveErr <- hs.Serve(ln) }()
	fmt.Fprintf(os.Stderr, "lfm2: listening on http://%s (loading the model)\n", ln.Addr())

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	l, err := openModel(g, true)
	if err != nil {
		hs.Close()
		return err
	}
	defer l.Close()
	sf := &f.sampling
	// A server's log says the defaults its requests get.
	fmt.Fprintln(os.Stderr, sf.describe(l.defaults.family, sf.apply(cmd.Flags(), l.defaults)))
	if f.modelID == "" {
		f.modelID = modelName(l)
	}
	svc, err := engine.New(l.model, l.tok, engine.Config{Config: scheduler.Config{
		Limits:    scheduler.Limits{MaxBatchTokens: f.maxBatchTokens, MaxSeqs: f.parallel, MaxContext: f.ctxLen},
		BlockSize: 16, KVBytes: kvBytes, PrefixCache: !f.noPrefixCache,
	}, MaxQueue: f.maxQueue})
	if err != nil {
		hs.Close()
		return err
	}
	srv.Ready(&server.Backend{Service: svc, Tokenizer: l.tok, VocabSize: l.model.Config.VocabSize, ModelID: f.modelID, Defaults: sf.params()})
	fmt.Fprintf(os.Stderr, "lfm2: serving %s at http://%s/v1 (%s weights, %s kernels, %d parallel)\n",
		f.modelID, ln.Addr(), l.model.DType(), l.model.KernelInfo(), f.parallel)

	select {
	case err := <-serveErr:
		svc.Close(context.Background())
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	stop() // a second Ctrl-C kills the process the usual way
	fmt.Fprintf(os.Stderr, "lfm2: shutting down: finishing running requests (up to %v)\n", f.drainTimeout)
	srv.Drain()
	dctx, cancel := context.WithTimeout(context.Background(), f.drainTimeout)
	defer cancel()
	closed := make(chan struct{})
	go func() { svc.Close(dctx); close(closed) }()
	if err := hs.Shutdown(dctx); err != nil && !errors.Is(err, context.DeadlineExceeded) {
		return fmt.Errorf("shutdown: %w", err)
	}
	<-closed
	// Requests aborted at the deadline still write their last event: give
	// their handlers a moment before the connections are closed.
	grace, cancelGrace := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancelGrace()
	hs.Shutdown(grace)
	hs.Close()
	fmt.Fprintln(os.Stderr, "lfm2: stopped")
	return nil
}

// modelName is the name a model is served under: its folder or file name.
func modelName(l *loaded) string {
	switch {
	case l.src.Synthetic != "":
		return "synthetic:" + l.src.Synthetic
	case l.src.GGUF != "":
		return strings.TrimSuffix(filepath.Base(l.src.GGUF), ".gguf")
	}
	return filepath.Base(l.src.Dir)
}

func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
