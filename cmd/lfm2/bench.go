package main

import (
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"gonum.org/v1/gonum/stat"

	"github.com/lfm2go/lfm2/internal/model"
	"github.com/lfm2go/lfm2/internal/scheduler"
)

type benchResult struct {
	Model      string  `json:"model"`
	DType      string  `json:"dtype"`
	Format     string  `json:"format,omitempty"`
	Threads    int     `json:"threads"`
	Kernels    string  `json:"kernels"`
	KernelInfo string  `json:"kernel_info"`        // family, CPU features, tier
	ReadGBs    float64 `json:"read_bandwidth_gbs"` // streaming read, same threads, best of 5
	// A plain read of the decode step's weight arrays taken right after
	// each single-stream run (best of 2), and decode's bytes per second
	// over it per run: medians over the runs.
	PairedReadGBs float64    `json:"paired_weight_read_gbs"`
	PairedShare   float64    `json:"paired_decode_share"`
	Prompt        int        `json:"prompt"`
	Gen           int        `json:"gen"`
	Repeat        int        `json:"repeat"`
	PrefillTokS   float64    `json:"prefill_tok_s"`
	PrefillIQR    [2]float64 `json:"prefill_tok_s_iqr"`
	PrefillGFLOPs float64    `json:"prefill_matmul_gflops"` // the prefill's weight-matrix FLOPs (Model.PrefillFLOPs) per second
	// The instruction that bounds the matrix products, timed back to back
	// on the same threads before and after the runs (Model.MatMulPeak, the
	// higher of the two), where the kernels have one.
	PeakGFLOPs        float64        `json:"matmul_peak_gflops,omitempty"`
	PeakInstruction   string         `json:"matmul_peak_instruction,omitempty"`
	DecodeTokS        float64        `json:"decode_tok_s"`
	DecodeIQR         [2]float64     `json:"decode_tok_s_iqr"`
	Batched           []batchedBench `json:"batched"`
	WeightBytesPerTok int64          `json:"weight_bytes_per_token"`
	KVBytesPerTok     int64          `json:"kv_bytes_per_token"` // the KV cache a single-stream decode step reads, mean over the steps
	KVDtype           string         `json:"kv_dtype"`           // f32 or f16 (--kv-dtype)
	PeakRSSBytes      int64          `json:"peak_rss_bytes"`
	LateWorkers       int64          `json:"late_workers"` // times a kernel thread's core was taken during the runs
	prefillFLOPs      int64          // of one prefill
}

type batchedBench struct {
	Parallel   int        `json:"parallel"`
	DecodeTokS float64    `json:"decode_tok_s"`
	IQR        [2]float64 `json:"decode_tok_s_iqr"`
}

func newBenchCmd(g *globals) *cobra.Command {
	var (
		prompt, gen, repeat int
		parallel            string
		asJSON              bool
	)
	cmd := &cobra.Command{
		Use:   "bench",
		Short: "Measure prefill and decode tokens/s, single stream and batched",
		Long: "Runs the engine on random prompt ids (end-of-sequence ignored) and reports medians\n" +
			"over --repeat runs: prefill of --prompt tokens, single-stream decode of --gen tokens,\n" +
			"and aggregate decode tokens/s with --parallel sequences of --prompt/4 prompt tokens\n" +
			"(like llama-batched-bench -npp 128 -ntg 128). Works on synthetic:350m with no files.",
		Example: `  lfm2 bench --model synthetic:350m
  lfm2 bench --model synthetic:350m --prompt 512 --gen 128 --parallel 1,2,4,8,16 --repeat 3 --json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if g.model == "" && os.Getenv("LFM2_MODEL") == "" {
				g.model = "synthetic:350m"
			}
			var pars []int
			for _, f := range strings.Split(parallel, ",") {
				if strings.TrimSpace(f) == "" {
					continue
				}
				p, err := strconv.Atoi(strings.TrimSpace(f))
				if err != nil || p < 1 {
					return fmt.Errorf("%w: --parallel %q: want a list like 1,2,4,8,16", errUsage, parallel)
				}
				pars = append(pars, p)
			}
			if prompt < 1 || gen < 2 || repeat < 1 {
				return fmt.Errorf("%w: --prompt ≥ 1, --gen ≥ 2 and --repeat ≥ 1", errUsage)
			}
			l, err := openModel(g, false)
			if err != nil {
				return err
			}
			defer l.Close()
			res := benchResult{Model: l.src.String(), DType: l.model.DType(), Format: l.model.Format, Threads: l.model.Threads(), Kernels: l.model.Kernels(), KernelInfo: l.model.KernelInfo(), Prompt: prompt, Gen: gen, Repeat: repeat,
				WeightBytesPerTok: l.model.WeightBytes(), prefillFLOPs: l.model.PrefillFLOPs(prompt),
				// The step making token i (2…gen) attends over prompt+i−1
				// positions: prompt + gen/2 on average.
				KVBytesPerTok: l.model.CacheShape().KVBytesPerToken() * int64(2*prompt+gen) / 2, KVDtype: "f32"}
			if l.model.CacheShape().F16 {
				res.KVDtype = "f16"
			}
			// The peak is timed before the runs and again after them, the
			// higher kept: a hypervisor that takes a vCPU for the tens of
			// milliseconds one timing lasts (~30) halves it (seen on a 2-vCPU VM).
			peak, instr, hasPeak := l.model.MatMulPeak()
			rng := rand.New(rand.NewPCG(1, 1))
			progress(asJSON, "lfm2 bench: %d run(s) of a %d-token prefill and %d-token decode, then %d run(s) at each of --parallel %s; time estimate after the first run",
				repeat, prompt, gen, repeat, parallel)
			var pre, dec []float64
			bp := max(prompt/4, 1)
			began := time.Now()
			for r := 0; r < repeat; r++ {
				p, d, err := benchOne(l.model, rng, prompt, gen)
				if err != nil {
					return err
				}
				pre, dec = append(pre, p), append(dec, d)
				progress(asJSON, "run %d/%d: prefill %.1f tok/s, decode %.1f tok/s", r+1, repeat, p, d)
				if r == 0 {
					rest := estimateBench(time.Since(began), p, d, repeat, bp, gen, pars)
					progress(asJSON, "estimated time for the rest: about %s", rest.Round(time.Second))
				}
			}
			res.PrefillTokS, res.PrefillIQR = median(pre)
			res.PrefillGFLOPs = res.PrefillTokS * float64(res.prefillFLOPs) / float64(prompt) / 1e9
			res.DecodeTokS, res.DecodeIQR = median(dec)
			read, steps, err := benchPaired(l.model, rng, prompt, gen)
			if err != nil {
				return err
			}
			res.PairedReadGBs = read / 1e9
			res.PairedShare = steps * float64(res.WeightBytesPerTok+res.KVBytesPerTok) / read
			for _, P := range pars {
				var agg []float64
				for r := 0; r < repeat; r++ {
					a, err := benchBatched(l.model, rng, P, bp, gen)
					if err != nil {
						return err
					}
					agg = append(agg, a)
					progress(asJSON, "parallel %d run %d/%d: %.1f tok/s aggregate decode", P, r+1, repeat, a)
				}
				m, iqr := median(agg)
				res.Batched = append(res.Batched, batchedBench{Parallel: P, DecodeTokS: m, IQR: iqr})
			}
			res.PeakRSSBytes = peakRSS()
			res.LateWorkers = l.model.LateWorkers()
			// The bound decode is measured against, in the same run (the
			// machine's bandwidth drifts from hour to hour): after the RSS
			// figure, which the buffer would inflate.
			res.ReadGBs = l.model.ReadBandwidth(512<<20, 5) / 1e9
			if hasPeak {
				again, _, _ := l.model.MatMulPeak()
				res.PeakGFLOPs, res.PeakInstruction = max(peak, again)/1e9, instr
			}
			if asJSON {
				return writeJSON(cmd.OutOrStdout(), res)
			}
			printBench(cmd.OutOrStdout(), &res)
			return nil
		},
	}
	cmd.Flags().IntVar(&prompt, "prompt", 512, "prompt tokens for the prefill figure (batched runs use prompt/4)")
	cmd.Flags().IntVar(&gen, "gen", 128, "tokens to generate")
	cmd.Flags().StringVar(&parallel, "parallel", "1,2,4,8,16", "parallel sequences for the batched figures (empty to skip)")
	cmd.Flags().IntVar(&repeat, "repeat", 3, "runs per figure; medians are reported")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print one JSON object")
	return g.register(cmd)
}

// estimateBench guesses the time the remaining runs take from the first
// run: the paired run (benchPaired) is one more with a read of the weights,
// about a step's time, after each step; each batched run prefills P×bp
// tokens and decodes gen steps, a step with P sequences costing a little
// more than a single-stream step.
func estimateBench(first time.Duration, prefill, decode float64, repeat, bp, gen int, pars []int) time.Duration {
	secs := first.Seconds()*float64(repeat) + float64(gen)/decode
	for _, p := range pars {
		step := (1 + float64(p)/8) / decode
		secs += float64(repeat) * (float64(p*bp)/prefill + float64(gen)*step)
	}
	return time.Duration(secs * float64(time.Second))
}

func progress(quiet bool, format string, args ...any) {
	if !quiet {
		fmt.Fprintf(os.Stderr, format+"\n", args...)
	}
}

func randomPrompt(rng *rand.Rand, m *model.Model, n int) []int32 {
	ids := make([]int32, n)
	ids[0] = int32(m.Config.BOS)
	for i := 1; i < n; i++ {
		ids[i] = int32(rng.IntN(m.Config.VocabSize))
	}
	return ids
}

// singleStream is an engine holding one random prompt of prompt tokens
// that generates gen tokens, end-of-sequence ignored.
func singleStream(m *model.Model, rng *rand.Rand, prompt, gen int) (*scheduler.Engine, error) {
	kv := m.CacheShape().KVBytesPerToken() * int64(prompt+gen+64)
	e, err := scheduler.NewEngine(m, scheduler.Config{Limits: scheduler.Limits{MaxBatchTokens: prompt, MaxSeqs: 1}, BlockSize: 32, KVBytes: kv + 1})
	if err != nil {
		return nil, err
	}
	q := &scheduler.Sequence{Prompt: randomPrompt(rng, m, prompt), Params: scheduler.Params{MaxTokens: gen, IgnoreEOS: true}}
	if err := e.Add(q); err != nil {
		return nil, err
	}
	return e, nil
}

// benchOne times the prefill of one prompt (to its first token) and the
// single-stream decode of gen tokens.
func benchOne(m *model.Model, rng *rand.Rand, prompt, gen int) (prefill, decode float64, err error) {
	e, err := singleStream(m, rng, prompt, gen)
	if err != nil {
		return 0, 0, err
	}
	start := time.Now()
	var first time.Time
	if err := e.Run(context.Background(), func(ev scheduler.Event) {
		if first.IsZero() {
			first = time.Now()
		}
	}); err != nil {
		return 0, 0, err
	}
	end := time.Now()
	return float64(prompt) / first.Sub(start).Seconds(), float64(gen-1) / end.Sub(first).Seconds(), nil
}

// benchPaired decodes gen tokens after a prompt, each step followed by a
// plain read of the weight arrays the step read (Model.WeightReadRate),
// and returns the reads' rate in bytes/s and the steps' rate in steps/s,
// each over its own time only. A step streams the weights through the
// caches anyway, so the reads between steps change no step's work; what
// they give is the bound decode is measured against taken in the same
// seconds as decode itself (on a shared machine the read rate moves by
// half within minutes).
func benchPaired(m *model.Model, rng *rand.Rand, prompt, gen int) (read, steps float64, err error) {
	e, err := singleStream(m, rng, prompt, gen)
	if err != nil {
		return 0, 0, err
	}
	var stepTime, readTime time.Duration
	var n int
	var since time.Time // when the step now running began
	err = e.Run(context.Background(), func(ev scheduler.Event) {
		t := time.Now()
		if !since.IsZero() { // not the prefill's token
			stepTime += t.Sub(since)
			n++
		}
		m.WeightReadRate(1)
		since = time.Now()
		readTime += since.Sub(t)
	})
	if err != nil {
		return 0, 0, err
	}
	reads := float64(n + 1)
	return reads * float64(m.WeightBytes()) / readTime.Seconds(), float64(n) / stepTime.Seconds(), nil
}

// benchBatched runs P sequences together and returns the aggregate decode
// rate over the steps after every sequence has its first token.
func benchBatched(m *model.Model, rng *rand.Rand, P, prompt, gen int) (float64, error) {
	kv := m.CacheShape().KVBytesPerToken() * int64(P*(prompt+gen+64))
	e, err := scheduler.NewEngine(m, scheduler.Config{Limits: scheduler.Limits{MaxBatchTokens: 512, MaxSeqs: P}, BlockSize: 32, KVBytes: kv + 1})
	if err != nil {
		return 0, err
	}
	for i := 0; i < P; i++ {
		if err := e.Add(&scheduler.Sequence{Prompt: randomPrompt(rng, m, prompt), Params: scheduler.Params{MaxTokens: gen, IgnoreEOS: true}}); err != nil {
			return 0, err
		}
	}
	started := 0
	var t0 time.Time
	tokens := 0
	seen := map[*scheduler.Sequence]bool{}
	if err := e.Run(context.Background(), func(ev scheduler.Event) {
		if !seen[ev.Seq] {
			seen[ev.Seq] = true
			started++
			if started == P {
				t0 = time.Now()
			}
			return
		}
		if started == P {
			tokens++
		}
	}); err != nil {
		return 0, err
	}
	return float64(tokens) / time.Since(t0).Seconds(), nil
}

// median returns the median and the interquartile range.
func median(xs []float64) (float64, [2]float64) {
	s := append([]float64(nil), xs...)
	sort.Float64s(s)
	return stat.Quantile(0.5, stat.LinInterp, s, nil),
		[2]float64{stat.Quantile(0.25, stat.LinInterp, s, nil), stat.Quantile(0.75, stat.LinInterp, s, nil)}
}

func printBench(w io.Writer, r *benchResult) {
	weights := r.DType + " weights"
	if r.Format != "" {
		weights = r.Format + " computed as " + r.DType
	}
	fmt.Fprintf(w, "model %s, %s, %d threads, %s kernels, median of %d runs [IQR]\n", r.Model, weights, r.Threads, r.KernelInfo, r.Repeat)
	fmt.Fprintf(w, "prefill  %4d tokens        %8.1f tok/s  [%.1f–%.1f]\n", r.Prompt, r.PrefillTokS, r.PrefillIQR[0], r.PrefillIQR[1])
	fmt.Fprintf(w, "         matrix products    %8.1f GFLOP/s (%.3g GFLOP per token, the LM head on the last only)\n", r.PrefillGFLOPs, float64(r.prefillFLOPs)/float64(r.Prompt)/1e9)
	if r.PeakGFLOPs > 0 {
		fmt.Fprintf(w, "         %.0f%% of the %.1f GFLOP/s these threads reach issuing %s back to back\n",
			100*r.PrefillGFLOPs/r.PeakGFLOPs, r.PeakGFLOPs, r.PeakInstruction)
	}
	fmt.Fprintf(w, "decode   %4d tokens        %8.1f tok/s  [%.1f–%.1f]\n", r.Gen, r.DecodeTokS, r.DecodeIQR[0], r.DecodeIQR[1])
	for _, b := range r.Batched {
		fmt.Fprintf(w, "batched  %2d parallel         %8.1f tok/s  [%.1f–%.1f] aggregate decode\n", b.Parallel, b.DecodeTokS, b.IQR[0], b.IQR[1])
	}
	wgb, kvgb := float64(r.WeightBytesPerTok)/1e9, float64(r.KVBytesPerTok)/1e9
	gb := wgb + kvgb
	fmt.Fprintf(w, "read per decode step: weights %.0f MB + %s KV cache %.1f MB (mean): single-stream decode streams %.1f GB/s, %.0f%% of the %.1f GB/s this machine reads (streaming, same threads, best of 5)\n",
		wgb*1e3, r.KVDtype, kvgb*1e3, gb*r.DecodeTokS, 100*gb*r.DecodeTokS/r.ReadGBs, r.ReadGBs)
	fmt.Fprintf(w, "paired: one more decode, each step followed by a plain read of the same weights (same threads): reads %.1f GB/s, decode steps %.0f%% of it\n",
		r.PairedReadGBs, 100*r.PairedShare)
	fmt.Fprintf(w, "peak RSS %.0f MB\n", float64(r.PeakRSSBytes)/1e6)
	if r.LateWorkers > 0 {
		fmt.Fprintf(w, "disturbed: a kernel thread lost its core %d times during the runs (another process or the hypervisor; each time it sat out 1 ms or more)\n", r.LateWorkers)
	}
}
