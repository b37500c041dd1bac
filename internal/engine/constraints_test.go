package engine

import (
	"fmt"
	"testing"

	"github.com/lfm2go/lfm2/internal/grammar"
)

// TestCompiledGrammarsStayInBudget: distinct schemas compiled one after
// another are kept only while their footprints fit the cache's budget;
// the cache starts over past it, and a kept schema is found again.
func TestCompiledGrammarsStayInBudget(t *testing.T) {
	c := &Constraints{compiled: map[string]*grammar.Grammar{}, budget: 2 << 20}
	schema := func(i int) string { return fmt.Sprintf(`{"type": "string", "maxLength": %d}`, 2000+i) }
	one, err := c.Compile(KindJSONSchema, schema(0))
	if err != nil {
		t.Fatal(err)
	}
	if one.Footprint() < 200<<10 {
		t.Fatalf("a schema's grammar holds %d bytes: too small to fill the budget in a few", one.Footprint())
	}
	if again, _ := c.Compile(KindJSONSchema, schema(0)); again != one {
		t.Error("a kept grammar was compiled again")
	}
	for i := 1; i < 40; i++ {
		if _, err := c.Compile(KindJSONSchema, schema(i)); err != nil {
			t.Fatal(err)
		}
		held := 0
		for _, g := range c.compiled {
			held += g.Footprint()
		}
		if last := 2 * one.Footprint(); held > c.budget+last {
			t.Fatalf("after %d schemas the cache holds %d grammars, %d bytes (budget %d)", i+1, len(c.compiled), held, c.budget)
		}
	}
}
