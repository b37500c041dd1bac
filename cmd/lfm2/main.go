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
	exitError    = 1 // something failed
	exitNotFound = 2 // no model found, or bad usage
	exitStopped  = 3 // interrupted; what was done is saved
)

// globals are the flags every command shares.
type globals struct {
	model      string
	threads    int
	cpuProfile string
	dtype      string
}

func newRoot() *cobra.Command {
	g := &globals{}
	root := &cobra.Command{
		Use:   "lfm2",
		Short: "Run LiquidAI LFM2 models on CPUs, fast",
		Long: "lfm2 runs LiquidAI's LFM2 language models from their Hugging Face files\n" +
			"(config.json, model.safetensors, tokenizer.json) with no conversion step.",
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.PersistentFlags().StringVarP(&g.model, "model", "m", "", "model folder, cached repo id (org/name), or synthetic:350m / synthetic:tiny (default: $LFM2_MODEL, else the cached "+hub.DefaultRepo+")")
	root.PersistentFlags().IntVarP(&g.threads, "threads", "t", 0, "compute threads (default: all cores)")
	root.PersistentFlags().StringVar(&g.cpuProfile, "cpuprofile", "", "write a CPU profile to this file (for go tool pprof)")
	root.PersistentFlags().StringVar(&g.dtype, "dtype", "", "weights as stored (default), or int8: quantize at load (Q8, one scale per 32 weights) for about twice the decode speed, at a small accuracy cost")
	var stopProfile func()
	root.PersistentPreRunE = func(cmd *cobra.Command, args []string) error {
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
	root.AddCommand(newRunCmd(g), newChatCmd(g), newScoreCmd(g), newBenchCmd(g), newBatchCmd(g), newTokenizeCmd(g), newPullCmd(), newModelsCmd())
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
		os.Exit(exitNotFound)
	case errors.As(err, &st):
		os.Exit(exitStopped)
	case errors.Is(err, errUsage):
		os.Exit(exitNotFound)
	}
	os.Exit(exitError)
}

var errUsage = errors.New("usage")

// stoppedError reports an interrupted run whose finished work was saved.
type stoppedError struct{ msg string }

func (e stoppedError) Error() string { return e.msg }
