// Package tokenizer is a pure-Go implementation of Hugging Face tokenizers'
// byte-level BPE pipeline as described by tokenizer.json: added tokens,
// normalizer, pre-tokenizer, BPE model, post-processor and decoder, plus the
// LFM2 chat template and an incremental detokenizer for streaming. Component
// types it does not implement are refused by name at load time.
package tokenizer

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"unicode/utf8"
)

// Codec is encoding and decoding, the part of a tokenizer that has a
// second implementation (Hugging Face's Rust library, package hftok).
type Codec interface {
	Encode(text string, addSpecial bool) []int32
	Decode(ids []int32, skipSpecial bool) string
}

// Tokenizer encodes text to ids and back. It is safe for concurrent use.
type Tokenizer struct {
	backend Codec // when set, Encode and Decode delegate to it

	model      *bpe
	normalizer normalizer
	pre        preTokenizer
	post       postProcessor
	decoder    decoder
	byteLevel  bool // the decoder is ByteLevel alone: each token is its own bytes

	added     []*addedToken
	addedByID map[int32]*addedToken
	rawAdded  *addedMatcher // matched on raw text (normalized: false)
	normAdded *addedMatcher // matched on normalized text
	idToToken []string
	BOS, EOS  int32 // -1 when unknown
	BOSToken  string
	EOSToken  string
	chat      *ChatTemplate
}

// Load reads a tokenizer.json.
func Load(path string) (*Tokenizer, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("load tokenizer: %w", err)
	}
	t, err := Parse(b)
	if err != nil {
		return nil, fmt.Errorf("load tokenizer %s: %w", path, err)
	}
	return t, nil
}

// LoadDir reads tokenizer.json and, when present, tokenizer_config.json and
// chat_template.jinja from a model folder.
func LoadDir(dir string) (*Tokenizer, error) {
	t, err := Load(filepath.Join(dir, "tokenizer.json"))
	if err != nil {
		return nil, err
	}
	cfgPath := filepath.Join(dir, "tokenizer_config.json")
	var cfg []byte
	if b, err := os.ReadFile(cfgPath); err == nil {
		cfg = b
	}
	var tmpl []byte
	if b, err := os.ReadFile(filepath.Join(dir, "chat_template.jinja")); err == nil {
		tmpl = b
	}
	if err := t.configure(cfg, tmpl); err != nil {
		return nil, fmt.Errorf("load tokenizer %s: %w", dir, err)
	}
	return t, nil
}

// Parse builds a tokenizer from the bytes of a tokenizer.json.
func Parse(data []byte) (*Tokenizer, error) {
	var f struct {
		AddedTokens   []*addedToken   `json:"added_tokens"`
		Normalizer    json.RawMessage `json:"normalizer"`
		PreTokenizer  json.RawMessage `json:"pre_tokenizer"`
		PostProcessor json.RawMessage `json:"post_processor"`
		Decoder       json.RawMessage `json:"decoder"`
		Model         json.RawMessage `json:"model"`
	}
	if err := json.Unmarshal(data, &f); err != nil {
		return nil, fmt.Errorf("not a tokenizer.json: %w", err)
	}
	model, err := parseBPE(f.Model)
	if err != nil {
		return nil, err
	}
	return assemble(model, f.AddedTokens, f.Normalizer, f.PreTokenizer, f.PostProcessor, f.Decoder)
}

// assemble builds a tokenizer from its model and tokenizer.json's other
// parts.
func assemble(model *bpe, added []*addedToken, normalizer, pre, post, decoder json.RawMessage) (*Tokenizer, error) {
	t := &Tokenizer{BOS: -1, EOS: -1, addedByID: map[int32]*addedToken{}, model: model}
	var err error
	if t.normalizer, err = parseNormalizer(normalizer); err != nil {
		return nil, err
	}
	if t.pre, err = parsePreTokenizer(pre); err != nil {
		return nil, err
	}
	if t.post, err = parsePostProcessor(post); err != nil {
		return nil, err
	}
	var dh struct {
		Type string `json:"type"`
	}
	if json.Unmarshal(decoder, &dh) == nil && dh.Type == "ByteLevel" {
		t.byteLevel = true
	}
	if t.decoder, err = parseDecoder(decoder); err != nil {
		return nil, err
	}
	t.added = added
	assignAddedIDs(added, t.model.vocab)
	var raw, normd []*addedToken
	for _, a := range added {
		t.addedByID[a.ID] = a
		if a.Normalized && t.normalizer != nil {
			normd = append(normd, a)
		} else {
			raw = append(raw, a)
		}
	}
	t.rawAdded, t.normAdded = newAddedMatcher(raw), newAddedMatcher(normd)
	n := 0
	for _, id := range t.model.vocab {
		n = max(n, int(id)+1)
	}
	for id := range t.addedByID {
		n = max(n, int(id)+1)
	}
	t.idToToken = make([]string, n)
	for s, id := range t.model.vocab {
		t.idToToken[id] = s
	}
	for id, a := range t.addedByID {
		t.idToToken[id] = a.Content
	}
	// Without tokenizer_config.json, take BOS from the post-processor template.
	if tp, ok := t.post.(*template); ok {
		for _, it := range tp.items {
			if !it.sequence && len(it.ids) == 1 {
				t.BOS = it.ids[0]
				t.BOSToken = t.idToToken[t.BOS]
				break
			}
		}
	}
	return t, nil
}

// assignAddedIDs gives added tokens the ids tokenizers gives them, which
// ignores the "id" written in the file: a token whose content is already in
// the vocabulary (or added before) takes that id; any other takes the next
// id past both the vocabulary and the added tokens so far.
func assignAddedIDs(added []*addedToken, vocab map[string]int32) {
	size := int32(len(vocab))
	byContent := map[string]int32{}
	maxAdded := int32(-1)
	for _, a := range added {
		if id, ok := byContent[a.Content]; ok {
			a.ID = id
		} else if id, ok := vocab[a.Content]; ok {
			a.ID = id
		} else if maxAdded >= size {
			a.ID = maxAdded + 1
		} else {
			a.ID = size
		}
		byContent[a.Content] = a.ID
		maxAdded = max(maxAdded, a.ID)
	}
}

// configure reads tokenizer_config.json (special tokens, chat template) and
// a separate chat_template.jinja, which wins when both exist (as in
// transformers).
func (t *Tokenizer) configure(cfg, tmpl []byte) error {
	var c struct {
		BOS          json.RawMessage `json:"bos_token"`
		EOS          json.RawMessage `json:"eos_token"`
		PAD          json.RawMessage `json:"pad_token"`
		UNK          json.RawMessage `json:"unk_token"`
		ChatTemplate json.RawMessage `json:"chat_template"`
	}
	if cfg != nil {
		if err := json.Unmarshal(cfg, &c); err != nil {
			return fmt.Errorf("tokenizer_config.json: %w", err)
		}
	}
	if s := tokenName(c.BOS); s != "" {
		if id, ok := t.TokenID(s); ok {
			t.BOS, t.BOSToken = id, s
		}
	}
	if s := tokenName(c.EOS); s != "" {
		if id, ok := t.TokenID(s); ok {
			t.EOS, t.EOSToken = id, s
		}
	}
	var ct *ChatTemplate
	var err error
	switch {
	case len(tmpl) > 0:
		ct, err = ParseChatTemplate("chat_template.jinja", string(tmpl))
	case isNull(c.ChatTemplate):
	case bytes.HasPrefix(bytes.TrimSpace(c.ChatTemplate), []byte("[")):
		ct, err = parseTemplateList(c.ChatTemplate)
	default:
		var src string
		if err = json.Unmarshal(c.ChatTemplate, &src); err != nil {
			return fmt.Errorf("tokenizer_config.json: chat_template must be a string or a list of {name, template}: %w", err)
		}
		ct, err = ParseChatTemplate("tokenizer_config.json chat_template", src)
	}
	if err != nil {
		return fmt.Errorf("%w", err)
	}
	if ct != nil {
		// The special tokens, as transformers passes them to the template.
		for name, raw := range map[string]json.RawMessage{"bos_token": c.BOS, "eos_token": c.EOS, "pad_token": c.PAD, "unk_token": c.UNK} {
			if s := tokenName(raw); s != "" {
				ct.specials[name] = s
			}
		}
		if _, ok := ct.specials["bos_token"]; !ok && t.BOSToken != "" {
			ct.specials["bos_token"] = t.BOSToken
		}
		t.chat = ct
	}
	return nil
}

// SetChatTemplate replaces the chat template (--chat-template FILE), keeping
// the special tokens the model's files give it.
func (t *Tokenizer) SetChatTemplate(name, src string) error {
	ct, err := ParseChatTemplate(name, src)
	if err != nil {
		return err
	}
	if t.chat != nil {
		ct.specials = t.chat.specials
	} else if t.BOSToken != "" {
		ct.specials["bos_token"] = t.BOSToken
		if t.EOSToken != "" {
			ct.specials["eos_token"] = t.EOSToken
		}
	}
	t.chat = ct
	return nil
}

// tokenName reads "bos_token": "<s>" or {"content": "<s>", ...}.
func tokenName(raw json.RawMessage) string {
	if isNull(raw) {
		return ""
	}
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s
	}
	var o struct {
		Content string `json:"content"`
	}
	json.Unmarshal(raw, &o)
	return o.Content
}

// VocabSize is one past the largest id.
func (t *Tokenizer) VocabSize() int { return len(t.idToToken) }

// TokenID looks a token up by its string.
func (t *Tokenizer) TokenID(s string) (int32, bool) {
	for _, a := range t.added {
		if a.Content == s {
			return a.ID, true
		}
	}
	id, ok := t.model.vocab[s]
	return id, ok
}

// Token returns the string of an id ("" when unknown).
func (t *Tokenizer) Token(id int32) string {
	if id < 0 || int(id) >= len(t.idToToken) {
		return ""
	}
	return t.idToToken[id]
}

// IsSpecial reports whether id is a special added token.
func (t *Tokenizer) IsSpecial(id int32) bool {
	a := t.addedByID[id]
	return a != nil && a.Special
}

// ChatTemplate returns the chat template, or nil when the model has none.
func (t *Tokenizer) ChatTemplate() *ChatTemplate { return t.chat }

// SetBackend makes Encode and Decode use c (which must have been loaded
// from the same tokenizer.json); nil returns to the built-in implementation.
func (t *Tokenizer) SetBackend(c Codec) { t.backend = c }

// Encode tokenizes text. With addSpecial the post-processor adds its special
// tokens (BOS for LFM2), as HF's tokenizer(text) does.
func (t *Tokenizer) Encode(text string, addSpecial bool) []int32 {
	if t.backend != nil {
		return t.backend.Encode(text, addSpecial)
	}
	var ids []int32
	for _, seg := range t.rawAdded.split(text) {
		if seg.token != nil {
			ids = append(ids, seg.token.ID)
			continue
		}
		s := seg.text
		if t.normalizer != nil {
			s = t.normalizer.normalize(s)
		}
		for _, seg2 := range t.normAdded.split(s) {
			if seg2.token != nil {
				ids = append(ids, seg2.token.ID)
				continue
			}
			// Pieces carry whether they begin the whole input (offset 0),
			// which Metaspace's "first" scheme asks.
			off := 0
			if seg.start > 0 || seg2.start > 0 {
				off = 1
			}
			p := piece{text: seg2.text, offset: off}
			if t.pre == nil {
				ids = t.model.encode(ids, p.text)
				continue
			}
			t.pre.each(p, func(p piece) { ids = t.model.encode(ids, p.text) })
		}
	}
	if addSpecial && t.post != nil {
		ids = t.post.process(ids)
	}
	return ids
}

// Decode turns ids into text through the decoder; unknown ids are skipped.
func (t *Tokenizer) Decode(ids []int32, skipSpecial bool) string {
	if t.backend != nil {
		return t.backend.Decode(ids, skipSpecial)
	}
	toks := make([]string, 0, len(ids))
	for _, id := range ids {
		if id < 0 || int(id) >= len(t.idToToken) || (skipSpecial && t.IsSpecial(id)) {
			continue
		}
		if s := t.idToToken[id]; s != "" || t.addedByID[id] != nil {
			toks = append(toks, s)
		}
	}
	if t.decoder == nil {
		return strings.Join(toks, " ") // what tokenizers does without a decoder
	}
	return strings.Join(t.decoder.decode(toks), "")
}

// TokenBytes is what token id adds to the decoded text, byte for byte (a
// byte-level token may hold part of a UTF-8 character), for constrained
// decoding. ok is false for special tokens and for tokens whose bytes
// depend on their neighbours or cannot be recovered from the decoder.
func (t *Tokenizer) TokenBytes(id int32) (b []byte, ok bool) {
	if id < 0 || int(id) >= len(t.idToToken) || t.IsSpecial(id) || t.addedByID[id] != nil {
		return nil, false
	}
	s := t.idToToken[id]
	if t.byteLevel && t.backend == nil {
		for _, r := range s {
			c, found := runeToByte[r]
			if !found {
				return []byte(s), true // taken as raw UTF-8, as the decoder does
			}
			b = append(b, c)
		}
		return b, true
	}
	d := t.Decode([]int32{id}, false)
	if d == "" || strings.ContainsRune(d, utf8.RuneError) {
		return nil, false
	}
	return []byte(d), true
}

// MaxTokenBytes bounds the text one token can stand for: the longest
// vocabulary or added-token string. Token strings are never shorter than
// the bytes they decode to (byte-level symbols, "▁" for a space and <0xNN>
// fallbacks all take at least as many bytes as they represent), so a text
// of n bytes needs at least n / MaxTokenBytes tokens (before normalization;
// callers leave a margin for normalizers that shrink text).
func (t *Tokenizer) MaxTokenBytes() int {
	n := 1
	for _, s := range t.idToToken {
		n = max(n, len(s))
	}
	for _, a := range t.added {
		n = max(n, len(a.Content))
	}
	return n
}

// MaxTextBytes is the most bytes a text that fits in tokens tokens can
// have: tokens × MaxTokenBytes, × 2 as a margin for normalizers that
// shrink text. A longer text cannot fit whatever it tokenizes to, so
// callers refuse it without tokenizing it.
func (t *Tokenizer) MaxTextBytes(tokens int) int64 {
	return int64(tokens) * int64(t.MaxTokenBytes()) * 2
}
