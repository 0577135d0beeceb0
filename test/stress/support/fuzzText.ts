// Generators of the text an editor may hold: words and code, Unicode that is hard to cut
// (surrogate pairs, lone surrogates, combining marks, joiners, right-to-left text and its
// controls), control characters, every line break style and very long lines.

import type { Random } from './random';

const WORDS = ['the', 'Tenant', 'shall', 'patient', 'dose', 'mg', 'return', 'def', 'const', 'if', 'else', 'Agreement', 'of', 'a'];
const CODE = ['{', '}', '(', ')', '[', ']', ':', ';', '=>', '->', '=', '==', '"', "'", '`', '```', '~~~', '#', '//', '/*', '*/', '\\', '<|endoftext|>', '<|', '|>', '$(', '${x}'];
const LINE_BREAKS = ['\n', '\r\n', '\r'];

/** Code point ranges of hard cases, each with a name for failure reports. */
const UNICODE_RANGES: Array<[string, number, number]> = [
  ['latin-1', 0x00a0, 0x00ff],
  ['combining-mark', 0x0300, 0x036f],
  ['hebrew', 0x05d0, 0x05ea],
  ['arabic', 0x0627, 0x064a],
  ['devanagari', 0x0900, 0x097f],
  ['cjk', 0x4e00, 0x4f00],
  ['hangul', 0xac00, 0xac80],
  ['emoji', 0x1f300, 0x1f64f],
  ['cjk-extension-b', 0x20000, 0x20100],
  ['private-use-plane', 0x100000, 0x100010],
];

const SPECIAL_CHARACTERS = [
  '\u200b', // zero-width space
  '\u200c', // zero-width non-joiner
  '\u200d', // zero-width joiner
  '\u200e', // left-to-right mark
  '\u200f', // right-to-left mark
  '\u202a', // left-to-right embedding
  '\u202b', // right-to-left embedding
  '\u202c', // pop directional formatting
  '\u202d', // left-to-right override
  '\u202e', // right-to-left override
  '\u2066', // left-to-right isolate
  '\u2067', // right-to-left isolate
  '\u2069', // pop directional isolate
  '\u2028', // line separator
  '\u2029', // paragraph separator
  '\u00a0', // no-break space
  '\ufeff', // byte order mark
  '\ufe0f', // variation selector 16
  '\ufffd', // replacement character
  '\ufffe', // noncharacter
  '\u0085', // NEXT LINE, a C1 control character
  '\u180e', // Mongolian vowel separator
  '👨‍👩‍👧', // family: a zero-width joiner sequence
  '🇩🇪', // regional indicator pair
  'é', // e and a combining acute accent
  'נּ', // Hebrew letter with a point
];

export type PieceKind = 'words' | 'code' | 'unicode' | 'special' | 'control' | 'surrogate' | 'break' | 'blank' | 'digits' | 'long-line';

export function randomPiece(random: Random, kind: PieceKind = randomKind(random)): string {
  switch (kind) {
    case 'words':
      return Array.from({ length: random.int(1, 8) }, () => random.pick(WORDS)).join(random.pick([' ', ' ', '  ', '\t']));
    case 'code':
      return Array.from({ length: random.int(1, 6) }, () => random.pick(CODE)).join(random.pick(['', ' ']));
    case 'unicode': {
      const [, low, high] = random.pick(UNICODE_RANGES);
      return Array.from({ length: random.int(1, 12) }, () => String.fromCodePoint(random.int(low, high))).join('');
    }
    case 'special':
      return random.pick(SPECIAL_CHARACTERS);
    case 'control':
      return String.fromCharCode(random.pick([0, 1, 7, 8, 0x0b, 0x0c, 0x1b, 0x1f, 0x7f, 0x80, 0x9f]));
    case 'surrogate':
      // A lone high or low surrogate, as a cut paste or a broken file leaves.
      return String.fromCharCode(random.chance(0.5) ? random.int(0xd800, 0xdbff) : random.int(0xdc00, 0xdfff));
    case 'break':
      return random.pick(LINE_BREAKS).repeat(random.int(1, 3));
    case 'blank':
      return random.pick([' ', '\t', ' \t']).repeat(random.int(1, 40));
    case 'digits':
      return String(random.int(0, 1e9)).repeat(random.int(1, 3));
    case 'long-line':
      return randomPiece(random, random.pick(['words', 'unicode', 'code', 'digits'] as const)).repeat(random.int(200, 3000)).replace(/[\r\n]/g, ' ');
  }
}

function randomKind(random: Random): PieceKind {
  return random.weighted({
    words: 30,
    code: 15,
    unicode: 15,
    special: 8,
    control: 4,
    surrogate: 3,
    break: 15,
    blank: 5,
    digits: 4,
    'long-line': 1,
  });
}

/** Generates a document of `pieces` random pieces; some documents use one line break style throughout. */
export function randomText(random: Random, pieces: number): string {
  let text = '';
  for (let i = 0; i < pieces; i += 1) text += randomPiece(random);
  if (random.chance(0.3)) {
    const style = random.pick(LINE_BREAKS);
    text = text.replace(/\r\n|\r|\n/g, style);
  }
  return text;
}

/** Generates a model completion: text, sometimes with special tokens, control characters, broken characters or a copy of the document's next line. */
export function randomModelText(random: Random, suffix: string): string {
  const parts: string[] = [];
  for (let i = random.int(0, 6); i > 0; i -= 1) {
    const choice = random.int(0, 9);
    if (choice === 0 && suffix !== '') parts.push(suffix.slice(0, random.int(1, Math.min(200, suffix.length))));
    else if (choice === 1) parts.push(random.pick(['<|endoftext|>', '<|', '<|endof', '\ufffd', '\ufffd\ufffd']));
    else parts.push(randomPiece(random, random.pick(['words', 'code', 'unicode', 'special', 'control', 'surrogate', 'break', 'blank'] as const)));
  }
  return parts.join('');
}
