package model

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/lfm2go/lfm2/internal/fixture"
	"github.com/lfm2go/lfm2/internal/gguf"
	"github.com/lfm2go/lfm2/internal/kernels"
)

// ggufReference is a GGUF fixture's reference.json: per case and file type,
// the f32 reference's logits on that file's dequantized weights, and
// llama.cpp's greedy continuation with each step's top-2 margin.
type ggufReference struct {
	Files map[string]string `json:"files"`
	Cases []struct {
		IDs            []int32              `json:"ids"`
		RefLogits      map[string]string    `json:"ref_logits"`
		Greedy         map[string][]int32   `json:"greedy"`
		GreedyMargin   map[string][]float64 `json:"greedy_margin"`
		LlamaVsDequant map[string]float64   `json:"llama_vs_dequant_max_abs"`
	} `json:"cases"`
}

// TestGGUFExactTier: every GGUF fixture (BF16, F16, Q8_0, Q4_0, Q6_K and
// llama-quantize's Q4_K_M and Q5_K_M mixes) loads from the file alone and
// its logits are within 1e-3 of the independent f32 reference computed on
// the same dequantized weights. Greedy continuations equal llama.cpp's
// wherever llama.cpp's own top-2 margin is larger than twice its distance
// from the exact model (where it is not, llama.cpp's rounding may decide).
func TestGGUFExactTier(t *testing.T) {
	for _, fx := range []string{"gguf-tiny", "gguf-quant"} {
		dir := fixture.Dir(fx)
		b, err := os.ReadFile(filepath.Join(dir, "reference.json"))
		if err != nil {
			t.Fatal(err)
		}
		var ref ggufReference
		if err := json.Unmarshal(b, &ref); err != nil {
			t.Fatal(err)
		}
		for typ, file := range ref.Files {
			t.Run(fx+"/"+typ, func(t *testing.T) {
				m, err := LoadGGUF(filepath.Join(dir, file), 2, false)
				if err != nil {
					t.Fatal(err)
				}
				defer m.Close()
				if held := map[string]kernels.Format{"F16": kernels.FormatF16, "BF16": kernels.FormatBF16}; held[typ] != 0 {
					for _, w := range m.matrices() {
						if w.Format() != held[typ] {
							t.Fatalf("a %s file's %d×%d matrix is held as %v, not in place", typ, w.Rows, w.Cols, w.Format())
						}
					}
				}
				vocab := m.Config.VocabSize
				checked := 0
				for ci, c := range ref.Cases {
					if lf, ok := c.RefLogits[typ]; ok {
						want := readLogits(t, filepath.Join(dir, lf), len(c.IDs), vocab)
						got := run(t, m, c.IDs, len(c.IDs))
						for p := range want {
							if d := maxAbsDiff(got[p], want[p]); d > 1e-3 {
								t.Errorf("case %d position %d: max |Δlogit| %.2g", ci, p, d)
							}
						}
						checked++
					}
					g := greedy(t, m, c.IDs, len(c.Greedy[typ]), len(c.IDs))
					for i, want := range c.Greedy[typ] {
						if c.GreedyMargin[typ][i] <= 2*c.LlamaVsDequant[typ] {
							break // from here on llama.cpp's rounding may have chosen
						}
						if g[i] != want {
							t.Errorf("case %d greedy step %d: %d, llama.cpp %d (margin %.3g)", ci, i, g[i], want, c.GreedyMargin[typ][i])
							break
						}
					}
				}
				if checked == 0 {
					t.Fatal("no case had reference logits")
				}
			})
		}
	}
}

// A GGUF of another architecture is refused by name.
func TestGGUFOtherArchitecture(t *testing.T) {
	src, err := os.ReadFile(filepath.Join(fixture.Dir("gguf-tiny"), "model-Q8_0.gguf"))
	if err != nil {
		t.Fatal(err)
	}
	// Replace the architecture string value "lfm2" (same length) with "qwen".
	i := strings.Index(string(src), "general.architecture")
	j := strings.Index(string(src[i:]), "lfm2") + i
	patched := append([]byte(nil), src...)
	copy(patched[j:], "qwen")
	p := filepath.Join(t.TempDir(), "qwen.gguf")
	os.WriteFile(p, patched, 0o644)
	if _, err := LoadGGUF(p, 1, false); err == nil || !strings.Contains(err.Error(), `architecture is "qwen"`) || !strings.Contains(err.Error(), "lfm2 runs LFM2 models") {
		t.Fatalf("err = %v", err)
	}
}

// --dtype q8_0 / q4_0 quantize with llama.cpp's rules: quantizing the BF16
// source at load gives exactly the model llama-quantize's file gives.
func TestQuantizeAtLoadEqualsLlamaQuantize(t *testing.T) {
	dir := fixture.Dir("gguf-quant")
	ids := []int32{1, 20, 300, 4, 55, 600, 7, 80}
	for _, c := range []struct {
		format, file string
		fast         bool
	}{{"q8_0", "model-Q8_0.gguf", false}, {"q8_0", "model-Q8_0.gguf", true}, {"q4_0", "model-Q4_0.gguf", false}, {"q4_0", "model-Q4_0.gguf", true}} {
		fast := c.fast
		src, err := LoadGGUF(filepath.Join(dir, "model-BF16.gguf"), 2, fast)
		if err != nil {
			t.Fatal(err)
		}
		if err := src.Quantize(c.format, fast); err != nil {
			t.Fatal(err)
		}
		file, err := LoadGGUF(filepath.Join(dir, c.file), 2, fast)
		if err != nil {
			t.Fatal(err)
		}
		a, b := run(t, src, ids, len(ids)), run(t, file, ids, len(ids))
		for p := range a {
			if d := maxAbsDiff(a[p], b[p]); d != 0 {
				t.Errorf("%s: position %d differs from %s by %g", c.format, p, c.file, d)
			}
		}
		src.Close()
		file.Close()
	}
}

// --dtype q4_k quantizes with llama.cpp's Q4_K rules: every matrix the
// Q4_K_M fixture holds as Q4_K (llama-quantize's mix) is, quantized at load
// from the BF16 source, the same weights, in both tiers.
func TestQuantizeQ4KEqualsLlamaQuantize(t *testing.T) {
	dir := fixture.Dir("gguf-quant")
	for _, fast := range []bool{false, true} {
		src, err := LoadGGUF(filepath.Join(dir, "model-BF16.gguf"), 2, fast)
		if err != nil {
			t.Fatal(err)
		}
		if err := src.Quantize("q4_k", fast); err != nil {
			t.Fatal(err)
		}
		file, err := LoadGGUF(filepath.Join(dir, "model-Q4_K_M.gguf"), 2, fast)
		if err != nil {
			t.Fatal(err)
		}
		g, err := gguf.Open(filepath.Join(dir, "model-Q4_K_M.gguf"))
		if err != nil {
			t.Fatal(err)
		}
		compared := 0
		a, b := src.matrices(), file.matrices()
		for i, name := range ggufMatrixNames(file) {
			if g.Tensor(name).Type != gguf.Q4_K {
				continue // a Q6_K matrix of the mix
			}
			if a[i].DType() != b[i].DType() {
				t.Fatalf("fast=%v: %s quantized at load is %s, the file's %s", fast, name, a[i].DType(), b[i].DType())
			}
			ra, rb := make([]float32, a[i].Cols), make([]float32, b[i].Cols)
			for r := 0; r < a[i].Rows; r++ {
				a[i].Row(ra, r)
				b[i].Row(rb, r)
				if d := maxAbsDiff(ra, rb); d != 0 {
					t.Fatalf("fast=%v: %s row %d differs from llama-quantize's by %g", fast, name, r, d)
				}
			}
			compared++
		}
		g.Close()
		if compared == 0 {
			t.Fatalf("fast=%v: no Q4_K matrix compared", fast)
		}
		src.Close()
		file.Close()
	}
}

// A model whose widths are not whole Q4_K super-blocks is refused by
// --dtype q4_k, naming the width, and keeps its weights.
func TestQuantizeQ4KRefusesNarrowWidths(t *testing.T) {
	m, err := LoadGGUF(filepath.Join(fixture.Dir("gguf-tiny"), "model-BF16.gguf"), 1, false)
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	before := m.DType()
	err = m.Quantize("q4_k", true)
	if err == nil || !strings.Contains(err.Error(), "×64 weight matrix") || !strings.Contains(err.Error(), "multiples of 256") {
		t.Fatalf("err = %v", err)
	}
	if m.DType() != before {
		t.Fatalf("weights changed to %s after the refusal", m.DType())
	}
}

// ggufMatrixNames is the GGUF tensor name of each of m.matrices().
func ggufMatrixNames(m *Model) []string {
	names := []string{"token_embd.weight"}
	if !m.Config.TiedHead {
		names = append(names, "output.weight")
	}
	for i, l := range m.Layers {
		blk := fmt.Sprintf("blk.%d.", i)
		names = append(names, blk+"ffn_gate.weight", blk+"ffn_up.weight", blk+"ffn_down.weight")
		if l.Conv != nil {
			names = append(names, blk+"shortconv.in_proj.weight", blk+"shortconv.out_proj.weight")
		} else {
			names = append(names, blk+"attn_q.weight", blk+"attn_k.weight", blk+"attn_v.weight", blk+"attn_output.weight")
		}
	}
	return names
}

// TestGGUFFastTier: with Q4_0 weights on the 4-bit kernels and int8
// activations rounded as llama.cpp rounds them, logits are no farther from
// the exact reference than llama.cpp's (at most 1.25× its distance, per
// case; three cases agree with llama.cpp's distance to 3 digits, the
// fourth is 1.02× it), and the argmax agrees with the reference at least
// as often as llama.cpp's does: the bar for the fast tier to be the
// default for quantized weights.
func TestGGUFFastTier(t *testing.T) {
	dir := fixture.Dir("gguf-quant")
	m, err := LoadGGUF(filepath.Join(dir, "model-Q4_0.gguf"), 2, true)
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	if !kernels.Q4Native() {
		// No native 4-bit kernels in this family: int8 is faster, and exact.
		if m.Head.DType() != "int8" {
			t.Fatalf("without native 4-bit kernels the fast tier holds Q4_0 as %s", m.Head.DType())
		}
		t.Skip("no native 4-bit kernels in this kernel family: Q4_0 stays int8")
	}
	if m.Head.DType() != "q4" {
		t.Fatalf("the fast tier holds Q4_0 as %s", m.Head.DType())
	}
	checkFastTier(t, m, dir, "Q4_0")
}

// TestGGUFKQuantFastTier: K-quant files (Q4_K_M and Q5_K_M as
// llama-quantize mixes them, Q6_K) in the fast tier hold their K-quant
// matrices as in the file and meet the fast tier's bar against the exact
// reference on the file's weights; with activations in two int8 planes (or
// int16: kernels/act16.go) they are also within 0.01 of it, where llama.cpp's
// Q8_K activations put it 0.5–1.1 away on these cases.
func TestGGUFKQuantFastTier(t *testing.T) {
	if !kernels.KQuantNative() {
		t.Skip("no K-quant kernels in this kernel family: K-quants stay affine, exact")
	}
	dir := fixture.Dir("gguf-quant")
	for _, c := range []struct{ typ, head string }{{"Q4_K_M", "q6_k"}, {"Q5_K_M", "q6_k"}, {"Q6_K", "q6_k"}} {
		t.Run(c.typ, func(t *testing.T) {
			m, err := LoadGGUF(filepath.Join(dir, "model-"+c.typ+".gguf"), 2, true)
			if err != nil {
				t.Fatal(err)
			}
			defer m.Close()
			if m.Head.DType() != c.head {
				t.Fatalf("the fast tier holds %s's output matrix as %s, want %s", c.typ, m.Head.DType(), c.head)
			}
			if worst := checkFastTier(t, m, dir, c.typ); worst > 0.01 {
				t.Errorf("%s: max |Δ| %.4f from the exact reference; the fast tier's K-quant activations keep it within 0.01", c.typ, worst)
			}
		})
	}
}

// TestGGUFQ8FastTier: Q8_0 files in the fast tier hold Q8_0 as stored, in
// panels (matrices whose width is whole super-blocks), and with two int8
// activation planes (int16 on AVX2 without AVX-VNNI) are within 0.01 of
// the exact reference.
func TestGGUFQ8FastTier(t *testing.T) {
	if !kernels.Q8PanelsNative() {
		t.Skip("no Q8_0 panel kernels in this kernel family: Q8_0 stays int8, exact")
	}
	dir := fixture.Dir("gguf-quant")
	m, err := LoadGGUF(filepath.Join(dir, "model-Q8_0.gguf"), 2, true)
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	if m.Head.DType() != "q8_0" {
		t.Fatalf("the fast tier holds Q8_0 as %s", m.Head.DType())
	}
	if worst := checkFastTier(t, m, dir, "Q8_0"); worst > 0.01 {
		t.Errorf("max |Δ| %.4f from the exact reference; the fast tier's Q8_0 activations keep it within 0.01", worst)
	}
}

// TestBF16FastTier: bf16 weights in the fast tier (activations rounded to
// bf16 before each matmul, where the kernel family has that tier) are no
// farther from the exact logits than llama.cpp is on the same file, and
// agree on the argmax as often.
func TestBF16FastTier(t *testing.T) {
	dir := fixture.Dir("gguf-tiny")
	m, err := LoadGGUF(filepath.Join(dir, "model-BF16.gguf"), 2, true)
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	m.UseFastTier()
	if !m.FastTier() {
		t.Skipf("the kernel family here (%s) has no fast tier for bf16", m.KernelInfo())
	}
	checkFastTier(t, m, dir, "BF16")
}

// checkFastTier holds m's logits on the fixture's cases against the
// reference computed exactly on the file's weights (of type typ): within
// 1.25 × llama.cpp's own distance from it, argmax agreement at least
// llama.cpp's. It returns the largest |Δ| of all cases.
func checkFastTier(t *testing.T, m *Model, dir, typ string) (worstAll float64) {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, "reference.json"))
	if err != nil {
		t.Fatal(err)
	}
	var ref struct {
		Cases []struct {
			IDs            []int32            `json:"ids"`
			RefLogits      map[string]string  `json:"ref_logits"`
			LlamaVsDequant map[string]float64 `json:"llama_vs_dequant_max_abs"`
			ArgmaxAgree    map[string]string  `json:"argmax_agree_llama_vs_dequant"`
		} `json:"cases"`
	}
	if err := json.Unmarshal(b, &ref); err != nil {
		t.Fatal(err)
	}
	for ci, c := range ref.Cases {
		if c.RefLogits[typ] == "" {
			continue // the fixture has no exact reference for this case
		}
		want := readLogits(t, filepath.Join(dir, c.RefLogits[typ]), len(c.IDs), m.Config.VocabSize)
		got := run(t, m, c.IDs, len(c.IDs))
		var worst float64
		agree := 0
		for p := range want {
			worst = max(worst, maxAbsDiff(got[p], want[p]))
			if argmax(got[p]) == argmax(want[p]) {
				agree++
			}
		}
		var llamaAgree, total int
		fmt.Sscanf(c.ArgmaxAgree[typ], "%d/%d", &llamaAgree, &total)
		worstAll = max(worstAll, worst)
		t.Logf("%s case %d: max |Δ| %.3f (llama.cpp %.3f), argmax %d/%d (llama.cpp %d)", typ, ci, worst, c.LlamaVsDequant[typ], agree, len(want), llamaAgree)
		if worst > 1.25*c.LlamaVsDequant[typ] || agree < llamaAgree {
			t.Errorf("%s case %d: max |Δ| %.3f against llama.cpp's %.3f; argmax %d/%d against llama.cpp's %d", typ, ci, worst, c.LlamaVsDequant[typ], agree, len(want), llamaAgree)
		}
	}
	return worstAll
}
