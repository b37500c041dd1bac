package main

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/lfm2go/lfm2/internal/tokenizer"
)

var binary string

// TestMain builds the lfm2 binary once so tests can drive it as a user does.
func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "lfm2-test")
	if err != nil {
		panic(err)
	}
	binary = filepath.Join(dir, "lfm2")
	if out, err := exec.Command("go", "build", "-o", binary, ".").CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "build: %v\n%s", err, out)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

const fixture = "../../testdata/fixtures/tiny-bf16"

func lfm2(t *testing.T, args ...string) (string, error) {
	t.Helper()
	cmd := exec.Command(binary, args...)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return string(out), fmt.Errorf("%v: %s", err, stderr.String())
	}
	return string(out), nil
}

func TestRunJSONMatchesFixtureGreedy(t *testing.T) {
	out, err := lfm2(t, "run", "--model", fixture, "--ids", "1,2517,8416", "--temperature", "0",
		"--repetition-penalty", "1", "--max-tokens", "16", "--ignore-eos", "--json", "--quiet")
	if err != nil {
		t.Fatal(err)
	}
	var rec struct {
		PromptIDs    []int32 `json:"prompt_ids"`
		IDs          []int32 `json:"ids"`
		FinishReason string  `json:"finish_reason"`
	}
	if err := json.Unmarshal([]byte(out), &rec); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	// reference.json case 1 greedy continuation.
	want := []int32{10466, 2325, 29596, 26504, 29853, 29853, 19441, 17398, 23852, 12887, 4142, 20690, 26612, 3265, 27040, 22964}
	if !slices.Equal(rec.IDs, want) || rec.FinishReason != "length" || !slices.Equal(rec.PromptIDs, []int32{1, 2517, 8416}) {
		t.Fatalf("got %+v", rec)
	}
}

// TestRunLogitBias: --logit-bias ID=BIAS reaches the sampler: -100 on the
// greedy continuation's first token changes it, +100 on a token makes the
// whole answer that token.
func TestRunLogitBias(t *testing.T) {
	ids := func(extra ...string) []int32 {
		t.Helper()
		args := append([]string{"run", "--model", fixture, "--ids", "1,2517,8416", "--temperature", "0",
			"--repetition-penalty", "1", "--max-tokens", "6", "--ignore-eos", "--json", "--quiet"}, extra...)
		out, err := lfm2(t, args...)
		if err != nil {
			t.Fatal(err)
		}
		var rec struct{ IDs []int32 }
		if err := json.Unmarshal([]byte(out), &rec); err != nil {
			t.Fatalf("%v: %s", err, out)
		}
		return rec.IDs
	}
	if got := ids("--logit-bias", "10466=-100"); len(got) == 0 || got[0] == 10466 {
		t.Fatalf("banned 10466 still first: %v", got)
	}
	for _, tok := range ids("--logit-bias", "777=100", "--logit-bias", "10466=-100") {
		if tok != 777 {
			t.Fatalf("+100 on 777 gave %d", tok)
		}
	}
}

func TestScoreJSON(t *testing.T) {
	out, err := lfm2(t, "score", "--model", fixture, "The capital of Kenya is", "--json")
	if err != nil {
		t.Fatal(err)
	}
	var rec struct {
		IDs      []int32    `json:"ids"`
		Logprobs []*float64 `json:"logprobs"`
		NLL      float64    `json:"nll"`
		PPL      float64    `json:"ppl"`
	}
	if err := json.Unmarshal([]byte(out), &rec); err != nil {
		t.Fatal(err)
	}
	// reference.json text case 0: ids and nll from the independent implementation.
	if !slices.Equal(rec.IDs, []int32{1, 2536, 2558, 17748, 843, 4029, 894, 589, 565, 787}) || rec.Logprobs[0] != nil {
		t.Fatalf("ids %v logprobs[0] %v", rec.IDs, rec.Logprobs[0])
	}
	if d := rec.NLL - 186.99196160779948; d > 1e-3 || d < -1e-3 {
		t.Fatalf("nll %v", rec.NLL)
	}
}

// TestTextFromStdin: with no text argument, score and run read the text
// piped to them (echo … | lfm2 run, as with ollama run): the same record
// as with the text as an argument; an argument wins over stdin, and empty
// stdin is a usage error.
func TestTextFromStdin(t *testing.T) {
	const text = "The capital of Kenya is"
	// The record without its timings.
	record := func(out []byte) string {
		var m map[string]json.RawMessage
		if json.Unmarshal(out, &m) != nil {
			return "not JSON: " + string(out)
		}
		delete(m, "timings")
		b, _ := json.Marshal(m)
		return string(b)
	}
	for _, args := range [][]string{
		{"score", "--model", fixture, "--json"},
		{"run", "--model", fixture, "--temperature", "0", "--max-tokens", "4", "--json", "--quiet"},
	} {
		out, err := lfm2(t, append(args, text)...)
		if err != nil {
			t.Fatal(err)
		}
		want := record([]byte(out))
		for _, c := range []struct {
			stdin string
			arg   []string
		}{{text, nil}, {"ignored: an argument is given", []string{text}}} {
			cmd := exec.Command(binary, append(args, c.arg...)...)
			cmd.Stdin = strings.NewReader(c.stdin)
			got, err := cmd.Output()
			if err != nil || record(got) != want {
				t.Fatalf("%s with stdin %q, arguments %q: %v\n%s\nwant\n%s", args[0], c.stdin, c.arg, err, got, want)
			}
		}
		cmd := exec.Command(binary, args...)
		cmd.Stdin = strings.NewReader("")
		msg, err := cmd.CombinedOutput()
		var ee *exec.ExitError
		if !errors.As(err, &ee) || ee.ExitCode() != 2 || !strings.Contains(string(msg), "empty") {
			t.Fatalf("%s with empty stdin: %v %s", args[0], err, msg)
		}
	}
}

// TestVersion: --version names the build, the platform and the kernel
// family this CPU gets (LFM2_KERNELS forces another).
func TestVersion(t *testing.T) {
	cmd := exec.Command(binary, "--version")
	cmd.Env = append(os.Environ(), "LFM2_KERNELS=purego")
	out, err := cmd.Output()
	if err != nil || !strings.HasPrefix(string(out), "lfm2 version ") || !strings.Contains(string(out), runtime.GOOS+"/"+runtime.GOARCH) ||
		!strings.Contains(string(out), "kernels purego") {
		t.Fatalf("%v: %s", err, out)
	}
}

func TestMissingModelExitCode(t *testing.T) {
	cmd := exec.Command(binary, "run", "hello")
	cmd.Env = append(os.Environ(), "HF_HOME="+t.TempDir(), "LFM2_MODEL=")
	out, err := cmd.CombinedOutput()
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != 2 || !strings.Contains(string(out), "lfm2 pull") {
		t.Fatalf("err %v, output %s", err, out)
	}
}

// records reads an output file as id → record without timings.
func records(t *testing.T, path string) map[string]string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	out := map[string]string{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		var rec map[string]any
		if err := json.Unmarshal(sc.Bytes(), &rec); err != nil {
			t.Fatalf("bad line %q: %v", sc.Text(), err)
		}
		delete(rec, "timings")
		key := fmt.Sprint(rec["id"], "/", rec["line"])
		if _, dup := out[key]; dup {
			t.Fatalf("record %s written twice", key)
		}
		b, _ := json.Marshal(rec)
		out[key] = string(b)
	}
	return out
}

// TestBatchInterruptAndResume: SIGINT mid-run keeps every finished record and
// exits 3; --resume completes the rest; the final set equals an
// uninterrupted run's, each id once.
func TestBatchInterruptAndResume(t *testing.T) {
	dir := t.TempDir()
	in := filepath.Join(dir, "prompts.jsonl")
	var b strings.Builder
	const prompts = 100 // enough work that the signal lands mid-run on a fast machine
	for i := 0; i < prompts; i++ {
		fmt.Fprintf(&b, "{\"id\": \"p%d\", \"prompt\": \"Tell me about number %d and why it matters\"}\n", i, i)
		if i == 7 {
			b.WriteString("{\"id\": \"bad\", \"prompt\": 5}\n{\"id\": \"p1\", \"prompt\": \"duplicate\"}\n")
		}
	}
	os.WriteFile(in, []byte(b.String()), 0o644)
	args := []string{"batch", "--model", fixture, "-i", in, "--max-tokens", "48", "--ignore-eos", "--temperature", "0.7", "--seed", "3", "--parallel", "2", "--quiet"}

	full := filepath.Join(dir, "full.jsonl")
	if _, err := lfm2(t, append(args, "-o", full)...); err != nil {
		t.Fatal(err)
	}
	want := records(t, full)
	if len(want) != prompts+2 {
		t.Fatalf("uninterrupted run wrote %d records, want %d + 2 rejected", len(want), prompts)
	}

	part := filepath.Join(dir, "part.jsonl")
	cmd := exec.Command(binary, append(args, "-o", part)...)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(60 * time.Second)
	for {
		b, _ := os.ReadFile(part)
		if strings.Count(string(b), "\"completion\"") >= 3 {
			break
		}
		if time.Now().After(deadline) {
			cmd.Process.Kill()
			t.Fatal("no progress")
		}
		time.Sleep(5 * time.Millisecond)
	}
	cmd.Process.Signal(syscall.SIGINT)
	err := cmd.Wait()
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != exitStopped {
		t.Fatalf("interrupted run: %v (want exit %d)", err, exitStopped)
	}
	partial := records(t, part)
	if len(partial) >= len(want) {
		t.Fatalf("the run finished before the signal (%d records); make it longer", len(partial))
	}
	if _, err := lfm2(t, append(args, "-o", part, "--resume")...); err != nil {
		t.Fatal(err)
	}
	got := records(t, part)
	if len(got) != len(want) {
		t.Fatalf("resumed output has %d records, want %d", len(got), len(want))
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("record %s differs:\n resumed %s\n full    %s", k, got[k], v)
		}
	}
}

// TestChatThroughPipe: each turn's prompt ids are exactly the chat template's
// rendering of the whole conversation so far (system prompt, every earlier
// user turn and the assistant's answers), tokenized without a second BOS.
func TestChatThroughPipe(t *testing.T) {
	tok, err := tokenizer.LoadDir(fixture)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(binary, "chat", "--model", fixture, "--max-tokens", "6", "--temperature", "0", "--json", "--system", "Be brief.")
	cmd.Stdin = strings.NewReader("Hi there\nWhat is 2+2?\n\n/reset\nAnd now?\n")
	out, err := cmd.Output()
	if err != nil {
		t.Fatal(err)
	}
	var conv []tokenizer.Message
	turns, prevPrompt := 0, 0
	for i, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		var rec chatRecord
		if err := json.Unmarshal([]byte(line), &rec); err != nil {
			t.Fatalf("line %q: %v", line, err)
		}
		user := []string{"Hi there", "What is 2+2?", "And now?"}[i]
		if i == 2 {
			conv = nil // /reset
		}
		msgs := append([]tokenizer.Message{tokenizer.TextMessage("system", "Be brief.")}, conv...)
		msgs = append(msgs, tokenizer.TextMessage("user", user))
		text, err := tok.ChatTemplate().Render(tokenizer.Conversation{Messages: msgs, AddGenerationPrompt: true})
		if err != nil {
			t.Fatal(err)
		}
		if want := tok.Encode(text, false); !slices.Equal(rec.PromptIDs, want) {
			t.Fatalf("turn %d prompt ids\n got  %v\n want %v", i+1, rec.PromptIDs, want)
		}
		if len(rec.IDs) == 0 || rec.Turn != i+1 {
			t.Fatalf("turn %d: %+v", i+1, rec)
		}
		// A turn continues from the prefix cache, which holds the previous
		// turn's prompt in 16-token blocks: at least its full blocks are reused.
		if i == 1 && rec.Reused < prevPrompt/16*16 {
			t.Errorf("turn 2 reused %d cached tokens, want at least the %d of turn 1's prompt's full blocks", rec.Reused, prevPrompt/16*16)
		}
		prevPrompt = len(rec.PromptIDs)
		conv = append(conv, tokenizer.TextMessage("user", user), tokenizer.TextMessage("assistant", rec.Text))
		turns++
	}
	if turns != 3 {
		t.Fatalf("%d turns answered, want 3", turns)
	}
}

func TestChatDropsOldestTurnsToFit(t *testing.T) {
	cmd := exec.Command(binary, "chat", "--model", fixture, "--max-tokens", "8", "--temperature", "0", "--json", "--ctx", "60")
	cmd.Stdin = strings.NewReader("one two three four five six\nseven eight nine ten eleven\ntwelve thirteen fourteen\nfifteen sixteen\n")
	out, err := cmd.Output()
	if err != nil {
		t.Fatal(err)
	}
	dropped := 0
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		var rec chatRecord
		json.Unmarshal([]byte(line), &rec)
		if len(rec.PromptIDs)+8 > 60 {
			t.Fatalf("turn %d: prompt of %d tokens + 8 exceeds the context", rec.Turn, len(rec.PromptIDs))
		}
		dropped += rec.Dropped
	}
	if dropped == 0 {
		t.Fatal("a 60-token context never dropped a turn")
	}
}

// TestBatchOutputIsBatchInvariant: with greedy sampling, lfm2 batch writes
// the same completion for every prompt whether prompts run one at a time or
// six at once under a tiny step budget and a KV memory small enough to force
// preemption.
func TestBatchOutputIsBatchInvariant(t *testing.T) {
	dir := t.TempDir()
	in := filepath.Join(dir, "prompts.jsonl")
	var b strings.Builder
	words := strings.Fields("the quick brown fox jumps over a lazy dog while seven wizards quietly hex bold jumbo vats")
	for i, n := range []int{1, 2, 3, 5, 8, 13, 21, 34, 55, 89, 144, 180, 7, 60} {
		var p []string
		for j := 0; j < n; j++ {
			p = append(p, words[(i+j)%len(words)])
		}
		fmt.Fprintf(&b, "{\"id\": %d, \"prompt\": %q}\n", i, strings.Join(p, " "))
	}
	os.WriteFile(in, []byte(b.String()), 0o644)
	common := []string{"batch", "--model", fixture, "-i", in, "--raw", "--temperature", "0", "--max-tokens", "20", "--ignore-eos", "--quiet"}
	solo := filepath.Join(dir, "solo.jsonl")
	// Alone and without the prefix cache, against batched with it.
	if _, err := lfm2(t, append(common, "-o", solo, "--parallel", "1", "--no-prefix-cache")...); err != nil {
		t.Fatal(err)
	}
	mixed := filepath.Join(dir, "mixed.jsonl")
	cmd := exec.Command(binary, append(common, "-o", mixed, "--parallel", "6", "--max-batch-tokens", "7", "--kv-memory", "264KiB", "--verbose")...)
	stderr, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%v: %s", err, stderr)
	}
	if !strings.Contains(string(stderr), "preempted") {
		t.Errorf("the small KV memory forced no preemption:\n%s", stderr)
	}
	want, got := records(t, solo), records(t, mixed)
	if len(want) != 14 || len(got) != 14 {
		t.Fatalf("records: %d solo, %d mixed", len(want), len(got))
	}
	for id, rec := range want {
		if got[id] != rec {
			t.Errorf("prompt %s:\n mixed %s\n solo  %s", id, got[id], rec)
		}
	}
}

// TestBatchErrorsFile: rejected lines go to --errors with their line number
// and reason, the good ones to the output, and the batch goes on.
func TestBatchErrorsFile(t *testing.T) {
	dir := t.TempDir()
	in := filepath.Join(dir, "p.jsonl")
	os.WriteFile(in, []byte("{\"id\": \"ok1\", \"prompt\": \"hi\"}\n{oops\n{\"id\": \"nop\"}\n{\"id\": \"ok1\", \"prompt\": \"again\"}\n{\"id\": \"ok2\", \"prompt\": \"there\"}\n"), 0o644)
	out, errs := filepath.Join(dir, "out.jsonl"), filepath.Join(dir, "errors.jsonl")
	if _, err := lfm2(t, "batch", "--model", fixture, "-i", in, "-o", out, "--errors", errs, "--max-tokens", "3", "--quiet"); err != nil {
		t.Fatal(err)
	}
	good := records(t, out)
	if len(good) != 2 || good["ok1/<nil>"] == "" || good["ok2/<nil>"] == "" {
		t.Fatalf("output records: %v", good)
	}
	bad := records(t, errs)
	for _, want := range []string{"<nil>/2", "nop/3", "ok1/4"} {
		if bad[want] == "" {
			t.Errorf("no error record %s in %v", want, bad)
		}
	}
	if !strings.Contains(bad["<nil>/2"], "invalid JSON") || !strings.Contains(bad["nop/3"], "missing") || !strings.Contains(bad["ok1/4"], "duplicate") {
		t.Errorf("error records do not give their reasons: %v", bad)
	}
}

// TestPublishedTemplatesThroughTokenize: every reference case of the four
// published LFM2 / LFM2.5 templates, each template installed as a model's
// chat_template.jinja, through lfm2 tokenize --chat --json: the text must
// equal Python Jinja2's rendering byte for byte, and where Jinja2 raises
// lfm2 must refuse, naming the template.
func TestPublishedTemplatesThroughTokenize(t *testing.T) {
	cases, err := os.ReadFile("../../testdata/templates/cases.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	dirs := map[string]string{}
	for i, line := range strings.Split(strings.TrimSpace(string(cases)), "\n") {
		var c struct {
			Template string  `json:"template"`
			Rendered *string `json:"rendered"`
			Error    *string `json:"error"`
		}
		if err := json.Unmarshal([]byte(line), &c); err != nil {
			t.Fatal(err)
		}
		dir := dirs[c.Template]
		if dir == "" {
			dir = t.TempDir()
			for _, f := range []string{"tokenizer.json", "tokenizer_config.json"} {
				b, _ := os.ReadFile(filepath.Join(fixture, f))
				os.WriteFile(filepath.Join(dir, f), b, 0o644)
			}
			b, _ := os.ReadFile(filepath.Join("../../testdata/templates", c.Template))
			os.WriteFile(filepath.Join(dir, "chat_template.jinja"), b, 0o644)
			dirs[c.Template] = dir
		}
		cmd := exec.Command(binary, "tokenize", "--model", dir, "--chat", "--json")
		cmd.Stdin = strings.NewReader(line)
		var stderr strings.Builder
		cmd.Stderr = &stderr
		out, err := cmd.Output()
		if c.Error != nil {
			if err == nil || !strings.Contains(stderr.String(), "chat_template.jinja") {
				t.Errorf("case %d (%s): exit %v, stderr %q; Jinja2 raises %s", i, c.Template, err, stderr.String(), *c.Error)
			}
			continue
		}
		var rec struct {
			Text string  `json:"text"`
			IDs  []int32 `json:"ids"`
		}
		if err != nil || json.Unmarshal(out, &rec) != nil {
			t.Errorf("case %d (%s): %v %s", i, c.Template, err, stderr.String())
			continue
		}
		if rec.Text != *c.Rendered {
			t.Errorf("case %d (%s):\n got %q\nwant %q", i, c.Template, rec.Text, *c.Rendered)
		}
	}
}
