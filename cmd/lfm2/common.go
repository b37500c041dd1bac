package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"github.com/lfm2go/lfm2/internal/hub"
	"github.com/lfm2go/lfm2/internal/model"
	"github.com/lfm2go/lfm2/internal/sample"
	"github.com/lfm2go/lfm2/internal/tokenizer"
)

// loaded is an opened model with its tokenizer (nil when the folder has none).
type loaded struct {
	src   hub.Source
	model *model.Model
	tok   *tokenizer.Tokenizer
}

func (l *loaded) Close() { l.model.Close() }

// openModel resolves --model and loads weights and, if present, the tokenizer.
func openModel(g *globals, needTokenizer bool) (*loaded, error) {
	if g.dtype != "" && g.dtype != "int8" {
		return nil, fmt.Errorf("%w: --dtype %q: want int8 (or leave it out for the stored dtype)", errUsage, g.dtype)
	}
	src, err := hub.Resolve(g.model)
	if err != nil {
		return nil, err
	}
	l, err := loadWeights(g, src, needTokenizer)
	if err != nil {
		return nil, err
	}
	if g.dtype == "int8" {
		if err := l.model.QuantizeInt8(); err != nil {
			l.Close()
			return nil, fmt.Errorf("--dtype int8: %w", err)
		}
	}
	return l, nil
}

// loadWeights opens the model and tokenizer of src.
func loadWeights(g *globals, src hub.Source, needTokenizer bool) (*loaded, error) {
	var err error
	l := &loaded{src: src}
	if src.Synthetic != "" {
		l.model, err = model.Synthetic(src.Synthetic, 1, false, g.threads)
		if err != nil {
			return nil, fmt.Errorf("--model %s%s: %w", hub.SyntheticPrefix, src.Synthetic, err)
		}
		fmt.Fprintf(os.Stderr, "lfm2: model %s%s has RANDOM weights: output is meaningless, speed is real\n", hub.SyntheticPrefix, src.Synthetic)
		// Synthetic models speak through the built-in test tokenizer.
		l.tok, err = tokenizer.Builtin()
		if err != nil {
			return nil, err
		}
		return l, nil
	}
	l.model, err = model.Load(src.Dir, g.threads)
	if err != nil {
		return nil, err
	}
	if _, err := os.Stat(filepath.Join(src.Dir, "tokenizer.json")); err == nil {
		l.tok, err = tokenizer.LoadDir(src.Dir)
		if err == nil {
			err = useRustTokenizer(l.tok, src.Dir)
		}
		if err != nil {
			l.Close()
			return nil, err
		}
	} else if needTokenizer {
		l.Close()
		return nil, fmt.Errorf("%s has no tokenizer.json: pass token ids with --ids", src.Dir)
	}
	return l, nil
}

// parseIDs reads "1,6,42" (spaces allowed).
func parseIDs(s string) ([]int32, error) {
	var ids []int32
	for _, f := range strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ' ' }) {
		v, err := strconv.ParseInt(f, 10, 32)
		if err != nil || v < 0 {
			return nil, fmt.Errorf("--ids: %q is not a token id", f)
		}
		ids = append(ids, int32(v))
	}
	if len(ids) == 0 {
		return nil, fmt.Errorf("--ids: no token ids given")
	}
	return ids, nil
}

// parseBytes reads sizes like 2GiB, 512MiB, 48KiB, 1GB or a plain byte count.
func parseBytes(s string) (int64, error) {
	units := []struct {
		suffix string
		mul    int64
	}{{"KiB", 1 << 10}, {"MiB", 1 << 20}, {"GiB", 1 << 30}, {"TiB", 1 << 40}, {"KB", 1e3}, {"MB", 1e6}, {"GB", 1e9}, {"K", 1 << 10}, {"M", 1 << 20}, {"G", 1 << 30}, {"B", 1}}
	t := strings.TrimSpace(s)
	mul := int64(1)
	for _, u := range units {
		if strings.HasSuffix(t, u.suffix) {
			t, mul = strings.TrimSpace(strings.TrimSuffix(t, u.suffix)), u.mul
			break
		}
	}
	v, err := strconv.ParseFloat(t, 64)
	if err != nil || v <= 0 {
		return 0, fmt.Errorf("size %q: want a positive number with an optional unit (KiB, MiB, GiB)", s)
	}
	return int64(v * float64(mul)), nil
}

// samplingFlags are the generation flags run, batch and chat share.
type samplingFlags struct {
	p         sample.Params
	maxTokens int
	ignoreEOS bool
	seed      uint64
	stop      []string
}

func (f *samplingFlags) register(cmd *cobra.Command, maxTokens int) {
	d := sample.Defaults()
	fl := cmd.Flags()
	fl.Float32Var(&f.p.Temperature, "temperature", d.Temperature, "sampling temperature; 0 = greedy")
	fl.IntVar(&f.p.TopK, "top-k", 0, "keep the k most likely tokens (0 = off)")
	fl.Float32Var(&f.p.TopP, "top-p", 1, "nucleus sampling mass (1 = off)")
	fl.Float32Var(&f.p.MinP, "min-p", d.MinP, "drop tokens less likely than min-p × the best (0 = off)")
	fl.Float32Var(&f.p.RepetitionPenalty, "repetition-penalty", d.RepetitionPenalty, "penalty for tokens already in the sequence (1 = off)")
	fl.Uint64Var(&f.seed, "seed", 0, "random seed; the same seed reproduces a run")
	fl.IntVarP(&f.maxTokens, "max-tokens", "n", maxTokens, "most tokens to generate")
	fl.BoolVar(&f.ignoreEOS, "ignore-eos", false, "keep generating past the end-of-sequence token (tests, benchmarks)")
	fl.StringArrayVar(&f.stop, "stop", nil, "stop when the output contains this text (repeatable)")
}

func (f *samplingFlags) params() sample.Params {
	p := f.p
	p.Seed = f.seed
	return p
}

// writeJSON prints v as one line without HTML escaping (token strings like
// <|im_end|> stay readable).
func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}
