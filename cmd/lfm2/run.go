package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/spf13/cobra"

	"github.com/lfm2go/lfm2/internal/engine"
	"github.com/lfm2go/lfm2/internal/grammar"
	"github.com/lfm2go/lfm2/internal/scheduler"
	"github.com/lfm2go/lfm2/internal/tokenizer"
)

// promptFlags say how a text becomes prompt ids (shared by run and batch).
type promptFlags struct {
	raw       bool
	system    string
	toolsFile string
	tools     []json.RawMessage // read from --tools
	// fit (when set) bounds the prompt and the text the chat template renders.
	fit contextBytes
}

// checkBytes refuses a text that cannot fit the context.
func (f *promptFlags) checkBytes(text string) error { return f.fit.check(int64(len(text))) }

func (f *promptFlags) register(cmd *cobra.Command) {
	cmd.Flags().BoolVar(&f.raw, "raw", false, "plain completion: tokenize the prompt with BOS, no chat template")
	cmd.Flags().StringVar(&f.system, "system", "", "system prompt (chat template only)")
	cmd.Flags().StringVar(&f.toolsFile, "tools", "", "a JSON file with a list of OpenAI tool definitions for the chat template")
}

// load reads --tools.
func (f *promptFlags) load() error {
	if f.toolsFile == "" {
		return nil
	}
	b, err := os.ReadFile(f.toolsFile)
	if err != nil {
		return fmt.Errorf("%w: --tools: %v", errUsage, err)
	}
	if err := json.Unmarshal(b, &f.tools); err != nil {
		return fmt.Errorf("%w: --tools %s: want a JSON list of tool definitions: %v", errUsage, f.toolsFile, err)
	}
	return nil
}

// encode turns a user prompt (or a conversation, with tools) into ids.
func (f *promptFlags) encode(tok *tokenizer.Tokenizer, prompt string, messages []tokenizer.Message, tools []json.RawMessage) ([]int32, error) {
	if err := f.checkBytes(prompt); err != nil {
		return nil, err
	}
	if f.raw && messages == nil {
		return tok.Encode(prompt, true), nil
	}
	ct := tok.ChatTemplate()
	if ct == nil {
		return nil, fmt.Errorf("the model has no chat template; use --raw for plain completion")
	}
	if messages == nil {
		if f.system != "" {
			messages = append(messages, tokenizer.TextMessage("system", f.system))
		}
		messages = append(messages, tokenizer.TextMessage("user", prompt))
	}
	if tools == nil {
		tools = f.tools
	}
	text, err := ct.Render(tokenizer.Conversation{Messages: messages, Tools: tools, AddGenerationPrompt: true})
	if err != nil {
		return nil, err
	}
	if err := f.checkBytes(text); err != nil {
		return nil, err
	}
	return tok.Encode(text, false), nil // the template writes BOS itself
}

type runRecord struct {
	PromptIDs []int32 `json:"prompt_ids"`
	IDs       []int32 `json:"ids"`
	Text      string  `json:"text"`
	answerFields
	Parsed           json.RawMessage `json:"parsed,omitempty"` // the answer as JSON, with --json-schema, when it finished
	FinishReason     string          `json:"finish_reason"`
	Error            string          `json:"error,omitempty"`
	PromptTokens     int             `json:"prompt_tokens"`
	CompletionTokens int             `json:"completion_tokens"`
	Timings          timings         `json:"timings"`
}

type timings struct {
	PrefillMS    float64 `json:"prefill_ms"`
	DecodeMS     float64 `json:"decode_ms"`
	PrefillTokS  float64 `json:"prefill_tok_s"`
	DecodeTokS   float64 `json:"decode_tok_s"`
	QueueMS      float64 `json:"queue_ms,omitempty"`
	PreemptCount int     `json:"preemptions,omitempty"`
}

func newRunCmd(g *globals) *cobra.Command {
	var (
		sf      samplingFlags
		pf      promptFlags
		idsFlag string
		file    string
		asJSON  bool
		quiet   bool
		verbose bool
		ctxLen  int

		hideReasoning bool
		schemaFile    string
		grammarFile   string
	)
	cmd := &cobra.Command{
		Use:   "run [PROMPT...]",
		Short: "Generate an answer to one prompt, streamed as it is produced",
		Long: "Generates a reply to PROMPT with the chat template (or plain completion with --raw),\n" +
			"printing text as it is produced and a stats line on stderr. Several arguments are\n" +
			"joined with spaces, as ollama run does; with none, a prompt piped in on stdin is read.\n" +
			"Sampling settings come from the model's generation_config.json where it sets them,\n" +
			"else from Liquid's recommendations for its family (LFM2: temperature 0.3, min-p 0.15,\n" +
			"repetition penalty 1.05; LFM2.5: temperature 0.1, top-k 50, repetition penalty 1.05);\n" +
			"flags override both, and --verbose says which applied. With --json nothing goes to\n" +
			"stderr unless --verbose.",
		Example: `  lfm2 run "What is C. elegans?"
  lfm2 run --model synthetic:350m --max-tokens 64 "Hello"
  lfm2 run --raw --temperature 0 "The capital of Kenya is"
  lfm2 run --model DIR --ids 1,6,42 --temperature 0 --max-tokens 16 --json`,
		Args: cobra.ArbitraryArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := sf.check(); err != nil {
				return err
			}
			if err := checkCtx(ctxLen); err != nil {
				return err
			}
			if err := pf.load(); err != nil {
				return err
			}
			if len(args) > 1 {
				args = []string{strings.Join(args, " ")}
			}
			// The constraint is compiled before the model loads: a bad
			// schema or grammar is a usage error naming the file.
			constraint, isJSON, err := loadConstraint(schemaFile, grammarFile)
			if err != nil {
				return err
			}
			quiet = quiet || (asJSON && !verbose)
			g.quiet, g.verbose = quiet, verbose
			if idsFlag == "" {
				// Read the prompt before loading the model: a missing or
				// empty prompt is a usage error that should not wait for it.
				text, err := inputText(file, args)
				if err != nil {
					return err
				}
				if strings.TrimSpace(text) == "" {
					return fmt.Errorf("%w: the prompt is empty", errUsage)
				}
				file, args = "", []string{text}
			}
			l, err := openModel(g, idsFlag == "")
			if err != nil {
				return err
			}
			defer l.Close()
			from := sf.apply(cmd.Flags(), l.defaults)
			if err := sf.check(); err != nil {
				return err
			}
			if verbose {
				fmt.Fprintln(os.Stderr, sf.describe(l.defaults.family, from))
			}
			if l.tok != nil {
				pf.fit = newContextBytes(l.tok, ctxLen)
			}
			ids, err := promptIDs(idsFlag, file, args, func(text string) ([]int32, error) {
				return pf.encode(l.tok, text, nil, nil)
			})
			if err != nil {
				return err
			}
			kv := l.model.CacheShape().KVBytesPerToken() * int64(len(ids)+sf.maxTokens+64)
			svc, err := engine.New(l.model, l.tok, engine.Config{Config: scheduler.Config{
				Limits:    scheduler.Limits{MaxBatchTokens: 512, MaxSeqs: 1, MaxContext: ctxLen},
				BlockSize: 32, KVBytes: kv + 1,
			}})
			if err != nil {
				return err
			}
			defer svc.Close(context.Background())
			ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
			defer stop()
			out := cmd.OutOrStdout()
			printer := &answerPrinter{out: out, tty: isTerminal(out), hideReasoning: hideReasoning}
			req := engine.Request{Prompt: ids, MaxTokens: sf.maxTokens, IgnoreEOS: sf.ignoreEOS, Sample: sf.params(), Stop: sf.stop, Grammar: constraint}
			ans, err := streamAnswer(ctx, svc, req, func(ev engine.Event) {
				switch {
				case asJSON:
				case l.tok != nil:
					printer.print(ev.Pieces)
				case ev.Token >= 0:
					fmt.Fprintf(out, "%d ", ev.Token)
				}
			})
			if err != nil {
				return fmt.Errorf("prompt: %w", err)
			}
			switch {
			case l.tok != nil && !asJSON:
				printer.finish(quiet)
				fmt.Fprintln(out)
			case !asJSON:
				fmt.Fprintln(out)
			}
			finish := ans.finish
			if ans.interrupted {
				finish = "interrupted"
			}
			rec := runRecord{PromptIDs: ids, IDs: ans.ids, FinishReason: finish,
				PromptTokens: len(ids), CompletionTokens: len(ans.ids), Timings: ans.timings}
			if rec.IDs == nil {
				rec.IDs = []int32{}
			}
			if l.tok != nil {
				gen := ans.ids
				if !sf.ignoreEOS && len(gen) > 0 && l.model.Config.IsEOS(int(gen[len(gen)-1])) {
					gen = gen[:len(gen)-1]
				}
				rec.Text, rec.answerFields = splitAnswer(l.tok, gen, sf.stop)
				rec.Parsed = parsedJSON(isJSON, finish, rec.Text)
			}
			if ans.err != nil {
				rec.Error = ans.err.Error()
			}
			if asJSON {
				if err := writeJSON(out, rec); err != nil {
					return err
				}
			}
			if !quiet {
				fmt.Fprintln(os.Stderr, statsLine(rec))
			}
			if ans.interrupted {
				return stoppedError{"interrupted"}
			}
			if ans.err != nil {
				return fmt.Errorf("generation stopped: %w (the checkpoint or its config.json is broken)", ans.err)
			}
			return nil
		},
	}
	sf.register(cmd, 512)
	pf.register(cmd)
	cmd.Flags().StringVar(&idsFlag, "ids", "", "comma-separated prompt token ids (no tokenizer needed)")
	cmd.Flags().StringVarP(&file, "file", "f", "", "read the prompt from a file (- for stdin)")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print one JSON record instead of streaming text")
	cmd.Flags().BoolVarP(&quiet, "quiet", "q", false, "no stats line on stderr")
	cmd.Flags().BoolVarP(&verbose, "verbose", "v", false, "notes and the stats line on stderr even with --json")
	cmd.Flags().BoolVar(&hideReasoning, "hide-reasoning", false, "do not print a thinking model's <think> reasoning")
	cmd.Flags().IntVar(&ctxLen, "ctx", 32768, "context limit: prompt + generated tokens")
	cmd.Flags().StringVar(&schemaFile, "json-schema", "", "constrain the answer to JSON valid for this JSON Schema file (see README, Structured output)")
	cmd.Flags().StringVar(&grammarFile, "grammar", "", "constrain the answer to this GBNF grammar file (llama.cpp's format)")
	return g.register(cmd)
}

// loadConstraint compiles --json-schema or --grammar (nil when neither);
// isJSON says the answer is JSON.
func loadConstraint(schemaFile, grammarFile string) (g *grammar.Grammar, isJSON bool, err error) {
	switch {
	case schemaFile != "" && grammarFile != "":
		return nil, false, fmt.Errorf("%w: give --json-schema or --grammar, not both", errUsage)
	case schemaFile != "":
		src, err := os.ReadFile(schemaFile)
		if err != nil {
			return nil, false, fmt.Errorf("%w: --json-schema: %v", errUsage, err)
		}
		if g, err = grammar.CompileSchema(src); err != nil {
			return nil, false, fmt.Errorf("%w: --json-schema %s: %v", errUsage, schemaFile, err)
		}
		return g, true, nil
	case grammarFile != "":
		src, err := os.ReadFile(grammarFile)
		if err != nil {
			return nil, false, fmt.Errorf("%w: --grammar: %v", errUsage, err)
		}
		if g, err = grammar.ParseGBNF(string(src)); err != nil {
			return nil, false, fmt.Errorf("%w: --grammar %s: %v", errUsage, grammarFile, err)
		}
	}
	return g, false, nil
}

// statsLine summarises a run for stderr; a rate that was never measured
// (an answer stopped before its first token, or of one token) shows as "-".
func statsLine(rec runRecord) string {
	rate := func(v float64) string {
		if v <= 0 {
			return "- tok/s"
		}
		return fmt.Sprintf("%.1f tok/s", v)
	}
	t := rec.Timings
	return fmt.Sprintf("prompt %d tokens, %s | generated %d tokens, %s | %s",
		rec.PromptTokens, rate(t.PrefillTokS), rec.CompletionTokens, rate(t.DecodeTokS), rec.FinishReason)
}
