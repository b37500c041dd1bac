package grammar

import (
	"encoding/json"
	"slices"
	"testing"
)

// TestJSONDocFindsEveryValue: the index hands back each object's members in
// order and each array's items as the very bytes of the document (so they
// are found again by where they start), whatever whitespace surrounds them,
// and agrees with encoding/json on repeated keys.
func TestJSONDocFindsEveryValue(t *testing.T) {
	text := []byte(" {\"b\" : [ 1 , {\"x\":true} ,[ ] ],\n\t\"a\":{ \"y\" : \"z\" } , \"b\": {\"c\": null} } ")
	doc, err := readJSONDoc(text)
	if err != nil {
		t.Fatal(err)
	}
	root, ok := doc.object(text)
	if !ok {
		t.Fatal("the root object is not found")
	}
	if !slices.Equal(root.keys, []string{"b", "a", "b"}) || string(root.values[0]) != `[ 1 , {"x":true} ,[ ] ]` {
		t.Fatalf("keys %q, first value %s", root.keys, root.values[0])
	}
	var std map[string]json.RawMessage
	if err := json.Unmarshal(text, &std); err != nil {
		t.Fatal(err)
	}
	for k, v := range std {
		if string(root.byKey[k]) != string(v) {
			t.Errorf("%q: %s; encoding/json keeps %s", k, root.byKey[k], v)
		}
	}
	items, ok := doc.array(root.values[0])
	if !ok || len(items) != 3 || string(items[0]) != "1" || string(items[2]) != "[ ]" {
		t.Fatalf("array items %q", items)
	}
	if inner, ok := doc.object(items[1]); !ok || string(inner.byKey["x"]) != "true" {
		t.Fatalf("object in an array: %v %v", inner, ok)
	}
	if a, ok := doc.object(root.byKey["a"]); !ok || string(a.byKey["y"]) != `"z"` {
		t.Fatalf("object a: %v %v", a, ok)
	}
	if _, ok := doc.object(items[0]); ok {
		t.Error("a number found as an object")
	}
	// A copy is not part of the document: it is read on its own.
	if o, ok := doc.object(json.RawMessage(string(root.byKey["a"]))); !ok || string(o.byKey["y"]) != `"z"` {
		t.Fatalf("a copied object: %v %v", o, ok)
	}
	for _, bad := range []string{`{"a": 1} {}`, `{"a": }`, `[1, 2`, ``} {
		if _, err := readJSONDoc([]byte(bad)); err == nil {
			t.Errorf("%q read without error", bad)
		}
	}
}
