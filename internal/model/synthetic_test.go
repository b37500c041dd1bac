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
