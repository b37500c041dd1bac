package main

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"runtime/debug"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"github.com/lfm2go/lfm2/internal/hub"
	"github.com/lfm2go/lfm2/internal/kernels"
	"github.com/lfm2go/lfm2/internal/model"
	"github.com/lfm2go/lfm2/internal/sample"
	"github.com/lfm2go/lfm2/internal/tokenizer"
)

// loaded is an opened model with its tokenizer (nil when the folder has none).
type loaded struct {
	src      hub.Source
	model    *model.Model
	tok      *tokenizer.Tokenizer
	defaults modelDefaults // the model's own sampling settings
}

func (l *loaded) Close() { l.model.Close() }

// openModel resolves --model and loads weights and, if present, the tokenizer.
func openModel(g *globals, needTokenizer bool) (*loaded, error) {
	src, err := hub.Resolve(g.model, g.quant)
	if err != nil {
		return nil, err
	}
	quantized := false
	if src.GGUF != "" {
		if quantized, err = model.GGUFQuantized(src.GGUF); err != nil {
			return nil, err
		}
	}
	fast := g.fast(quantized)
	// Converting a tensor leaves its temporary forms behind; collecting
	// them sooner while loading keeps the peak near the model's own size.
	restore := debug.SetGCPercent(20)
	l, err := loadWeights(g, src, needTokenizer, fast)
	debug.SetGCPercent(restore)
	if err != nil {
		return nil, err
	}
	if fast {
		l.model.UseFastTier()
	}
	if g.kvDtype == "f16" {
		l.model.UseF16KV()
	}
	if g.dtype != "" {
		if err := l.model.Quantize(g.dtype, fast); err != nil {
			l.Close()
			return nil, fmt.Errorf("--dtype %s: %w", g.dtype, err)
		}
	}
	if g.verbose {
		kv := "f32"
		if l.model.CacheShape().F16 {
			kv = "f16"
		}
		fmt.Fprintf(os.Stderr, "lfm2: %s weights on %s kernels, %s KV cache\n", l.model.DType(), l.model.KernelInfo(), kv)
	}
	if l.defaults, err = loadModelDefaults(src, l.tok); err != nil {
		l.Close()
		return nil, err
	}
	// generation_config.json's end-of-sequence ids (one or a list) stop
	// generation too, as in transformers.
	for _, id := range l.defaults.eos {
		if id < 0 || id >= l.model.Config.VocabSize {
			l.Close()
			return nil, fmt.Errorf("%s: generation_config.json eos_token_id %d is outside the vocabulary", src.Dir, id)
		}
		if !l.model.Config.IsEOS(id) {
			l.model.Config.EOS = append(l.model.Config.EOS, id)
		}
	}
	return l, nil
}

// loadWeights opens the model and tokenizer of src (with fast, a GGUF
// file's Q4_0 weights are held for the fast tier's kernels).
func loadWeights(g *globals, src hub.Source, needTokenizer, fast bool) (*loaded, error) {
	var err error
	if err := kernels.CheckRequested(); err != nil && !g.quiet {
		fmt.Fprintf(os.Stderr, "lfm2: warning: %v\n", err)
	}
	l := &loaded{src: src}
	if src.Synthetic != "" {
		l.model, err = model.Synthetic(src.Synthetic, 1, false, g.threads)
		if err != nil {
			return nil, fmt.Errorf("--model %s%s: %w", hub.SyntheticPrefix, src.Synthetic, err)
		}
		if !g.quiet {
			fmt.Fprintf(os.Stderr, "lfm2: model %s%s has RANDOM weights: output is meaningless, speed is real\n", hub.SyntheticPrefix, src.Synthetic)
		}
		// Synthetic models speak through the built-in test tokenizer.
		l.tok, err = tokenizer.Builtin(strings.HasPrefix(src.Synthetic, "lfm2.5"))
		if err == nil {
			err = g.applyChatTemplate(l.tok)
		}
		if err != nil {
			l.Close()
			return nil, err
		}
		return l, nil
	}
	if src.GGUF != "" {
		// A GGUF file is the whole model: weights, config, tokenizer, template.
		if l.model, err = model.LoadGGUF(src.GGUF, g.threads, fast); err != nil {
			return nil, err
		}
		if l.tok, err = ggufTokenizer(src.GGUF); err == nil {
			err = g.applyChatTemplate(l.tok)
		}
		if err != nil {
			l.Close()
			return nil, err
		}
		g.warnTokenizer(src.GGUF, l)
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
		if err := g.applyChatTemplate(l.tok); err != nil {
			l.Close()
			return nil, err
		}
		g.warnTokenizer(src.Dir, l)
	} else if needTokenizer {
		l.Close()
		return nil, fmt.Errorf("%s has no tokenizer.json: pass token ids with --ids", src.Dir)
	}
	return l, nil
}

// warnTokenizer prints tokenizerWarnings once each, unless quiet.
func (g *globals) warnTokenizer(where string, l *loaded) {
	if g.quiet {
		return
	}
	for _, w := range tokenizerWarnings(l.model.Config, l.tok) {
		fmt.Fprintf(os.Stderr, "lfm2: warning: %s: %s\n", where, w)
	}
}

// applyChatTemplate installs --chat-template FILE when given.
func (g *globals) applyChatTemplate(tok *tokenizer.Tokenizer) error {
	if g.template == "" {
		return nil
	}
	src, err := os.ReadFile(g.template)
	if err != nil {
		return fmt.Errorf("%w: --chat-template: %v", errUsage, err)
	}
	return tok.SetChatTemplate(g.template, string(src))
}

// tokenizerWarnings checks that the tokenizer knows the model's special
// tokens: a tokenizer.json whose added_tokens lost them still loads, but
// the chat markers would then be tokenized as plain text, and an
// end-of-sequence id it does not have would never be generated.
func tokenizerWarnings(cfg *model.Config, tok *tokenizer.Tokenizer) []string {
	var out []string
	special := 0
	for id := range tok.VocabSize() {
		if tok.IsSpecial(int32(id)) {
			special++
		}
	}
	if special == 0 {
		out = append(out, "tokenizer.json has no special added tokens: chat markers like <|im_start|> will be tokenized as text")
	}
	for _, id := range append([]int{cfg.BOS}, cfg.EOS...) {
		switch {
		case id >= tok.VocabSize():
			out = append(out, fmt.Sprintf("config.json's special token id %d is outside the tokenizer's %d tokens", id, tok.VocabSize()))
		case special > 0 && !tok.IsSpecial(int32(id)):
			out = append(out, fmt.Sprintf("token %d (%q), a special token in config.json, is not a special token in tokenizer.json", id, tok.Token(int32(id))))
		}
	}
	return out
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

// parseBytes reads sizes like 2GiB, 512MiB, 48KiB or a plain byte count.
// KiB/MiB/GiB/TiB and the short K/M/G/T are powers of two (as in ls -h and
// docker); KB/MB/GB/TB are powers of ten. Case is ignored.
func parseBytes(s string) (int64, error) {
	units := []struct {
		suffix string
		mul    int64
	}{{"KIB", 1 << 10}, {"MIB", 1 << 20}, {"GIB", 1 << 30}, {"TIB", 1 << 40}, {"KB", 1e3}, {"MB", 1e6}, {"GB", 1e9}, {"TB", 1e12},
		{"K", 1 << 10}, {"M", 1 << 20}, {"G", 1 << 30}, {"T", 1 << 40}, {"B", 1}}
	t := strings.TrimSpace(s)
	mul := int64(1)
	for _, u := range units {
		if strings.HasSuffix(strings.ToUpper(t), u.suffix) {
			t, mul = strings.TrimSpace(t[:len(t)-len(u.suffix)]), u.mul
			break
		}
	}
	v, err := strconv.ParseFloat(t, 64)
	if err != nil || !(v > 0) || v*float64(mul) > 1<<50 {
		return 0, fmt.Errorf("%w: size %q: want a positive number with an optional unit: KiB, MiB, GiB (powers of 2; also K, M, G) or KB, MB, GB (powers of 10)", errUsage, s)
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
	logitBias []string // ID=BIAS, as given
}

func (f *samplingFlags) register(cmd *cobra.Command, maxTokens int) {
	f.registerSettings(cmd)
	fl := cmd.Flags()
	fl.Uint64Var(&f.seed, "seed", 0, "random seed; the same seed reproduces a run")
	fl.IntVarP(&f.maxTokens, "max-tokens", "n", maxTokens, "most tokens to generate")
	fl.BoolVar(&f.ignoreEOS, "ignore-eos", false, "keep generating past the end-of-sequence token (tests, benchmarks)")
	fl.StringArrayVar(&f.stop, "stop", nil, "stop when the output contains this text (repeatable)")
	fl.StringArrayVar(&f.logitBias, "logit-bias", nil, "ID=BIAS: add BIAS, in [-100, 100], to token ID's logit before sampling (repeatable; -100 bans the token)")
}

// registerSettings registers the flags of the sampler's settings alone
// (serve takes them as the defaults of requests that leave them out).
func (f *samplingFlags) registerSettings(cmd *cobra.Command) {
	d := sample.Defaults()
	fl := cmd.Flags()
	// The defaults shown are LFM2's; a model's generation_config.json or
	// family (LFM2.5) replaces them unless the flag is given (--verbose says).
	fl.Float32Var(&f.p.Temperature, "temperature", d.Temperature, "sampling temperature; 0 = greedy (default: the model's own setting)")
	fl.IntVar(&f.p.TopK, "top-k", 0, "keep the k most likely tokens (0 = off)")
	fl.Float32Var(&f.p.TopP, "top-p", 1, "nucleus sampling mass (1 = off)")
	fl.Float32Var(&f.p.MinP, "min-p", d.MinP, "drop tokens less likely than min-p × the best (0 = off)")
	fl.Float32Var(&f.p.RepetitionPenalty, "repetition-penalty", d.RepetitionPenalty, "penalty for tokens already in the sequence (1 = off)")
	fl.Float32Var(&f.p.FrequencyPenalty, "frequency-penalty", 0, "OpenAI's: subtracted from a token's logit once per time it was generated, in [-2, 2] (0 = off)")
	fl.Float32Var(&f.p.PresencePenalty, "presence-penalty", 0, "OpenAI's: subtracted from the logit of every token generated so far, in [-2, 2] (0 = off)")
}

// check refuses settings outside their range, naming the flag and the range.
// (The sampler's zero values mean "off"; on the command line 0 for
// --top-p or --repetition-penalty is a mistake, not a way to say off.)
func (f *samplingFlags) check() error {
	if err := checkSampling(f.p, f.maxTokens, f.stop, "--"); err != nil {
		return fmt.Errorf("%w: %v", errUsage, err)
	}
	if len(f.logitBias) > 0 {
		raw := map[string]float64{}
		for _, kv := range f.logitBias {
			id, bias, ok := strings.Cut(kv, "=")
			b, err := strconv.ParseFloat(strings.TrimSpace(bias), 64)
			if !ok || err != nil {
				return fmt.Errorf("%w: --logit-bias %q: want ID=BIAS (a token id, a number in [-100, 100])", errUsage, kv)
			}
			raw[strings.TrimSpace(id)] = b
		}
		// Ids past the model's vocabulary are ignored when sampling: the
		// vocabulary is not known until the model is loaded.
		bias, err := sample.ParseLogitBias(raw, math.MaxInt32)
		if err != nil {
			return fmt.Errorf("%w: --logit-bias: %v", errUsage, err)
		}
		f.p.LogitBias = bias
	}
	return nil
}

// checkSampling validates settings from flags (prefix "--") or a batch line
// (prefix ""): the names in the message are the ones the user wrote.
func checkSampling(p sample.Params, maxTokens int, stops []string, prefix string) error {
	name := func(flag, field string) string {
		if prefix == "" {
			return field
		}
		return prefix + flag
	}
	switch {
	case !(p.Temperature >= 0) || math.IsInf(float64(p.Temperature), 0):
		return fmt.Errorf("%s %v: want a number ≥ 0 (0 = greedy)", name("temperature", "temperature"), p.Temperature)
	case p.TopK < 0:
		return fmt.Errorf("%s %d: want ≥ 0 (0 = off)", name("top-k", "top_k"), p.TopK)
	case !(p.TopP > 0 && p.TopP <= 1):
		return fmt.Errorf("%s %v: want a number in (0, 1] (1 = off)", name("top-p", "top_p"), p.TopP)
	case !(p.MinP >= 0 && p.MinP <= 1):
		return fmt.Errorf("%s %v: want a number in [0, 1] (0 = off)", name("min-p", "min_p"), p.MinP)
	case !(p.RepetitionPenalty > 0) || math.IsInf(float64(p.RepetitionPenalty), 0):
		return fmt.Errorf("%s %v: want a number > 0 (1 = off)", name("repetition-penalty", "repetition_penalty"), p.RepetitionPenalty)
	case !sample.PenaltyInRange(p.FrequencyPenalty):
		return fmt.Errorf("%s %v: want a number in [-2, 2] (0 = off)", name("frequency-penalty", "frequency_penalty"), p.FrequencyPenalty)
	case !sample.PenaltyInRange(p.PresencePenalty):
		return fmt.Errorf("%s %v: want a number in [-2, 2] (0 = off)", name("presence-penalty", "presence_penalty"), p.PresencePenalty)
	case maxTokens < 1:
		return fmt.Errorf("%s %d: want ≥ 1", name("max-tokens", "max_tokens"), maxTokens)
	}
	for _, s := range stops {
		if s == "" {
			return fmt.Errorf("%s \"\": a stop string cannot be empty", name("stop", "stop"))
		}
	}
	return nil
}

// contextBytes is the most bytes a text can have and still fit a
// ctx-token context (tokenizer.MaxTextBytes); the zero value bounds nothing.
// A longer text is refused before the time, and the tens of bytes of memory
// a byte, that tokenizing it would take.
type contextBytes struct {
	limit int64
	ctx   int
}

func newContextBytes(tok *tokenizer.Tokenizer, ctx int) contextBytes {
	return contextBytes{limit: tok.MaxTextBytes(ctx), ctx: ctx}
}

// check refuses a prompt of n bytes past the limit.
func (b contextBytes) check(n int64) error {
	if b.limit > 0 && n > b.limit {
		return fmt.Errorf("the prompt is %d bytes, more than a %d-token context can hold (%d bytes at most; raise --ctx)", n, b.ctx, b.limit)
	}
	return nil
}

// checkCtx validates a --ctx value.
func checkCtx(n int) error {
	if n < 1 {
		return fmt.Errorf("%w: --ctx %d: want a positive number of tokens", errUsage, n)
	}
	return nil
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
