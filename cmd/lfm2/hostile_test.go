package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/lfm2go/lfm2/internal/tokenizer"
)

// run runs the binary with env added and returns stdout, stderr and the exit code.
func runBinary(t *testing.T, stdin string, env []string, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	cmd := exec.Command(binary, args...)
	cmd.Env = append(os.Environ(), env...)
	cmd.Stdin = strings.NewReader(stdin)
	var o, e strings.Builder
	cmd.Stdout, cmd.Stderr = &o, &e
	err := cmd.Run()
	var ee *exec.ExitError
	switch {
	case errors.As(err, &ee):
		code = ee.ExitCode()
	case err != nil:
		t.Fatal(err)
	}
	return o.String(), e.String(), code
}

// Usage mistakes exit 2 with a message naming the flag and its valid range.
func TestUsageErrorsExitTwo(t *testing.T) {
	cases := []struct {
		args []string
		want string
	}{
		{[]string{"run", "--ctx", "0", "x"}, "--ctx 0"},
		{[]string{"run", "--ctx", "-5", "x"}, "--ctx -5"},
		{[]string{"run", "-t", "-3", "x"}, "--threads -3"},
		{[]string{"run", "--stop", "", "x"}, "stop string cannot be empty"},
		{[]string{"run", "--repetition-penalty", "0", "x"}, "want a number > 0"},
		{[]string{"run", "--top-p", "0", "x"}, "want a number in (0, 1]"},
		{[]string{"run", "--presence-penalty", "3", "x"}, "--presence-penalty 3: want a number in [-2, 2]"},
		{[]string{"run", "--logit-bias", "5", "x"}, `--logit-bias "5": want ID=BIAS`},
		{[]string{"run", "--logit-bias", "5=300", "x"}, "--logit-bias: token 5: bias 300"},
		{[]string{"chat", "--logit-bias", "x=1"}, `--logit-bias: key "x"`},
		{[]string{"batch", "-i", "x", "-o", "y", "--frequency-penalty", "-2.5"}, "--frequency-penalty -2.5: want a number in [-2, 2]"},
		{[]string{"run", "--temperature", "-1", "x"}, "--temperature -1"},
		{[]string{"run", "--max-tokens", "0", "x"}, "--max-tokens 0"},
		{[]string{"run", "--bogus-flag", "x"}, "unknown flag"},
		{[]string{"chat", "--ctx", "0"}, "--ctx 0"},
		{[]string{"batch", "-i", "x", "-o", "y", "--kv-memory", "lots"}, "KiB, MiB, GiB"},
		{[]string{"batch", "-i", "x", "-o", "y", "--ctx", "0"}, "--ctx 0"},
		{[]string{"tokenize", "a", "b"}, "accepts at most 1 arg"},
		{[]string{"pull", "--model", "x"}, "unknown flag: --model"}, // pull takes no model flags
		{[]string{"pull", "--idle-timeout", "0s", "org/m"}, "--idle-timeout must be positive"},
		{[]string{"pull", "--retries", "-1", "org/m"}, "--retries at least 0"},
		{[]string{"run", "--model", "synthetic:tiny", "--precision", "sloppy", "x"}, `--precision "sloppy": want exact or fast`},
		{[]string{"run", "--model", "synthetic:tiny", "--kv-dtype", "q8_0", "x"}, `--kv-dtype "q8_0": want f32 or f16`},
		{[]string{"batch", "-i", "x", "-o", "y", "--model", "synthetic:tiny", "--kv-dtype", "F16 "}, `--kv-dtype "F16 ": want f32 or f16`},
		{[]string{"run", "--model", "synthetic:tiny", "--dtype", "q2_k", "x"}, `--dtype "q2_k": want q8_0 (alias int8), q4_0 or q4_k`},
		{[]string{"run", "--model", "synthetic:tiny", "--tools", "/nonexistent/tools.json", "x"}, "--tools"},
		{[]string{"run", "--model", "synthetic:tiny", "--tools", "hostile_test.go", "x"}, "want a JSON list of tool definitions"},
		{[]string{"run", "--model", "../../testdata/fixtures/gguf-quant", "x"}, "choose one with --quant"},
		{[]string{"run", "--model", "../../testdata/fixtures/gguf-quant", "--quant", "Q2_K", "x"}, "has no Q2_K GGUF file"},
	}
	for _, c := range cases {
		_, stderr, code := runBinary(t, "", nil, append([]string{"--model", "synthetic:tiny"}[:0], c.args...)...)
		if code != exitUsage || !strings.Contains(stderr, c.want) {
			t.Errorf("lfm2 %s: exit %d, stderr %q; want exit 2 mentioning %q", strings.Join(c.args, " "), code, stderr, c.want)
		}
	}
}

func TestParseBytes(t *testing.T) {
	for in, want := range map[string]int64{"2GB": 2e9, "2G": 2 << 30, "2GiB": 2 << 30, "512MiB": 512 << 20, "48KiB": 48 << 10,
		"1.5 GiB": 3 << 29, "100": 100, "2gib": 2 << 30, "10MB": 1e7, "1T": 1 << 40} {
		got, err := parseBytes(in)
		if err != nil || got != want {
			t.Errorf("parseBytes(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	for _, bad := range []string{"", "0", "-1GiB", "lots", "2XB", "1e300GiB", "NaN"} {
		if _, err := parseBytes(bad); err == nil {
			t.Errorf("parseBytes(%q) accepted", bad)
		}
	}
}

// lfm2 run hello there: arguments are joined like ollama run does.
func TestRunJoinsArguments(t *testing.T) {
	joined, _, code := runBinary(t, "", nil, "run", "--model", fixture, "--raw", "--temperature", "0", "-n", "1", "--json", "The", "capital", "of", "Kenya")
	one, _, code2 := runBinary(t, "", nil, "run", "--model", fixture, "--raw", "--temperature", "0", "-n", "1", "--json", "The capital of Kenya")
	if code != 0 || code2 != 0 {
		t.Fatalf("exit %d, %d", code, code2)
	}
	var a, b runRecord
	json.Unmarshal([]byte(joined), &a)
	json.Unmarshal([]byte(one), &b)
	if fmt.Sprint(a.PromptIDs) != fmt.Sprint(b.PromptIDs) || len(a.PromptIDs) < 4 {
		t.Fatalf("joined %v, quoted %v", a.PromptIDs, b.PromptIDs)
	}
}

func TestRunRefusesEmptyPrompt(t *testing.T) {
	for _, args := range [][]string{{"-f", "-"}, {""}, {"  \n"}} {
		_, stderr, code := runBinary(t, "", nil, append([]string{"run", "--model", fixture}, args...)...)
		if code != exitUsage || !strings.Contains(stderr, "empty") {
			t.Errorf("run %q: exit %d, %q", args, code, stderr)
		}
	}
}

// run --json: the text key is always there, and stderr stays empty unless
// --verbose (not even the random-weights note).
func TestRunJSONQuietAndComplete(t *testing.T) {
	stdout, stderr, code := runBinary(t, "", nil, "run", "--model", "synthetic:tiny", "--json", "-n", "2", "hi")
	if code != 0 || stderr != "" {
		t.Fatalf("exit %d, stderr %q", code, stderr)
	}
	var rec map[string]any
	if err := json.Unmarshal([]byte(stdout), &rec); err != nil {
		t.Fatal(err)
	}
	if _, ok := rec["text"]; !ok {
		t.Fatalf("no text key: %s", stdout)
	}
	_, stderr, _ = runBinary(t, "", nil, "run", "--model", "synthetic:tiny", "--json", "--verbose", "-n", "2", "hi")
	if !strings.Contains(stderr, "RANDOM") || !strings.Contains(stderr, "generated 2 tokens") {
		t.Fatalf("--verbose stderr %q", stderr)
	}
}

func TestStatsLineNeverClaimsZeroRate(t *testing.T) {
	line := statsLine(runRecord{PromptTokens: 5, FinishReason: "interrupted"})
	if strings.Contains(line, "0.0 tok/s") || !strings.Contains(line, "- tok/s") {
		t.Fatalf("%q", line)
	}
}

// A config whose numbers give NaN is refused at load; one that slips past
// (here rope_theta is fine but the weights are NaN) ends with an error,
// never with a sampled token 0 and exit 0.
func TestNaNWeightsEndWithError(t *testing.T) {
	dir := t.TempDir()
	for _, f := range []string{"config.json", "tokenizer.json", "tokenizer_config.json"} {
		b, err := os.ReadFile(filepath.Join(fixture, f))
		if err != nil {
			t.Fatal(err)
		}
		os.WriteFile(filepath.Join(dir, f), b, 0o644)
	}
	b, _ := os.ReadFile(filepath.Join(fixture, "model.safetensors"))
	// Every bf16 of the data section set to NaN (0x7fc0), header kept.
	n := 8 + int(b[0]) | int(b[1])<<8 | int(b[2])<<16
	for i := n; i+1 < len(b); i += 2 {
		b[i], b[i+1] = 0xc0, 0x7f
	}
	os.WriteFile(filepath.Join(dir, "model.safetensors"), b, 0o644)
	for _, sampling := range [][]string{{"--temperature", "0"}, {}} {
		stdout, stderr, code := runBinary(t, "", nil, append([]string{"run", "--model", dir, "--json", "-n", "4", "hi"}, sampling...)...)
		var rec runRecord
		json.Unmarshal([]byte(stdout), &rec)
		if code != exitError || rec.FinishReason != "error" || len(rec.IDs) != 0 || !strings.Contains(stderr, "not finite") {
			t.Fatalf("%v: exit %d, record %+v, stderr %q", sampling, code, rec, stderr)
		}
	}
	var cfg map[string]any
	b, _ = os.ReadFile(filepath.Join(dir, "config.json"))
	json.Unmarshal(b, &cfg)
	cfg["norm_eps"] = -1
	b, _ = json.Marshal(cfg)
	os.WriteFile(filepath.Join(dir, "config.json"), b, 0o644)
	_, stderr, code := runBinary(t, "", nil, "run", "--model", dir, "hi")
	if code != exitError || !strings.Contains(stderr, "norm_eps") {
		t.Fatalf("norm_eps -1: exit %d, %q", code, stderr)
	}
}

func writeLines(t *testing.T, lines ...string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "in.jsonl")
	if err := os.WriteFile(p, []byte(strings.Join(lines, "\n")+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestBatchShardsNeedAnIndex(t *testing.T) {
	in := writeLines(t, `{"prompt": "a"}`)
	out := filepath.Join(t.TempDir(), "o.jsonl")
	env := []string{"JOB_COMPLETION_INDEX="}
	_, stderr, code := runBinary(t, "", env, "batch", "--model", fixture, "-i", in, "-o", out, "--shards", "8")
	if code != exitUsage || !strings.Contains(stderr, "JOB_COMPLETION_INDEX") {
		t.Fatalf("exit %d, %q", code, stderr)
	}
	if _, err := os.Stat(out); err == nil {
		t.Fatal("wrote output without a shard index")
	}
	_, _, code = runBinary(t, "", []string{"JOB_COMPLETION_INDEX=0"}, "batch", "--model", fixture, "-i", in, "-o", out, "--shards", "8", "-n", "2", "-q")
	if code != 0 {
		t.Fatalf("with an index: exit %d", code)
	}
}

func TestBatchRefusesOutputEqualToInput(t *testing.T) {
	in := writeLines(t, `{"prompt": "a"}`)
	link := filepath.Join(t.TempDir(), "link.jsonl")
	os.Symlink(in, link)
	before, _ := os.ReadFile(in)
	for _, out := range []string{in, link} {
		_, stderr, code := runBinary(t, "", nil, "batch", "--model", fixture, "-i", in, "-o", out)
		if code != exitUsage || !strings.Contains(stderr, "is the input file") {
			t.Fatalf("-o %s: exit %d, %q", out, code, stderr)
		}
	}
	if after, _ := os.ReadFile(in); string(after) != string(before) {
		t.Fatal("the input was modified")
	}
}

// Two batch processes on one output: the second exits 2 naming the first's pid.
func TestBatchOutputLock(t *testing.T) {
	var lines []string
	for i := 0; i < 200; i++ {
		lines = append(lines, fmt.Sprintf(`{"id": %d, "prompt": "number %d"}`, i, i))
	}
	in := writeLines(t, lines...)
	out := filepath.Join(t.TempDir(), "o.jsonl")
	first := exec.Command(binary, "batch", "--model", fixture, "-i", in, "-o", out, "-n", "64", "--ignore-eos", "-q", "--parallel", "1")
	if err := first.Start(); err != nil {
		t.Fatal(err)
	}
	defer first.Process.Kill()
	deadline := time.Now().Add(30 * time.Second)
	for { // wait until the first holds the lock and has written something
		if b, _ := os.ReadFile(out); len(b) > 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("first batch wrote nothing")
		}
		time.Sleep(10 * time.Millisecond)
	}
	_, stderr, code := runBinary(t, "", nil, "batch", "--model", fixture, "-i", in, "-o", out, "-n", "2", "-q")
	want := fmt.Sprintf("is in use by another lfm2 batch (pid %d)", first.Process.Pid)
	if code != exitUsage || !strings.Contains(stderr, want) {
		t.Fatalf("second writer: exit %d, %q; want %q", code, stderr, want)
	}
	first.Process.Kill()
	first.Wait()
	// A killed holder leaves no stale lock.
	if _, stderr, code := runBinary(t, "", nil, "batch", "--model", fixture, "-i", in, "-o", out, "-n", "1", "-q", "--resume"); code != 0 {
		t.Fatalf("after the holder died: exit %d, %q", code, stderr)
	}
}

func TestBatchToStdout(t *testing.T) {
	in := writeLines(t, `{"id": "a", "prompt": "hi"}`, `{"id": "b", "prompt": "there"}`)
	stdout, _, code := runBinary(t, "", nil, "batch", "--model", fixture, "-i", in, "-o", "-", "-n", "2", "-q")
	if code != 0 || strings.Count(stdout, `"completion"`) != 2 {
		t.Fatalf("exit %d, stdout %q", code, stdout)
	}
}

// Error records carry the line's id whenever one could be read, never a Go
// type name; lines without an id get "line-N"; "stop" may be a string.
func TestBatchLineRecords(t *testing.T) {
	in := writeLines(t,
		`{"id": 1, "prompt": "numeric id"}`,
		`{"prompt": "no id"}`,
		`{"id": "bad-tokens", "prompt": "x", "max_tokens": "ten"}`,
		`{"id": "bad-temp", "prompt": "x", "temperature": -2}`,
		`{"id": "bad-topp", "prompt": "x", "top_p": 0}`,
		`{"id": "bad-msgs", "messages": "hi"}`,
		`{"id": "stop-string", "prompt": "x", "stop": "e"}`,
		`{"id": "extra", "prompt": "x", "tempreature": 0.5}`,
		`{"id": {"nested": 1}, "prompt": "x"}`,
		`[1, 2]`,
		`{"id": "line-2", "prompt": "collides with no id? it must not"}`,
		`{"id": "bad-tools", "prompt": "x", "tools": {"not": "a list"}}`,
		`{"id": "bad-freq", "prompt": "x", "frequency_penalty": 3}`,
		`{"id": "penalised", "prompt": "x", "frequency_penalty": 0.5, "presence_penalty": -0.5}`,
		`{"id": "bad-bias", "prompt": "x", "logit_bias": {"x": 1}}`,
		`{"id": "biased", "prompt": "x", "logit_bias": {"5": -100, "6": 3}}`,
	)
	out := filepath.Join(t.TempDir(), "o.jsonl")
	_, stderr, code := runBinary(t, "", nil, "batch", "--model", fixture, "-i", in, "-o", out, "-n", "8", "-q", "--verbose")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	recs := map[string]map[string]any{}
	b, _ := os.ReadFile(out)
	for _, l := range strings.Split(strings.TrimSpace(string(b)), "\n") {
		var r map[string]any
		if err := json.Unmarshal([]byte(l), &r); err != nil {
			t.Fatal(err)
		}
		key := fmt.Sprint(r["id"])
		if _, dup := recs[key]; dup && r["line"] == nil {
			t.Fatalf("two records for id %s", key)
		}
		recs[key+"/"+fmt.Sprint(r["line"])] = r
		if strings.Contains(l, "main.") || strings.Contains(l, "Go struct") || strings.Contains(l, "of type") {
			t.Errorf("record shows Go internals: %s", l)
		}
	}
	wantErr := map[string]string{
		"bad-tokens/3": `"max_tokens": want a whole number`,
		"bad-temp/4":   "temperature -2",
		"bad-topp/5":   "top_p 0",
		"bad-msgs/6":   `"messages": want a list`,
		"<nil>/9":      `"id": want a string or a number`,
		"<nil>/10":     "not a JSON object",
		"bad-tools/12": `"tools": want a list of tool definitions`,
		"bad-freq/13":  "frequency_penalty 3: want a number in [-2, 2]",
		"bad-bias/15":  `"logit_bias": key "x": want a token id`,
	}
	for k, want := range wantErr {
		r := recs[k]
		if r == nil || !strings.Contains(fmt.Sprint(r["error"]), want) {
			t.Errorf("record %s = %v, want an error with %q", k, r, want)
		}
	}
	for _, k := range []string{"1/<nil>", "line-2/<nil>", "stop-string/<nil>", "extra/<nil>", "penalised/<nil>", "biased/<nil>"} {
		if r := recs[k]; r == nil || r["completion"] == nil {
			t.Errorf("no completion for %s in %v", k, recs)
		}
	}
	if c := fmt.Sprint(recs["stop-string/<nil>"]["completion"]); strings.Contains(c, "e") {
		t.Errorf("stop string \"e\" not applied: %q", c)
	}
	if n := strings.Count(string(b), `"id":"line-2"`); n != 2 { // the line without an id, and the line that says so itself: one is a duplicate
		t.Errorf("line-2 records: %d", n)
	}
	if !strings.Contains(stderr, "ignoring unknown field(s) tempreature") {
		t.Errorf("--verbose does not report the unknown field: %q", stderr)
	}
	_, _, code = runBinary(t, "", nil, "batch", "--model", fixture, "-i", in, "-o", out+".strict", "-n", "2", "-q", "--strict")
	sb, _ := os.ReadFile(out + ".strict")
	if code != 0 || !strings.Contains(string(sb), `"id":"extra","line":8,"error":"unknown field(s) tempreature (--strict)"`) {
		t.Errorf("--strict: exit %d\n%s", code, sb)
	}
}

// A 10 MB single-word line is refused before tokenizing (it cannot fit the
// context), and the lines around it are answered.
func TestBatchHugeLine(t *testing.T) {
	in := writeLines(t, `{"id": "before", "prompt": "hi"}`, `{"id": "huge", "prompt": "`+strings.Repeat("a", 10<<20)+`"}`, `{"id": "after", "prompt": "there"}`)
	out := filepath.Join(t.TempDir(), "o.jsonl")
	_, stderr, code := runBinary(t, "", nil, "batch", "--model", fixture, "-i", in, "-o", out, "-n", "2", "-q", "--ctx", "4096")
	b, _ := os.ReadFile(out)
	if code != 0 || strings.Count(string(b), `"completion"`) != 2 || !strings.Contains(string(b), `"id":"huge","line":2,"error":"the prompt is 10485760 bytes`) {
		t.Fatalf("exit %d, %s\n%s", code, stderr, b)
	}
}

// A prompt that cannot fit the context is refused by its size, before it is
// tokenized (which takes tens of bytes of memory a byte): for run and chat by --ctx,
// for the text of the chat template too, and for score by the model's
// context, also when it is counted in tokens.
func TestTextsPastTheContextRefusedBySize(t *testing.T) {
	big := filepath.Join(t.TempDir(), "big.txt")
	if err := os.WriteFile(big, []byte(strings.Repeat("word ", 1<<20)), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{
		{"run", "--model", fixture, "--ctx", "64", "-f", big},
		{"run", "--model", fixture, "--ctx", "64", "--raw", "-f", big},
		// The prompt fits; the text the template renders with this system
		// prompt does not.
		{"run", "--model", fixture, "--ctx", "64", "--system", strings.Repeat("s", 100000), "hi"},
	} {
		_, stderr, code := runBinary(t, "", nil, args...)
		if code == 0 || !strings.Contains(stderr, "bytes, more than a 64-token context can hold") || !strings.Contains(stderr, "raise --ctx") {
			t.Errorf("%q: exit %d, %q", args[:6], code, stderr)
		}
	}
	_, stderr, _ := runBinary(t, strings.Repeat("word ", 20000)+"\n", nil, "chat", "--model", fixture, "--ctx", "64")
	if !strings.Contains(stderr, "this message alone is 100000 bytes, more than the 64-token context can hold") {
		t.Errorf("chat: %q", stderr)
	}
	// 1.6 MB of text: under score's byte bound for a 128000-token context,
	// over it in tokens.
	long := filepath.Join(t.TempDir(), "long.txt")
	if err := os.WriteFile(long, []byte(strings.Repeat("a b ", 400000)), 0o644); err != nil {
		t.Fatal(err)
	}
	_, stderr, code := runBinary(t, "", nil, "score", "--model", fixture, "-f", long)
	if code == 0 || !strings.Contains(stderr, "tokens, more than the model's context of 128000") {
		t.Errorf("score of a long text: exit %d, %q", code, stderr)
	}
}

// pull interrupted by Ctrl-C exits 3 (like run) and keeps the partial file.
func TestPullInterruptExitsThree(t *testing.T) {
	const sha = "0123456789abcdef0123456789abcdef01234567"
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case strings.HasPrefix(r.URL.Path, "/api/models/"):
			fmt.Fprintf(w, `{"sha": %q, "siblings": [{"rfilename": "config.json"}, {"rfilename": "tokenizer.json"}, {"rfilename": "tokenizer_config.json"}, {"rfilename": "model.safetensors"}]}`, sha)
		case r.Method == http.MethodHead:
			w.Header().Set("ETag", `"abc123"`)
			w.Header().Set("Content-Length", "1000")
		default: // send a little, then nothing until the client leaves
			w.Header().Set("Content-Length", "1000")
			w.Write([]byte("{"))
			w.(http.Flusher).Flush()
			select {
			case <-r.Context().Done():
			case <-time.After(20 * time.Second):
			}
		}
	}))
	defer srv.Close()
	home := t.TempDir()
	cmd := exec.Command(binary, "pull", "org/model", "-q")
	cmd.Env = append(os.Environ(), "HF_ENDPOINT="+srv.URL, "HF_HOME="+home)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	time.Sleep(500 * time.Millisecond)
	cmd.Process.Signal(os.Interrupt)
	err := cmd.Wait()
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != exitStopped || !strings.Contains(stderr.String(), "interrupted") {
		t.Fatalf("err %v, stderr %q", err, stderr.String())
	}
	parts, _ := filepath.Glob(filepath.Join(home, "hub", "models--org--model", "blobs", "*.incomplete"))
	if len(parts) != 1 {
		t.Fatalf("partial files: %v", parts)
	}
}

// Chat commands are never sent to the model: /help lists them, an unknown
// one is reported, /system alone shows the prompt; "//x" sends "/x".
func TestChatCommands(t *testing.T) {
	stdout, stderr, code := runBinary(t, "/help\n/bogus\n/system\n/system Be brief.\n/system\n//slash\n/exit\nnot reached\n", nil,
		"chat", "--model", fixture, "-n", "2", "--json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	for _, want := range []string{"/reset", "unknown command /bogus", "no system prompt", "system prompt set", "system prompt: Be brief."} {
		if !strings.Contains(stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, stderr)
		}
	}
	turns := strings.Split(strings.TrimSpace(stdout), "\n")
	if len(turns) != 1 {
		t.Fatalf("%d turns, want only the //slash one:\n%s", len(turns), stdout)
	}
	tok := loadFixtureTokenizer(t)
	var rec chatRecord
	json.Unmarshal([]byte(turns[0]), &rec)
	if text := tok.Decode(rec.PromptIDs, false); !strings.Contains(text, "user\n/slash<|im_end|>") || !strings.Contains(text, "Be brief.") {
		t.Fatalf("prompt %q", text)
	}
}

func TestChatHistoryFile(t *testing.T) {
	t.Setenv("XDG_STATE_HOME", t.TempDir())
	h := openHistory()
	for _, l := range []string{"one", "two", "two", "", "three"} {
		h.Add(l)
	}
	h.close()
	h = openHistory()
	defer h.close()
	if h.Len() != 3 || h.At(0) != "three" || h.At(2) != "one" {
		t.Fatalf("history after reopening: %v", h.lines)
	}
	if p := historyPath(); !strings.HasSuffix(p, filepath.Join("lfm2", "history")) {
		t.Fatalf("path %s", p)
	}
}

// A tokenizer.json that lost its special tokens loads, with a warning.
func TestTokenizerWithoutSpecialTokensWarns(t *testing.T) {
	dir := t.TempDir()
	for _, f := range []string{"config.json", "model.safetensors", "tokenizer_config.json"} {
		b, _ := os.ReadFile(filepath.Join(fixture, f))
		os.WriteFile(filepath.Join(dir, f), b, 0o644)
	}
	var tj map[string]any
	b, _ := os.ReadFile(filepath.Join(fixture, "tokenizer.json"))
	json.Unmarshal(b, &tj)
	tj["added_tokens"] = []any{}
	tj["post_processor"] = nil
	b, _ = json.Marshal(tj)
	os.WriteFile(filepath.Join(dir, "tokenizer.json"), b, 0o644)
	_, stderr, code := runBinary(t, "", nil, "run", "--model", dir, "--raw", "-n", "1", "hi")
	if code != 0 || strings.Count(stderr, "no special added tokens") != 1 {
		t.Fatalf("exit %d, stderr %q", code, stderr)
	}
}

func loadFixtureTokenizer(t *testing.T) *tokenizer.Tokenizer {
	t.Helper()
	tok, err := tokenizer.LoadDir(fixture)
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

// --chat-template with a missing or broken file is refused, naming it.
func TestChatTemplateFlagErrors(t *testing.T) {
	dir := t.TempDir()
	broken := filepath.Join(dir, "broken.jinja")
	os.WriteFile(broken, []byte("{% if %}"), 0o644)
	for file, want := range map[string]string{filepath.Join(dir, "missing.jinja"): "--chat-template", broken: "broken.jinja"} {
		_, stderr, code := runBinary(t, "", nil, "run", "--model", "synthetic:tiny", "--chat-template", file, "x")
		if code == 0 || !strings.Contains(stderr, want) {
			t.Errorf("--chat-template %s: exit %d, %q", file, code, stderr)
		}
	}
}
