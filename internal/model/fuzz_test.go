package model

import (
	"math"
	"testing"
)

// FuzzConfig: ParseConfig never panics, and whatever it accepts is a
// network that can be sized without overflow or NaN: positive, bounded
// sizes, a positive norm epsilon and RoPE base.
func FuzzConfig(f *testing.F) {
	for _, seed := range []string{
		`{` + base + `, "intermediate_size": 96}`,
		`{` + base + `, "block_ff_dim": 96, "block_ffn_dim_multiplier": null, "full_attn_idxs": [1, 3], "norm_eps": 1e-5, "rope_theta": 1000000}`,
		`{` + base + `, "intermediate_size": 96, "layer_types": ["conv", "full_attention", "conv", "conv"], "rope_parameters": {"rope_theta": 10000}}`,
		`{` + base + `, "intermediate_size": 96, "norm_eps": -1}`,
		`{` + base + `, "intermediate_size": 96, "rope_theta": 0}`,
		`{"vocab_size": 1, "hidden_size": 1000000000, "num_hidden_layers": 1000000000, "num_attention_heads": 1, "num_key_value_heads": 1, "intermediate_size": 1}`,
		`{` + base + `, "intermediate_size": 96, "head_dim": 3}`,
		`{` + base + `, "intermediate_size": 96, "eos_token_id": [7, 99999]}`,
		`[`, `null`, `{}`,
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, js string) {
		c, err := ParseConfig([]byte(js))
		if err != nil {
			return
		}
		if c.VocabSize < 1 || c.Hidden < 1 || c.NumLayers < 1 || c.Heads < 1 || c.KVHeads < 1 || c.HeadDim < 1 || c.FFN < 1 ||
			c.VocabSize > maxVocab || c.Hidden > maxHidden || c.NumLayers > maxLayers || c.FFN > maxFFN || c.HeadDim > maxHeadDim {
			t.Fatalf("accepted sizes out of range: %+v", c)
		}
		if !(c.NormEps > 0) || !(c.RopeTheta > 0) || math.IsInf(c.RopeTheta, 0) || len(c.Layers) != c.NumLayers {
			t.Fatalf("accepted values out of domain: %+v", c)
		}
		if n := c.ParamCount(); n <= 0 {
			t.Fatalf("parameter count %d", n)
		}
	})
}
