// Language rules: the per-language enable map and the prose languages. No `vscode` import.

/** Languages written as prose: completions there are a phrase or a sentence. */
export const PROSE_LANGUAGES: ReadonlySet<string> = new Set([
  'plaintext',
  'markdown',
  'latex',
  'tex',
  'bibtex',
  'restructuredtext',
  'asciidoc',
  'org',
  'git-commit',
]);

/**
 * Applies `completions.enabledLanguages`: the entry for the language wins over `*`, and a
 * language without either entry is enabled.
 */
export function isLanguageEnabled(enabledLanguages: Readonly<Record<string, boolean>>, languageId: string): boolean {
  const own = enabledLanguages[languageId];
  if (own !== undefined) return own;
  return enabledLanguages['*'] ?? true;
}

/**
 * Returns whether the cursor is in prose. Markdown counts as code inside a fenced code block, which is
 * the case when the prefix opened more ``` or ~~~ fences than it closed.
 */
export function isProseAtCursor(languageId: string, prefix: string): boolean {
  if (!PROSE_LANGUAGES.has(languageId)) return false;
  if (languageId !== 'markdown') return true;
  return !isInsideFencedBlock(prefix);
}

function isInsideFencedBlock(prefix: string): boolean {
  let openFence: string | undefined;
  for (const line of prefix.split('\n')) {
    const fence = /^ {0,3}(`{3,}|~{3,})/.exec(line)?.[1];
    if (fence === undefined) continue;

    if (openFence === undefined) {
      openFence = fence;
    } else if (fence[0] === openFence[0] && fence.length >= openFence.length && line.trim() === fence) {
      openFence = undefined;
    }
  }
  return openFence !== undefined;
}
