// Builds tokenizer.json variants that exercise the component types the two
// main test tokenizers do not, and records what Hugging Face's own Rust
// tokenizers (npm package "tokenizers", run offline) produce for them.
//
//   cd testdata/tokenizers/generated && npm install tokenizers@0.23.2 && node make-variants.js
//
// Each variant starts from a trimmed copy of ../lfm2like (its first 4000
// merges and the tokens they need) with a different pipeline. Output:
// <variant>/tokenizer.json and <variant>/cases.jsonl in the format of
// ../lfm2like/cases.jsonl. Never edit the cases by hand.
const fs = require('fs');
const path = require('path');
const { Tokenizer } = require('tokenizers');

const base = JSON.parse(fs.readFileSync(path.join(__dirname, '..', 'lfm2like', 'tokenizer.json'), 'utf8'));
const N_MERGES = 4000;

function trimmed() {
  const t = JSON.parse(JSON.stringify(base));
  const merges = t.model.merges.slice(0, N_MERGES);
  // Keep a handful of added tokens; like real files, they are in the vocab too.
  t.added_tokens = base.added_tokens.filter(a => a.id <= 7);
  const keep = new Set(t.added_tokens.map(a => a.content));
  for (const [tok] of Object.entries(t.model.vocab)) if ([...tok].length === 1) keep.add(tok);
  for (const [a, b] of merges) { keep.add(a); keep.add(b); keep.add(a + b); }
  // Renumber contiguously in the original order, as a real vocabulary is.
  const kept = Object.entries(t.model.vocab).filter(([tok]) => keep.has(tok)).sort((x, y) => x[1] - y[1]);
  const vocab = {};
  kept.forEach(([tok], i) => { vocab[tok] = i; });
  for (const a of t.added_tokens) a.id = vocab[a.content];
  t.model.vocab = vocab;
  t.model.merges = merges;
  return t;
}

function maxId(t) {
  let m = 0;
  for (const id of Object.values(t.model.vocab)) m = Math.max(m, id);
  for (const a of t.added_tokens) m = Math.max(m, a.id);
  return m;
}

// toMetaspace rewrites the byte-level vocabulary for a SentencePiece-style
// pipeline: Ġ becomes ▁, and <0xNN> byte-fallback tokens are added.
function toMetaspace(t) {
  const conv = s => s.replace(/Ġ/g, '▁');
  const vocab = {};
  for (const [tok, id] of Object.entries(t.model.vocab)) vocab[conv(tok)] = id;
  let next = maxId(t) + 1;
  for (let b = 0; b < 256; b++) {
    const name = '<0x' + b.toString(16).toUpperCase().padStart(2, '0') + '>';
    if (!(name in vocab)) vocab[name] = next++;
  }
  t.model.vocab = vocab;
  t.model.merges = t.model.merges.map(([a, b]) => [conv(a), conv(b)]);
  t.model.byte_fallback = true;
  return t;
}

// withPrefix gives the vocabulary continuing-subword ("##") forms.
function withPrefix(t, prefix) {
  const vocab = { ...t.model.vocab };
  let next = maxId(t) + 1;
  for (const tok of Object.keys(t.model.vocab)) if (!((prefix + tok) in vocab)) vocab[prefix + tok] = next++;
  const merges = [];
  for (const [a, b] of t.model.merges) { merges.push([a, prefix + b]); merges.push([prefix + a, prefix + b]); }
  t.model.vocab = vocab;
  t.model.merges = merges;
  t.model.continuing_subword_prefix = prefix;
  t.model.ignore_merges = false;
  return t;
}

function withSuffix(t, suffix) {
  const vocab = { ...t.model.vocab };
  let next = maxId(t) + 1;
  for (const tok of Object.keys(t.model.vocab)) if (!((tok + suffix) in vocab)) vocab[tok + suffix] = next++;
  const merges = [];
  for (const [a, b] of t.model.merges) { merges.push([a, b]); merges.push([a, b + suffix]); }
  t.model.vocab = vocab;
  t.model.merges = merges;
  t.model.end_of_word_suffix = suffix;
  t.model.ignore_merges = false;
  return t;
}

const bos = { type: 'TemplateProcessing',
  single: [{ SpecialToken: { id: '<|startoftext|>', type_id: 0 } }, { Sequence: { id: 'A', type_id: 0 } }],
  pair: [{ Sequence: { id: 'A', type_id: 0 } }, { Sequence: { id: 'B', type_id: 1 } }],
  special_tokens: { '<|startoftext|>': { id: '<|startoftext|>', ids: [1], tokens: ['<|startoftext|>'] } } };
const byteLevel = (prefix, regex) => ({ type: 'ByteLevel', add_prefix_space: prefix, trim_offsets: true, use_regex: regex });
const split = (pattern, behavior, invert = false) => ({ type: 'Split', pattern, behavior, invert });
const added = (id, content, o) => ({ id, content, single_word: false, lstrip: false, rstrip: false, normalized: false, special: false, ...o });

const variants = {
  // Llama-2 style: SentencePiece BPE expressed as normalizers, byte fallback.
  'sentencepiece-normalizers': () => {
    const t = toMetaspace(trimmed());
    t.normalizer = { type: 'Sequence', normalizers: [{ type: 'Prepend', prepend: '▁' }, { type: 'Replace', pattern: { String: ' ' }, content: '▁' }] };
    t.pre_tokenizer = null;
    t.post_processor = bos;
    t.decoder = { type: 'Sequence', decoders: [
      { type: 'Replace', pattern: { String: '▁' }, content: ' ' }, { type: 'ByteFallback' }, { type: 'Fuse' },
      { type: 'Strip', content: ' ', start: 1, stop: 0 }] };
    return t;
  },
  // Mistral/Llama-3.x style Metaspace pre-tokenizer and decoder, NFKC.
  'metaspace': () => {
    const t = toMetaspace(trimmed());
    t.normalizer = { type: 'NFKC' };
    t.pre_tokenizer = { type: 'Metaspace', replacement: '▁', prepend_scheme: 'always', split: true };
    t.post_processor = bos;
    t.decoder = { type: 'Sequence', decoders: [{ type: 'Metaspace', replacement: '▁', prepend_scheme: 'always', split: true }, { type: 'ByteFallback' }, { type: 'Fuse' }] };
    return t;
  },
  'metaspace-first-nosplit': () => {
    const t = toMetaspace(trimmed());
    t.normalizer = { type: 'NFD' };
    t.pre_tokenizer = { type: 'Metaspace', replacement: '▁', prepend_scheme: 'first', split: false };
    t.post_processor = null;
    t.decoder = { type: 'Metaspace', replacement: '▁', prepend_scheme: 'first', split: false };
    return t;
  },
  // Digits, lower-casing, stripping and a byte-level pass with a prefix space.
  'digits-lowercase': () => {
    const t = trimmed();
    t.normalizer = { type: 'Sequence', normalizers: [{ type: 'NFKD' }, { type: 'Lowercase' }, { type: 'Strip', strip_left: true, strip_right: true }] };
    t.pre_tokenizer = { type: 'Sequence', pretokenizers: [{ type: 'Digits', individual_digits: true }, byteLevel(true, true)] };
    t.post_processor = { type: 'Sequence', processors: [byteLevel(true, false), bos] };
    t.decoder = byteLevel(true, true);
    t.model.ignore_merges = false;
    return t;
  },
  'digits-grouped-replace': () => {
    const t = trimmed();
    t.normalizer = { type: 'Replace', pattern: { Regex: '\\s+' }, content: ' ' };
    t.pre_tokenizer = { type: 'Sequence', pretokenizers: [{ type: 'Digits', individual_digits: false }, byteLevel(false, true)] };
    t.decoder = byteLevel(false, true);
    return t;
  },
  // Every Split behaviour, and invert.
  'split-removed': () => { const t = trimmed(); t.pre_tokenizer = { type: 'Sequence', pretokenizers: [split({ Regex: '\\s+' }, 'Removed'), byteLevel(false, false)] }; return t; },
  'split-merged-previous': () => { const t = trimmed(); t.pre_tokenizer = { type: 'Sequence', pretokenizers: [split({ String: ' ' }, 'MergedWithPrevious'), byteLevel(false, false)] }; return t; },
  'split-merged-next': () => { const t = trimmed(); t.pre_tokenizer = { type: 'Sequence', pretokenizers: [split({ Regex: '\\p{P}' }, 'MergedWithNext'), byteLevel(false, false)] }; return t; },
  'split-contiguous': () => { const t = trimmed(); t.pre_tokenizer = { type: 'Sequence', pretokenizers: [split({ Regex: '[0-9]' }, 'Contiguous'), byteLevel(false, false)] }; return t; },
  'split-invert': () => { const t = trimmed(); t.pre_tokenizer = { type: 'Sequence', pretokenizers: [split({ Regex: '\\p{L}+' }, 'Isolated', true), byteLevel(false, false)] }; return t; },
  // Subword prefix and end-of-word suffix in the BPE model.
  'subword-prefix': () => { const t = withPrefix(trimmed(), '##'); t.pre_tokenizer = byteLevel(false, true); t.decoder = byteLevel(false, true); return t; },
  'word-suffix': () => { const t = withSuffix(trimmed(), '</w>'); t.pre_tokenizer = byteLevel(false, true); t.decoder = null; return t; },
  // Added-token flags: single_word, normalized, lstrip/rstrip, special or not.
  'added-token-flags': () => {
    const t = trimmed();
    t.normalizer = { type: 'Lowercase' };
    let id = maxId(t) + 1;
    t.added_tokens.push(
      added(id++, 'hello', { single_word: true, normalized: true }),
      added(id++, '[MASK]', { lstrip: true, special: true }),
      added(id++, '<sep>', { rstrip: true, special: true }),
      added(id++, 'WORLD', { normalized: false }),
      added(id++, 'ab', { single_word: true }));
    return t;
  },
};

const texts = [
  '', ' ', '  ', 'a', 'Hello world', ' Hello  world ', 'HELLO World hello', 'hello,world', 'say hello!', 'othello hellos',
  'The year 2024 had 365 days.', '12345678901234567890', '3.14159 and 2,718', '٣٤٥ and ²³ and Ⅻ',
  "It's don't we'll I'M", 'café naïve résumé Ångström', 'ﬁ ligature ＦＵＬＬ width ①②', 'Straße', 'İstanbul',
  '中文测试，你好。', 'こんにちは世界', 'Привет, мир!', 'مرحبا بالعالم', '😀 emoji 👍🏽 family 👨‍👩‍👧',
  'tabs\tand\nnewlines\r\nhere', '   leading and trailing   ', 'a [MASK] b', 'a[MASK]b', 'x <sep>   y', 'WORLD world World',
  'ab abc cab ab', '<|im_start|>user\nhi<|im_end|>', 'punctuation... (really?) [yes] {no} "quoted"', 'e\u0301 combining',
  'zero\u200bwidth', 'nbsp\u00a0here', 'ideographic\u3000space', 'x'.repeat(50), 'mixed123abc456', '#hashtag @user http://x.y/z?q=1',
  'ΟΔΟΣ ΣΟΦΟΣ. Σ ΑΣ.Σ', 'ΜΆΣ\u0301Σ x', 'İI ıi',
];

(async () => {
  for (const [name, make] of Object.entries(variants)) {
    const dir = path.join(__dirname, name);
    fs.mkdirSync(dir, { recursive: true });
    const file = path.join(dir, 'tokenizer.json');
    fs.writeFileSync(file, JSON.stringify(make()));
    const tok = Tokenizer.fromFile(file);
    const lines = [];
    for (const text of texts) {
      const plain = await tok.encode(text, null, { addSpecialTokens: false });
      const special = await tok.encode(text, null, { addSpecialTokens: true });
      const ids = plain.getIds();
      lines.push(JSON.stringify({ text, ids, ids_special: special.getIds(),
        decoded: await tok.decode(ids, false), decoded_skip_special: await tok.decode(ids, true) }));
    }
    fs.writeFileSync(path.join(dir, 'cases.jsonl'), lines.join('\n') + '\n');
    console.log(name, lines.length, 'cases');
  }
})().catch(e => { console.error(e); process.exit(1); });
