// Strings that stress the pre-tokenizer and the byte-level BPE.

const longWord = 'Pneumonoultramicroscopicsilicovolcanoconiosis'.repeat(3);

export const HARD_STRINGS: string[] = [
  '',
  'a',
  ' ',
  'The Tenant shall pay the rent on the first day of each month.',
  'Emoji: 😀 👍🏽 🇩🇪 and text',
  'ZWJ family 👩‍👩‍👧‍👦 and 🧑‍💻 coder',
  'Combining: e\u0301 a\u0308 n\u0303 Z\u0335\u0321\u0358a\u0337lgo',
  'line one\r\nline two\r\n\r\nline four\rold mac\n',
  '\tindented\twith\ttabs\n\t\t  mixed \t whitespace\u000b\u000cend',
  'control \u0000\u0001\u0002\u001b[31m red \u007f bytes \u0008',
  'digits 1234567890123456789 and 3.14159 and 1,000,000 and 0x7fff',
  `long word ${longWord} end`,
  `x${'y'.repeat(200)}`,
  `${' '.repeat(100)}word after a hundred spaces`,
  `${' '.repeat(130)}\n${'\t'.repeat(70)}x`,
  'RTL: שלום עולם and مرحبا بالعالم with 123 numbers',
  'literal <|endoftext|> in text <|endoftext|><|endoftext|>',
  'CJK 漢字かなカナ한국어 mixed with ASCII',
  'non-breaking\u00a0space and \u2003em space and \u200bzero width',
  'def read_config(path):\n    with open(path) as handle:\n        return json.load(handle)\n',
  'if (a && b) { return x->y[0] ?? z; } // comment\n',
  '  two spaces before  words   and   three',
  ' leading space, trailing space ',
  '!!!???...,,,;;;:::"\'\'``~~~',
  '𝔘𝔫𝔦𝔠𝔬𝔡𝔢 𝕞𝕒𝕥𝕙 and 🀄 astral',
  `${'😀'.repeat(70)} astral run longer than a chunk`,
  `${'1'.repeat(200)}`,
  'mixed9digits12345letters678',
  '\n\n\n\r\r\n   \n',
  'Patient: 45 y/o male, BP 140/90 mmHg, HR 88 bpm; Rx: metformin 500 mg b.i.d.',
];

/** Builds `count` random strings from pieces that sit on class boundaries, from a fixed seed. */
export function randomStrings(count: number, seed: number): string[] {
  const pieces = [' ', '  ', '\t', '\n', '\r\n', 'a', 'Z', 'word', '7', '123', '.', ',', '(', '"', 'é', '😀', '\u0000', 'ß', 'ش', '  x', '1 2'];
  let state = seed >>> 0;
  const next = (): number => {
    state = (state * 1664525 + 1013904223) >>> 0;
    return state;
  };

  const strings: string[] = [];
  for (let i = 0; i < count; i += 1) {
    const length = next() % 40;
    let text = '';
    for (let j = 0; j < length; j += 1) text += pieces[next() % pieces.length];
    strings.push(text);
  }
  return strings;
}
