package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/pflag"

	"github.com/lfm2go/lfm2/internal/hub"
	"github.com/lfm2go/lfm2/internal/sample"
	"github.com/lfm2go/lfm2/internal/tokenizer"
)

// Model families, for the sampling settings Liquid recommends for each.
const (
	familyLFM2  = "LFM2"
	familyLFM25 = "LFM2.5"
)

// familyDefaults are Liquid's documented settings per family (model cards).
var familyDefaults = map[string]sample.Params{
	familyLFM2:  {Temperature: 0.3, MinP: 0.15, RepetitionPenalty: 1.05},
	familyLFM25: {Temperature: 0.1, TopK: 50, RepetitionPenalty: 1.05},
}

// modelDefaults are the sampling settings a model comes with: its
// generation_config.json where it sets them, else its family's.
type modelDefaults struct {
	family string
	p      sample.Params
	from   map[string]string // setting → where it came from
	eos    []int             // generation_config.json's eos_token_id (int or list)
}

// generationConfig is what lfm2 reads of generation_config.json.
type generationConfig struct {
	Temperature       *float32        `json:"temperature"`
	TopK              *int            `json:"top_k"`
	TopP              *float32        `json:"top_p"`
	MinP              *float32        `json:"min_p"`
	RepetitionPenalty *float32        `json:"repetition_penalty"`
	DoSample          *bool           `json:"do_sample"`
	EOS               json.RawMessage `json:"eos_token_id"`
}

// detectFamily tells LFM2.5 from LFM2: by the repo or folder name, or by
// the chat template (LFM2.5's use {% generation %} and preserve_thinking).
func detectFamily(src hub.Source, tok *tokenizer.Tokenizer) string {
	name := strings.ToLower(src.Dir + " " + src.Repo + " " + src.Synthetic)
	if strings.Contains(name, "lfm2.5") || strings.Contains(name, "lfm2_5") {
		return familyLFM25
	}
	if tok != nil && tok.ChatTemplate() != nil && tok.ChatTemplate().Uses("preserve_thinking") {
		return familyLFM25
	}
	return familyLFM2
}

// loadModelDefaults reads generation_config.json (when the model has one)
// over the family's settings.
func loadModelDefaults(src hub.Source, tok *tokenizer.Tokenizer) (modelDefaults, error) {
	d := modelDefaults{family: detectFamily(src, tok), from: map[string]string{}}
	d.p = familyDefaults[d.family]
	for _, k := range []string{"temperature", "top_k", "top_p", "min_p", "repetition_penalty"} {
		d.from[k] = d.family + " defaults"
	}
	if src.Dir == "" {
		return d, nil
	}
	path := filepath.Join(src.Dir, "generation_config.json")
	b, err := os.ReadFile(path)
	if os.IsNotExist(err) {
		return d, nil
	}
	if err != nil {
		return d, err
	}
	var gc generationConfig
	if err := json.Unmarshal(b, &gc); err != nil {
		return d, fmt.Errorf("%s: %w", path, err)
	}
	set := func(key string, ok bool, apply func()) {
		if ok {
			apply()
			d.from[key] = "generation_config.json"
		}
	}
	set("temperature", gc.Temperature != nil, func() { d.p.Temperature = *gc.Temperature })
	set("top_k", gc.TopK != nil, func() { d.p.TopK = *gc.TopK })
	set("top_p", gc.TopP != nil, func() { d.p.TopP = *gc.TopP })
	set("min_p", gc.MinP != nil, func() { d.p.MinP = *gc.MinP })
	set("repetition_penalty", gc.RepetitionPenalty != nil, func() { d.p.RepetitionPenalty = *gc.RepetitionPenalty })
	if gc.DoSample != nil && !*gc.DoSample && gc.Temperature == nil {
		d.p.Temperature = 0 // do_sample: false means greedy in transformers
		d.from["temperature"] = "generation_config.json (do_sample false)"
	}
	if len(gc.EOS) > 0 && string(gc.EOS) != "null" {
		var one int
		if json.Unmarshal(gc.EOS, &one) == nil {
			d.eos = []int{one}
		} else if err := json.Unmarshal(gc.EOS, &d.eos); err != nil {
			return d, fmt.Errorf("%s: eos_token_id must be an id or a list of ids", path)
		}
	}
	return d, nil
}

// flagFor maps a generation setting to its command-line flag.
var flagFor = map[string]string{"temperature": "temperature", "top_k": "top-k", "top_p": "top-p", "min_p": "min-p", "repetition_penalty": "repetition-penalty"}

// apply sets every sampling flag the user did not give from the model's
// defaults, and says where each setting came from.
func (f *samplingFlags) apply(fl *pflag.FlagSet, d modelDefaults) (from map[string]string) {
	from = map[string]string{}
	for key, flag := range flagFor {
		if fl.Changed(flag) {
			from[key] = "--" + flag
			continue
		}
		from[key] = d.from[key]
		switch key {
		case "temperature":
			f.p.Temperature = d.p.Temperature
		case "top_k":
			f.p.TopK = d.p.TopK
		case "top_p":
			f.p.TopP = d.p.TopP
			if f.p.TopP == 0 {
				f.p.TopP = 1
			}
		case "min_p":
			f.p.MinP = d.p.MinP
		case "repetition_penalty":
			f.p.RepetitionPenalty = d.p.RepetitionPenalty
			if f.p.RepetitionPenalty == 0 {
				f.p.RepetitionPenalty = 1
			}
		}
	}
	return from
}

// describe is the --verbose line about the sampling settings in force.
func (f *samplingFlags) describe(family string, from map[string]string) string {
	p := f.p
	line := fmt.Sprintf("lfm2: %s model; sampling temperature %g (%s), top_k %d (%s), top_p %g (%s), min_p %g (%s), repetition_penalty %g (%s)",
		family, p.Temperature, from["temperature"], p.TopK, from["top_k"], p.TopP, from["top_p"], p.MinP, from["min_p"], p.RepetitionPenalty, from["repetition_penalty"])
	if p.FrequencyPenalty != 0 || p.PresencePenalty != 0 {
		line += fmt.Sprintf(", frequency_penalty %g, presence_penalty %g (flags)", p.FrequencyPenalty, p.PresencePenalty)
	}
	return line
}
