package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/schollz/progressbar/v3"
	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/lfm2go/lfm2/internal/hub"
)

func newPullCmd() *cobra.Command {
	var (
		revision string
		quiet    bool
		idle     time.Duration
		quant    string
		retries  int
	)
	cmd := &cobra.Command{
		Use:   "pull [REPO]",
		Short: "Download a model from the Hugging Face Hub into the Hugging Face cache",
		Long: "Downloads config, tokenizer and safetensors files of REPO (default " + hub.DefaultRepo + ")\n" +
			"into $HF_HOME/hub (~/.cache/huggingface/hub) in huggingface_hub's layout, so Python tools\n" +
			"share it. Interrupted downloads resume; LFS files are checked against their SHA-256.\n" +
			"$HF_ENDPOINT overrides the Hub address, $HF_TOKEN authorises gated repos.",
		Example: `  lfm2 pull
  lfm2 pull LiquidAI/LFM2-350M --revision main
  lfm2 pull LiquidAI/LFM2-350M-GGUF --quant Q4_K_M`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			repo := hub.DefaultRepo
			if len(args) == 1 {
				repo = args[0]
			}
			if idle <= 0 || retries < 0 {
				return fmt.Errorf("%w: --idle-timeout must be positive and --retries at least 0", errUsage)
			}
			c := hub.NewClient()
			c.IdleTimeout, c.Retries = idle, retries
			if !quiet && term.IsTerminal(int(os.Stderr.Fd())) {
				c.Progress = func(file string, size int64) io.WriteCloser {
					return &barCloser{bar: progressbar.DefaultBytes(size, file), size: size}
				}
			}
			ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
			defer stop()
			snap, err := c.Pull(ctx, repo, revision, quant)
			if errors.Is(err, context.Canceled) && ctx.Err() != nil {
				return stoppedError{"interrupted; the partial download is kept and the next pull resumes it"}
			}
			if err != nil {
				return err
			}
			fmt.Fprintln(cmd.OutOrStdout(), snap)
			return nil
		},
	}
	cmd.Flags().StringVar(&revision, "revision", "main", "branch, tag or commit")
	cmd.Flags().BoolVarP(&quiet, "quiet", "q", false, "no progress bars")
	cmd.Flags().StringVar(&quant, "quant", "", "for a repo of GGUF files, the one to download (Q4_K_M, Q8_0, …)")
	cmd.Flags().DurationVar(&idle, "idle-timeout", 30*time.Second, "give up on a transfer (and retry it) after this long without a byte")
	cmd.Flags().IntVar(&retries, "retries", 5, "retries after a stall, a reset or an HTTP 5xx, with backoff from 1 s, each resuming the partial file")
	return cmd
}

// barCloser is a file's progress bar. An interrupted transfer leaves the bar
// where it stopped: Finish would draw it at 100%.
type barCloser struct {
	bar        *progressbar.ProgressBar
	size, done int64
}

func (b *barCloser) Write(p []byte) (int, error) {
	b.done += int64(len(p))
	return b.bar.Write(p)
}

func (b *barCloser) Close() error {
	if b.size >= 0 && b.done >= b.size {
		return b.bar.Finish()
	}
	err := b.bar.Exit()
	fmt.Fprintln(os.Stderr)
	return err
}

func newModelsCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "models",
		Short: "List the models in the Hugging Face cache",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			list, err := hub.List(hub.CacheDir())
			if err != nil {
				return err
			}
			w := cmd.OutOrStdout()
			if len(list) == 0 {
				fmt.Fprintf(w, "no models in %s (run: lfm2 pull)\n", hub.CacheDir())
				return nil
			}
			fmt.Fprintf(w, "%-30s %-12s %10s  %s\n", "REPO", "REVISION", "SIZE", "PATH")
			for _, m := range list {
				rev := m.Revision
				if len(rev) == 40 {
					rev = rev[:10]
				}
				note := ""
				if !m.Complete {
					note = "  (incomplete)"
				}
				fmt.Fprintf(w, "%-30s %-12s %8.1f MB  %s%s\n", m.Repo, rev, float64(m.Bytes)/1e6, m.Path, note)
			}
			return nil
		},
	}
}
