package server

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/lfm2go/lfm2/internal/engine"
	"github.com/lfm2go/lfm2/internal/model"
	"github.com/lfm2go/lfm2/internal/sample"
	"github.com/lfm2go/lfm2/internal/scheduler"
	"github.com/lfm2go/lfm2/internal/tokenizer"
)

// The load test's knobs. make test runs it briefly on the fixture; the
// README's figures come from
//
//	LFM2_LOAD_SYNTHETIC=350m LFM2_LOAD_SECONDS=60 go test -run TestLoad -v ./internal/server/
func loadSettings() (synthetic string, seconds, clients int) {
	synthetic = os.Getenv("LFM2_LOAD_SYNTHETIC")
	seconds, clients = 4, 64
	if v, err := strconv.Atoi(os.Getenv("LFM2_LOAD_SECONDS")); err == nil && v > 0 {
		seconds = v
	}
	if v, err := strconv.Atoi(os.Getenv("LFM2_LOAD_CLIENTS")); err == nil && v > 0 {
		clients = v
	}
	return
}

func loadServer(t *testing.T, synthetic string, prefixCache bool) (*httptest.Server, *Backend) {
	t.Helper()
	var (
		m   *model.Model
		tok *tokenizer.Tokenizer
		err error
	)
	if synthetic != "" {
		if m, err = model.Synthetic(synthetic, 1, false, 0); err == nil {
			tok, err = tokenizer.Builtin(strings.HasPrefix(synthetic, "lfm2.5"))
		}
	} else if m, err = model.Load(fixtureDir, 2); err == nil {
		tok, err = tokenizer.LoadDir(fixtureDir)
	}
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { m.Close() })
	svc, err := engine.New(m, tok, engine.Config{Config: scheduler.Config{
		Limits:    scheduler.Limits{MaxBatchTokens: 512, MaxSeqs: 8, MaxContext: 4096},
		BlockSize: 16, KVBytes: 512 << 20, PrefixCache: prefixCache,
	}, MaxQueue: 1024})
	if err != nil {
		t.Fatal(err)
	}
	srv := New(Config{})
	b := &Backend{Service: svc, Tokenizer: tok, VocabSize: m.Config.VocabSize, ModelID: "load", Defaults: sample.Defaults()}
	srv.Ready(b)
	ts := httptest.NewServer(srv)
	t.Cleanup(func() { ts.Close(); svc.Close(context.Background()) })
	return ts, b
}

// loadRequest is one distinct request of the workload.
type loadRequest struct {
	body []byte
}

// loadWorkload: every request shares a system prompt of about 256 tokens,
// then a user message of 3 to 120 words; max_tokens from 1 to 48; each has
// its own seed.
func loadWorkload(tok *tokenizer.Tokenizer, n int) []loadRequest {
	r := rand.New(rand.NewPCG(1, 2))
	words := strings.Fields("worm neuron gene cell body muscle signal channel protein lab grows moves feeds light touch heat cold day night study model")
	var sys strings.Builder
	sys.WriteString("You are an assistant for a nematode lab. ")
	for len(tok.Encode(sys.String(), false)) < 256 {
		sys.WriteString(words[r.IntN(len(words))] + " ")
	}
	out := make([]loadRequest, n)
	for i := range out {
		var user strings.Builder
		for range 3 + r.IntN(118) {
			user.WriteString(words[r.IntN(len(words))] + " ")
		}
		body, _ := json.Marshal(map[string]any{
			"messages":   []map[string]any{{"role": "system", "content": sys.String()}, {"role": "user", "content": user.String()}},
			"max_tokens": 1 + r.IntN(48), "seed": i, "temperature": 0.8, "ignore_eos": i%4 != 0,
			"stream": true, "stream_options": map[string]any{"include_usage": true}, "return_token_ids": true,
		})
		out[i] = loadRequest{body: body}
	}
	return out
}

// loadResult is what one streamed request delivered.
type loadResult struct {
	ids    []int32
	ttft   time.Duration
	err    error
	cached int
}

// streamIDs sends a request and reads its stream, checking that the ids
// streamed are exactly as many as the usage block counts.
func streamIDs(url string, body []byte) loadResult {
	start := time.Now()
	resp, err := http.Post(url+"/v1/chat/completions", "application/json", bytes.NewReader(body))
	if err != nil {
		return loadResult{err: err}
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 {
		return loadResult{err: fmt.Errorf("status %d", resp.StatusCode)}
	}
	var res loadResult
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	done, finished, usage := false, false, -1
	for sc.Scan() {
		data, ok := strings.CutPrefix(sc.Text(), "data: ")
		if !ok {
			continue
		}
		if data == "[DONE]" {
			done = true
			continue
		}
		var chunk struct {
			Choices []struct {
				TokenIDs     []int32 `json:"token_ids"`
				FinishReason *string `json:"finish_reason"`
			}
			Usage *struct {
				CompletionTokens int `json:"completion_tokens"`
				Details          struct {
					Cached int `json:"cached_tokens"`
				} `json:"prompt_tokens_details"`
			}
			Error any
		}
		if err := json.Unmarshal([]byte(data), &chunk); err != nil || chunk.Error != nil {
			return loadResult{err: fmt.Errorf("bad event %q", data)}
		}
		for _, c := range chunk.Choices {
			if len(c.TokenIDs) > 0 && res.ids == nil {
				res.ttft = time.Since(start)
			}
			res.ids = append(res.ids, c.TokenIDs...)
			finished = finished || c.FinishReason != nil
		}
		if chunk.Usage != nil {
			usage, res.cached = chunk.Usage.CompletionTokens, chunk.Usage.Details.Cached
		}
	}
	switch {
	case !done || !finished:
		res.err = fmt.Errorf("stream ended early (done %v, finished %v)", done, finished)
	case usage != len(res.ids):
		res.err = fmt.Errorf("%d ids streamed, usage says %d", len(res.ids), usage)
	}
	return res
}

func percentile(d []time.Duration, p float64) time.Duration {
	if len(d) == 0 {
		return 0
	}
	s := slices.Clone(d)
	slices.Sort(s)
	return s[min(len(s)-1, int(p*float64(len(s))))]
}

// TestLoad: concurrent streaming clients for a bounded time, with and
// without the prefix cache: no errors, no lost or duplicated tokens, and
// every answer identical to the same request served alone.
func TestLoad(t *testing.T) {
	if testing.Short() {
		t.Skip("-short")
	}
	synthetic, seconds, clients := loadSettings()
	var p50 [2]time.Duration
	for ci, prefixCache := range []bool{false, true} {
		ts, b := loadServer(t, synthetic, prefixCache)
		work := loadWorkload(b.Tokenizer, 96)
		var (
			mu      sync.Mutex
			seen    = map[int][]int32{}
			ttfts   []time.Duration
			tokens  int
			cached  int
			served  int
			wg      sync.WaitGroup
			failure error
		)
		deadline := time.Now().Add(time.Duration(seconds) * time.Second)
		start := time.Now()
		for c := range clients {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for k := 0; time.Now().Before(deadline); k++ {
					i := (c*7 + k*13) % len(work)
					res := streamIDs(ts.URL, work[i].body)
					mu.Lock()
					switch prev, ok := seen[i]; {
					case res.err != nil:
						failure = fmt.Errorf("request %d: %w", i, res.err)
					case ok && !slices.Equal(prev, res.ids):
						failure = fmt.Errorf("request %d answered %v, earlier %v", i, res.ids, prev)
					default:
						seen[i] = res.ids
						ttfts = append(ttfts, res.ttft)
						tokens += len(res.ids)
						cached += res.cached
						served++
					}
					stop := failure != nil
					mu.Unlock()
					if stop {
						return
					}
				}
			}()
		}
		wg.Wait()
		elapsed := time.Since(start)
		if failure != nil {
			t.Fatalf("prefix cache %v: %v", prefixCache, failure)
		}
		// Each distinct request again, alone.
		for i, ids := range seen {
			res := streamIDs(ts.URL, work[i].body)
			if res.err != nil || !slices.Equal(res.ids, ids) {
				t.Fatalf("prefix cache %v: request %d alone %v (%v), under load %v", prefixCache, i, res.ids, res.err, ids)
			}
		}
		p50[ci] = percentile(ttfts, 0.5)
		t.Logf("prefix cache %-5v: %d clients, %.0fs: %d requests (%.1f/s), TTFT p50 %v p99 %v, %.0f generated tok/s, %d prompt tokens from the cache; %d distinct requests identical alone",
			prefixCache, clients, elapsed.Seconds(), served, float64(served)/elapsed.Seconds(),
			p50[ci].Round(time.Millisecond), percentile(ttfts, 0.99).Round(time.Millisecond), float64(tokens)/elapsed.Seconds(), cached, len(seen))
		if served == 0 {
			t.Fatal("no request finished")
		}
	}
	t.Logf("TTFT p50 without / with the prefix cache: %.2f×", float64(p50[0])/float64(p50[1]))
}
