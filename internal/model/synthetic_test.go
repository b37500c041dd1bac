package model

import "testing"

func TestSynthetic350mShapes(t *testing.T) {
	if testing.Short() {
		t.Skip("builds 709 MB of weights")
	}
	m, err := Synthetic("350m", 1, false, 2)
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	cfg, _ := PresetConfig("350m")
	c, _ := ParseConfig(cfg)
	specs := syntheticSpecs(c)
	var params int
	for _, s := range specs {
		params += product(s.shape)
	}
	// The model card's count and tensor count (SPEC §2.3).
	if len(specs) != 148 || params != 354483968 {
		t.Fatalf("%d tensors, %d params", len(specs), params)
	}
}

func TestSyntheticDeterministic(t *testing.T) {
	a, err := Synthetic("tiny", 7, false, 2)
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	b, _ := Synthetic("tiny", 7, false, 1)
	defer b.Close()
	c, _ := Synthetic("tiny", 8, false, 1)
	defer c.Close()
	ra := run(t, a, []int32{1, 2, 3}, 3)
	rb := run(t, b, []int32{1, 2, 3}, 3)
	rc := run(t, c, []int32{1, 2, 3}, 3)
	if maxAbsDiff(ra[2], rb[2]) != 0 {
		t.Fatal("same seed gave different logits")
	}
	if maxAbsDiff(ra[2], rc[2]) == 0 {
		t.Fatal("different seeds gave the same logits")
	}
}

// Every preset is its model's published config: it parses, and its shapes
// give the parameter count the model card states.
func TestPresetConfigs(t *testing.T) {
	want := map[string]struct {
		params   float64 // model card, in billions
		ffn      int
		layers   int
		attn     int
		headDim  int
		tiedHead bool
	}{
		"350m":        {0.354, 4608, 16, 6, 64, true},
		"700m":        {0.742, 6912, 16, 6, 64, true},
		"1.2b":        {1.17, 8192, 16, 6, 64, true},
		"2.6b":        {2.57, 10752, 30, 8, 64, true},
		"lfm2.5-230m": {0.23, 2560, 14, 6, 64, true},
		"lfm2.5-350m": {0.354, 4608, 16, 6, 64, true},
		"lfm2.5-1.2b": {1.17, 8192, 16, 6, 64, true},
		// block_auto_adjust_ff_dim false: the FFN width is taken as given.
		// (No card count to compare: params 0 skips that check.)
		"lfm2.5-2.6b": {0, 10752, 30, 8, 64, true},
	}
	for _, name := range SyntheticPresets {
		js, err := PresetConfig(name)
		if err != nil {
			t.Fatal(err)
		}
		c, err := ParseConfig(js)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		w, ok := want[name]
		if !ok {
			continue
		}
		got := float64(c.ParamCount()) / 1e9
		if w.params > 0 && (got < w.params*0.97 || got > w.params*1.03) || c.FFN != w.ffn || c.NumLayers != w.layers || c.Count(AttnLayer) != w.attn || c.HeadDim != w.headDim || c.TiedHead != w.tiedHead {
			t.Errorf("%s: %.3fB params, FFN %d, %d layers (%d attention), head_dim %d, tied %v", name, got, c.FFN, c.NumLayers, c.Count(AttnLayer), c.HeadDim, c.TiedHead)
		}
	}
}

// PrefillFLOPs counts every layer's matrices for each token and the LM
// head once, from the architecture's shapes (not from the matrices it
// sums): a conv layer's in_proj (3D×D) and out_proj, an attention layer's
// q, k, v, o, every layer's three FFN matrices, and the V×D head.
func TestPrefillFLOPs(t *testing.T) {
	for _, preset := range []string{"tiny", "350m"} {
		raw, _ := PresetConfig(preset)
		c, err := ParseConfig(raw)
		if err != nil {
			t.Fatal(err)
		}
		D, q, kv := int64(c.Hidden), int64(c.Heads*c.HeadDim), int64(c.KVHeads*c.HeadDim)
		var perToken int64
		for _, k := range c.Layers {
			if k == ConvLayer {
				perToken += 3*D*D + D*D
			} else {
				perToken += D*q + 2*D*kv + q*D
			}
			perToken += 3 * D * int64(c.FFN)
		}
		if preset == "350m" && 2*perToken != 574619648 {
			t.Fatalf("350m: %d FLOP a token in the layers, want 574619648 (0.575 GFLOP)", 2*perToken)
		}
		if testing.Short() && preset != "tiny" {
			continue
		}
		m, err := Synthetic(preset, 1, false, 2)
		if err != nil {
			t.Fatal(err)
		}
		for _, tokens := range []int{1, 7, 512} {
			want := 2 * (int64(tokens)*perToken + int64(c.VocabSize)*D)
			if got := m.PrefillFLOPs(tokens); got != want {
				t.Errorf("%s, %d tokens: %d FLOP, want %d", preset, tokens, got, want)
			}
		}
		m.Close()
	}
}
