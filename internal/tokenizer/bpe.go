package tokenizer

import (
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"unicode/utf8"
)

// bpe is the byte-pair-encoding model.
type bpe struct {
	vocab        map[string]int32
	ranks        map[[2]int32]merge // (left id, right id) → merge
	unk          int32              // -1 if none
	fuseUnk      bool
	byteFallback bool
	ignoreMerges bool
	prefix       string // continuing_subword_prefix
	suffix       string // end_of_word_suffix

	mu    sync.Mutex
	cache map[string][]int32 // word → ids; bounded
}

type merge struct {
	rank int32
	id   int32
}

const bpeCacheMax = 1 << 16

// bpeCacheWordMax is the longest word (in bytes) kept in the cache: a pasted
// blob would otherwise pin megabytes of ids for a word never seen again.
const bpeCacheWordMax = 256

// bpeModel is a BPE model's description: tokenizer.json's "model", or a
// GGUF file's vocabulary (FromVocab), merges by rank.
type bpeModel struct {
	Type                    string           `json:"type"`
	Dropout                 *float64         `json:"dropout"`
	UnkToken                *string          `json:"unk_token"`
	ContinuingSubwordPrefix *string          `json:"continuing_subword_prefix"`
	EndOfWordSuffix         *string          `json:"end_of_word_suffix"`
	FuseUnk                 bool             `json:"fuse_unk"`
	ByteFallback            bool             `json:"byte_fallback"`
	IgnoreMerges            bool             `json:"ignore_merges"`
	Vocab                   map[string]int32 `json:"vocab"`
	Merges                  json.RawMessage  `json:"merges"`

	merges [][2]string // Merges decoded (or given directly)
}

// parseBPE builds the model tokenizer.json's "model" describes.
func parseBPE(raw json.RawMessage) (*bpe, error) {
	var m bpeModel
	if err := json.Unmarshal(raw, &m); err != nil {
		return nil, fmt.Errorf("model: %w", err)
	}
	// Merges come as ["a b", ...] (older files) or [["a", "b"], ...].
	var asStrings []string
	if err := json.Unmarshal(m.Merges, &asStrings); err != nil {
		if err := json.Unmarshal(m.Merges, &m.merges); err != nil {
			return nil, fmt.Errorf("model: merges are neither \"a b\" strings nor [a, b] pairs")
		}
	} else if m.merges, err = splitMerges(asStrings); err != nil {
		return nil, err
	}
	return newBPE(&m)
}

// splitMerges turns "a b" merges into pairs.
func splitMerges(merges []string) ([][2]string, error) {
	pairs := make([][2]string, len(merges))
	for i, s := range merges {
		l, r, ok := strings.Cut(s, " ")
		if !ok {
			return nil, fmt.Errorf("model: merge %d %q has no space", i, s)
		}
		pairs[i] = [2]string{l, r}
	}
	return pairs, nil
}

// newBPE builds the model m describes (its merges decoded).
func newBPE(m *bpeModel) (*bpe, error) {
	if m.Type != "BPE" {
		return nil, fmt.Errorf("model type %q is not supported (only BPE)", m.Type)
	}
	if m.Dropout != nil && *m.Dropout > 0 {
		return nil, fmt.Errorf("BPE dropout %v is not supported (inference uses none)", *m.Dropout)
	}
	b := &bpe{vocab: m.Vocab, unk: -1, fuseUnk: m.FuseUnk, byteFallback: m.ByteFallback, ignoreMerges: m.IgnoreMerges, cache: map[string][]int32{}}
	if m.ContinuingSubwordPrefix != nil {
		b.prefix = *m.ContinuingSubwordPrefix
	}
	if m.EndOfWordSuffix != nil {
		b.suffix = *m.EndOfWordSuffix
	}
	if m.UnkToken != nil {
		id, ok := b.vocab[*m.UnkToken]
		if !ok {
			return nil, fmt.Errorf("model: unk_token %q is not in the vocabulary", *m.UnkToken)
		}
		b.unk = id
	}
	b.ranks = make(map[[2]int32]merge, len(m.merges))
	for i, p := range m.merges {
		l, lok := b.vocab[p[0]]
		r, rok := b.vocab[p[1]]
		merged := p[0] + strings.TrimPrefix(p[1], b.prefix)
		id, mok := b.vocab[merged]
		if !lok || !rok || !mok {
			return nil, fmt.Errorf("model: merge %d (%q, %q) uses a token missing from the vocabulary", i, p[0], p[1])
		}
		if _, dup := b.ranks[[2]int32{l, r}]; !dup {
			b.ranks[[2]int32{l, r}] = merge{rank: int32(i), id: id}
		}
	}
	return b, nil
}

// encode appends the ids of one pre-tokenized word.
func (b *bpe) encode(dst []int32, word string) []int32 {
	if word == "" {
		return dst
	}
	if b.ignoreMerges {
		if id, ok := b.vocab[word]; ok {
			return append(dst, id)
		}
	}
	b.mu.Lock()
	ids, ok := b.cache[word]
	b.mu.Unlock()
	if ok {
		return append(dst, ids...)
	}
	ids = b.merge(word)
	if len(word) > bpeCacheWordMax {
		return append(dst, ids...)
	}
	b.mu.Lock()
	if len(b.cache) >= bpeCacheMax {
		clear(b.cache)
	}
	b.cache[word] = ids
	b.mu.Unlock()
	return append(dst, ids...)
}

// merge splits word into characters and applies merges lowest rank first
// (leftmost among equal ranks), as tokenizers' Word::merge_all does.
func (b *bpe) merge(word string) []int32 {
	n := utf8.RuneCountInString(word)
	syms := make([]int32, 0, n)
	i := 0
	pendingUnk := false
	for pos := 0; pos < len(word); {
		// A byte that is not UTF-8 is a character of its own, one byte
		// long (utf8.RuneLen of the RuneError it decodes to is 3): byte
		// fallback spells it, as it spells every character not in the vocabulary.
		_, size := utf8.DecodeRuneInString(word[pos:])
		raw := word[pos : pos+size]
		pos += size
		s := raw
		if i > 0 && b.prefix != "" {
			s = b.prefix + s
		}
		if i == n-1 && b.suffix != "" {
			s += b.suffix
		}
		i++
		if id, ok := b.vocab[s]; ok {
			syms = append(syms, id)
			pendingUnk = false
			continue
		}
		if b.byteFallback {
			ids := make([]int32, 0, 4)
			all := true
			for j := 0; j < len(raw); j++ {
				id, ok := b.vocab[fmt.Sprintf("<0x%02X>", raw[j])]
				if !ok {
					all = false
					break
				}
				ids = append(ids, id)
			}
			if all {
				syms = append(syms, ids...)
				pendingUnk = false
				continue
			}
		}
		if b.unk >= 0 {
			if !(b.fuseUnk && pendingUnk) {
				syms = append(syms, b.unk)
			}
			pendingUnk = true
		}
		// With neither byte fallback nor unk, tokenizers drops the character.
	}
	return b.mergeAll(syms)
}
