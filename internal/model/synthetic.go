package model

import (
	"embed"
	"encoding/binary"
	"fmt"
	"hash/fnv"
	"math"
	"sync"

	"github.com/lfm2go/lfm2/internal/kernels"
	"github.com/lfm2go/lfm2/internal/safetensors"
)

//go:embed presets/*.json
var presets embed.FS

// presetFiles maps each synthetic preset to its config.json: the published
// config of the model it is named after (LFM2.5-350M and LFM2.5-1.2B share
// the shapes of LFM2-350M and LFM2-1.2B), and "tiny", a 6-layer, 64-wide model.
var presetFiles = map[string]string{
	"350m":        "lfm2-350m.json",
	"700m":        "lfm2-700m.json",
	"1.2b":        "lfm2-1.2b.json",
	"2.6b":        "lfm2-2.6b.json",
	"lfm2.5-230m": "lfm2.5-230m.json",
	"lfm2.5-350m": "lfm2-350m.json",
	"lfm2.5-1.2b": "lfm2-1.2b.json",
	"lfm2.5-2.6b": "lfm2.5-2.6b.json",
	"tiny":        "tiny.json",
}

// SyntheticPresets names the shapes Synthetic can build.
var SyntheticPresets = []string{"350m", "700m", "1.2b", "2.6b", "lfm2.5-230m", "lfm2.5-350m", "lfm2.5-1.2b", "lfm2.5-2.6b", "tiny"}

// PresetConfig returns the config.json of a preset.
func PresetConfig(preset string) ([]byte, error) {
	name := presetFiles[preset]
	if name == "" {
		return nil, fmt.Errorf("unknown synthetic preset %q (have %v)", preset, SyntheticPresets)
	}
	return presets.ReadFile("presets/" + name)
}

// Synthetic builds a random-weight model with a preset's exact shapes, in
// bf16 (or f32 when f32 is set), from a seed: the same seed gives the same
// weights. Speed does not depend on weight values, so this is what
// benchmarks and a fresh machine run on.
func Synthetic(preset string, seed uint64, f32 bool, threads int) (*Model, error) {
	js, err := PresetConfig(preset)
	if err != nil {
		return nil, err
	}
	cfg, err := ParseConfig(js)
	if err != nil {
		return nil, fmt.Errorf("preset %s: %w", preset, err)
	}
	specs := syntheticSpecs(cfg)
	tensors := make([]*safetensors.Tensor, len(specs))
	frees := make([]func(), len(specs))
	var wg sync.WaitGroup
	sem := make(chan struct{}, max(threads, 2))
	for i, s := range specs {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			tensors[i], frees[i] = s.generate(seed, f32)
			<-sem
		}()
	}
	wg.Wait()
	freeAll := func() error {
		for _, f := range frees {
			f()
		}
		return nil
	}
	m, err := FromCheckpoint(cfg, safetensors.FromTensors(tensors), threads)
	if err != nil {
		freeAll()
		return nil, err
	}
	m.closer = freeAll
	return m, nil
}

type tensorSpec struct {
	name  string
	shape []int
	scale float32 // half-width of the uniform distribution; 0 means all ones
}

// syntheticSpecs lists every tensor the checkpoint of cfg holds.
func syntheticSpecs(cfg *Config) []tensorSpec {
	d := cfg.dims()
	D, ff, q, kv, hd := d["hidden"], d["ff"], d["q"], d["kv"], d["head"]
	// Uniform(-a, a) with a = √3·σ; σ = 0.02 as in LFM2's initializer.
	a := float32(math.Sqrt(3) * 0.02)
	specs := []tensorSpec{
		{"model.embed_tokens.weight", []int{cfg.VocabSize, D}, a},
		{"model.embedding_norm.weight", []int{D}, 0},
	}
	if !cfg.TiedHead {
		specs = append(specs, tensorSpec{"lm_head.weight", []int{cfg.VocabSize, D}, a})
	}
	for i, kind := range cfg.Layers {
		p := fmt.Sprintf("model.layers.%d.", i)
		specs = append(specs,
			tensorSpec{p + "operator_norm.weight", []int{D}, 0},
			tensorSpec{p + "ffn_norm.weight", []int{D}, 0},
			tensorSpec{p + "feed_forward.w1.weight", []int{ff, D}, a},
			tensorSpec{p + "feed_forward.w3.weight", []int{ff, D}, a},
			tensorSpec{p + "feed_forward.w2.weight", []int{D, ff}, a},
		)
		if kind == ConvLayer {
			specs = append(specs,
				tensorSpec{p + "conv.in_proj.weight", []int{3 * D, D}, a},
				tensorSpec{p + "conv.conv.weight", []int{D, 1, cfg.ConvL}, 0.5},
				tensorSpec{p + "conv.out_proj.weight", []int{D, D}, a},
			)
		} else {
			specs = append(specs,
				tensorSpec{p + "self_attn.q_proj.weight", []int{q, D}, a},
				tensorSpec{p + "self_attn.k_proj.weight", []int{kv, D}, a},
				tensorSpec{p + "self_attn.v_proj.weight", []int{kv, D}, a},
				tensorSpec{p + "self_attn.out_proj.weight", []int{D, q}, a},
				tensorSpec{p + "self_attn.q_layernorm.weight", []int{hd}, 0},
				tensorSpec{p + "self_attn.k_layernorm.weight", []int{hd}, 0},
			)
		}
	}
	return specs
}

// generate fills the tensor from a SplitMix64 stream seeded by the seed and
// the tensor's name, so tensors can be made in any order or in parallel.
func (s tensorSpec) generate(seed uint64, f32 bool) (*safetensors.Tensor, func()) {
	n := product(s.shape)
	h := fnv.New64a()
	h.Write([]byte(s.name))
	state := seed ^ h.Sum64()
	value := func() float32 {
		if s.scale == 0 {
			return 1
		}
		state += 0x9e3779b97f4a7c15
		z := state
		z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
		z = (z ^ (z >> 27)) * 0x94d049bb133111eb
		z ^= z >> 31
		u := float32(z>>40) / float32(1<<24) // [0, 1)
		return (2*u - 1) * s.scale
	}
	if f32 {
		data, free := offHeap(4 * n)
		for i := 0; i < n; i++ {
			binary.LittleEndian.PutUint32(data[4*i:], math.Float32bits(value()))
		}
		return safetensors.NewTensor(s.name, safetensors.F32, s.shape, data), free
	}
	data, free := offHeap(2 * n)
	for i := 0; i < n; i++ {
		binary.LittleEndian.PutUint16(data[2*i:], kernels.F32ToBF16(value()))
	}
	return safetensors.NewTensor(s.name, safetensors.BF16, s.shape, data), free
}
