package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"

	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/lfm2go/lfm2/internal/engine"
	"github.com/lfm2go/lfm2/internal/scheduler"
	"github.com/lfm2go/lfm2/internal/tokenizer"
)

// chatRecord is what --json prints for each turn.
type chatRecord struct {
	Turn      int     `json:"turn"`
	PromptIDs []int32 `json:"prompt_ids"`
	IDs       []int32 `json:"ids"`
	Text      string  `json:"text"`
	answerFields
	FinishReason string `json:"finish_reason"`
	Dropped      int    `json:"dropped_turns,omitempty"`
	Reused       int    `json:"reused_tokens"` // prompt tokens whose state came from the prefix cache
}

func newChatCmd(g *globals) *cobra.Command {
	var (
		sf     samplingFlags
		system string
		ctxLen int
		asJSON bool
		hide   bool
	)
	cmd := &cobra.Command{
		Use:   "chat",
		Short: "Talk with the model: a multi-turn conversation in the terminal",
		Long: "An interactive conversation using the chat template. Answers stream as they are\n" +
			"generated (at most --max-tokens each, 1024 by default: longer than run's 512, since\n" +
			"a conversation's answers are read in full). " + chatHelp + "\n" +
			"Ctrl-C stops the current answer, Ctrl-D leaves. Lines are edited with the arrow keys,\n" +
			"with history kept in $XDG_STATE_HOME/lfm2/history. When the conversation outgrows\n" +
			"--ctx, the oldest turns are dropped (with a note). With stdin not a terminal, each\n" +
			"line is one user turn.",
		Example: `  lfm2 chat
  lfm2 chat --system "You are a terse assistant." --temperature 0.5
  printf 'Hi\nWhat is 2+2?\n' | lfm2 chat --json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := sf.check(); err != nil {
				return err
			}
			if err := checkCtx(ctxLen); err != nil {
				return err
			}
			l, err := openModel(g, true)
			if err != nil {
				return err
			}
			defer l.Close()
			sf.apply(cmd.Flags(), l.defaults)
			if err := sf.check(); err != nil {
				return err
			}
			if l.tok.ChatTemplate() == nil {
				return fmt.Errorf("the model has no chat template; use lfm2 run --raw")
			}
			// Room for the conversation twice over: the turn being computed
			// and the previous turns' blocks in the prefix cache (mostly the
			// same blocks, shared), plus the conv snapshot each block carries.
			kv := l.model.CacheShape().KVBytesPerToken() * int64(ctxLen+64) * 2
			svc, err := engine.New(l.model, l.tok, engine.Config{Config: scheduler.Config{
				Limits:    scheduler.Limits{MaxBatchTokens: 512, MaxSeqs: 1, MaxContext: ctxLen},
				BlockSize: 16, KVBytes: kv + 1, PrefixCache: true,
			}})
			if err != nil {
				return err
			}
			defer svc.Close(context.Background())
			c := &chatSession{l: l, svc: svc, sf: &sf, system: system, ctx: ctxLen, json: asJSON, hideReasoning: hide,
				out: cmd.OutOrStdout(), interactive: term.IsTerminal(int(os.Stdin.Fd()))}
			return c.loop(os.Stdin)
		},
	}
	sf.register(cmd, 1024)
	cmd.Flags().StringVar(&system, "system", "", "system prompt")
	cmd.Flags().IntVar(&ctxLen, "ctx", 8192, "context window: conversation + answer tokens")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print a JSON record per turn instead of streaming text")
	cmd.Flags().BoolVar(&hide, "hide-reasoning", false, "do not show a thinking model's reasoning (it is still kept for the conversation)")
	return g.register(cmd)
}

type chatSession struct {
	l           *loaded
	svc         *engine.Service
	sf          *samplingFlags
	system      string
	history     []tokenizer.Message // user and assistant turns
	ctx         int
	json        bool
	interactive bool
	out         io.Writer
	turn        int
	quit        bool // /exit was typed

	hideReasoning bool
}

// chatHelp lists the chat commands (for --help and /help).
const chatHelp = "Commands: /help, /reset (forget the conversation), /system TEXT (set the system prompt;\n" +
	"/system alone shows it, /system - clears it), /exit (or /quit)."

func (c *chatSession) loop(in *os.File) error {
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, os.Interrupt)
	defer signal.Stop(sigs)
	var lines lineReader = plainLines{bufio.NewReader(in)}
	if c.interactive {
		lines = newTermLines(in, c.out, "> ")
		fmt.Fprintln(os.Stderr, "lfm2 chat: /help for commands; Ctrl-C stops an answer, Ctrl-D leaves")
	}
	defer lines.Close()
	for {
		line, err := lines.ReadLine()
		switch {
		case errors.Is(err, errInterruptLine):
			fmt.Fprintln(os.Stderr, "(type /exit or press Ctrl-D to leave)")
			continue
		case err != nil:
			return nil // Ctrl-D / end of input
		}
		if c.command(line) {
			if c.quit {
				return nil
			}
			continue
		}
		if strings.HasPrefix(strings.TrimSpace(line), "//") {
			line = strings.Replace(line, "//", "/", 1) // "//text" sends "/text"
		}
		select { // a Ctrl-C typed at the prompt must not stop the next answer
		case <-sigs:
		default:
		}
		if err := c.answer(line, sigs); err != nil {
			fmt.Fprintln(os.Stderr, "lfm2:", err)
		}
	}
}

// command runs a /command line and reports whether the line was one. A line
// starting with "/" is never sent to the model: an unknown command is
// reported (write "//text" to send text that starts with a slash).
func (c *chatSession) command(line string) bool {
	trimmed := strings.TrimSpace(line)
	if trimmed == "" {
		return true
	}
	if !strings.HasPrefix(trimmed, "/") || strings.HasPrefix(trimmed, "//") {
		return false
	}
	name, arg, _ := strings.Cut(trimmed, " ")
	arg = strings.TrimSpace(arg)
	switch name {
	case "/exit", "/quit", "/bye":
		c.quit = true
	case "/help", "/?":
		fmt.Fprintln(os.Stderr, chatHelp+"\nCtrl-C stops an answer; Ctrl-D leaves. Start a line with // to send one that begins with /.")
	case "/reset", "/clear":
		c.history = nil
		fmt.Fprintln(os.Stderr, "(conversation cleared)")
	case "/system":
		switch arg {
		case "":
			if c.system == "" {
				fmt.Fprintln(os.Stderr, "(no system prompt; set one with /system TEXT)")
			} else {
				fmt.Fprintf(os.Stderr, "(system prompt: %s)\n", c.system)
			}
		case "-":
			c.system = ""
			fmt.Fprintln(os.Stderr, "(system prompt cleared)")
		default:
			c.system = arg
			fmt.Fprintln(os.Stderr, "(system prompt set)")
		}
	default:
		fmt.Fprintf(os.Stderr, "(unknown command %s; /help lists them)\n", name)
	}
	return true
}

// prompt renders the conversation plus the new user turn, dropping the
// oldest turns until it and the answer fit the context window.
func (c *chatSession) prompt(user string) ([]int32, int, error) {
	// Texts past this many bytes cannot fit, whatever they tokenize to:
	// refused, or their oldest turns dropped, without tokenizing them.
	fit := newContextBytes(c.l.tok, c.ctx)
	if int64(len(user)) > fit.limit {
		return nil, 0, fmt.Errorf("this message alone is %d bytes, more than the %d-token context can hold (%d bytes at most)", len(user), c.ctx, fit.limit)
	}
	dropped := 0
	for {
		var msgs []tokenizer.Message
		if c.system != "" {
			msgs = append(msgs, tokenizer.TextMessage("system", c.system))
		}
		msgs = append(msgs, c.history...)
		msgs = append(msgs, tokenizer.TextMessage("user", user))
		text, err := c.l.tok.ChatTemplate().Render(tokenizer.Conversation{Messages: msgs, AddGenerationPrompt: true})
		if err != nil {
			return nil, 0, err
		}
		if int64(len(text)) > fit.limit && len(c.history) > 0 {
			c.history = c.history[min(2, len(c.history)):]
			dropped++
			continue
		}
		if err := fit.check(int64(len(text))); err != nil {
			return nil, 0, err
		}
		ids := c.l.tok.Encode(text, false)
		if len(ids)+c.sf.maxTokens <= c.ctx || len(c.history) == 0 {
			if len(ids)+1 > c.ctx {
				return nil, 0, fmt.Errorf("this message alone (%d tokens) does not fit the %d-token context", len(ids), c.ctx)
			}
			return ids, dropped, nil
		}
		c.history = c.history[min(2, len(c.history)):] // the oldest user+assistant pair
		dropped++
	}
}

func (c *chatSession) answer(user string, sigs chan os.Signal) error {
	ids, dropped, err := c.prompt(user)
	if err != nil {
		return err
	}
	if dropped > 0 && !c.json {
		fmt.Fprintf(os.Stderr, "(dropped the %d oldest turn(s) to fit the %d-token context)\n", dropped, c.ctx)
	}
	maxTokens := min(c.sf.maxTokens, c.ctx-len(ids))
	p := c.sf.params()
	p.Seed += uint64(c.turn) // a fresh draw each turn, still reproducible
	// The conversation so far is in the prefix cache (the previous turn's
	// prompt and answer): only the new part is computed.
	req := engine.Request{Prompt: ids, MaxTokens: maxTokens, IgnoreEOS: c.sf.ignoreEOS, Sample: p, Stop: c.sf.stop}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		select {
		case <-sigs:
			cancel()
		case <-done:
		}
	}()
	printer := &answerPrinter{out: c.out, tty: c.interactive && isTerminal(c.out), hideReasoning: c.hideReasoning}
	ans, err := streamAnswer(ctx, c.svc, req, func(ev engine.Event) {
		if !c.json {
			printer.print(ev.Pieces)
		}
	})
	close(done)
	cancel()
	if err != nil {
		return err
	}
	if ans.err != nil {
		return fmt.Errorf("generation stopped: %w (the checkpoint or its config.json is broken)", ans.err)
	}
	finish := ans.finish
	if ans.interrupted {
		finish = scheduler.FinishAbort
	}
	out := ans.ids
	if len(out) > 0 && !c.sf.ignoreEOS && c.l.model.Config.IsEOS(int(out[len(out)-1])) {
		out = out[:len(out)-1]
	}
	text, fields := splitAnswer(c.l.tok, out, c.sf.stop)
	c.turn++
	// The turn keeps its reasoning and calls, so the template can render
	// (or, as LFM2.5's do for past turns, drop) them in the next prompt.
	assistant, err := assistantMessage(text, fields)
	if err != nil {
		return err
	}
	c.history = append(c.history, tokenizer.TextMessage("user", user), assistant)
	if c.json {
		return writeJSON(c.out, chatRecord{Turn: c.turn, PromptIDs: ids, IDs: append([]int32{}, out...), Text: text, answerFields: fields,
			FinishReason: finish, Dropped: dropped, Reused: ans.usage.CachedTokens})
	}
	printer.finish(false)
	if ans.interrupted {
		fmt.Fprint(c.out, " [stopped]")
	}
	fmt.Fprintln(c.out)
	return nil
}

// assistantMessage is a generated turn in OpenAI form: content, and
// reasoning_content and tool_calls when the model produced them.
func assistantMessage(text string, f answerFields) (tokenizer.Message, error) {
	m := map[string]any{"role": "assistant", "content": text}
	if f.Reasoning != "" {
		m["reasoning_content"] = f.Reasoning
	}
	if len(f.ToolCalls) > 0 {
		calls := make([]any, len(f.ToolCalls))
		for i, c := range f.ToolCalls {
			calls[i] = map[string]any{"type": "function", "function": map[string]any{"name": c.Name, "arguments": c.Arguments}}
		}
		m["tool_calls"] = calls
	}
	return tokenizer.NewMessage(m)
}
