package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"hash/fnv"
	"io"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/schollz/progressbar/v3"
	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/lfm2go/lfm2/internal/scheduler"
	"github.com/lfm2go/lfm2/internal/tokenizer"
)

type batchFlags struct {
	in, out, errorsFile, format, shard, kvMemory string
	shards, parallel, maxBatchTokens, ctxLen     int
	resume, quiet, verbose                       bool
}

// inputLine is one JSONL prompt. Optional fields override the flags.
type inputLine struct {
	ID                json.RawMessage     `json:"id"`
	Prompt            *string             `json:"prompt"`
	Messages          []tokenizer.Message `json:"messages"`
	MaxTokens         *int                `json:"max_tokens"`
	Temperature       *float32            `json:"temperature"`
	TopK              *int                `json:"top_k"`
	TopP              *float32            `json:"top_p"`
	MinP              *float32            `json:"min_p"`
	RepetitionPenalty *float32            `json:"repetition_penalty"`
	Seed              *uint64             `json:"seed"`
	Stop              []string            `json:"stop"`
}

type outputRecord struct {
	ID               json.RawMessage `json:"id"`
	PromptTokens     int             `json:"prompt_tokens"`
	Completion       string          `json:"completion"`
	CompletionIDs    []int32         `json:"completion_ids"`
	CompletionTokens int             `json:"completion_tokens"`
	FinishReason     string          `json:"finish_reason"`
	Timings          timings         `json:"timings"`
}

type errorRecord struct {
	ID    json.RawMessage `json:"id,omitempty"`
	Line  int             `json:"line"`
	Error string          `json:"error"`
}

// job is a prompt on its way through the engine.
type job struct {
	id    json.RawMessage
	stops []string
}

func newBatchCmd(g *globals) *cobra.Command {
	var (
		bf batchFlags
		sf samplingFlags
		pf promptFlags
	)
	cmd := &cobra.Command{
		Use:   "batch -i PROMPTS.jsonl -o OUT.jsonl",
		Short: "Generate for many prompts with continuous batching; crash-safe and resumable",
		Long: `Reads prompts (JSONL: {"id": ..., "prompt": "..."} or {"id": ..., "messages": [...]},
with optional max_tokens, temperature, top_k, top_p, min_p, repetition_penalty, seed, stop;
or plain text with --format text, one prompt per line) and appends one JSON line per
prompt to the output as it finishes. A bad line gets an {"id", "line", "error"} record
and the batch goes on. --resume skips ids already in the output. Ctrl-C (SIGINT) or
SIGTERM finishes the current step, keeps every finished record, and exits with code 3.`,
		Example: `  lfm2 batch -i prompts.jsonl -o out.jsonl
  lfm2 batch -i prompts.jsonl -o out.jsonl --resume
  lfm2 batch -i prompts.txt --format text -o out.jsonl --parallel 16 --max-tokens 128
  lfm2 batch -i prompts.jsonl -o out-0.jsonl --shard 0/4`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return runBatch(g, &bf, &sf, &pf)
		},
	}
	fl := cmd.Flags()
	fl.StringVarP(&bf.in, "input", "i", "", "input file (JSONL, or text with --format text; - for stdin)")
	fl.StringVarP(&bf.out, "output", "o", "", "output JSONL file (appended to)")
	fl.StringVar(&bf.errorsFile, "errors", "", "write rejected-line records here instead of the output")
	fl.StringVar(&bf.format, "format", "jsonl", "input format: jsonl or text")
	fl.BoolVar(&bf.resume, "resume", false, "skip ids already present in the output file")
	fl.StringVar(&bf.shard, "shard", "", "process only lines with index ≡ i (mod n), as i/n")
	fl.IntVar(&bf.shards, "shards", 0, "shard count; with $JOB_COMPLETION_INDEX (Kubernetes Indexed Job) as the index")
	fl.IntVar(&bf.parallel, "parallel", 8, "sequences generated at once")
	fl.IntVar(&bf.maxBatchTokens, "max-batch-tokens", 512, "tokens per step (decode + prefill chunks)")
	fl.StringVar(&bf.kvMemory, "kv-memory", "2GiB", "KV cache memory (e.g. 2GiB, 512MiB)")
	fl.IntVar(&bf.ctxLen, "ctx", 32768, "context limit per prompt: prompt + generated tokens")
	fl.BoolVarP(&bf.quiet, "quiet", "q", false, "no progress bar")
	fl.BoolVarP(&bf.verbose, "verbose", "v", false, "report preemptions and rejected lines on stderr")
	sf.register(cmd, 512)
	pf.register(cmd)
	cmd.MarkFlagRequired("input")
	cmd.MarkFlagRequired("output")
	return cmd
}

// shardSpec resolves --shard i/n, or $JOB_COMPLETION_INDEX with --shards n.
func shardSpec(bf *batchFlags) (idx, n int, err error) {
	if bf.shard != "" {
		a, b, ok := strings.Cut(bf.shard, "/")
		idx, err1 := strconv.Atoi(a)
		n, err2 := strconv.Atoi(b)
		if !ok || err1 != nil || err2 != nil || n < 1 || idx < 0 || idx >= n {
			return 0, 0, fmt.Errorf("%w: --shard %q: want i/n with 0 ≤ i < n", errUsage, bf.shard)
		}
		return idx, n, nil
	}
	n = bf.shards
	if n == 0 {
		if v := os.Getenv("LFM2_SHARDS"); v != "" {
			n, _ = strconv.Atoi(v)
		}
	}
	if jci := os.Getenv("JOB_COMPLETION_INDEX"); jci != "" && n > 0 {
		idx, err := strconv.Atoi(jci)
		if err != nil || idx < 0 || idx >= n {
			return 0, 0, fmt.Errorf("JOB_COMPLETION_INDEX=%q does not fit %d shards", jci, n)
		}
		return idx, n, nil
	}
	return 0, 1, nil
}

// doneIDs reads the ids (and, for rejected lines without one, the line
// numbers) already in an output file, and truncates a torn last line (a
// crash mid-write) so appending continues cleanly.
func doneIDs(path string) (ids map[string]bool, lines map[int]bool, err error) {
	done, doneLines := map[string]bool{}, map[int]bool{}
	b, err := os.ReadFile(path)
	if os.IsNotExist(err) {
		return done, doneLines, nil
	}
	if err != nil {
		return nil, nil, fmt.Errorf("--resume: %w", err)
	}
	if i := bytes.LastIndexByte(b, '\n'); i+1 < len(b) {
		if err := os.Truncate(path, int64(i+1)); err != nil {
			return nil, nil, fmt.Errorf("--resume: drop torn last line of %s: %w", path, err)
		}
		b = b[:i+1]
	}
	for _, line := range bytes.Split(b, []byte("\n")) {
		var rec struct {
			ID    json.RawMessage `json:"id"`
			Line  int             `json:"line"`
			Error *string         `json:"error"`
		}
		switch {
		case json.Unmarshal(line, &rec) != nil:
		case len(rec.ID) > 0:
			done[string(rec.ID)] = true
		case rec.Error != nil:
			doneLines[rec.Line] = true
		}
	}
	return done, doneLines, nil
}

func runBatch(g *globals, bf *batchFlags, sf *samplingFlags, pf *promptFlags) error {
	if bf.format != "jsonl" && bf.format != "text" {
		return fmt.Errorf("%w: --format %q: want jsonl or text", errUsage, bf.format)
	}
	shardIdx, shardN, err := shardSpec(bf)
	if err != nil {
		return err
	}
	kvBytes, err := parseBytes(bf.kvMemory)
	if err != nil {
		return fmt.Errorf("--kv-memory: %w", err)
	}
	var in io.Reader = os.Stdin
	if bf.in != "-" {
		f, err := os.Open(bf.in)
		if err != nil {
			return fmt.Errorf("--input: %w", err)
		}
		defer f.Close()
		in = f
	}
	done, doneLines := map[string]bool{}, map[int]bool{}
	if bf.resume {
		if done, doneLines, err = doneIDs(bf.out); err != nil {
			return err
		}
	}
	out, err := os.OpenFile(bf.out, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return fmt.Errorf("--output: %w", err)
	}
	defer out.Close()
	errOut := out
	if bf.errorsFile != "" {
		if errOut, err = os.OpenFile(bf.errorsFile, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644); err != nil {
			return fmt.Errorf("--errors: %w", err)
		}
		defer errOut.Close()
	}
	// Every record is one write of one whole line: a crash loses at most the
	// line being written, which --resume then drops.
	writeLine := func(f *os.File, v any) error {
		var buf bytes.Buffer
		if err := writeJSON(&buf, v); err != nil { // one line, ends in \n
			return err
		}
		if _, err := f.Write(buf.Bytes()); err != nil {
			return fmt.Errorf("write %s: %w", f.Name(), err)
		}
		return nil
	}

	l, err := openModel(g, true)
	if err != nil {
		return err
	}
	defer l.Close()
	eng, err := scheduler.NewEngine(l.model, scheduler.Config{
		Limits:    scheduler.Limits{MaxBatchTokens: bf.maxBatchTokens, MaxSeqs: bf.parallel, MaxContext: bf.ctxLen},
		BlockSize: 16, KVBytes: kvBytes,
	})
	if err != nil {
		return err
	}
	if bf.verbose {
		eng.Scheduler().OnPreempt = func(q *scheduler.Sequence) {
			fmt.Fprintf(os.Stderr, "lfm2: preempted %s (KV memory full); it will be recomputed\n", q.Tag.(*job).id)
		}
	}

	// Read, validate and queue every line of this shard.
	seen := map[string]bool{}
	queued, rejected, skipped := 0, 0, 0
	reject := func(id json.RawMessage, line int, msg string) error {
		rejected++
		if bf.verbose {
			fmt.Fprintf(os.Stderr, "lfm2: %s line %d: %s\n", bf.in, line, msg)
		}
		return writeLine(errOut, errorRecord{ID: id, Line: line, Error: msg})
	}
	sc := bufio.NewScanner(in)
	sc.Buffer(make([]byte, 1<<20), 64<<20)
	for lineNo := 1; sc.Scan(); lineNo++ {
		if (lineNo-1)%shardN != shardIdx {
			continue
		}
		text := sc.Text()
		if strings.TrimSpace(text) == "" {
			continue
		}
		if doneLines[lineNo] {
			skipped++
			continue
		}
		var ln inputLine
		if bf.format == "text" {
			ln.ID = json.RawMessage(strconv.Itoa(lineNo))
			ln.Prompt = &text
		} else if err := json.Unmarshal([]byte(text), &ln); err != nil {
			if err := reject(nil, lineNo, "invalid JSON: "+err.Error()); err != nil {
				return err
			}
			continue
		}
		if len(ln.ID) == 0 || string(ln.ID) == "null" {
			ln.ID = json.RawMessage(strconv.Itoa(lineNo))
		}
		key := string(ln.ID)
		if done[key] {
			skipped++
			continue
		}
		if seen[key] {
			if err := reject(ln.ID, lineNo, "duplicate id "+key); err != nil {
				return err
			}
			continue
		}
		seen[key] = true
		q, err := buildSequence(l.tok, &ln, sf, pf)
		if err == nil {
			err = eng.Add(q)
		}
		if err != nil {
			if err := reject(ln.ID, lineNo, err.Error()); err != nil {
				return err
			}
			continue
		}
		queued++
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("read %s: %w", bf.in, err)
	}

	var bar *progressbar.ProgressBar
	if !bf.quiet && term.IsTerminal(int(os.Stderr.Fd())) {
		bar = progressbar.NewOptions(queued,
			progressbar.OptionSetWriter(os.Stderr),
			progressbar.OptionSetDescription("generating"),
			progressbar.OptionShowCount(),
			progressbar.OptionSetPredictTime(true),
			progressbar.OptionShowElapsedTimeOnFinish(),
			progressbar.OptionThrottle(200*time.Millisecond),
			progressbar.OptionClearOnFinish(),
		)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	start := time.Now()
	finished, tokens := 0, 0
	var writeErr error
	runErr := eng.Run(ctx, func(ev scheduler.Event) {
		tokens++
		if !ev.Done || writeErr != nil {
			return
		}
		q, jb := ev.Seq, ev.Seq.Tag.(*job)
		ids := q.Output
		if !q.Params.IgnoreEOS && len(ids) > 0 && l.model.Config.IsEOS(int(ids[len(ids)-1])) {
			ids = ids[:len(ids)-1] // the end-of-turn token is not part of the answer
		}
		rec := outputRecord{ID: jb.id, PromptTokens: len(q.Prompt), CompletionIDs: append([]int32{}, ids...),
			CompletionTokens: len(q.Output), FinishReason: q.FinishReason, Timings: seqTimings(q, q.Timings.Added)}
		rec.Completion = trimStop(l.tok.Decode(ids, true), jb.stops)
		writeErr = writeLine(out, rec)
		finished++
		if bar != nil {
			el := time.Since(start).Seconds()
			bar.Describe(fmt.Sprintf("generating %.0f tok/s", float64(tokens)/el))
			bar.Add(1)
		}
	})
	if bar != nil {
		bar.Finish()
	}
	if writeErr != nil {
		return writeErr
	}
	summary := fmt.Sprintf("%d done, %d rejected, %d skipped (already in %s), %d generated tokens in %.1fs (%.1f tok/s)",
		finished, rejected, skipped, bf.out, tokens, time.Since(start).Seconds(), float64(tokens)/time.Since(start).Seconds())
	if ctx.Err() != nil {
		return stoppedError{fmt.Sprintf("interrupted: %s; %d unfinished — rerun with --resume to continue", summary, queued-finished)}
	}
	if runErr != nil {
		return runErr
	}
	if !bf.quiet {
		fmt.Fprintln(os.Stderr, "lfm2:", summary)
	}
	return nil
}

// buildSequence turns an input line into a sequence, per-line settings
// overriding the flags.
func buildSequence(tok *tokenizer.Tokenizer, ln *inputLine, sf *samplingFlags, pf *promptFlags) (*scheduler.Sequence, error) {
	if ln.Prompt == nil && ln.Messages == nil {
		return nil, fmt.Errorf(`missing "prompt" (or "messages")`)
	}
	prompt := ""
	if ln.Prompt != nil {
		prompt = *ln.Prompt
	}
	ids, err := pf.encode(tok, prompt, ln.Messages)
	if err != nil {
		return nil, err
	}
	p := sf.params()
	maxTokens := sf.maxTokens
	if ln.MaxTokens != nil {
		maxTokens = *ln.MaxTokens
	}
	if ln.Temperature != nil {
		p.Temperature = *ln.Temperature
	}
	if ln.TopK != nil {
		p.TopK = *ln.TopK
	}
	if ln.TopP != nil {
		p.TopP = *ln.TopP
	}
	if ln.MinP != nil {
		p.MinP = *ln.MinP
	}
	if ln.RepetitionPenalty != nil {
		p.RepetitionPenalty = *ln.RepetitionPenalty
	}
	if ln.Seed != nil {
		p.Seed = *ln.Seed
	}
	stops := append(append([]string{}, sf.stop...), ln.Stop...)
	return &scheduler.Sequence{Prompt: ids, Tag: &job{id: ln.ID, stops: stops}, Params: scheduler.Params{
		MaxTokens: maxTokens, IgnoreEOS: sf.ignoreEOS, Sample: p, Stop: stopOnText(tok, stops),
		Stream: streamOf(ln.ID),
	}}, nil
}

// streamOf derives a sampling stream from a prompt id, so the same id
// samples the same way in a resumed or sharded run.
func streamOf(id json.RawMessage) uint64 {
	h := fnv.New64a()
	h.Write(id)
	return h.Sum64() | 1
}
