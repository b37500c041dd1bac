package toolcall

import (
	"bufio"
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// keysInOrder lists an object's top-level keys as written.
func keysInOrder(t *testing.T, obj []byte) []string {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(obj))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		t.Fatalf("%s is not an object", obj)
	}
	var keys []string
	for dec.More() {
		k, _ := dec.Token()
		keys = append(keys, k.(string))
		var skip json.RawMessage
		dec.Decode(&skip)
	}
	return keys
}

// sameCalls compares parsed calls with expected ones: names, argument
// values (numbers by value), and argument order.
func sameCalls(t *testing.T, got []Call, want []map[string]json.RawMessage) bool {
	t.Helper()
	if len(got) != len(want) {
		return false
	}
	for i, c := range got {
		var name string
		json.Unmarshal(want[i]["name"], &name)
		var g, w any
		if c.Name != name || json.Unmarshal(c.Arguments, &g) != nil || json.Unmarshal(want[i]["arguments"], &w) != nil || !reflect.DeepEqual(g, w) {
			return false
		}
		if !reflect.DeepEqual(keysInOrder(t, c.Arguments), keysInOrder(t, want[i]["arguments"])) {
			return false
		}
	}
	return true
}

// TestTemplateRenderedCalls: 120 call lists written by the published
// templates' own macros in Python Jinja2 (testdata/toolcall/make-cases.py),
// parsed back to the arguments they were rendered from.
func TestTemplateRenderedCalls(t *testing.T) {
	f, err := os.Open(filepath.Join("..", "..", "testdata", "toolcall", "cases.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	n := 0
	for sc.Scan() {
		var c struct {
			Style string                       `json:"style"`
			Text  string                       `json:"text"`
			Calls []map[string]json.RawMessage `json:"calls"`
		}
		if err := json.Unmarshal(sc.Bytes(), &c); err != nil {
			t.Fatal(err)
		}
		n++
		got, err := Parse(c.Text)
		if err != nil || !sameCalls(t, got, c.Calls) {
			t.Errorf("%s %q:\n got %+v, %v\nwant %s", c.Style, c.Text, got, err, sc.Text())
		}
	}
	if n < 100 {
		t.Fatalf("only %d cases", n)
	}
}

// Edge cases other engines' LFM2 parsers handle (vLLM, tabbyAPI), written
// by hand with the arguments a reader means.
func TestEdgeCases(t *testing.T) {
	cases := []struct{ text, want string }{
		{`[get_weather(city='Paris')]`, `[{"name":"get_weather","arguments":{"city":"Paris"}}]`},
		{`get_weather(city="Paris")`, `[{"name":"get_weather","arguments":{"city":"Paris"}}]`},
		{` [ f( a = 1 , b = 'x' , ) , g( ) ] `, `[{"name":"f","arguments":{"a":1,"b":"x"}},{"name":"g","arguments":{}}]`},
		{"[f(\n  a=1,\n  b=2\n)]", `[{"name":"f","arguments":{"a":1,"b":2}}]`},
		{`[f(class='x', from=1, import=True, lambda=None)]`, `[{"name":"f","arguments":{"class":"x","from":1,"import":true,"lambda":null}}]`},
		{`[f(zip=02134, n=0, m=007)]`, `[{"name":"f","arguments":{"zip":"02134","n":0,"m":"007"}}]`},
		{`[f(s='it\'s', d="say \"hi\"", b='a\\b', n='l1\nl2')]`, `[{"name":"f","arguments":{"s":"it's","d":"say \"hi\"","b":"a\\b","n":"l1\nl2"}}]`},
		{`[f(city='東京', e='😀', u='\u00fc', x='\x41')]`, `[{"name":"f","arguments":{"city":"東京","e":"😀","u":"ü","x":"A"}}]`},
		{`[f(m=[[1, 2], [3]], t=(1, 'a'), d={'k': [1, {'z': None}]})]`, `[{"name":"f","arguments":{"m":[[1,2],[3]],"t":[1,"a"],"d":{"k":[1,{"z":null}]}}}]`},
		{`[f(a=true, b=false, c=null, d=True, e=False, f=None)]`, `[{"name":"f","arguments":{"a":true,"b":false,"c":null,"d":true,"e":false,"f":null}}]`},
		{`[f(a=-3, b=.5, c=1e3, d=-2.5e-3, e=0x10, f=1_000, g=+4)]`, `[{"name":"f","arguments":{"a":-3,"b":0.5,"c":1000.0,"d":-0.0025,"e":16,"f":1000,"g":4}}]`},
		{`[f(big=123456789012345678901234567890)]`, `[{"name":"f","arguments":{"big":123456789012345678901234567890}}]`},
		{`[f(s='''triple 'quoted' text''')]`, `[{"name":"f","arguments":{"s":"triple 'quoted' text"}}]`},
		{`[f(s="a, b)", t='x=1')]`, `[{"name":"f","arguments":{"s":"a, b)","t":"x=1"}}]`},
		{`[functions.get_weather(city='x'), my-tool(a=1)]`, `[{"name":"functions.get_weather","arguments":{"city":"x"}},{"name":"my-tool","arguments":{"a":1}}]`},
		{`[{"name": "add", "arguments": {"a": 2, "b": 3}}]`, `[{"name":"add","arguments":{"a":2,"b":3}}]`},
		{`{"name": "add", "arguments": {"b": 3, "a": 2}}`, `[{"name":"add","arguments":{"b":3,"a":2}}]`},
		{`[{"name": "add", "arguments": "{\"a\": 2}"}, {"name": "noop"}]`, `[{"name":"add","arguments":{"a":2}},{"name":"noop","arguments":{}}]`},
		{`[ {"name": "add", "parameters": {"a": 1}} ]`, `[{"name":"add","arguments":{"a":1}}]`},
		{`[f(d={"json": "style", "n": 1.5})]`, `[{"name":"f","arguments":{"d":{"json":"style","n":1.5}}}]`},
		{`[f(p='C:\\path\\to')]`, `[{"name":"f","arguments":{"p":"C:\\path\\to"}}]`},
		{`[f(e='\ud83d\ude00')]`, `[{"name":"f","arguments":{"e":"😀"}}]`},
		{`[f(k={1: 'a'})]`, `[{"name":"f","arguments":{"k":{"1":"a"}}}]`},
		{`[f(s='<b>&</b>')]`, `[{"name":"f","arguments":{"s":"<b>&</b>"}}]`},
		{`[a(), b(), c()]`, `[{"name":"a","arguments":{}},{"name":"b","arguments":{}},{"name":"c","arguments":{}}]`},
	}
	for _, c := range cases {
		got, err := Parse(c.text)
		if err != nil {
			t.Errorf("%s: %v", c.text, err)
			continue
		}
		var want []map[string]json.RawMessage
		if err := json.Unmarshal([]byte(c.want), &want); err != nil {
			t.Fatal(err)
		}
		if !sameCalls(t, got, want) {
			b, _ := json.Marshal(got)
			t.Errorf("%s:\n got %s\nwant %s", c.text, b, c.want)
		}
	}
}

func TestMalformed(t *testing.T) {
	for _, text := range []string{
		``, `[`, `[f(a=1)`, `[f(a=1]`, `[f(1, 2)]`, `[f(a=)]`, `[f(a='x)]`, `[(a=1)]`, `[f(a=1) g()]`,
		`[f(a=1, a=2)]`, `[f(a=x)]`, `just some text`, `[f(a=1)] trailing`, `[{"arguments": {}}]`,
		`[{"name": "f", "arguments": [1]}]`, strings.Repeat("[f(a=", 100) + "1" + strings.Repeat(")]", 100),
		`[f(a=[1, 2)]`, `[f(a={'k' 1})]`, `[f(a='\x4')]`,
	} {
		if calls, err := Parse(text); err == nil {
			t.Errorf("%q parsed as %+v", text, calls)
		}
	}
}

// FuzzParse: any text parses or errors, never panics, and every parsed
// call has a name and a JSON object of arguments.
func FuzzParse(f *testing.F) {
	for _, s := range []string{`[f(a=1, b='x')]`, `[{"name": "f", "arguments": {}}]`, `f(a=[1, {'k': None}])`, `[f(s='''x''')]`, `[f(a=0x1f, b=1e9)]`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		calls, err := Parse(s)
		if err != nil {
			return
		}
		for _, c := range calls {
			var obj map[string]any
			if c.Name == "" || json.Unmarshal(c.Arguments, &obj) != nil || obj == nil {
				t.Fatalf("%q: bad call %+v", s, c)
			}
		}
	})
}
