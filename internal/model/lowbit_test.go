package model

import (
	"path/filepath"
	"testing"

	"github.com/lfm2go/lfm2/internal/fixture"
	"github.com/lfm2go/lfm2/internal/gguf"
	"github.com/lfm2go/lfm2/internal/kernels"
)

// floatSource is a GGUF file's weights dequantized to float32 matrices: the
// model the file describes, computed by the float32 kernels.
type floatSource struct{ *ggufSource }

func (s floatSource) Matrix(name string, rows, cols int) (kernels.Mat, error) {
	f, _, err := s.Floats(name)
	if err != nil {
		return kernels.Mat{}, err
	}
	return kernels.NewMatF32(rows, cols, f)
}

// TestGGUFLowBitTypes: files of the types no kernel computes on as stored
// (llama-quantize's Q2_K mix, holding Q2_K, Q3_K and Q6_K tensors, and
// IQ4_XS) load from the file alone in both tiers, and their logits are
// within 1e-3 of the float32 model on their dequantized weights.
func TestGGUFLowBitTypes(t *testing.T) {
	ids := []int32{1, 114, 381, 566, 964, 647, 555, 54, 961, 456, 125, 42, 492, 942, 961, 388, 126, 42, 635, 961}
	for _, c := range []struct {
		file  string
		types []gguf.Type
	}{{"model-Q2_K.gguf", []gguf.Type{gguf.Q2_K, gguf.Q3_K}}, {"model-IQ4_XS.gguf", []gguf.Type{gguf.IQ4_XS}}} {
		t.Run(c.file, func(t *testing.T) {
			path := filepath.Join(fixture.Dir("gguf-lowbit"), c.file)
			g, err := gguf.Open(path)
			if err != nil {
				t.Fatal(err)
			}
			defer g.Close()
			seen := map[gguf.Type]bool{}
			for _, tn := range g.Tensors {
				seen[tn.Type] = true
			}
			for _, typ := range c.types {
				if !seen[typ] {
					t.Fatalf("the file holds no %s tensor", typ)
				}
			}
			cfg, err := ConfigFromGGUF(g)
			if err != nil {
				t.Fatal(err)
			}
			ref, err := fromSource(cfg, floatSource{newGGUFSource(g)}, 2)
			if err != nil {
				t.Fatal(err)
			}
			want := run(t, ref, ids, len(ids))
			for _, fast := range []bool{false, true} {
				m, err := LoadGGUF(path, 2, fast)
				if err != nil {
					t.Fatal(err)
				}
				got := run(t, m, ids, 7, len(ids)-7)
				for p := range want {
					if d := maxAbsDiff(got[p], want[p]); d > 1e-3 {
						t.Errorf("fast=%v position %d: max |Δlogit| %.2g from the dequantized model", fast, p, d)
					}
				}
				m.Close()
			}
		})
	}
}
