package main

import (
	"fmt"
	"io"
	"math"
	"os"
	"sort"
	"strings"

	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/lfm2go/lfm2/internal/model"
	"github.com/lfm2go/lfm2/internal/sample"
)

func newScoreCmd(g *globals) *cobra.Command {
	var (
		idsFlag, file string
		top           int
		asJSON        bool
	)
	cmd := &cobra.Command{
		Use:   "score [TEXT]",
		Short: "Per-token log-probabilities, NLL and perplexity of a text or of token ids",
		Long: "Scores TEXT (or --file F, or with neither the text piped in on stdin), tokenized with\n" +
			"BOS, or the token ids of --ids: each token's log-probability after the ones before it,\n" +
			"the total NLL (natural log) and the perplexity exp(NLL / (T-1)).",
		Example: `  lfm2 score --model DIR --ids 1,6,42 --top 5
  lfm2 score --model DIR "The capital of Kenya is Nairobi." --json
  lfm2 score --model DIR --file essay.txt
  cat essay.txt | lfm2 score --model DIR --json`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			l, err := openModel(g, idsFlag == "")
			if err != nil {
				return err
			}
			defer l.Close()
			// The model's context bounds a text (its positions past it were
			// never trained, and its KV cache would be held whole).
			ctx := l.model.Config.MaxPositions
			ids, err := promptIDs(idsFlag, file, args, func(text string) ([]int32, error) {
				if limit := l.tok.MaxTextBytes(ctx); int64(len(text)) > limit {
					return nil, fmt.Errorf("the text is %d bytes, more than the model's %d-token context can hold (%d bytes at most): score a part of it", len(text), ctx, limit)
				}
				return l.tok.Encode(text, true), nil
			})
			if err != nil {
				return err
			}
			if len(ids) > ctx {
				return fmt.Errorf("the text is %d tokens, more than the model's context of %d: score a part of it", len(ids), ctx)
			}
			res, err := score(l.model, ids, top)
			if err != nil {
				return err
			}
			if l.tok != nil {
				for _, id := range ids {
					res.Tokens = append(res.Tokens, l.tok.Token(id))
				}
			}
			if asJSON {
				return writeJSON(cmd.OutOrStdout(), res)
			}
			printScore(cmd.OutOrStdout(), res)
			return nil
		},
	}
	cmd.Flags().StringVar(&idsFlag, "ids", "", "comma-separated token ids instead of text")
	cmd.Flags().StringVarP(&file, "file", "f", "", "read the text from a file (- for stdin)")
	cmd.Flags().IntVar(&top, "top", 5, "alternatives to show per position")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print one JSON object")
	return g.register(cmd)
}

// promptIDs takes ids from --ids, else text from --file or the argument,
// turned into ids by encode.
func promptIDs(idsFlag, file string, args []string, encode func(string) ([]int32, error)) ([]int32, error) {
	if idsFlag != "" {
		return parseIDs(idsFlag)
	}
	text, err := inputText(file, args)
	if err != nil {
		return nil, err
	}
	if text == "" {
		return nil, fmt.Errorf("%w: the text is empty", errUsage)
	}
	return encode(text)
}

// inputText is the argument, or the contents of --file ("-" = stdin),
// or with neither, stdin when it is not a terminal (echo … | lfm2 run, as
// with ollama run). Stdin is never read beside an argument: a script's
// loop feeding prompts as arguments keeps its own input.
func inputText(file string, args []string) (string, error) {
	if file == "" && len(args) == 0 && !term.IsTerminal(int(os.Stdin.Fd())) {
		file = "-"
	}
	switch {
	case file == "-":
		return readText(os.Stdin)
	case file != "":
		f, err := os.Open(file)
		if err != nil {
			return "", fmt.Errorf("--file: %w", err)
		}
		defer f.Close()
		text, err := readText(f)
		if err != nil {
			return "", fmt.Errorf("--file %s: %w", file, err)
		}
		return text, nil
	case len(args) == 1:
		return args[0], nil
	}
	return "", fmt.Errorf("%w: give a text argument, --file F, --ids, or the text on stdin", errUsage)
}

// readText reads r whole into a string without the copy string(bytes)
// makes (which held a large file twice).
func readText(r io.Reader) (string, error) {
	var sb strings.Builder
	if f, ok := r.(*os.File); ok {
		if st, err := f.Stat(); err == nil && st.Mode().IsRegular() {
			sb.Grow(int(st.Size()) + 1)
		}
	}
	_, err := io.Copy(&sb, r)
	return sb.String(), err
}

type alt struct {
	ID      int32   `json:"id"`
	Token   string  `json:"token,omitempty"`
	Logprob float64 `json:"logprob"`
}

type scoreResult struct {
	IDs      []int32    `json:"ids"`
	Tokens   []string   `json:"tokens,omitempty"`
	Logprobs []*float64 `json:"logprobs"`
	Top      [][]alt    `json:"top"` // Top[p]: the best next tokens after position p
	NLL      float64    `json:"nll"`
	PPL      float64    `json:"ppl"`
}

// scoreChunk bounds the logits held at once (rows × vocab floats).
const scoreChunk = 128

func score(m *model.Model, ids []int32, top int) (*scoreResult, error) {
	c, err := m.NewCache(1, 32, m.CacheShape().KVBytesPerToken()*int64(len(ids)+64)+1)
	if err != nil {
		return nil, err
	}
	slot, _ := c.Acquire()
	res := &scoreResult{IDs: ids, Logprobs: make([]*float64, len(ids)), Top: make([][]alt, len(ids))}
	var b model.Batch
	for start := 0; start < len(ids); start += scoreChunk {
		end := min(start+scoreChunk, len(ids))
		b.Reset()
		b.Add(slot, ids[start:end], start, model.AllLogits)
		rows, err := m.Forward(&b, c)
		if err != nil {
			return nil, fmt.Errorf("score: %w", err)
		}
		m.Parallel(&scoreRows{rows: rows, start: start, top: top, res: res}, len(rows))
	}
	if len(ids) > 1 {
		for _, lp := range res.Logprobs[1:] {
			res.NLL -= *lp // in position order, whatever thread computed each
		}
		res.PPL = math.Exp(res.NLL / float64(len(ids)-1))
	}
	return res, nil
}

// scoreRows turns a chunk's logits rows into log-probabilities and the
// best alternatives, rows in parallel on the model's threads: each row is
// a log-sum-exp over the vocabulary (65536 exps), which serially on one
// thread took a quarter of a long text's scoring time.
type scoreRows struct {
	rows  [][]float32
	start int // the position of rows[0]
	top   int
	res   *scoreResult
}

func (t *scoreRows) Run(_, lo, hi int) {
	ids := t.res.IDs
	for r := lo; r < hi; r++ {
		logits, p := t.rows[r], t.start+r
		lse := sample.LogSumExp(logits)
		if p+1 < len(ids) {
			lp := float64(logits[ids[p+1]]) - lse
			t.res.Logprobs[p+1] = &lp
		}
		t.res.Top[p] = topK(logits, t.top, lse)
	}
}

func topK(x []float32, k int, lse float64) []alt {
	if k <= 0 {
		return nil
	}
	idx := make([]int32, 0, k+1)
	for i, v := range x {
		if len(idx) < k || v > x[idx[len(idx)-1]] {
			idx = append(idx, int32(i))
			sort.SliceStable(idx, func(a, b int) bool { return x[idx[a]] > x[idx[b]] })
			if len(idx) > k {
				idx = idx[:k]
			}
		}
	}
	out := make([]alt, len(idx))
	for i, id := range idx {
		out[i] = alt{ID: id, Logprob: float64(x[id]) - lse}
	}
	return out
}

func printScore(w io.Writer, r *scoreResult) {
	fmt.Fprintf(w, "%5s %8s  %-20s %10s   %s\n", "pos", "id", "token", "logprob", "best next tokens")
	for p, id := range r.IDs {
		tok := ""
		if r.Tokens != nil {
			tok = fmt.Sprintf("%q", r.Tokens[p])
		}
		lp := "-"
		if r.Logprobs[p] != nil {
			lp = fmt.Sprintf("%.4f", *r.Logprobs[p])
		}
		alts := ""
		for _, a := range r.Top[p] {
			alts += fmt.Sprintf(" %d(%.2f)", a.ID, a.Logprob)
		}
		fmt.Fprintf(w, "%5d %8d  %-20s %10s  %s\n", p, id, tok, lp, alts)
	}
	fmt.Fprintf(w, "tokens %d  nll %.4f  ppl %.4f\n", len(r.IDs), r.NLL, r.PPL)
}
