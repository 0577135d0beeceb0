// A small glob matcher for `expertActivation.routing.domainByFile`. No `vscode` import, so it
// can be unit-tested.
//
// Syntax: `*` matches within one path segment, `**` across segments, `?` one character,
// `[abc]`, `[a-z]` and `[!abc]` a character class, `{a,b}` alternatives (nestable).
// A pattern without `/` matches the file name. A pattern with `/` matches the path relative to
// the workspace folder, or else the absolute path.

export class GlobSyntaxError extends Error {}

const compiled = new Map<string, RegExp>();

/** Returns why the pattern is malformed, or undefined when it compiles. */
export function globSyntaxProblem(pattern: string): string | undefined {
  try {
    compileGlob(pattern);
    return undefined;
  } catch (error) {
    return error instanceof GlobSyntaxError ? error.message : String(error);
  }
}

/** Returns whether a file matches the pattern. `relativePath` is undefined outside a workspace folder. */
export function matchesGlob(pattern: string, file: { absolutePath: string; relativePath?: string }): boolean {
  const regex = compileGlob(pattern);
  const absolutePath = toForwardSlashes(file.absolutePath);

  if (!pattern.includes('/')) {
    return regex.test(baseName(absolutePath));
  }

  if (file.relativePath !== undefined && regex.test(toForwardSlashes(file.relativePath))) {
    return true;
  }
  return regex.test(absolutePath);
}

/**
 * Counts the literal (non-wildcard) characters of a pattern. When several patterns match a file,
 * the one with the most literal characters is the most specific.
 */
export function globSpecificity(pattern: string): number {
  return pattern.replace(/\*\*|[*?]|\[[^\]]*\]|[{},]/g, '').length;
}

export function compileGlob(pattern: string): RegExp {
  const cached = compiled.get(pattern);
  if (cached) return cached;

  if (pattern.trim() === '') throw new GlobSyntaxError('the pattern is empty');
  const source = translate(pattern, 0, false).source;
  const regex = new RegExp(`^${source}$`);

  if (compiled.size > 500) compiled.clear();
  compiled.set(pattern, regex);
  return regex;
}

/** Translates pattern[start..] into a regular expression source, stopping at `}` or `,` when inside braces. */
function translate(pattern: string, start: number, insideBraces: boolean): { source: string; end: number } {
  let source = '';
  let i = start;

  while (i < pattern.length) {
    const char = pattern[i];

    if (insideBraces && (char === '}' || char === ',')) {
      return { source, end: i };
    }

    if (char === '*') {
      const isDouble = pattern[i + 1] === '*';
      if (isDouble) {
        const atSegmentStart = i === 0 || pattern[i - 1] === '/';
        const followedBySlash = pattern[i + 2] === '/';
        const atEnd = i + 2 === pattern.length;
        if (atSegmentStart && followedBySlash) {
          source += '(?:.*/)?';
          i += 3;
        } else if (atSegmentStart && atEnd && i > 0) {
          // `dir/**` also matches `dir` itself: drop the slash already written.
          source = source.slice(0, -1) + '(?:/.*)?';
          i += 2;
        } else {
          source += '.*';
          i += 2;
        }
      } else {
        source += '[^/]*';
        i += 1;
      }
      continue;
    }

    if (char === '?') {
      source += '[^/]';
      i += 1;
      continue;
    }

    if (char === '[') {
      const close = pattern.indexOf(']', i + 2);
      if (close === -1) throw new GlobSyntaxError(`"[" at position ${i + 1} has no closing "]"`);
      let body = pattern.slice(i + 1, close);
      const negated = body.startsWith('!') || body.startsWith('^');
      if (negated) body = body.slice(1);
      const escapedBody = body.replace(/[\\\]^]/g, '\\$&');
      source += negated ? `[^/${escapedBody}]` : `[${escapedBody}]`;
      i = close + 1;
      continue;
    }

    if (char === '{') {
      const alternatives: string[] = [];
      let cursor = i + 1;
      for (;;) {
        const part = translate(pattern, cursor, true);
        alternatives.push(part.source);
        if (part.end >= pattern.length) {
          throw new GlobSyntaxError(`"{" at position ${i + 1} has no closing "}"`);
        }
        cursor = part.end + 1;
        if (pattern[part.end] === '}') break;
      }
      source += `(?:${alternatives.join('|')})`;
      i = cursor;
      continue;
    }

    if (char === '}') throw new GlobSyntaxError(`"}" at position ${i + 1} has no opening "{"`);

    if (char === '\\' && i + 1 < pattern.length) {
      source += escapeRegex(pattern[i + 1]);
      i += 2;
      continue;
    }

    source += escapeRegex(char);
    i += 1;
  }

  if (insideBraces) return { source, end: pattern.length };
  return { source, end: i };
}

function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function toForwardSlashes(path: string): string {
  return path.replace(/\\/g, '/');
}

function baseName(path: string): string {
  const slash = path.lastIndexOf('/');
  return slash === -1 ? path : path.slice(slash + 1);
}
