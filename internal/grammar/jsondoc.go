package grammar

import (
	"bytes"
	"encoding/json"
	"fmt"
)

// jsonDoc is a schema document read once: the members of every object
// (in order) and the items of every array, as sub-slices of the text,
// found by where the value starts. Compiling looks subschemas up here
// instead of decoding each one again, which made time grow with the
// square of the nesting (a 300 KB schema of 5,000 $refs, each resolved
// by decoding the whole document, compiled for 28 s).
type jsonDoc struct {
	text    []byte
	objects map[int]*jsonObject
	arrays  map[int][]json.RawMessage
}

type jsonObject struct {
	keys   []string // in the text's order, repeated keys included
	values []json.RawMessage
	byKey  map[string]json.RawMessage // the last value of each key, as encoding/json keeps
}

// readJSONDoc indexes text, which must be one JSON value.
func readJSONDoc(text []byte) (*jsonDoc, error) {
	d := &jsonDoc{text: text, objects: map[int]*jsonObject{}, arrays: map[int][]json.RawMessage{}}
	dec := json.NewDecoder(bytes.NewReader(text))
	dec.UseNumber()
	var value func() (json.RawMessage, error)
	value = func() (json.RawMessage, error) {
		start := int(dec.InputOffset())
		for start < len(text) && bytes.IndexByte([]byte(" \t\r\n,:"), text[start]) >= 0 {
			start++
		}
		tok, err := dec.Token()
		if err != nil {
			return nil, err
		}
		switch tok {
		case json.Delim('{'):
			o := &jsonObject{byKey: map[string]json.RawMessage{}}
			for dec.More() {
				k, err := dec.Token()
				if err != nil {
					return nil, err
				}
				v, err := value()
				if err != nil {
					return nil, err
				}
				key, _ := k.(string)
				o.keys, o.values = append(o.keys, key), append(o.values, v)
				o.byKey[key] = v
			}
			if _, err := dec.Token(); err != nil {
				return nil, err
			}
			d.objects[start] = o
		case json.Delim('['):
			items := []json.RawMessage{}
			for dec.More() {
				v, err := value()
				if err != nil {
					return nil, err
				}
				items = append(items, v)
			}
			if _, err := dec.Token(); err != nil {
				return nil, err
			}
			d.arrays[start] = items
		}
		return text[start:int(dec.InputOffset())], nil
	}
	if _, err := value(); err != nil {
		return nil, err
	}
	if _, err := dec.Token(); err == nil {
		return nil, fmt.Errorf("data after the JSON value")
	}
	return d, nil
}

// at is where raw starts in the document, if it is a part of it.
func (d *jsonDoc) at(raw json.RawMessage) (int, bool) {
	raw = bytes.TrimLeft(raw, " \t\r\n")
	if d == nil || len(raw) == 0 || len(d.text) == 0 {
		return 0, false
	}
	off := cap(d.text) - cap(raw)
	if off < 0 || off >= len(d.text) || &d.text[off] != &raw[0] {
		return 0, false
	}
	return off, true
}

// object is the JSON object raw, or false when raw is not one.
func (d *jsonDoc) object(raw json.RawMessage) (*jsonObject, bool) {
	return find(d, raw, func(d *jsonDoc) map[int]*jsonObject { return d.objects })
}

// array is the items of the JSON array raw, or false when raw is not one.
func (d *jsonDoc) array(raw json.RawMessage) ([]json.RawMessage, bool) {
	return find(d, raw, func(d *jsonDoc) map[int][]json.RawMessage { return d.arrays })
}

// find looks raw up in one of the document's tables; text that is not a
// part of the document is read on its own.
func find[T any](d *jsonDoc, raw json.RawMessage, table func(*jsonDoc) map[int]T) (T, bool) {
	if off, ok := d.at(raw); ok {
		v, ok := table(d)[off]
		return v, ok
	}
	doc, err := readJSONDoc(bytes.TrimSpace(raw))
	if err != nil {
		var none T
		return none, false
	}
	v, ok := table(doc)[0]
	return v, ok
}
