// The `ascii-classes-v1` pre-tokenizer of models/FORMAT.md. It must split text exactly as
// models/training/tokenizer.py does, so the ids match the ones the model was trained on.

const MAX_DIGIT_RUN = 3;
const REPLACEMENT_CHARACTER = 0xfffd;

type CharacterClass = 'L' | 'N' | 'S' | 'B' | 'W' | 'P';

function characterClass(codePoint: number): CharacterClass {
  if (codePoint >= 0x80) return 'L';
  if ((codePoint >= 0x41 && codePoint <= 0x5a) || (codePoint >= 0x61 && codePoint <= 0x7a)) return 'L';
  if (codePoint >= 0x30 && codePoint <= 0x39) return 'N';
  if (codePoint === 0x20) return 'S';
  if (codePoint === 0x0a || codePoint === 0x0d) return 'B';
  if (codePoint === 0x09 || codePoint === 0x0b || codePoint === 0x0c) return 'W';
  return 'P';
}

function isWordClass(cls: CharacterClass | undefined): cls is 'L' | 'N' | 'P' {
  return cls === 'L' || cls === 'N' || cls === 'P';
}

/** Returns the code points of `text`, with every lone UTF-16 surrogate replaced by U+FFFD. */
export function toCodePoints(text: string): number[] {
  const codePoints: number[] = [];
  for (const character of text) {
    const codePoint = character.codePointAt(0) as number;
    const loneSurrogate = codePoint >= 0xd800 && codePoint <= 0xdfff;
    codePoints.push(loneSurrogate ? REPLACEMENT_CHARACTER : codePoint);
  }
  return codePoints;
}

/**
 * Splits code points into chunks, returned as the end index of each chunk (the start of the
 * first is 0, the start of each other is the end of the previous one).
 */
export function pretokenize(codePoints: readonly number[], maxChunkCodePoints: number): number[] {
  const length = codePoints.length;
  const classes = codePoints.map(characterClass);
  const ends: number[] = [];

  const extendRun = (from: number, cls: CharacterClass): number => {
    const limit = Math.min(cls === 'N' ? from + MAX_DIGIT_RUN : length, length);
    let position = from;
    while (position < limit && classes[position] === cls) position += 1;
    return position;
  };

  let position = 0;
  while (position < length) {
    const start = position;
    const cls = classes[position];
    const nextClass = classes[position + 1];

    if (cls === 'S' && isWordClass(nextClass)) {
      position = extendRun(position + 1, nextClass);
    } else if (cls === 'B') {
      while (position < length && classes[position] === 'B') position += 1;
    } else if (cls === 'S' || cls === 'W') {
      while (position < length && (classes[position] === 'S' || classes[position] === 'W')) position += 1;
      // A run of blanks before a word leaves its last space to start that word's chunk.
      const followedByWord = position < length && isWordClass(classes[position]);
      if (followedByWord && position - start > 1 && classes[position - 1] === 'S') position -= 1;
    } else {
      position = extendRun(position, cls);
    }

    position = Math.min(position, start + maxChunkCodePoints);
    ends.push(position);
  }
  return ends;
}
