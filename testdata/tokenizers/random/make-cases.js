// Random texts for the two main test tokenizers, with what Hugging Face's
// own Rust tokenizers (npm package "tokenizers", run offline) make of them:
// a differential check beside the hand-picked cases, over strings built at
// random from pieces that stress each stage (whitespace runs, contractions,
// digits, scripts, combining marks, emoji sequences, control and format
// characters, special tokens whole and broken) and random code points.
//
//   cd testdata/tokenizers/random && npm install tokenizers@0.23.2 && node make-cases.js
//
// Output: <tokenizer>.jsonl in the format of ../lfm2like/cases.jsonl. The
// generator is seeded, so the same package version writes the same files.
// Never edit the cases by hand.
const fs = require('fs');
const path = require('path');
const { Tokenizer } = require('tokenizers');

const PIECES = [' ', '  ', '\n', '\n\n', '\t', '\r\n', '\r', ' \n ', 'a', 'Z', 'hello', 'Hello', 'WORLD',
  "'s", "'S", "'ll", "'re", "n't", "'", '"', '123', '4567', '0', '1,000', '3.14', '¼', '²', '٣', '१२',
  'é', 'e\u0301', 'ñ', 'ß', 'İ', 'ǅ', 'ﬁ', 'Å', 'Ω', 'µ', 'naïve', 'café', '中文', '日本語', '한국어', 'ไทย',
  'العربية', 'עברית', 'русский', 'Ελληνικά', '😀', '👍🏽', '👨‍👩‍👧', '🇫🇷', '\u200b', '\u00a0', '\u3000',
  '\u2028', '\ufeff', '\u0000', '\u0001', '\u007f', '\u0085', '\u0301', '\u0300', '\u0308', '!', '?', '...',
  '—', '–', '-', '_', '__init__', '#', '$', '%', '&&', '||', '<', '>', '</s>', '<|im_start|>', '<|im_end|>',
  '<|startoftext|>', '<|endoftext|>', '<|tool_call_start|>', '<|pad|>', '<think>', '</think>', '<|im_start',
  'im_end|>', '{"a": 1}', 'def f(x):', '    return x', 'http://x.y/z?q=1', 'e-mail@x.com', '\\', '/', '``',
  '***', '~~', '^', '@', '€', '£', '¥', '\u{10FFFF}', '\u{1F9D1}', '\u{E000}', 'Ａ', 'ｶ', 'ㄱ', '\u115f',
  '\uFFFD', 'x'.repeat(50), ' '.repeat(17), '\n'.repeat(9), '9'.repeat(20), 'ab'.repeat(30)];

function cases(tokPath, n, seed) {
  const rnd = () => { seed = (seed * 1103515245 + 12345) & 0x7fffffff; return seed / 0x7fffffff; };
  const texts = [];
  while (texts.length < n) {
    let s = '';
    for (let j = 1 + Math.floor(rnd() * 12); j > 0; j--) {
      if (rnd() < 0.15) {
        const cp = Math.floor(rnd() < 0.5 ? rnd() * 0x3000 : rnd() * 0x1FFFF);
        if (cp < 0xD800 || cp > 0xDFFF) s += String.fromCodePoint(cp); // no lone surrogates: not UTF-8
      } else {
        s += PIECES[Math.floor(rnd() * PIECES.length)];
      }
    }
    texts.push(s);
  }
  return texts;
}

(async () => {
  for (const [name, seed] of [['lfm2like', 7], ['variant-b', 8]]) {
    const tok = Tokenizer.fromFile(path.join(__dirname, '..', name, 'tokenizer.json'));
    const out = [];
    for (const text of cases(name, 1000, seed)) {
      const plain = await tok.encode(text, null, { addSpecialTokens: false });
      const special = await tok.encode(text, null, { addSpecialTokens: true });
      const ids = plain.getIds();
      out.push(JSON.stringify({ text, ids, ids_special: special.getIds(),
        decoded: await tok.decode(ids, false), decoded_skip_special: await tok.decode(ids, true) }));
    }
    fs.writeFileSync(path.join(__dirname, name + '.jsonl'), out.join('\n') + '\n');
  }
})();
