package engine

import (
	"bytes"
	"context"
	"encoding/csv"
	"go/parser"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/lfm2go/lfm2/internal/grammar"
	"github.com/lfm2go/lfm2/internal/sample"
	"github.com/lfm2go/lfm2/internal/scheduler"
)

const structuredDir = "../../testdata/structured"

// grammarCheckers judge a text without the grammar engine: a parser, a
// decoder or a regular expression for each test grammar.
var grammarCheckers = map[string]func(string) bool{
	"arithmetic": func(s string) bool {
		_, err := parser.ParseExpr(s)
		return err == nil && !strings.ContainsAny(s, " \n")
	},
	"csv-line": func(s string) bool {
		recs, err := csv.NewReader(strings.NewReader(s)).ReadAll()
		return err == nil && len(recs) == 1 && len(recs[0]) >= 3 && len(recs[0]) <= 5
	},
	"date": func(s string) bool { _, err := time.Parse("2006-01-02", s); return err == nil },
	"json": func(s string) bool {
		var v map[string]any
		return jsonUnmarshal(s, &v) == nil
	},
	"yes-no":     regexp.MustCompile(`^(yes|no)[.!]?$`).MatchString,
	"phone":      regexp.MustCompile(`^\([0-9]{3}\) [0-9]{3}-[0-9]{4}$`).MatchString,
	"key-value":  regexp.MustCompile(`^[a-z][a-z_]{0,7}=([0-9]{1,5}|"[a-zA-Z ]{0,8}")(;[a-z][a-z_]{0,7}=([0-9]{1,5}|"[a-zA-Z ]{0,8}")){0,3}$`).MatchString,
	"sql-select": regexp.MustCompile(`^SELECT (\*|[a-z][a-z0-9_]{0,7}(, [a-z][a-z0-9_]{0,7}){0,2}) FROM [a-z][a-z0-9_]{0,7}( WHERE [a-z][a-z0-9_]{0,7} = ([0-9]{1,4}|'[a-zA-Z]{0,6}'))?;$`).MatchString,
	"list":       regexp.MustCompile(`^(- [A-Za-z][a-z ]{0,12}\n){1,3}$`).MatchString,
	"hex-color":  regexp.MustCompile(`^#[0-9a-f]{6}$`).MatchString,
	"time":       regexp.MustCompile(`^([01][0-9]|2[0-3]):[0-5][0-9]( (AM|PM))?$`).MatchString,
}

// constrained is one test language: a schema (checked by an independent
// validator) or a grammar (checked by its checker).
type constrained struct {
	name  string
	g     *grammar.Grammar
	valid func(string) error
}

func languages(t *testing.T) []constrained {
	var out []constrained
	schemas, _ := filepath.Glob(filepath.Join(structuredDir, "schemas", "*.json"))
	for _, f := range schemas {
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		g, err := grammar.CompileSchema(src)
		if err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		doc, _ := jsonschema.UnmarshalJSON(bytes.NewReader(src))
		c := jsonschema.NewCompiler()
		c.AssertFormat()
		c.AddResource(f, doc)
		v, err := c.Compile(f)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, constrained{filepath.Base(f), g, func(s string) error {
			inst, err := jsonschema.UnmarshalJSON(strings.NewReader(s))
			if err != nil {
				return err
			}
			return v.Validate(inst)
		}})
	}
	grammars, _ := filepath.Glob(filepath.Join(structuredDir, "grammars", "*.gbnf"))
	for _, f := range grammars {
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		g, err := grammar.ParseGBNF(string(src))
		if err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		name := strings.TrimSuffix(filepath.Base(f), ".gbnf")
		check := grammarCheckers[name]
		if check == nil {
			t.Fatalf("no checker for %s", name)
		}
		out = append(out, constrained{name + ".gbnf", g, func(s string) error {
			if !check(s) {
				return errorString("rejected by the independent checker")
			}
			return nil
		}})
	}
	if len(schemas) < 20 || len(grammars) < 10 {
		t.Fatalf("%d schemas and %d grammars", len(schemas), len(grammars))
	}
	return out
}

type errorString string

func (e errorString) Error() string { return string(e) }

// TestConstrainedOutputIsValid: with random weights, which know nothing of
// any format, every constrained completion that ends with "stop" is valid
// for its schema or grammar, judged independently; and most end so.
func TestConstrainedOutputIsValid(t *testing.T) {
	m, tok := loadFixture(t)
	s := start(t, m, tok, 4, 0)
	langs := languages(t)
	prompt := tok.Encode("Extract the fields as JSON:", true)
	type outcome struct {
		lang   string
		text   string
		finish string
	}
	var (
		mu       sync.Mutex
		outcomes []outcome
		wg       sync.WaitGroup
	)
	const perLanguage = 7 // 35 languages × 7 = 245 completions
	for li, l := range langs {
		for k := range perLanguage {
			wg.Add(1)
			go func() {
				defer wg.Done()
				ch, err := s.Submit(context.Background(), Request{Prompt: prompt, MaxTokens: 200, Plain: true, Grammar: l.g,
					Stream: uint64(li*100 + k + 1), Sample: sample.Params{Temperature: 1, Seed: 42}})
				if err != nil {
					t.Error(err)
					return
				}
				r := collect(t, ch)
				mu.Lock()
				outcomes = append(outcomes, outcome{l.name, r.text, r.finish})
				mu.Unlock()
			}()
		}
	}
	wg.Wait()
	stopped := 0
	byName := map[string]constrained{}
	for _, l := range langs {
		byName[l.name] = l
	}
	for _, o := range outcomes {
		if o.finish != scheduler.FinishStop {
			continue
		}
		stopped++
		if err := byName[o.lang].valid(o.text); err != nil {
			t.Errorf("%s: %q: %v", o.lang, o.text, err)
		}
	}
	for _, o := range outcomes[:3] {
		t.Logf("%s: %s", o.lang, o.text)
	}
	t.Logf("%d completions over %d languages, %d ended with stop", len(outcomes), len(langs), stopped)
	if len(outcomes) < 200 || stopped*4 < len(outcomes)*3 {
		t.Fatalf("%d of %d completions ended with stop; want at least 75%%", stopped, len(outcomes))
	}
}

// TestConstrainedBatchInvariance: a constrained sequence's tokens are the
// same alone and among others (constrained or not).
func TestConstrainedBatchInvariance(t *testing.T) {
	m, tok := loadFixture(t)
	g, err := grammar.CompileSchema([]byte(`{"type":"object","properties":{"name":{"type":"string","maxLength":12},"n":{"type":"integer"}},"required":["name","n"]}`))
	if err != nil {
		t.Fatal(err)
	}
	req := func(i int, constrained bool) Request {
		r := Request{Prompt: tok.Encode(strings.Repeat("word ", i+1), true), MaxTokens: 40, Stream: uint64(i + 1),
			Sample: sample.Params{Temperature: 0.9, Seed: 5}, IgnoreEOS: !constrained}
		if constrained {
			r.Grammar = g
		}
		return r
	}
	alone := make([][]int32, 4)
	for i := range alone {
		s := start(t, m, tok, 1, 0)
		ch, _ := s.Submit(context.Background(), req(i, true))
		alone[i] = collect(t, ch).ids
	}
	s := start(t, m, tok, 8, 0)
	var chans []<-chan Event
	for i := range 8 {
		ch, err := s.Submit(context.Background(), req(i%4, i < 4))
		if err != nil {
			t.Fatal(err)
		}
		chans = append(chans, ch)
	}
	for i, ch := range chans {
		got := collect(t, ch).ids
		if i < 4 && !slices.Equal(got, alone[i]) {
			t.Errorf("constrained %d: batched %v, alone %v", i, got, alone[i])
		}
	}
}

// TestForcedToolCalls: with tool_choice required (or a named function), a
// random-weight model still writes one well-formed call block: the markers,
// a call to a defined tool, and arguments valid for its parameter schema.
func TestForcedToolCalls(t *testing.T) {
	m, tok := loadFixture(t)
	s := start(t, m, tok, 4, 0)
	params := map[string]string{
		"get_weather": `{"type": "object", "properties": {"city": {"type": "string", "maxLength": 12}, "unit": {"enum": ["celsius", "fahrenheit"]}}, "required": ["city"]}`,
		"add":         `{"type": "object", "properties": {"a": {"type": "integer"}, "b": {"type": "integer"}}, "required": ["a", "b"]}`,
		"now":         `{"type": "object", "properties": {}}`,
	}
	var tools []grammar.Tool
	validators := map[string]*jsonschema.Schema{}
	for _, name := range []string{"get_weather", "add", "now"} {
		tools = append(tools, grammar.Tool{Name: name, Parameters: []byte(params[name])})
		doc, _ := jsonschema.UnmarshalJSON(strings.NewReader(params[name]))
		c := jsonschema.NewCompiler()
		c.AddResource(name, doc)
		validators[name], _ = c.Compile(name)
	}
	prompt := tok.Encode("What is the weather in Paris?", true)
	stopped, total := 0, 0
	for _, only := range []string{"", "add"} {
		g, err := grammar.CompileToolCalls(tools, only, false)
		if err != nil {
			t.Fatal(err)
		}
		for k := range 12 {
			ch, err := s.Submit(context.Background(), Request{Prompt: prompt, MaxTokens: 120, Grammar: g, ToolCall: true,
				Stream: uint64(k + 1), Sample: sample.Params{Temperature: 1, Seed: 3}})
			if err != nil {
				t.Fatal(err)
			}
			var calls []toolcallCall
			finish := ""
			for ev := range ch {
				for _, p := range ev.Pieces {
					if p.Warning != "" {
						t.Errorf("warning: %s", p.Warning)
					}
					for _, c := range p.Calls {
						calls = append(calls, toolcallCall{c.Name, string(c.Arguments)})
					}
				}
				if ev.Done {
					finish = ev.Finish
				}
			}
			total++
			if finish != scheduler.FinishStop {
				continue // cut by max_tokens: not claimed valid
			}
			stopped++
			if len(calls) == 0 || (only != "" && len(calls) != 1) {
				t.Fatalf("only %q: calls %v", only, calls)
			}
			for _, c := range calls {
				v := validators[c.name]
				if v == nil || (only != "" && c.name != only) {
					t.Fatalf("call to %q", c.name)
				}
				inst, err := jsonschema.UnmarshalJSON(strings.NewReader(c.args))
				if err != nil || v.Validate(inst) != nil {
					t.Fatalf("%s(%s): arguments invalid: %v", c.name, c.args, err)
				}
			}
		}
	}
	if stopped*4 < total*3 {
		t.Fatalf("%d of %d forced calls ended with stop; want at least 75%%", stopped, total)
	}
}

type toolcallCall struct{ name, args string }
