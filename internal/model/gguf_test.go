package model

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
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
		dir := fixtureDir(fx)
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
				m, err := LoadGGUF(filepath.Join(dir, file), 2)
				if err != nil {
					t.Fatal(err)
				}
				defer m.Close()
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
	src, err := os.ReadFile(filepath.Join(fixtureDir("gguf-tiny"), "model-Q8_0.gguf"))
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
	if _, err := LoadGGUF(p, 1); err == nil || !strings.Contains(err.Error(), `architecture is "qwen"`) || !strings.Contains(err.Error(), "lfm2 runs LFM2 models") {
		t.Fatalf("err = %v", err)
	}
}

// --dtype q8_0 / q4_0 quantize with llama.cpp's rules: quantizing the BF16
// source at load gives exactly the model llama-quantize's file gives.
func TestQuantizeAtLoadEqualsLlamaQuantize(t *testing.T) {
	dir := fixtureDir("gguf-quant")
	ids := []int32{1, 20, 300, 4, 55, 600, 7, 80}
	for _, c := range []struct{ format, file string }{{"q8_0", "model-Q8_0.gguf"}, {"q4_0", "model-Q4_0.gguf"}} {
		src, err := LoadGGUF(filepath.Join(dir, "model-BF16.gguf"), 2)
		if err != nil {
			t.Fatal(err)
		}
		if err := src.Quantize(c.format); err != nil {
			t.Fatal(err)
		}
		file, err := LoadGGUF(filepath.Join(dir, c.file), 2)
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
