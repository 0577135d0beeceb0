// Messages between the Active Experts panel and the extension host, bent out of shape: wrong
// types, missing and extra fields, oversized values, prototype keys and markup in strings.

import type { Random } from './random';

/** Strings that would run code or create elements if any renderer treated them as HTML. */
export const HOSTILE_STRINGS = [
  '<img src=x onerror="globalThis.pwned=1">',
  '<script>globalThis.pwned=1</script>',
  '"><svg onload="globalThis.pwned=1">',
  "<a href=\"javascript:globalThis.pwned=1\">link</a>",
  '<iframe srcdoc="<script>parent.pwned=1</script>"></iframe>',
  '{{constructor.constructor("globalThis.pwned=1")()}}',
  '${globalThis.pwned=1}',
  '&lt;b&gt;escaped&lt;/b&gt;',
];

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** Lists every path to a value inside `value`, each as a list of keys. */
function paths(value: unknown, prefix: Array<string | number> = [], out: Array<Array<string | number>> = []): Array<Array<string | number>> {
  if (prefix.length > 0) out.push(prefix);
  if (Array.isArray(value)) value.forEach((item, index) => paths(item, [...prefix, index], out));
  else if (value !== null && typeof value === 'object') for (const key of Object.keys(value)) paths((value as Record<string, unknown>)[key], [...prefix, key], out);
  return out;
}

function replacement(random: Random): unknown {
  switch (random.int(0, 11)) {
    case 0:
      return random.pick(HOSTILE_STRINGS);
    case 1:
      return null;
    case 2:
      return random.chance(0.5) ? -1 : 1e308;
    case 3:
      return Number.NaN;
    case 4:
      return 'x'.repeat(random.int(10_001, 30_000));
    case 5:
      return [];
    case 6:
      return {};
    case 7:
      return Array.from({ length: 5_000 }, () => 0.1);
    case 8:
      return true;
    case 9:
      return '';
    case 10:
      return undefined;
    default:
      return random.pick(['snapshot', 'ready', 'runAction', 'eval', 'toString', '__proto__', 'constructor']);
  }
}

/** Returns a deep copy of `message` with one to three random changes. */
export function mutateMessage(random: Random, message: Json): unknown {
  const kind = random.int(0, 9);
  if (kind === 0) return random.pick<unknown>(['snapshot', 42, null, [message], undefined, { snapshot: message }]);

  const copy = structuredClone(message) as Record<string, unknown>;
  if (kind === 1) {
    // A `__proto__` key as JSON.parse creates it: an own property, not the prototype.
    return Object.assign(JSON.parse('{"__proto__": {"polluted": true}, "constructor": {"prototype": {"polluted": true}}}') as object, copy);
  }
  if (kind === 2) return { ...copy, type: random.pick(['eval', 'snapshot ', 'Snapshot', 'toString', 'hasOwnProperty', '', 7]) };

  for (let changes = random.int(1, 3); changes > 0; changes -= 1) {
    const all = paths(copy);
    if (all.length === 0) break;
    const target = random.pick(all);
    let parent: Record<string | number, unknown> = copy;
    for (const key of target.slice(0, -1)) parent = parent[key] as Record<string | number, unknown>;
    const last = target[target.length - 1];
    if (random.chance(0.25) && !Array.isArray(parent)) delete parent[last];
    else parent[last] = replacement(random);
  }
  return copy;
}

/** Fields whose strings select behaviour rather than show text; they keep their value so the message stays valid. */
const BEHAVIOUR_FIELDS = new Set(['type', 'kind', 'code', 'source', 'settingsTarget', 'mode', 'domainSource', 'effect', 'actions']);

/** Puts hostile strings into every string of a message that a renderer may show. */
export function withHostileStrings(random: Random, message: Json): Json {
  const visit = (value: Json, field: string | undefined): Json => {
    if (typeof value === 'string') {
      if (field !== undefined && BEHAVIOUR_FIELDS.has(field)) return value;
      return `${value}${random.pick(HOSTILE_STRINGS)}`.slice(0, 190);
    }
    // Array items belong to the array's field.
    if (Array.isArray(value)) return value.map((item) => visit(item, field));
    if (value !== null && typeof value === 'object') {
      return Object.fromEntries(Object.entries(value).map(([key, child]) => [key, visit(child, key)]));
    }
    return value;
  };
  return visit(structuredClone(message), undefined);
}
