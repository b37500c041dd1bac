package server

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"maps"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/lfm2go/lfm2/internal/engine"
	"github.com/lfm2go/lfm2/internal/fixture"
	"github.com/lfm2go/lfm2/internal/model"
	"github.com/lfm2go/lfm2/internal/sample"
	"github.com/lfm2go/lfm2/internal/scheduler"
	"github.com/lfm2go/lfm2/internal/tokenizer"
)

// fixtureDir is the tiny-bf16 test checkpoint with its tokenizer.
var fixtureDir = fixture.Dir("tiny-bf16")

type testServer struct {
	*httptest.Server
	srv *Server
	b   *Backend
}

type options struct {
	seqs, maxQueue int
	apiKey         string
	maxBody        int64
	notReady       bool
	prefixCache    bool
	chatTemplate   string // a template file instead of the fixture's own
}

func newTestServer(t *testing.T, o options) *testServer {
	t.Helper()
	m, err := model.Load(fixtureDir, 2)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { m.Close() })
	tok, err := tokenizer.LoadDir(fixtureDir)
	if err != nil {
		t.Fatal(err)
	}
	if o.chatTemplate != "" {
		src, err := os.ReadFile(o.chatTemplate)
		if err != nil {
			t.Fatal(err)
		}
		if err := tok.SetChatTemplate(filepath.Base(o.chatTemplate), string(src)); err != nil {
			t.Fatal(err)
		}
	}
	if o.seqs == 0 {
		o.seqs = 4
	}
	svc, err := engine.New(m, tok, engine.Config{Config: scheduler.Config{
		Limits:    scheduler.Limits{MaxBatchTokens: 64, MaxSeqs: o.seqs, MaxContext: 4096},
		BlockSize: 16, KVBytes: 16 << 20, PrefixCache: o.prefixCache,
	}, MaxQueue: o.maxQueue})
	if err != nil {
		t.Fatal(err)
	}
	srv := New(Config{APIKey: o.apiKey, MaxBodyBytes: o.maxBody})
	b := &Backend{Service: svc, Tokenizer: tok, VocabSize: m.Config.VocabSize, ModelID: "tiny",
		Defaults: sample.Params{Temperature: 0.3, MinP: 0.15, RepetitionPenalty: 1.05}}
	if !o.notReady {
		srv.Ready(b)
	}
	ts := httptest.NewServer(srv)
	t.Cleanup(func() {
		ts.Close()
		svc.Close(context.Background())
	})
	return &testServer{Server: ts, srv: srv, b: b}
}

// post sends a JSON body and returns the status and decoded JSON answer.
func (ts *testServer) post(t *testing.T, path string, body any, header ...string) (int, map[string]any) {
	t.Helper()
	var rd io.Reader
	switch v := body.(type) {
	case string:
		rd = strings.NewReader(v)
	default:
		b, _ := json.Marshal(v)
		rd = bytes.NewReader(b)
	}
	req, _ := http.NewRequest("POST", ts.URL+path, rd)
	req.Header.Set("Content-Type", "application/json")
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out map[string]any
	raw, _ := io.ReadAll(resp.Body)
	if err := json.Unmarshal(raw, &out); err != nil {
		t.Fatalf("%s: answer is not JSON: %q", path, raw)
	}
	return resp.StatusCode, out
}

func (ts *testServer) get(t *testing.T, path string) (int, string) {
	t.Helper()
	resp, err := http.Get(ts.URL + path)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// wantError checks an error answer's status and OpenAI shape.
func wantError(t *testing.T, status int, body map[string]any, wantStatus int, wantParam string) {
	t.Helper()
	if status != wantStatus {
		t.Fatalf("status %d, want %d (%v)", status, wantStatus, body)
	}
	e, ok := body["error"].(map[string]any)
	if !ok {
		t.Fatalf("no error object: %v", body)
	}
	for _, k := range []string{"message", "type", "param", "code"} {
		if _, ok := e[k]; !ok {
			t.Errorf("error has no %q: %v", k, e)
		}
	}
	if msg, _ := e["message"].(string); msg == "" {
		t.Errorf("empty error message: %v", e)
	}
	if wantParam != "" && e["param"] != wantParam {
		t.Errorf("param %v, want %q (%v)", e["param"], wantParam, e["message"])
	}
}

// TestCompletionsMatchReference: greedy completions of token-id prompts
// give the independent reference's tokens, as text and as logprob tokens.
func TestCompletionsMatchReference(t *testing.T) {
	ts := newTestServer(t, options{})
	for i, c := range fixture.Load(t, "tiny-bf16").Cases {
		status, out := ts.post(t, "/v1/completions", map[string]any{"prompt": c.IDs, "max_tokens": len(c.Greedy),
			"temperature": 0, "ignore_eos": true, "logprobs": 2})
		if status != 200 {
			t.Fatalf("case %d: %d %v", i, status, out)
		}
		ch := out["choices"].([]any)[0].(map[string]any)
		if want := ts.b.Tokenizer.Decode(c.Greedy, true); ch["text"] != want {
			t.Errorf("case %d: text %q, want %q", i, ch["text"], want)
		}
		lp := ch["logprobs"].(map[string]any)
		toks := lp["tokens"].([]any)
		if len(toks) != len(c.Greedy) {
			t.Fatalf("case %d: %d logprob tokens for %d generated", i, len(toks), len(c.Greedy))
		}
		for k, v := range lp["token_logprobs"].([]any) {
			if f := v.(float64); f > 0 {
				t.Errorf("case %d token %d: logprob %v > 0", i, k, f)
			}
			// Greedy picks the most likely token: its logprob is the top one.
			best := -1e9
			for _, x := range lp["top_logprobs"].([]any)[k].(map[string]any) {
				best = max(best, x.(float64))
			}
			if d := v.(float64) - best; d < -1e-5 || d > 1e-5 {
				t.Errorf("case %d token %d: greedy token logprob %v, best %v", i, k, v, best)
			}
		}
		u := out["usage"].(map[string]any)
		if int(u["prompt_tokens"].(float64)) != len(c.IDs) || int(u["completion_tokens"].(float64)) != len(c.Greedy) {
			t.Errorf("case %d: usage %v", i, u)
		}
	}
}

// sseEvents reads a stream's data lines, checking the framing: every
// event is one "data: " line and a blank line, and the last is [DONE].
func sseEvents(t *testing.T, body io.Reader) []map[string]any {
	t.Helper()
	sc := bufio.NewScanner(body)
	var out []map[string]any
	done := false
	for sc.Scan() {
		line := sc.Text()
		if done {
			t.Fatalf("data after [DONE]: %q", line)
		}
		data, ok := strings.CutPrefix(line, "data: ")
		if !ok {
			t.Fatalf("not a data line: %q", line)
		}
		if !sc.Scan() || sc.Text() != "" {
			t.Fatalf("event %q not followed by a blank line", data)
		}
		if data == "[DONE]" {
			done = true
			continue
		}
		var ev map[string]any
		if err := json.Unmarshal([]byte(data), &ev); err != nil {
			t.Fatalf("event is not JSON: %q", data)
		}
		out = append(out, ev)
	}
	if !done {
		t.Fatal("the stream did not end with data: [DONE]")
	}
	return out
}

func stream(t *testing.T, ts *testServer, path string, body map[string]any) []map[string]any {
	t.Helper()
	b, _ := json.Marshal(body)
	resp, err := http.Post(ts.URL+path, "application/json", bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/event-stream") {
		raw, _ := io.ReadAll(resp.Body)
		t.Fatalf("stream: %d %s %s", resp.StatusCode, resp.Header.Get("Content-Type"), raw)
	}
	return sseEvents(t, resp.Body)
}

// TestChatStreamMatchesWhole: a seeded chat answer streamed is the same
// text, finish and usage as the same request answered whole, and n=2
// gives two indexed choices.
func TestChatStreamMatchesWhole(t *testing.T) {
	ts := newTestServer(t, options{})
	req := map[string]any{"model": "tiny", "messages": []map[string]any{{"role": "system", "content": "Be brief."}, {"role": "user", "content": "What is a worm?"}},
		"max_tokens": 12, "seed": 42, "temperature": 0.8, "n": 2}
	status, whole := ts.post(t, "/v1/chat/completions", req)
	if status != 200 {
		t.Fatalf("%d %v", status, whole)
	}
	if whole["object"] != "chat.completion" || whole["model"] != "tiny" || !strings.HasPrefix(whole["id"].(string), "chatcmpl-") {
		t.Errorf("envelope: %v", whole)
	}
	choices := whole["choices"].([]any)
	if len(choices) != 2 {
		t.Fatalf("%d choices for n=2", len(choices))
	}
	req["stream"] = true
	req["stream_options"] = map[string]any{"include_usage": true}
	evs := stream(t, ts, "/v1/chat/completions", req)
	texts := map[int]string{}
	finish := map[int]string{}
	var usage map[string]any
	for k, ev := range evs {
		if ev["object"] != "chat.completion.chunk" || ev["id"] != evs[0]["id"] {
			t.Fatalf("chunk %d envelope: %v", k, ev)
		}
		if u, ok := ev["usage"].(map[string]any); ok {
			usage = u
			if len(ev["choices"].([]any)) != 0 || k != len(evs)-1 {
				t.Errorf("the usage chunk must be last with no choices: %v", ev)
			}
			continue
		}
		for _, c := range ev["choices"].([]any) {
			c := c.(map[string]any)
			i := int(c["index"].(float64))
			d := c["delta"].(map[string]any)
			if s, ok := d["content"].(string); ok {
				texts[i] += s
			}
			if f, ok := c["finish_reason"].(string); ok {
				finish[i] = f
			}
		}
	}
	for i, c := range choices {
		c := c.(map[string]any)
		msg := c["message"].(map[string]any)
		if texts[i] != msg["content"] || finish[i] != c["finish_reason"] {
			t.Errorf("choice %d: streamed %q (%s), whole %q (%s)", i, texts[i], finish[i], msg["content"], c["finish_reason"])
		}
	}
	if usage == nil || usage["completion_tokens"] != whole["usage"].(map[string]any)["completion_tokens"] {
		t.Errorf("usage streamed %v, whole %v", usage, whole["usage"])
	}
}

// TestSeededBatchInvariance: the same seeded request gives the same tokens
// alone and while other requests run beside it.
func TestSeededBatchInvariance(t *testing.T) {
	ts := newTestServer(t, options{seqs: 4})
	body := func(seed int, prompt string) map[string]any {
		return map[string]any{"prompt": prompt, "max_tokens": 16, "seed": seed, "temperature": 1, "ignore_eos": true, "logprobs": 0}
	}
	tokens := func(out map[string]any) []any {
		return out["choices"].([]any)[0].(map[string]any)["logprobs"].(map[string]any)["tokens"].([]any)
	}
	_, alone := ts.post(t, "/v1/completions", body(5, "The worm"))
	var wg sync.WaitGroup
	results := make([]map[string]any, 6)
	for i := range results {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if i == 3 {
				_, results[i] = ts.post(t, "/v1/completions", body(5, "The worm"))
			} else {
				_, results[i] = ts.post(t, "/v1/completions", body(i, strings.Repeat("A long prompt ", i+1)))
			}
		}()
	}
	wg.Wait()
	if a, b := tokens(alone), tokens(results[3]); !slices.Equal(a, b) {
		t.Fatalf("alone %v, in a batch %v", a, b)
	}
}

// TestPenaltiesReachTheSampler: frequency_penalty and presence_penalty
// change a greedy completion; negative ones, as OpenAI's and vLLM's, draw
// it back to the tokens it generated (the rule itself is held to a hand
// computation in the scheduler's tests).
func TestPenaltiesReachTheSampler(t *testing.T) {
	ts := newTestServer(t, options{})
	tokens := func(extra map[string]any) []any {
		body := map[string]any{"prompt": "The worm", "max_tokens": 24, "temperature": 0, "ignore_eos": true, "logprobs": 0}
		maps.Copy(body, extra)
		status, out := ts.post(t, "/v1/completions", body)
		if status != 200 {
			t.Fatalf("%v: %d %v", extra, status, out)
		}
		return out["choices"].([]any)[0].(map[string]any)["logprobs"].(map[string]any)["tokens"].([]any)
	}
	plain := tokens(nil)
	drawn := tokens(map[string]any{"frequency_penalty": -2, "presence_penalty": -2})
	if slices.Equal(plain, drawn) {
		t.Fatalf("the penalties changed nothing: %v", plain)
	}
	most := func(toks []any) int {
		n := map[any]int{}
		for _, tk := range toks {
			n[tk]++
		}
		return slices.Max(slices.Collect(maps.Values(n)))
	}
	if most(drawn) <= most(plain) {
		t.Fatalf("negative penalties: a token at most %d times, %d without (%v, %v)", most(drawn), most(plain), drawn, plain)
	}
}

// TestLogitBias: a bias of 100 on one token makes a greedy completion
// that token throughout; -100 on the plain completion's tokens keeps every
// one of them out.
func TestLogitBias(t *testing.T) {
	ts := newTestServer(t, options{})
	ids := func(extra map[string]any) []int {
		body := map[string]any{"prompt": "The worm", "max_tokens": 12, "temperature": 0, "ignore_eos": true, "return_token_ids": true}
		maps.Copy(body, extra)
		status, out := ts.post(t, "/v1/completions", body)
		if status != 200 {
			t.Fatalf("%v: %d %v", extra, status, out)
		}
		var got []int
		for _, v := range out["choices"].([]any)[0].(map[string]any)["token_ids"].([]any) {
			got = append(got, int(v.(float64)))
		}
		return got
	}
	for _, tok := range ids(map[string]any{"logit_bias": map[string]any{"777": 100}}) {
		if tok != 777 {
			t.Fatalf("with +100 on 777: token %d", tok)
		}
	}
	plain := ids(nil)
	ban := map[string]any{}
	for _, tok := range plain {
		ban[strconv.Itoa(tok)] = -100
	}
	for _, tok := range ids(map[string]any{"logit_bias": ban}) {
		if slices.Contains(plain, tok) {
			t.Fatalf("banned token %d came (plain %v)", tok, plain)
		}
	}
}

func TestErrors(t *testing.T) {
	ts := newTestServer(t, options{maxBody: 4096})
	msgs := []map[string]any{{"role": "user", "content": "hi"}}
	cases := []struct {
		name   string
		path   string
		body   any
		status int
		param  string
	}{
		{"bad JSON", "/v1/chat/completions", `{"messages": [`, 400, ""},
		{"wrong type", "/v1/chat/completions", map[string]any{"messages": msgs, "max_tokens": "ten"}, 400, "max_tokens"},
		{"no messages", "/v1/chat/completions", map[string]any{"messages": []any{}}, 400, "messages"},
		{"message without role", "/v1/chat/completions", map[string]any{"messages": []any{map[string]any{"content": "x"}}}, 400, "messages"},
		{"temperature", "/v1/chat/completions", map[string]any{"messages": msgs, "temperature": -1}, 400, "temperature"},
		{"top_p", "/v1/chat/completions", map[string]any{"messages": msgs, "top_p": 1.5}, 400, "top_p"},
		{"n", "/v1/chat/completions", map[string]any{"messages": msgs, "n": 0}, 400, "n"},
		{"max_tokens", "/v1/chat/completions", map[string]any{"messages": msgs, "max_tokens": 0}, 400, "max_tokens"},
		{"over context", "/v1/chat/completions", map[string]any{"messages": msgs, "max_tokens": 5000}, 400, "max_tokens"},
		{"stop", "/v1/chat/completions", map[string]any{"messages": msgs, "stop": 3}, 400, "stop"},
		{"top_logprobs without logprobs", "/v1/chat/completions", map[string]any{"messages": msgs, "top_logprobs": 2}, 400, "top_logprobs"},
		{"json_schema without a schema", "/v1/chat/completions", map[string]any{"messages": msgs, "response_format": map[string]any{"type": "json_schema"}}, 400, "response_format"},
		{"unsupported schema keyword", "/v1/chat/completions", map[string]any{"messages": msgs, "response_format": map[string]any{"type": "json_schema",
			"json_schema": map[string]any{"name": "x", "schema": map[string]any{"type": "integer", "multipleOf": 2}}}}, 400, "response_format"},
		{"bad grammar", "/v1/completions", map[string]any{"prompt": "a", "grammar": "root ::= foo"}, 400, "grammar"},
		{"tool_choice required without tools", "/v1/chat/completions", map[string]any{"messages": msgs, "tool_choice": "required"}, 400, "tool_choice"},
		{"bad tool", "/v1/chat/completions", map[string]any{"messages": msgs, "tools": []any{map[string]any{"type": "function"}}}, 400, "tools"},
		{"frequency_penalty", "/v1/chat/completions", map[string]any{"messages": msgs, "frequency_penalty": 2.5}, 400, "frequency_penalty"},
		{"presence_penalty", "/v1/completions", map[string]any{"prompt": "a", "presence_penalty": -3}, 400, "presence_penalty"},
		{"logit_bias key", "/v1/completions", map[string]any{"prompt": "a", "logit_bias": map[string]any{"hello": 1}}, 400, "logit_bias"},
		{"logit_bias id", "/v1/chat/completions", map[string]any{"messages": msgs, "logit_bias": map[string]any{"99999999": 1}}, 400, "logit_bias"},
		{"logit_bias value", "/v1/chat/completions", map[string]any{"messages": msgs, "logit_bias": map[string]any{"5": 101}}, 400, "logit_bias"},
		{"logit_bias type", "/v1/chat/completions", map[string]any{"messages": msgs, "logit_bias": []int{1}}, 400, ""},
		{"no prompt", "/v1/completions", map[string]any{"max_tokens": 3}, 400, "prompt"},
		{"token out of vocabulary", "/v1/completions", map[string]any{"prompt": []int{1, 99999999}}, 400, "prompt"},
		{"suffix", "/v1/completions", map[string]any{"prompt": "a", "suffix": "b"}, 400, "suffix"},
		{"too large", "/v1/chat/completions", `{"messages": [{"role": "user", "content": "` + strings.Repeat("x", 5000) + `"}]}`, 413, ""},
		{"unknown endpoint", "/v1/embeddings", map[string]any{"input": "x"}, 404, ""},
		{"detokenize out of vocabulary", "/detokenize", map[string]any{"tokens": []int{-1}}, 400, "tokens"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			status, out := ts.post(t, c.path, c.body)
			wantError(t, status, out, c.status, c.param)
		})
	}
}

func TestAPIKey(t *testing.T) {
	ts := newTestServer(t, options{apiKey: "sekret"})
	body := map[string]any{"prompt": "a", "max_tokens": 1}
	status, out := ts.post(t, "/v1/completions", body)
	wantError(t, status, out, 401, "")
	status, out = ts.post(t, "/v1/completions", body, "Authorization", "Bearer wrong")
	wantError(t, status, out, 401, "")
	if status, out = ts.post(t, "/v1/completions", body, "Authorization", "Bearer sekret"); status != 200 {
		t.Fatalf("with the key: %d %v", status, out)
	}
	if status, _ := ts.get(t, "/health"); status != 200 {
		t.Fatalf("/health needs no key, got %d", status)
	}
}

func TestHealthAndModels(t *testing.T) {
	ts := newTestServer(t, options{notReady: true})
	if status, body := ts.get(t, "/health"); status != 503 || !strings.Contains(body, "loading") {
		t.Fatalf("loading: %d %s", status, body)
	}
	status, out := ts.post(t, "/v1/completions", map[string]any{"prompt": "a"})
	wantError(t, status, out, 503, "")
	ts.srv.Ready(ts.b)
	if status, body := ts.get(t, "/health"); status != 200 {
		t.Fatalf("ready: %d %s", status, body)
	}
	status, body := ts.get(t, "/v1/models")
	var list struct {
		Object string
		Data   []struct{ ID, Object string }
	}
	json.Unmarshal([]byte(body), &list)
	if status != 200 || list.Object != "list" || len(list.Data) != 1 || list.Data[0].ID != "tiny" || list.Data[0].Object != "model" {
		t.Fatalf("/v1/models: %d %s", status, body)
	}
	if status, _ := ts.get(t, "/v1/models/tiny"); status != 200 {
		t.Fatalf("/v1/models/tiny: %d", status)
	}
	if status, _ := ts.get(t, "/v1/models/other"); status != 404 {
		t.Fatalf("/v1/models/other: %d", status)
	}
	ts.srv.Drain()
	if status, _ := ts.get(t, "/health"); status != 503 {
		t.Fatalf("draining: %d", status)
	}
	status, out = ts.post(t, "/v1/completions", map[string]any{"prompt": "a"})
	wantError(t, status, out, 503, "")
}

func TestTokenizeRoundTrip(t *testing.T) {
	ts := newTestServer(t, options{})
	text := "Hello, worm! C. elegans has 302 neurons."
	status, out := ts.post(t, "/tokenize", map[string]any{"content": text})
	if status != 200 {
		t.Fatalf("%d %v", status, out)
	}
	var ids []int32
	for _, v := range out["tokens"].([]any) {
		ids = append(ids, int32(v.(float64)))
	}
	if want := ts.b.Tokenizer.Encode(text, false); !slices.Equal(ids, want) {
		t.Fatalf("tokens %v, want %v", ids, want)
	}
	status, out = ts.post(t, "/detokenize", map[string]any{"tokens": ids})
	if status != 200 || out["content"] != text {
		t.Fatalf("detokenize: %d %v", status, out)
	}
	status, out = ts.post(t, "/tokenize", map[string]any{"messages": []map[string]any{{"role": "user", "content": "hi"}}})
	if status != 200 || out["count"].(float64) < 3 {
		t.Fatalf("tokenize messages: %d %v", status, out)
	}
}

func TestMetrics(t *testing.T) {
	ts := newTestServer(t, options{})
	ts.post(t, "/v1/completions", map[string]any{"prompt": "a b c", "max_tokens": 3, "ignore_eos": true})
	waitIdle(t, ts.b) // the answer can arrive before the engine loop updates its gauges
	status, body := ts.get(t, "/metrics")
	if status != 200 {
		t.Fatal(status)
	}
	for _, want := range []string{"lfm2_requests_total 1\n", "lfm2_generation_tokens_total 3\n", "lfm2_queue_depth 0\n",
		"lfm2_running_sequences 0\n", "lfm2_kv_blocks_used 0\n", "lfm2_prefix_cache_hit_tokens_total",
		`lfm2_step_seconds_bucket{le="+Inf"}`, "lfm2_step_seconds_count", `lfm2_http_responses_total{route="POST /v1/completions",code="200"} 1`} {
		if !strings.Contains(body, want) {
			t.Errorf("/metrics has no %q:\n%s", want, body)
		}
	}
}

// waitIdle waits until no KV block is in use and nothing runs.
func waitIdle(t *testing.T, b *Backend) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		st := b.Service.Stats()
		if st.KVBlocksUsed == 0 && st.Running == 0 && st.Waiting == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("not idle: %+v", st)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// TestDisconnectFreesBlocks: a client that goes away mid-stream has its
// sequence aborted and its KV blocks freed.
func TestDisconnectFreesBlocks(t *testing.T) {
	ts := newTestServer(t, options{})
	ctx, cancel := context.WithCancel(context.Background())
	b, _ := json.Marshal(map[string]any{"prompt": "a b c", "max_tokens": 4000, "ignore_eos": true, "stream": true})
	req, _ := http.NewRequestWithContext(ctx, "POST", ts.URL+"/v1/completions", bytes.NewReader(b))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	rd := bufio.NewReader(resp.Body)
	for range 6 { // a few events: generation is under way
		if _, err := rd.ReadString('\n'); err != nil {
			t.Fatal(err)
		}
	}
	if st := ts.b.Service.Stats(); st.KVBlocksUsed == 0 {
		t.Fatalf("no blocks in use mid-stream: %+v", st)
	}
	cancel()
	resp.Body.Close()
	waitIdle(t, ts.b)
	if got := ts.b.Service.Stats().CompletionTokens; got >= 4000 {
		t.Fatalf("the abandoned request ran to the end (%d tokens)", got)
	}
}

// TestQueueFull: with one slot and a queue of one, a third request gets 429.
func TestQueueFull(t *testing.T) {
	ts := newTestServer(t, options{seqs: 1, maxQueue: 1})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	long, _ := json.Marshal(map[string]any{"prompt": "a", "max_tokens": 4000, "ignore_eos": true, "stream": true})
	for range 2 {
		req, _ := http.NewRequestWithContext(ctx, "POST", ts.URL+"/v1/completions", bytes.NewReader(long))
		go func() {
			if resp, err := http.DefaultClient.Do(req); err == nil {
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
			}
		}()
	}
	deadline := time.Now().Add(20 * time.Second)
	for st := ts.b.Service.Stats(); st.Running+st.Waiting < 2; st = ts.b.Service.Stats() {
		if time.Now().After(deadline) {
			t.Fatalf("the two requests never queued: %+v", st)
		}
		time.Sleep(5 * time.Millisecond)
	}
	status, out := ts.post(t, "/v1/completions", map[string]any{"prompt": "a", "max_tokens": 2})
	wantError(t, status, out, 429, "")
	cancel()
	waitIdle(t, ts.b)
}

// TestPrefixCacheThroughAPI: a request that repeats an earlier one's long
// system prompt reports the cached tokens and answers exactly what a
// server without the cache answers.
func TestPrefixCacheThroughAPI(t *testing.T) {
	system := strings.Repeat("You are a careful assistant who answers about nematodes. ", 12)
	body := func(q string) map[string]any {
		return map[string]any{"messages": []map[string]any{{"role": "system", "content": system}, {"role": "user", "content": q}},
			"max_tokens": 10, "seed": 3, "temperature": 0.7, "logprobs": true}
	}
	answers := func(ts *testServer) ([]string, []float64) {
		var texts []string
		var cached []float64
		for _, q := range []string{"What is C. elegans?", "How many neurons?", "What is C. elegans?"} {
			status, out := ts.post(t, "/v1/chat/completions", body(q))
			if status != 200 {
				t.Fatalf("%d %v", status, out)
			}
			c := out["choices"].([]any)[0].(map[string]any)
			lp, _ := json.Marshal(c["logprobs"])
			texts = append(texts, c["message"].(map[string]any)["content"].(string)+string(lp))
			cached = append(cached, out["usage"].(map[string]any)["prompt_tokens_details"].(map[string]any)["cached_tokens"].(float64))
		}
		return texts, cached
	}
	with, cached := answers(newTestServer(t, options{prefixCache: true}))
	without, none := answers(newTestServer(t, options{}))
	for i := range with {
		if with[i] != without[i] {
			t.Errorf("answer %d with the cache %q, without %q", i, with[i], without[i])
		}
	}
	if cached[0] != 0 || cached[1] < 64 || cached[2] <= cached[1] || none[1] != 0 {
		t.Fatalf("cached tokens with the cache %v, without %v", cached, none)
	}
}

// A text that cannot fit the context whatever it tokenizes to is a 400
// naming the field, decided by its size before tokenizing it.
func TestTextPastTheContextIsRefusedBySize(t *testing.T) {
	ts := newTestServer(t, options{})
	huge := strings.Repeat("word ", 800000) // 4 MB: past 4096 tokens × the longest token × 2
	for _, c := range []struct {
		path, param string
		body        any
	}{
		{"/v1/chat/completions", "messages", map[string]any{"messages": []map[string]string{{"role": "user", "content": huge}}}},
		{"/v1/completions", "prompt", map[string]any{"prompt": huge}},
		{"/v1/completions", "prompt", map[string]any{"prompt": []string{"hi", huge}}},
	} {
		code, out := ts.post(t, c.path, c.body)
		e, _ := out["error"].(map[string]any)
		if msg, _ := e["message"].(string); code != http.StatusBadRequest || e["param"] != c.param || !strings.Contains(msg, "bytes, more than the context length of 4096 tokens can hold") {
			t.Errorf("%s: %d %v", c.path, code, out)
		}
	}
}
