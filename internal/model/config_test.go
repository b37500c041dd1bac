package model

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestPublishedConfig(t *testing.T) {
	c, err := LoadConfig(filepath.Join("..", "..", "testdata", "lfm2-350m", "config.json"))
	if err != nil {
		t.Fatal(err)
	}
	if c.FFN != 4608 || c.HeadDim != 64 || !c.TiedHead || c.RopeTheta != 1e6 || c.KVHeads != 8 {
		t.Fatalf("resolved %+v", c)
	}
	var attn []int
	for i, k := range c.Layers {
		if k == AttnLayer {
			attn = append(attn, i)
		}
	}
	if len(attn) != 6 || attn[0] != 2 || attn[5] != 14 {
		t.Fatalf("attention layers %v", attn)
	}
	if !c.IsEOS(7) || c.IsEOS(2) || c.BOS != 1 {
		t.Fatalf("special ids bos=%d eos=%v", c.BOS, c.EOS)
	}
}

const base = `"vocab_size": 100, "hidden_size": 64, "num_hidden_layers": 4, "num_attention_heads": 4, "num_key_value_heads": 2`

func TestConfigAliases(t *testing.T) {
	cases := []struct {
		name  string
		json  string
		check func(c *Config) bool
	}{
		{"block_ff_dim beats intermediate_size", `{` + base + `, "block_ff_dim": 256, "intermediate_size": 999, "block_multiple_of": 32}`,
			func(c *Config) bool { return c.FFN == 192 }},
		{"intermediate_size alone", `{` + base + `, "intermediate_size": 320, "block_multiple_of": 32}`,
			func(c *Config) bool { return c.FFN == 224 }},
		{"null multiplier does not round (HF)", `{` + base + `, "intermediate_size": 320, "block_ffn_dim_multiplier": null}`,
			func(c *Config) bool { return c.FFN == 213 }},
		{"no auto adjust", `{` + base + `, "intermediate_size": 320, "block_auto_adjust_ff_dim": false}`,
			func(c *Config) bool { return c.FFN == 320 }},
		{"layer_types beats full_attn_idxs", `{` + base + `, "intermediate_size": 96, "layer_types": ["conv","full_attention","conv","conv"], "full_attn_idxs": [0]}`,
			func(c *Config) bool { return c.Layers[1] == AttnLayer && c.Layers[0] == ConvLayer }},
		{"null layer_types falls back", `{` + base + `, "intermediate_size": 96, "layer_types": null, "full_attn_idxs": [3]}`,
			func(c *Config) bool { return c.Layers[3] == AttnLayer && c.Count(AttnLayer) == 1 }},
		{"neither: all attention", `{` + base + `, "intermediate_size": 96}`,
			func(c *Config) bool { return c.Count(AttnLayer) == 4 }},
		{"tie_embedding beats tie_word_embeddings", `{` + base + `, "intermediate_size": 96, "tie_embedding": false, "tie_word_embeddings": true}`,
			func(c *Config) bool { return !c.TiedHead }},
		{"tie default true", `{` + base + `, "intermediate_size": 96}`,
			func(c *Config) bool { return c.TiedHead }},
		{"rope_parameters beats rope_theta", `{` + base + `, "intermediate_size": 96, "rope_parameters": {"rope_theta": 5000.0, "rope_type": "default"}, "rope_theta": 7.0}`,
			func(c *Config) bool { return c.RopeTheta == 5000 }},
		{"theta alias", `{` + base + `, "intermediate_size": 96, "theta": 42.0}`,
			func(c *Config) bool { return c.RopeTheta == 42 }},
		{"head_dim explicit", `{` + base + `, "intermediate_size": 96, "head_dim": 32}`,
			func(c *Config) bool { return c.HeadDim == 32 }},
		{"eos list", `{` + base + `, "intermediate_size": 96, "eos_token_id": [2, 7]}`,
			func(c *Config) bool { return c.IsEOS(2) && c.IsEOS(7) }},
		{"dtype new key", `{` + base + `, "intermediate_size": 96, "dtype": "float32", "torch_dtype": "bfloat16"}`,
			func(c *Config) bool { return c.DType == "float32" }},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c, err := ParseConfig([]byte(tc.json))
			if err != nil {
				t.Fatal(err)
			}
			if !tc.check(c) {
				t.Fatalf("resolved %+v", c)
			}
		})
	}
}

func TestConfigErrors(t *testing.T) {
	cases := []struct{ json, want string }{
		{`{"hidden_size": 64, "num_hidden_layers": 4, "num_attention_heads": 4, "num_key_value_heads": 2, "intermediate_size": 96}`, `missing field "vocab_size"`},
		{`{` + base + `}`, `missing field "block_ff_dim" (or "intermediate_size")`},
		{`{` + base + `, "intermediate_size": 96, "model_type": "llama"}`, `model_type is "llama"; lfm2 runs LFM2 models`},
		{`{` + base + `, "intermediate_size": 96, "layer_types": ["conv"]}`, "layer_types has 1 entries"},
		{`{` + base + `, "intermediate_size": 96, "layer_types": ["conv","mamba","conv","conv"]}`, `layer_types[1] is "mamba"`},
		{`{` + base + `, "intermediate_size": 96, "full_attn_idxs": [9]}`, "full_attn_idxs has 9"},
		{`{` + base + `, "intermediate_size": 96, "conv_bias": true}`, "conv_bias"},
		{`{` + base + `, "intermediate_size": "big"}`, `field "intermediate_size"`},
		{`{"vocab_size": 100, "hidden_size": 64, "num_hidden_layers": 4, "num_attention_heads": 4, "num_key_value_heads": 3, "intermediate_size": 96}`, "not a multiple"},
		{`[`, "not a JSON object"},
		{`{"model_type": "lfm2_vl", "text_config": {}}`, "LFM2-VL vision-language model"},
		{`{"model_type": "lfm2-vl"}`, "LFM2-VL"},
		{`{"model_type": "lfm2_moe", "num_experts": 32}`, "mixture-of-experts"},
		{`{` + base + `, "intermediate_size": 96, "num_experts": 4}`, "mixture-of-experts"},
		{`{"model_type": "lfm2_audio"}`, "LFM2-Audio"},
		{`{"model_type": "qwen2"}`, "lfm2 runs LFM2 models"},
		{`{` + base + `, "intermediate_size": 96, "norm_eps": -1}`, "norm_eps -1 must be a positive number"},
		{`{` + base + `, "intermediate_size": 96, "norm_eps": 0}`, "norm_eps 0 must be a positive number"},
		{`{` + base + `, "intermediate_size": 96, "rope_theta": 0}`, "rope_theta 0 must be a positive number"},
		{`{` + base + `, "intermediate_size": 96, "rope_parameters": {"rope_theta": -5}}`, "rope_theta -5 must be a positive number"},
		{`{"vocab_size": 100, "hidden_size": 64, "num_hidden_layers": 1000000000, "num_attention_heads": 4, "num_key_value_heads": 2, "intermediate_size": 96}`, `field "num_hidden_layers" is 1000000000, over the limit`},
		{`{"vocab_size": 100000000, "hidden_size": 64, "num_hidden_layers": 4, "num_attention_heads": 4, "num_key_value_heads": 2, "intermediate_size": 96}`, `field "vocab_size" is 100000000, over the limit`},
		{`{` + base + `, "intermediate_size": 96, "eos_token_id": 100}`, "special token id 100 is outside the vocabulary"},
		{`{` + base + `, "intermediate_size": 96, "max_position_embeddings": 0}`, "max_position_embeddings 0 must be positive"},
		{`{"vocab_size": 100, "hidden_size": 64, "num_hidden_layers": 4, "num_attention_heads": 2, "num_key_value_heads": 4, "intermediate_size": 96}`, "more than num_attention_heads"},
	}
	for _, tc := range cases {
		_, err := ParseConfig([]byte(tc.json))
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: err = %v, want %q", tc.json, err, tc.want)
		}
	}
}

func TestLoadConfigNamesFile(t *testing.T) {
	p := filepath.Join(t.TempDir(), "config.json")
	os.WriteFile(p, []byte(`{"hidden_size": 8}`), 0o644)
	_, err := LoadConfig(p)
	if err == nil || !strings.Contains(err.Error(), p) || !strings.Contains(err.Error(), "vocab_size") {
		t.Fatalf("err = %v", err)
	}
}
