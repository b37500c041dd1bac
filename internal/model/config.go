// Package model is the LFM2 network: its configuration (Hugging Face
// config.json with every alias), weight binding by tensor name, and the
// forward pass over a ragged batch.
package model

import (
	"encoding/json"
	"fmt"
	"math"
	"os"
	"strings"
)

// LayerKind says which mixer a decoder layer has.
type LayerKind int

const (
	ConvLayer LayerKind = iota // gated short convolution
	AttnLayer                  // grouped-query attention
)

func (k LayerKind) String() string {
	if k == AttnLayer {
		return "full_attention"
	}
	return "conv"
}

// Config is what the engine needs of config.json, after aliases and
// defaults are resolved (SPEC §1.2, §1.3).
type Config struct {
	VocabSize    int
	Hidden       int
	NumLayers    int
	Heads        int
	KVHeads      int
	HeadDim      int
	FFN          int // feed-forward width actually used
	Layers       []LayerKind
	ConvL        int // conv kernel taps (conv_L_cache)
	NormEps      float32
	RopeTheta    float64
	TiedHead     bool
	BOS          int
	EOS          []int
	Pad          int
	MaxPositions int
	DType        string // storage dtype declared by the config (informational)
}

// LoadConfig reads and resolves a config.json.
func LoadConfig(path string) (*Config, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read config: %w", err)
	}
	c, err := ParseConfig(b)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return c, nil
}

// fields is config.json as a map, so that presence and null can be told apart.
type fields map[string]json.RawMessage

// has reports whether key is present and not null.
func (f fields) has(key string) bool {
	v, ok := f[key]
	return ok && strings.TrimSpace(string(v)) != "null"
}

// get decodes key into dst when present and not null; ok says whether it was.
func (f fields) get(key string, dst any) (ok bool, err error) {
	if !f.has(key) {
		return false, nil
	}
	if err := json.Unmarshal(f[key], dst); err != nil {
		return true, fmt.Errorf("field %q: %w", key, err)
	}
	return true, nil
}

// ParseConfig resolves an LFM2 config.json.
func ParseConfig(data []byte) (*Config, error) {
	var f fields
	if err := json.Unmarshal(data, &f); err != nil {
		return nil, fmt.Errorf("config is not a JSON object: %w", err)
	}
	var mt string
	if _, err := f.get("model_type", &mt); err != nil {
		return nil, err
	}
	if err := refuseOtherKinds(mt, f); err != nil {
		return nil, err
	}
	c := &Config{}
	var errs []string
	need := func(key string, dst *int) {
		ok, err := f.get(key, dst)
		switch {
		case err != nil:
			errs = append(errs, err.Error())
		case !ok:
			errs = append(errs, fmt.Sprintf("missing field %q", key))
		case *dst <= 0:
			errs = append(errs, fmt.Sprintf("field %q must be positive, got %d", key, *dst))
		}
	}
	opt := func(key string, dst any) {
		if _, err := f.get(key, dst); err != nil {
			errs = append(errs, err.Error())
		}
	}
	need("vocab_size", &c.VocabSize)
	need("hidden_size", &c.Hidden)
	need("num_hidden_layers", &c.NumLayers)
	need("num_attention_heads", &c.Heads)
	need("num_key_value_heads", &c.KVHeads)

	// FFN raw width: block_ff_dim wins over intermediate_size.
	var ff int
	switch {
	case f.has("block_ff_dim"):
		opt("block_ff_dim", &ff)
	case f.has("intermediate_size"):
		opt("intermediate_size", &ff)
	default:
		errs = append(errs, `missing field "block_ff_dim" (or "intermediate_size")`)
	}
	autoAdjust := true
	opt("block_auto_adjust_ff_dim", &autoAdjust)
	// HF's default multiplier is 1.0; only an explicit null skips the rounding.
	one := 1.0
	multiplier := &one
	if _, present := f["block_ffn_dim_multiplier"]; present {
		multiplier = nil
		opt("block_ffn_dim_multiplier", &multiplier)
	}
	multipleOf := 256
	opt("block_multiple_of", &multipleOf)
	c.FFN = ffnWidth(ff, autoAdjust, multiplier, multipleOf)

	c.ConvL = 3
	opt("conv_L_cache", &c.ConvL)
	var convBias bool
	opt("conv_bias", &convBias)
	if convBias {
		errs = append(errs, `"conv_bias": true is not supported (no published LFM2 checkpoint uses it)`)
	}
	eps := 1e-5
	opt("norm_eps", &eps)
	c.NormEps = float32(eps)

	// RoPE base: rope_parameters.rope_theta, else rope_theta, else theta, else 1e6.
	c.RopeTheta = 1e6
	var rp struct {
		RopeTheta *float64 `json:"rope_theta"`
		RopeType  string   `json:"rope_type"`
	}
	if ok, err := f.get("rope_parameters", &rp); err != nil {
		errs = append(errs, err.Error())
	} else if ok && rp.RopeTheta != nil {
		c.RopeTheta = *rp.RopeTheta
		if rp.RopeType != "" && rp.RopeType != "default" {
			errs = append(errs, fmt.Sprintf("rope_parameters.rope_type %q is not supported (only default RoPE)", rp.RopeType))
		}
	} else if f.has("rope_theta") {
		opt("rope_theta", &c.RopeTheta)
	} else if f.has("theta") {
		opt("theta", &c.RopeTheta)
	}
	if f.has("rope_scaling") {
		var rs map[string]any
		opt("rope_scaling", &rs)
		if t, _ := rs["rope_type"].(string); t != "" && t != "default" {
			errs = append(errs, fmt.Sprintf("rope_scaling type %q is not supported", t))
		}
	}

	// Tied head: tie_embedding wins, else tie_word_embeddings, else true.
	c.TiedHead = true
	if f.has("tie_embedding") {
		opt("tie_embedding", &c.TiedHead)
	} else {
		opt("tie_word_embeddings", &c.TiedHead)
	}

	c.BOS, c.Pad = 1, 0
	opt("bos_token_id", &c.BOS)
	opt("pad_token_id", &c.Pad)
	c.EOS = []int{7}
	if f.has("eos_token_id") {
		var one int
		if err := json.Unmarshal(f["eos_token_id"], &one); err == nil {
			c.EOS = []int{one}
		} else {
			opt("eos_token_id", &c.EOS)
		}
	}
	c.MaxPositions = 128000
	opt("max_position_embeddings", &c.MaxPositions)
	c.DType = "bfloat16"
	if f.has("dtype") {
		opt("dtype", &c.DType)
	} else {
		opt("torch_dtype", &c.DType)
	}

	errs = append(errs, c.checkDomains()...)
	if len(errs) == 0 {
		errs = append(errs, c.resolveLayers(f)...)
	}
	if len(errs) == 0 {
		c.HeadDim = c.Hidden / c.Heads
		if f.has("head_dim") {
			opt("head_dim", &c.HeadDim)
		}
		switch {
		case c.Heads%c.KVHeads != 0:
			errs = append(errs, fmt.Sprintf("num_attention_heads %d is not a multiple of num_key_value_heads %d", c.Heads, c.KVHeads))
		case c.HeadDim <= 0 || c.HeadDim%2 != 0:
			errs = append(errs, fmt.Sprintf("head_dim %d must be positive and even", c.HeadDim))
		case c.FFN <= 0:
			errs = append(errs, fmt.Sprintf("feed-forward width resolves to %d", c.FFN))
		case c.ConvL < 1:
			errs = append(errs, fmt.Sprintf("conv_L_cache %d must be at least 1", c.ConvL))
		case c.HeadDim > maxHeadDim:
			errs = append(errs, fmt.Sprintf("head_dim %d is over %d", c.HeadDim, maxHeadDim))
		case c.FFN > maxFFN:
			errs = append(errs, fmt.Sprintf("feed-forward width %d is over %d", c.FFN, maxFFN))
		}
	}
	if len(errs) > 0 {
		return nil, fmt.Errorf("config: %s", strings.Join(errs, "; "))
	}
	return c, nil
}

// Bounds on sizes, far above any LFM2 model (the largest dense one has
// hidden 2048, 30 layers, vocab 65536), so that a corrupt or hostile
// config.json is refused before the memory it implies is allocated.
const (
	maxVocab     = 1 << 22
	maxHidden    = 1 << 16
	maxLayers    = 1024
	maxHeads     = 1024
	maxHeadDim   = 1024
	maxFFN       = 1 << 18
	maxConvL     = 64
	maxPositions = 1 << 24
)

// checkDomains refuses values outside their mathematical domain (they would
// run and silently produce NaN) or above the size bounds.
func (c *Config) checkDomains() []string {
	var errs []string
	bound := func(name string, v, hi int) {
		if v > hi {
			errs = append(errs, fmt.Sprintf("field %q is %d, over the limit %d", name, v, hi))
		}
	}
	bound("vocab_size", c.VocabSize, maxVocab)
	bound("hidden_size", c.Hidden, maxHidden)
	bound("num_hidden_layers", c.NumLayers, maxLayers)
	bound("num_attention_heads", c.Heads, maxHeads)
	bound("num_key_value_heads", c.KVHeads, maxHeads)
	bound("conv_L_cache", c.ConvL, maxConvL)
	bound("max_position_embeddings", c.MaxPositions, maxPositions)
	if c.KVHeads > c.Heads {
		errs = append(errs, fmt.Sprintf("num_key_value_heads %d is more than num_attention_heads %d", c.KVHeads, c.Heads))
	}
	eps := float64(c.NormEps)
	if !(eps > 0) || math.IsInf(eps, 0) {
		errs = append(errs, fmt.Sprintf("norm_eps %v must be a positive number", c.NormEps))
	}
	if !(c.RopeTheta > 0) || math.IsInf(c.RopeTheta, 0) {
		errs = append(errs, fmt.Sprintf("rope_theta %v must be a positive number", c.RopeTheta))
	}
	if c.MaxPositions < 1 {
		errs = append(errs, fmt.Sprintf("max_position_embeddings %d must be positive", c.MaxPositions))
	}
	for _, id := range append([]int{c.BOS}, c.EOS...) {
		if id < 0 || id >= max(c.VocabSize, 1) {
			errs = append(errs, fmt.Sprintf("special token id %d is outside the vocabulary (vocab_size %d)", id, c.VocabSize))
			break
		}
	}
	return errs
}

// ParamCount is the number of weights the config implies (a tied head
// counted once): what a checkpoint for it must hold.
func (c *Config) ParamCount() int64 {
	h, v, ff := int64(c.Hidden), int64(c.VocabSize), int64(c.FFN)
	q, kv, hd := int64(c.Heads*c.HeadDim), int64(c.KVHeads*c.HeadDim), int64(c.HeadDim)
	n := v*h + h // embedding, final norm
	if !c.TiedHead {
		n += v * h
	}
	for _, k := range c.Layers {
		n += 2*h + 3*h*ff // two norms, w1 w2 w3
		if k == ConvLayer {
			n += 3*h*h + h*h + h*int64(c.ConvL)
		} else {
			n += h*q + 2*h*kv + q*h + 2*hd
		}
	}
	return n
}

// refuseOtherKinds names the LFM2 relatives this engine does not run
// (vision, audio, mixture of experts) and any other architecture.
func refuseOtherKinds(modelType string, f fields) error {
	kind := ""
	switch strings.ReplaceAll(strings.ToLower(modelType), "-", "_") {
	case "", "lfm2":
		switch {
		case f.has("num_experts") || f.has("num_experts_per_tok"):
			kind = "an LFM2 mixture-of-experts model (LFM2-8B-A1B, LFM2-24B-A2B)"
		case f.has("vision_config") || f.has("text_config"):
			kind = "an LFM2-VL vision-language model"
		}
	case "lfm2_moe":
		kind = "an LFM2 mixture-of-experts model (LFM2-8B-A1B, LFM2-24B-A2B)"
	case "lfm2_vl":
		kind = "an LFM2-VL vision-language model"
	case "lfm2_audio", "liquid_audio", "lfm2_5_audio":
		kind = "an LFM2-Audio model"
	default:
		return fmt.Errorf("model_type is %q; lfm2 runs LFM2 models (the dense text models LFM2 and LFM2.5)", modelType)
	}
	if kind != "" {
		return fmt.Errorf("this is %s, which lfm2 does not run yet: it runs the dense text models (LFM2-350M, -700M, -1.2B, -2.6B, LFM2.5-230M, -350M, -1.2B and their fine-tunes)", kind)
	}
	return nil
}

// ffnWidth applies HF Lfm2MLP's rule: with auto-adjust, take 2/3 of the raw
// width, scale by the multiplier and round up to multiple_of (HF rounds only
// when a multiplier is given).
func ffnWidth(ff int, autoAdjust bool, multiplier *float64, multipleOf int) int {
	if !autoAdjust {
		return ff
	}
	ff = int(2 * float64(ff) / 3)
	if multiplier != nil {
		ff = int(*multiplier * float64(ff))
		if multipleOf > 0 {
			ff = multipleOf * int(math.Ceil(float64(ff)/float64(multipleOf)))
		}
	}
	return ff
}

// resolveLayers builds the layer schedule: layer_types when present, else
// full_attn_idxs, else every layer attention (HF's rule).
func (c *Config) resolveLayers(f fields) []string {
	c.Layers = make([]LayerKind, c.NumLayers)
	if f.has("layer_types") {
		var types []string
		if _, err := f.get("layer_types", &types); err != nil {
			return []string{err.Error()}
		}
		if len(types) != c.NumLayers {
			return []string{fmt.Sprintf("layer_types has %d entries but num_hidden_layers is %d", len(types), c.NumLayers)}
		}
		for i, t := range types {
			switch t {
			case "conv":
				c.Layers[i] = ConvLayer
			case "full_attention":
				c.Layers[i] = AttnLayer
			default:
				return []string{fmt.Sprintf("layer_types[%d] is %q; want \"conv\" or \"full_attention\"", i, t)}
			}
		}
		return nil
	}
	if f.has("full_attn_idxs") {
		var idxs []int
		if _, err := f.get("full_attn_idxs", &idxs); err != nil {
			return []string{err.Error()}
		}
		for _, i := range idxs {
			if i < 0 || i >= c.NumLayers {
				return []string{fmt.Sprintf("full_attn_idxs has %d, outside 0..%d", i, c.NumLayers-1)}
			}
			c.Layers[i] = AttnLayer
		}
		return nil
	}
	for i := range c.Layers {
		c.Layers[i] = AttnLayer
	}
	return nil
}

// Count returns how many layers are of kind k.
func (c *Config) Count(k LayerKind) int {
	n := 0
	for _, l := range c.Layers {
		if l == k {
			n++
		}
	}
	return n
}

// IsEOS reports whether id ends generation.
func (c *Config) IsEOS(id int) bool {
	for _, e := range c.EOS {
		if e == id {
			return true
		}
	}
	return false
}
