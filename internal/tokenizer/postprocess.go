package tokenizer

import (
	"encoding/json"
	"fmt"
)

// postProcessor adds special tokens around an encoding (single sequences only).
type postProcessor interface {
	process(ids []int32) []int32
}

type postSeq []postProcessor

func (q postSeq) process(ids []int32) []int32 {
	for _, p := range q {
		ids = p.process(ids)
	}
	return ids
}

// identity post-processors: ByteLevel only adjusts offsets.
type noPost struct{}

func (noPost) process(ids []int32) []int32 { return ids }

// template is TemplateProcessing's "single" template.
type template struct {
	items []templateItem
}

type templateItem struct {
	sequence bool    // the input itself
	ids      []int32 // a special token's ids
}

func (t *template) process(ids []int32) []int32 {
	var out []int32
	for _, it := range t.items {
		if it.sequence {
			out = append(out, ids...)
		} else {
			out = append(out, it.ids...)
		}
	}
	return out
}

func parsePostProcessor(raw json.RawMessage) (postProcessor, error) {
	if isNull(raw) {
		return nil, nil
	}
	var h struct {
		Type       string            `json:"type"`
		Processors []json.RawMessage `json:"processors"`
		Single     []struct {
			SpecialToken *struct {
				ID string `json:"id"`
			} `json:"SpecialToken"`
			Sequence *struct {
				ID string `json:"id"`
			} `json:"Sequence"`
		} `json:"single"`
		SpecialTokens map[string]struct {
			IDs []int32 `json:"ids"`
		} `json:"special_tokens"`
	}
	if err := json.Unmarshal(raw, &h); err != nil {
		return nil, fmt.Errorf("post_processor: %w", err)
	}
	switch h.Type {
	case "ByteLevel":
		return noPost{}, nil
	case "Sequence":
		var seq postSeq
		for _, r := range h.Processors {
			p, err := parsePostProcessor(r)
			if err != nil {
				return nil, err
			}
			if p != nil {
				seq = append(seq, p)
			}
		}
		return seq, nil
	case "TemplateProcessing":
		t := &template{}
		for _, it := range h.Single {
			switch {
			case it.Sequence != nil:
				t.items = append(t.items, templateItem{sequence: true})
			case it.SpecialToken != nil:
				st, ok := h.SpecialTokens[it.SpecialToken.ID]
				if !ok {
					return nil, fmt.Errorf("post_processor: template names special token %q that special_tokens lacks", it.SpecialToken.ID)
				}
				t.items = append(t.items, templateItem{ids: st.IDs})
			}
		}
		return t, nil
	}
	return nil, fmt.Errorf("post_processor type %q is not supported", h.Type)
}
