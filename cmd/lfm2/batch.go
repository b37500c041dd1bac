package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
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
	"github.com/spf13/pflag"
	"golang.org/x/term"

	"github.com/lfm2go/lfm2/internal/engine"
	"github.com/lfm2go/lfm2/internal/sample"
	"github.com/lfm2go/lfm2/internal/scheduler"
	"github.com/lfm2go/lfm2/internal/tokenizer"
)

type batchFlags struct {
	in, out, errorsFile, format, shard, kvMemory  string
	shards, parallel, maxBatchTokens, ctxLen      int
	resume, quiet, verbose, strict, noPrefixCache bool
}

type outputRecord struct {
	ID           json.RawMessage `json:"id"`
	Error        string          `json:"error,omitempty"` // with finish_reason "error"
	PromptTokens int             `json:"prompt_tokens"`
	Completion   string          `json:"completion"`
	answerFields
	// Parsed is the completion as JSON, under a JSON response_format, when
	// it finished (finish_reason "stop"); a completion cut by max_tokens
	// has none.
	Parsed           json.RawMessage `json:"parsed,omitempty"`
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
	json  bool // under a JSON response_format: the record carries "parsed"
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
with optional max_tokens, temperature, top_k, top_p, min_p, repetition_penalty,
frequency_penalty, presence_penalty, logit_bias, seed, stop;
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
			return runBatch(g, cmd.Flags(), &bf, &sf, &pf)
		},
	}
	fl := cmd.Flags()
	fl.StringVarP(&bf.in, "input", "i", "", "input file (JSONL, or text with --format text; - for stdin)")
	fl.StringVarP(&bf.out, "output", "o", "", "output JSONL file (appended to; - for stdout)")
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
	fl.BoolVarP(&bf.verbose, "verbose", "v", false, "report preemptions, rejected lines and ignored unknown fields on stderr")
	fl.BoolVar(&bf.strict, "strict", false, "reject lines with unknown fields instead of ignoring them")
	fl.BoolVar(&bf.noPrefixCache, "no-prefix-cache", false, "compute every prompt in full (by default prompts sharing a prefix, such as a system prompt, compute it once: same output)")
	sf.register(cmd, 512)
	pf.register(cmd)
	cmd.MarkFlagRequired("input")
	cmd.MarkFlagRequired("output")
	return g.register(cmd)
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
			var err error
			if n, err = strconv.Atoi(v); err != nil || n < 1 {
				return 0, 0, fmt.Errorf("%w: LFM2_SHARDS=%q: want a positive count", errUsage, v)
			}
		}
	}
	if n < 0 {
		return 0, 0, fmt.Errorf("%w: --shards %d: want a positive count", errUsage, n)
	}
	if n == 0 {
		return 0, 1, nil
	}
	// With a shard count but no index every pod of a misconfigured Job
	// would process every line: refuse rather than guess.
	jci, ok := os.LookupEnv("JOB_COMPLETION_INDEX")
	if !ok || strings.TrimSpace(jci) == "" {
		return 0, 0, fmt.Errorf("%w: --shards %d needs the shard index in $JOB_COMPLETION_INDEX (set by a Kubernetes Indexed Job), which is not set; or use --shard i/n", errUsage, n)
	}
	idx, err = strconv.Atoi(jci)
	if err != nil || idx < 0 || idx >= n {
		return 0, 0, fmt.Errorf("%w: JOB_COMPLETION_INDEX=%q does not fit %d shards", errUsage, jci, n)
	}
	return idx, n, nil
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
			ID   json.RawMessage `json:"id"`
			Line *int            `json:"line"`
		}
		switch {
		case json.Unmarshal(line, &rec) != nil:
		case rec.Line != nil: // a rejected line: done by its number
			doneLines[*rec.Line] = true
		case len(rec.ID) > 0:
			done[string(compactJSON(rec.ID))] = true
		}
	}
	return done, doneLines, nil
}

func runBatch(g *globals, fl *pflag.FlagSet, bf *batchFlags, sf *samplingFlags, pf *promptFlags) error {
	if bf.format != "jsonl" && bf.format != "text" {
		return fmt.Errorf("%w: --format %q: want jsonl or text", errUsage, bf.format)
	}
	if err := sf.check(); err != nil {
		return err
	}
	if err := checkCtx(bf.ctxLen); err != nil {
		return err
	}
	if err := pf.load(); err != nil {
		return err
	}
	if bf.parallel < 1 || bf.maxBatchTokens < 1 {
		return fmt.Errorf("%w: --parallel %d and --max-batch-tokens %d: want at least 1", errUsage, bf.parallel, bf.maxBatchTokens)
	}
	shardIdx, shardN, err := shardSpec(bf)
	if err != nil {
		return err
	}
	kvBytes, err := parseBytes(bf.kvMemory)
	if err != nil {
		return fmt.Errorf("--kv-memory: %w", err)
	}
	if bf.out == "-" && bf.resume {
		return fmt.Errorf("%w: --resume needs an output file, not stdout", errUsage)
	}
	var in io.Reader = os.Stdin
	showBar := !bf.quiet && term.IsTerminal(int(os.Stderr.Fd()))
	total := -1 // lines of this shard, counted only for the progress bar
	if bf.in != "-" {
		f, err := os.Open(bf.in)
		if err != nil {
			return fmt.Errorf("--input: %w", err)
		}
		defer f.Close()
		in = f
		if err := refuseSameFile(bf.in, bf.out, "--output"); err != nil {
			return err
		}
		if err := refuseSameFile(bf.in, bf.errorsFile, "--errors"); err != nil {
			return err
		}
		if showBar { // a second pass over the file: only when someone will see it
			if total, err = countShardLines(f, shardIdx, shardN); err != nil {
				return fmt.Errorf("read %s: %w", bf.in, err)
			}
		}
	}
	var out *os.File
	if bf.out == "-" {
		out = os.Stdout
	} else {
		// One writer per output file: a second batch on the same output
		// would write every id twice.
		unlock, err := lockOutput(bf.out)
		if err != nil {
			return err
		}
		defer unlock()
	}
	done, doneLines := map[string]bool{}, map[int]bool{}
	if bf.resume {
		if done, doneLines, err = doneIDs(bf.out); err != nil {
			return err
		}
	}
	if out == nil {
		if out, err = os.OpenFile(bf.out, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644); err != nil {
			return fmt.Errorf("--output: %w", err)
		}
		defer out.Close()
	}
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

	g.verbose = bf.verbose
	l, err := openModel(g, true)
	if err != nil {
		return err
	}
	defer l.Close()
	from := sf.apply(fl, l.defaults)
	if err := sf.check(); err != nil {
		return err
	}
	if bf.verbose {
		fmt.Fprintln(os.Stderr, sf.describe(l.defaults.family, from))
	}
	cons := engine.NewConstraints(l.model, l.tok) // grammars compiled once per distinct schema
	eng, err := scheduler.NewEngine(l.model, scheduler.Config{
		Limits:    scheduler.Limits{MaxBatchTokens: bf.maxBatchTokens, MaxSeqs: bf.parallel, MaxContext: bf.ctxLen},
		BlockSize: 16, KVBytes: kvBytes, PrefixCache: !bf.noPrefixCache,
	})
	if err != nil {
		return err
	}
	if bf.verbose {
		eng.Scheduler().OnPreempt = func(q *scheduler.Sequence) {
			fmt.Fprintf(os.Stderr, "lfm2: preempted %s (KV memory full); it will be recomputed\n", q.Tag.(*job).id)
		}
	}
	pf.fit = newContextBytes(l.tok, bf.ctxLen)

	src := &lineSource{sc: bufio.NewScanner(in), format: bf.format, shardIdx: shardIdx, shardN: shardN,
		done: done, doneLines: doneLines, seen: map[string]bool{}, fit: pf.fit}
	src.sc.Buffer(make([]byte, 1<<20), maxLineBytes)
	queued, rejected := 0, 0
	reject := func(id json.RawMessage, line int, msg string) error {
		rejected++
		if bf.verbose {
			fmt.Fprintf(os.Stderr, "lfm2: %s line %d: %s\n", bf.in, line, msg)
		}
		return writeLine(errOut, errorRecord{ID: id, Line: line, Error: msg})
	}
	// feed reads lines until the engine has enough waiting work to keep
	// every slot busy: input is streamed, never held whole, and a finished
	// record is written while later lines are still unread.
	feed := func() error {
		for !src.eof && eng.Scheduler().Pending() < 2*bf.parallel {
			sl, err := src.next()
			if err != nil {
				return err
			}
			ln, lineNo := sl.ln, sl.lineNo
			if ln == nil {
				continue
			}
			if sl.reject != nil {
				if err := reject(sl.reject.id, lineNo, sl.reject.msg); err != nil {
					return err
				}
				continue
			}
			if len(sl.unknown) > 0 {
				if bf.strict {
					if err := reject(ln.ID, lineNo, fmt.Sprintf("unknown field(s) %s (--strict)", strings.Join(sl.unknown, ", "))); err != nil {
						return err
					}
					continue
				}
				if bf.verbose {
					fmt.Fprintf(os.Stderr, "lfm2: %s line %d: ignoring unknown field(s) %s\n", bf.in, lineNo, strings.Join(sl.unknown, ", "))
				}
			}
			q, err := buildSequence(l.tok, cons, ln, sf, pf)
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
		return nil
	}

	var bar *progressbar.ProgressBar
	if showBar {
		bar = progressbar.NewOptions(total,
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
	emit := func(ev scheduler.Event) {
		if ev.Token >= 0 {
			tokens++
		}
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
		rec.Completion, rec.answerFields = splitAnswer(l.tok, ids, jb.stops)
		rec.Parsed = parsedJSON(jb.json, q.FinishReason, rec.Completion)
		if q.Err != nil {
			rec.Error = q.Err.Error()
		}
		writeErr = writeLine(out, rec)
		finished++
		if bar != nil {
			el := time.Since(start).Seconds()
			bar.Describe(fmt.Sprintf("generating %.0f tok/s", float64(tokens)/el))
			bar.Add(1)
		}
	}
	var runErr error
	for ctx.Err() == nil && writeErr == nil {
		if runErr = feed(); runErr != nil {
			break
		}
		if eng.Idle() {
			break // every line read and every sequence finished
		}
		if runErr = eng.Step(emit); runErr != nil {
			break
		}
	}
	if bar != nil {
		bar.Exit()
		fmt.Fprintln(os.Stderr)
	}
	if writeErr != nil {
		return writeErr
	}
	summary := fmt.Sprintf("%d done, %d rejected, %d skipped (already in %s), %d generated tokens in %.1fs (%.1f tok/s)",
		finished, rejected, src.skipped, bf.out, tokens, time.Since(start).Seconds(), float64(tokens)/time.Since(start).Seconds())
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

// maxLineBytes is the longest input line read; a longer one is an error
// naming the line (bufio would otherwise stop at it).
const maxLineBytes = 64 << 20

// lineSource reads the input lines of one shard, skipping what --resume
// says is done, and turns each into an inputLine or a rejection.
type lineSource struct {
	sc               *bufio.Scanner
	format           string
	shardIdx, shardN int
	done             map[string]bool
	doneLines        map[int]bool
	seen             map[string]bool
	fit              contextBytes
	lineNo, skipped  int
	eof              bool
}

// sourceLine is one line of the shard as next reads it.
type sourceLine struct {
	ln      *inputLine      // nil when the line is skipped (or the input ended)
	lineNo  int             // 1-based, in the whole input
	reject  *lineFieldError // set when the line is to get an error record
	unknown []string        // fields the line has that lfm2 does not read
}

// next reads the next line of the shard.
func (s *lineSource) next() (sourceLine, error) {
	if !s.sc.Scan() {
		s.eof = true
		if err := s.sc.Err(); err != nil {
			if errors.Is(err, bufio.ErrTooLong) {
				return sourceLine{lineNo: s.lineNo + 1}, fmt.Errorf("line %d is longer than %d MiB", s.lineNo+1, maxLineBytes>>20)
			}
			return sourceLine{lineNo: s.lineNo}, err
		}
		return sourceLine{lineNo: s.lineNo}, nil
	}
	s.lineNo++
	out := sourceLine{lineNo: s.lineNo}
	if (out.lineNo-1)%s.shardN != s.shardIdx {
		return out, nil
	}
	text := s.sc.Text()
	if strings.TrimSpace(text) == "" {
		return out, nil
	}
	if s.doneLines[out.lineNo] {
		s.skipped++
		return out, nil
	}
	ln := &inputLine{ID: lineID(out.lineNo)}
	out.ln = ln
	if s.format == "text" {
		ln.Prompt = &text
	} else {
		parsed, unknown, err := parseInputLine(text, out.lineNo)
		if err != nil {
			errors.As(err, &out.reject)
			return out, nil
		}
		*ln, out.unknown = parsed, unknown
	}
	key := string(ln.ID)
	switch {
	case s.seen[key]:
		out.reject = &lineFieldError{id: ln.ID, msg: "duplicate id " + key}
		return out, nil
	case s.done[key]:
		s.seen[key] = true // a later line with this id is still a duplicate
		s.skipped++
		out.ln = nil
		return out, nil
	}
	s.seen[key] = true
	if err := s.fit.check(promptBytes(ln)); err != nil {
		out.reject = &lineFieldError{id: ln.ID, msg: err.Error()}
	}
	return out, nil
}

// promptBytes is the size of a line's prompt text.
func promptBytes(ln *inputLine) int64 {
	var n int64
	if ln.Prompt != nil {
		n += int64(len(*ln.Prompt))
	}
	for _, m := range ln.Messages {
		n += int64(len(m.Content))
	}
	return n
}

// countShardLines counts the non-blank lines of this shard (for the
// progress bar) and rewinds the file.
func countShardLines(f *os.File, shardIdx, shardN int) (int, error) {
	st, err := f.Stat()
	if err != nil || !st.Mode().IsRegular() {
		return -1, nil
	}
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), maxLineBytes)
	n := 0
	for lineNo := 0; sc.Scan(); lineNo++ {
		if lineNo%shardN == shardIdx && len(bytes.TrimSpace(sc.Bytes())) > 0 {
			n++
		}
	}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return -1, err
	}
	if sc.Err() != nil {
		return -1, nil // reported when the lines are read for real
	}
	return n, nil
}

// refuseSameFile refuses an output that is the input (after resolving
// links): appending to the file being read would feed results back in.
func refuseSameFile(input, output, flag string) error {
	if output == "" || output == "-" {
		return nil
	}
	a, err1 := os.Stat(input)
	b, err2 := os.Stat(output)
	if err1 == nil && err2 == nil && os.SameFile(a, b) {
		return fmt.Errorf("%w: %s %s is the input file %s", errUsage, flag, output, input)
	}
	return nil
}

// buildSequence turns an input line into a sequence, per-line settings
// overriding the flags.
func buildSequence(tok *tokenizer.Tokenizer, cons *engine.Constraints, ln *inputLine, sf *samplingFlags, pf *promptFlags) (*scheduler.Sequence, error) {
	if ln.Prompt == nil && ln.Messages == nil {
		return nil, fmt.Errorf(`missing "prompt" (or "messages")`)
	}
	prompt := ""
	if ln.Prompt != nil {
		prompt = *ln.Prompt
	}
	ids, err := pf.encode(tok, prompt, ln.Messages, ln.Tools)
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
	if ln.FrequencyPenalty != nil {
		p.FrequencyPenalty = *ln.FrequencyPenalty
	}
	if ln.PresencePenalty != nil {
		p.PresencePenalty = *ln.PresencePenalty
	}
	if ln.LogitBias != nil {
		if p.LogitBias, err = sample.ParseLogitBias(ln.LogitBias, tok.VocabSize()); err != nil {
			return nil, fmt.Errorf(`"logit_bias": %v`, err)
		}
	}
	if ln.Seed != nil {
		p.Seed = *ln.Seed
	}
	stops := append(append([]string{}, sf.stop...), ln.Stop...)
	if err := checkSampling(p, maxTokens, stops, ""); err != nil {
		return nil, err
	}
	q := &scheduler.Sequence{Prompt: ids, Tag: &job{id: ln.ID, stops: stops}, Params: scheduler.Params{
		MaxTokens: maxTokens, IgnoreEOS: sf.ignoreEOS, Sample: p, Stop: engine.StopOnText(tok, stops),
		Stream: streamOf(ln.ID),
	}}
	g, isJSON, field, err := cons.FromRequest(ln.ResponseFormat, ln.Grammar)
	if err != nil {
		return nil, fmt.Errorf("%q: %w", field, err)
	}
	if g != nil {
		if q.Params.Constraint, err = cons.New(g, false); err != nil {
			return nil, err
		}
		q.Tag.(*job).json = isJSON
	}
	return q, nil
}

// parsedJSON is a finished JSON-constrained completion as JSON (nil when
// it was not constrained to JSON or did not finish).
func parsedJSON(isJSON bool, finish, text string) json.RawMessage {
	if !isJSON || finish != scheduler.FinishStop || !json.Valid([]byte(text)) {
		return nil
	}
	return json.RawMessage(text)
}

// streamOf derives a sampling stream from a prompt id, so the same id
// samples the same way in a resumed or sharded run.
func streamOf(id json.RawMessage) uint64 {
	h := fnv.New64a()
	h.Write(id)
	return h.Sum64() | 1
}
