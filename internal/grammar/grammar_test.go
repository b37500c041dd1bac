package grammar

import (
	"fmt"
	"math/rand/v2"
	"runtime"
	"strings"
	"testing"
)

const arithmetic = `
root  ::= expr
expr  ::= term (("+" | "-") term)*
term  ::= factor (("*" | "/") factor)*
factor ::= number | "(" expr ")"
number ::= [0-9]+ # digits
`

func TestGBNFMatches(t *testing.T) {
	cases := []struct {
		src string
		yes []string
		no  []string
	}{
		{arithmetic, []string{"1", "12+3*(4-5)", "((7))"}, []string{"", "1+", "(1", "a", "1++2"}},
		{`root ::= "a"{2,3} "b"?`, []string{"aa", "aaa", "aab", "aaab"}, []string{"a", "aaaa", "b", "aaabb"}},
		{`root ::= [^"\\]* "\""`, []string{`"`, `abc"`, `héllo wörld "`}, []string{`a`, `a\"`, `""`}},
		{`root ::= "日本" [ぁ-ゖ]+`, []string{"日本ご", "日本ごはん"}, []string{"日本", "日本a"}},
		{"root ::= item (\",\" item)*\nitem ::= [a-z]+ | \"\\\"\" [^\"]* \"\\\"\"", []string{`ab,"x,y",c`}, []string{`ab,`, `"x`}},
		{`root ::= . . .`, []string{"abc", "aé€", "😀ab"}, []string{"ab", "abcd"}},
	}
	for _, c := range cases {
		g, err := ParseGBNF(c.src)
		if err != nil {
			t.Fatalf("%q: %v", c.src, err)
		}
		for _, s := range c.yes {
			if !g.Matches(s) {
				t.Errorf("%q should match %q", c.src, s)
			}
		}
		for _, s := range c.no {
			if g.Matches(s) {
				t.Errorf("%q should not match %q", c.src, s)
			}
		}
	}
}

func TestGBNFErrors(t *testing.T) {
	for src, want := range map[string]string{
		`root ::= foo`:                   `undefined rule "foo"`,
		`root ::= "abc`:                  "line 1",
		"x ::= \"a\"":                    `no "root" rule`,
		"root ::= root \"a\"":            "left-recursive",
		"root ::= a\na ::= \"b\"? a":     "left-recursive",
		"root ::= [a-":                   "unterminated",
		`root ::= "a"{3,1}`:              "bad repetition",
		"root ::= \"a\"\nroot ::= \"b\"": "defined twice",
	} {
		_, err := ParseGBNF(src)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%q: error %v, want one containing %q", src, err, want)
		}
	}
}

// TestMaskIsExact checks masks by brute force: on a small random vocabulary
// of byte strings, a token is allowed iff appending its bytes keeps the
// text a prefix of some string in the language, from many random states.
func TestMaskIsExact(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	alphabet := []byte(`0123456789+-*/()ab"\é`)
	var toks [][]byte
	for range 300 {
		n := 1 + r.IntN(4)
		var b []byte
		for range n {
			b = append(b, alphabet[r.IntN(len(alphabet))])
		}
		toks = append(toks, b)
	}
	toks = append(toks, []byte{0xC3}, []byte{0xA9}) // "é" split in two tokens
	eos := int32(len(toks))
	v := NewVocab(len(toks)+1, []int32{eos}, func(id int32) ([]byte, bool) {
		if int(id) >= len(toks) {
			return nil, false
		}
		return toks[id], true
	})
	for _, src := range []string{arithmetic, `root ::= "\"" [^"\\]{0,6} "\""`, `root ::= ("a" | "é")+ "b"`} {
		g, err := ParseGBNF(src)
		if err != nil {
			t.Fatal(err)
		}
		// Is text a prefix of some string of the language? (The state is
		// alive; that is what the mask claims, so check it on the language
		// itself by extending with bounded search.)
		alive := func(text []byte) bool { return !g.AdvanceBytes(g.Start(), text).Dead() }
		for range 200 {
			// A random walk through allowed tokens gives a random state.
			c := NewConstraint(g, v, func(id int32) ([]byte, bool) { return toks[id], true }, func(id int32) bool { return id == eos })
			var text []byte
			for range r.IntN(8) {
				m := c.Allowed()
				var ok []int32
				for id := range int32(len(toks)) {
					if m[id/64]&(1<<(id%64)) != 0 {
						ok = append(ok, id)
					}
				}
				if len(ok) == 0 {
					break
				}
				id := ok[r.IntN(len(ok))]
				if err := c.Accept(id); err != nil {
					t.Fatal(err)
				}
				text = append(text, toks[id]...)
			}
			m := c.Allowed()
			for id := range int32(len(toks)) {
				want := alive(append(append([]byte{}, text...), toks[id]...))
				if got := m[id/64]&(1<<(id%64)) != 0; got != want {
					t.Fatalf("%q after %q: token %q allowed=%v, brute force says %v", src, text, toks[id], got, want)
				}
			}
			if got, want := m[eos/64]&(1<<(eos%64)) != 0, g.Matches(string(text)); got != want {
				t.Fatalf("%q after %q: EOS allowed=%v, complete=%v", src, text, got, want)
			}
		}
	}
}

// TestHostileGrammars: sizes that would exhaust memory or the stack are
// refused quickly; an ambiguous grammar stays bounded.
func TestHostileGrammars(t *testing.T) {
	for src, want := range map[string]string{
		`root ::= ("a"{10000}){10000}`:                                              "over",
		"root ::= " + strings.Repeat("(", 5000) + `"a"` + strings.Repeat(")", 5000): "nested over",
	} {
		if _, err := ParseGBNF(src); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%.40s…: %v", src, err)
		}
	}
	if _, err := CompileSchema([]byte(`{"type": "string", "pattern": "` + strings.Repeat("(", 5000) + "a" + strings.Repeat(")", 5000) + `"}`)); err == nil {
		t.Error("a deeply nested pattern was accepted")
	}
	// Exponentially ambiguous: every split of the a's is a parse.
	g, err := ParseGBNF("root ::= x*\nx ::= \"a\" | \"a\" \"a\" | \"a\" x \"a\"")
	if err != nil {
		t.Fatal(err)
	}
	s := g.Start()
	for range 200 {
		s = g.Advance(s, 'a')
		if len(s.stacks) > maxStacks {
			t.Fatalf("%d stacks", len(s.stacks))
		}
	}
}

// TestLargeSchemaIsRefusedEarly: a schema whose grammar passes maxCode
// (a 200,000-value enum, 1.9 MB) is refused as its elements are counted,
// before its alternatives are all built: 761 MiB were allocated when the
// bound was checked after flattening a rule, 256 since (most of it
// reading the JSON). Counted, not timed.
func TestLargeSchemaIsRefusedEarly(t *testing.T) {
	var b strings.Builder
	b.WriteString(`{"enum": [`)
	for i := range 200000 {
		if i > 0 {
			b.WriteString(",")
		}
		fmt.Fprintf(&b, `"v%d"`, i)
	}
	b.WriteString("]}")
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	_, err := CompileSchema([]byte(b.String()))
	runtime.ReadMemStats(&after)
	if err == nil || !strings.Contains(err.Error(), "over") {
		t.Fatalf("a 200,000-value enum: %v", err)
	}
	if mib := (after.TotalAlloc - before.TotalAlloc) >> 20; mib > 400 {
		t.Errorf("refusing it allocated %d MiB", mib)
	}
}

// TestExpansionIsNotRepeatedPerStack: a grammar whose state holds many
// stacks that continue into one chain of empty groups expands that chain
// once a byte, not once per stack (which took half a second a byte and
// minutes a token mask, found by FuzzGrammar). Counted, not timed.
func TestExpansionIsNotRepeatedPerStack(t *testing.T) {
	for _, src := range []string{`root ::= ( [^a] | "" ){700}`, `root::=([^]||([0])){0712}([9[])`} {
		g, err := ParseGBNF(src)
		if err != nil {
			t.Fatal(err)
		}
		s := g.Start()
		if len(s.stacks) < maxStacks/2 {
			t.Fatalf("%q: %d stacks at the start; the case needs many", src, len(s.stacks))
		}
		for i := range 3 {
			next, calls := g.advanceCounting(s, 'b')
			t.Logf("%q byte %d: %d stacks, %d expansions", src, i, len(s.stacks), calls)
			// Each position of the chain once (over a few tails) is well under
			// half the code; once per stack was 88,856 for the first case.
			if limit := len(g.code) / 2; calls > limit {
				t.Errorf("%q byte %d: %d expansions for %d stacks; want at most %d", src, i, calls, len(s.stacks), limit)
			}
			s = g.intern(next)
		}
	}
}

// TestFootprint: a grammar's footprint counts its code, and grows by a
// mask's words for each mask it caches.
func TestFootprint(t *testing.T) {
	small, err := ParseGBNF(`root ::= "a"`)
	if err != nil {
		t.Fatal(err)
	}
	large, err := ParseGBNF(`root ::= "a"{5000}`)
	if err != nil {
		t.Fatal(err)
	}
	if s, l := small.Footprint(), large.Footprint(); l < s+5000*32 {
		t.Errorf("footprints %d and %d: 5,000 more elements count %d bytes", s, l, l-s)
	}
	v := NewVocab(1000, []int32{0}, func(id int32) ([]byte, bool) { return []byte{'a' + byte(id%26)}, true })
	st := large.Start()
	before := large.Footprint()
	for range 10 {
		large.Mask(st, v)
		st = large.Advance(st, 'a')
	}
	if grew := large.Footprint() - before; grew < 10*8*16 {
		t.Errorf("ten masks of 1,000 tokens grew the footprint by %d bytes", grew)
	}
}
