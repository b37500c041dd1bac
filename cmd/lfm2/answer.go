package main

import (
	"fmt"
	"io"
	"os"

	"golang.org/x/term"

	"github.com/lfm2go/lfm2/internal/engine"
	"github.com/lfm2go/lfm2/internal/reply"
	"github.com/lfm2go/lfm2/internal/tokenizer"
	"github.com/lfm2go/lfm2/internal/toolcall"
)

// answerFields are what run --json and batch records carry besides the
// text: the reasoning of a thinking model and parsed tool calls.
type answerFields struct {
	Reasoning string          `json:"reasoning,omitempty"`
	ToolCalls []toolcall.Call `json:"tool_calls,omitempty"`
	Warnings  []string        `json:"warnings,omitempty"`
}

// splitAnswer parses generated ids (end-of-turn token removed) into the
// text (cut at the first stop string) and the other fields.
func splitAnswer(tok *tokenizer.Tokenizer, ids []int32, stops []string) (string, answerFields) {
	r := reply.Split(tok, ids)
	return engine.TrimStop(r.Text, stops), answerFields{Reasoning: r.Reasoning, ToolCalls: r.ToolCalls, Warnings: r.Warnings}
}

// answerPrinter streams an answer to a terminal or a pipe: answer text as
// it comes (the engine has held back stop strings), reasoning dimmed on a terminal
// (between <think> tags on a pipe, or hidden with --hide-reasoning), tool
// calls on lines of their own once complete.
type answerPrinter struct {
	out           io.Writer
	tty           bool
	hideReasoning bool
	inReasoning   bool
	warnings      []string
}

func (p *answerPrinter) print(pieces []reply.Piece) {
	for _, pc := range pieces {
		if pc.Kind != reply.PieceReasoning {
			p.endReasoning()
		}
		switch pc.Kind {
		case reply.PieceText:
			io.WriteString(p.out, pc.Text)
		case reply.PieceReasoning:
			if p.hideReasoning {
				continue
			}
			if !p.inReasoning {
				p.inReasoning = true
				if p.tty {
					io.WriteString(p.out, "\x1b[2m")
				} else {
					io.WriteString(p.out, reply.ThinkStart)
				}
			}
			io.WriteString(p.out, pc.Text)
		case reply.PieceCalls:
			for _, c := range pc.Calls {
				if p.tty {
					fmt.Fprintf(p.out, "\n\x1b[36m[tool call] %s %s\x1b[0m\n", c.Name, c.Arguments)
				} else {
					fmt.Fprintf(p.out, "\n[tool call] %s %s\n", c.Name, c.Arguments)
				}
			}
		}
		if pc.Warning != "" {
			p.warnings = append(p.warnings, pc.Warning)
		}
	}
}

func (p *answerPrinter) endReasoning() {
	if !p.inReasoning {
		return
	}
	p.inReasoning = false
	if p.tty {
		io.WriteString(p.out, "\x1b[0m\n")
	} else {
		io.WriteString(p.out, reply.ThinkEnd)
	}
}

// finish closes an open reasoning block and reports warnings on stderr.
func (p *answerPrinter) finish(quiet bool) {
	p.endReasoning()
	if !quiet {
		for _, w := range p.warnings {
			fmt.Fprintln(os.Stderr, "lfm2: warning:", w)
		}
	}
}

// isTerminal reports whether w is a terminal (for colours).
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}
