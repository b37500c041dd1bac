// Command lfm2 runs LiquidAI's LFM2 language models on CPUs.
package main

import (
	"errors"
	"fmt"
	"os"
	"runtime/pprof"

	"github.com/spf13/cobra"

	"github.com/lfm2go/lfm2/internal/hub"
)

// Exit codes.
const (
	exitError   = 1 // something failed
	exitUsage   = 2 // no model found, or bad usage (flags, arguments, input files)
	exitStopped = 3 // interrupted; what was done is saved
)

// globals are the flags every command that loads a model shares.
type globals struct {
	model      string
	threads    int
	cpuProfile string
	dtype      string
	quiet      bool   // no notes on stderr (run --json without --verbose)
	verbose    bool   // notes on stderr: which kernels, which sampling settings
	template   string // --chat-template FILE: replaces the model's chat template
	quant      string // --quant: which GGUF file of a folder or repo
	precision  string // --precision: exact, fast, or "" (by the weights)
	kvDtype    string // --kv-dtype: f32 or f16
}

// fast reports whether the fast tier applies: --precision if given, else
// by the weights — fast for quantized ones (a quantized GGUF file, or
// --dtype), which are approximate already and whose fast kernels round
// activations as llama.cpp does; exact for float weights.
func (g *globals) fast(quantized bool) bool {
	if g.precision != "" {
		return g.precision == "fast"
	}
	return quantized || g.dtype != ""
}

// register adds the model flags to a command that loads a model (pull and
// models do not, so their help does not list flags that do nothing there).
func (g *globals) register(cmd *cobra.Command) *cobra.Command {
	fl := cmd.Flags()
	fl.StringVarP(&g.model, "model", "m", "", "model folder, .gguf file, cached repo id (org/name), or synthetic:PRESET (default: $LFM2_MODEL, else the cached "+hub.DefaultRepo+")")
	fl.IntVarP(&g.threads, "threads", "t", 0, "compute threads (default: all cores)")
	fl.StringVar(&g.cpuProfile, "cpuprofile", "", "write a CPU profile to this file (for go tool pprof)")
	fl.StringVar(&g.precision, "precision", "", "exact (activations stay float32; the default for float weights) or fast (activations rounded as llama.cpp does: to bf16 for bf16 weights on AVX512_BF16 CPUs, to int8 for Q4_0 weights, and in two int8 planes for Q8_0, Q4_K, Q5_K, Q6_K weights on x86 CPUs with AVX2 or AVX512-VNNI and arm64 CPUs with dot product (Q8_0, Q4_K and Q6_K in int16 on AVX2 without AVX-VNNI); the default for quantized weights: a quantized GGUF file or --dtype)")
	fl.StringVar(&g.kvDtype, "kv-dtype", "f32", "the KV cache's values: f32 (exact), or f16 as llama.cpp's default cache: half the memory per token (twice the tokens in batch's and serve's --kv-memory) and faster decode at long contexts, each key and value rounded once to half precision")
	fl.StringVar(&g.quant, "quant", "", "in a folder or repo of GGUF files, the quantization to load (Q4_K_M, Q8_0, …)")
	fl.StringVar(&g.template, "chat-template", "", "render conversations with this Jinja file instead of the model's chat template")
	fl.StringVar(&g.dtype, "dtype", "", "weights as stored (default), or q8_0 (alias int8) / q4_0 / q4_k: quantize at load with llama.cpp's rules (q4_k: widths of whole 256s); q8_0 decodes 35–65% faster (by machine and tier; see README) at a small accuracy cost")
	return cmd
}

// check validates the model flags, before a command reads any file.
func (g *globals) check() error {
	if g.threads < 0 {
		return fmt.Errorf("%w: --threads %d: want 0 (all cores) or a positive count", errUsage, g.threads)
	}
	if g.precision != "" && g.precision != "exact" && g.precision != "fast" {
		return fmt.Errorf("%w: --precision %q: want exact or fast", errUsage, g.precision)
	}
	if g.kvDtype != "" && g.kvDtype != "f32" && g.kvDtype != "f16" { // "": a command without the flag
		return fmt.Errorf("%w: --kv-dtype %q: want f32 or f16", errUsage, g.kvDtype)
	}
	switch g.dtype {
	case "", "int8", "q8_0", "q4_0", "q4_k":
	default:
		return fmt.Errorf("%w: --dtype %q: want q8_0 (alias int8), q4_0 or q4_k, or leave it out for the stored weights", errUsage, g.dtype)
	}
	return nil
}

func newRoot() *cobra.Command {
	g := &globals{}
	root := &cobra.Command{
		Use:   "lfm2",
		Short: "Run LiquidAI LFM2 models on CPUs, fast",
		Long: "lfm2 runs LiquidAI's LFM2 language models from the files users download: a Hugging\n" +
			"Face folder (config.json, model.safetensors, tokenizer.json) or a GGUF file, with no\n" +
			"conversion step.",
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	// --version is the root's own flag, not cobra's Version field, so the
	// kernel family is looked up only when it is asked for.
	showVersion := root.Flags().BoolP("version", "v", false, "print the build, the platform and this CPU's kernel family")
	root.RunE = func(cmd *cobra.Command, _ []string) error {
		if *showVersion {
			fmt.Fprintln(cmd.OutOrStdout(), "lfm2 version "+versionString())
			return nil
		}
		return cmd.Help()
	}
	// Flag and argument mistakes are usage errors (exit 2).
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return fmt.Errorf("%w: %v", errUsage, err) })
	var stopProfile func()
	root.PersistentPreRunE = func(cmd *cobra.Command, args []string) error {
		if err := g.check(); err != nil {
			return err
		}
		if g.cpuProfile == "" {
			return nil
		}
		f, err := os.Create(g.cpuProfile)
		if err != nil {
			return fmt.Errorf("--cpuprofile: %w", err)
		}
		if err := pprof.StartCPUProfile(f); err != nil {
			f.Close()
			return fmt.Errorf("--cpuprofile: %w", err)
		}
		stopProfile = func() { pprof.StopCPUProfile(); f.Close() }
		return nil
	}
	root.PersistentPostRun = func(*cobra.Command, []string) {
		if stopProfile != nil {
			stopProfile()
		}
	}
	root.AddCommand(newRunCmd(g), newChatCmd(g), newScoreCmd(g), newBenchCmd(g), newBatchCmd(g), newTokenizeCmd(g), newServeCmd(g), newPullCmd(), newModelsCmd())
	for _, c := range root.Commands() {
		if c.Args != nil {
			c.Args = usageArgs(c.Args)
		}
	}
	return root
}

func main() {
	err := newRoot().Execute()
	if err == nil {
		return
	}
	fmt.Fprintln(os.Stderr, "lfm2:", err)
	var st stoppedError
	switch {
	case errors.Is(err, hub.ErrNotFound):
		os.Exit(exitUsage)
	case errors.As(err, &st):
		os.Exit(exitStopped)
	case errors.Is(err, errUsage):
		os.Exit(exitUsage)
	}
	os.Exit(exitError)
}

var errUsage = errors.New("usage")

// usageArgs marks a command's argument-count errors as usage errors.
func usageArgs(check cobra.PositionalArgs) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		if err := check(cmd, args); err != nil {
			return fmt.Errorf("%w: %v (see lfm2 %s --help)", errUsage, err, cmd.Name())
		}
		return nil
	}
}

// stoppedError reports an interrupted run whose finished work was saved.
type stoppedError struct{ msg string }

func (e stoppedError) Error() string { return e.msg }
