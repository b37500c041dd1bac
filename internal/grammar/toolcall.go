package grammar

import (
	"encoding/json"
	"fmt"
	"regexp"
)

// Tool is a function the model may call: its name and the JSON Schema of
// its parameters (an object schema, or empty for none).
type Tool struct {
	Name       string
	Parameters json.RawMessage
}

// pythonName is what an LFM2 call can name.
var pythonName = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_.-]*$`)

// CompileToolCalls compiles the grammar of what LFM2 writes between
// <|tool_call_start|> and <|tool_call_end|>: a Python-style list of calls,
// [name(arg=value, ...), ...], each naming one of the tools with arguments
// typed by its parameter schema (values are JSON literals, which the call
// parser reads as Python's). With only set, exactly one call to it; with
// single, exactly one call (OpenAI's parallel_tool_calls: false).
func CompileToolCalls(tools []Tool, only string, single bool) (*Grammar, error) {
	c := &schemaCompiler{rules: newRuleSet(), refs: map[string]string{}}
	defineJSON(c.rules)
	var calls []*node
	for i, t := range tools {
		if only != "" && t.Name != only {
			continue
		}
		if !pythonName.MatchString(t.Name) {
			return nil, fmt.Errorf("tools[%d]: %q cannot be written as a call", i, t.Name)
		}
		c.root, c.refs = t.Parameters, map[string]string{} // $refs are the tool's own
		args := seq()
		if len(t.Parameters) > 0 && string(t.Parameters) != "null" {
			doc, err := readJSONDoc(t.Parameters)
			obj, ok := doc.object(t.Parameters)
			if err != nil || !ok {
				return nil, fmt.Errorf("tools[%d] %s: parameters: want a JSON Schema object", i, t.Name)
			}
			c.doc, c.root = doc, doc.text
			s := obj.byKey
			path := fmt.Sprintf("tools[%d].parameters", i)
			for k := range s {
				if !schemaKeywords[k] {
					return nil, fmt.Errorf("%s: unsupported keyword %s", path, k)
				}
			}
			m, err := c.members(s, path, func(name string) string { return name + "=" }, ", ")
			if err != nil {
				return nil, err
			}
			if m == nil && s["additionalProperties"] == nil {
				m = seq() // no properties: no arguments
			}
			if m == nil {
				return nil, fmt.Errorf("%s: arguments without properties cannot be written as a call", path)
			}
			args = m
		}
		calls = append(calls, seq(lit(t.Name+"("), args, lit(")")))
	}
	if len(calls) == 0 {
		if only != "" {
			return nil, fmt.Errorf("no tool is named %q", only)
		}
		return nil, fmt.Errorf("no tools to call")
	}
	c.rules.define("call", alt(calls...))
	if only != "" || single {
		c.rules.define("root", seq(lit("["), ref("call"), lit("]")))
	} else {
		c.rules.define("root", seq(lit("["), ref("call"), rep(seq(lit(", "), ref("call")), 0, 3), lit("]")))
	}
	return c.rules.compile("root")
}
