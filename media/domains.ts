// Domain colours and names. Colours are VS Code chart colours, which every built-in theme,
// light, dark and high-contrast, defines for readable fills.

import type { Domain } from '../src/engine/protocol';

export type DomainColor = 'blue' | 'red' | 'green' | 'yellow' | 'purple' | 'orange' | 'neutral';

const preferredColors: Record<string, DomainColor> = {
  legal: 'blue',
  medical: 'red',
  code: 'green',
  general: 'yellow',
};

const palette: DomainColor[] = ['blue', 'red', 'green', 'yellow', 'purple', 'orange'];

/**
 * Assigns each domain a colour: the usual four keep theirs, and other domains take the unused
 * colours in order. Domains beyond the palette are neutral; their names still tell them apart.
 */
export function assignDomainColors(domains: readonly Domain[]): Map<Domain, DomainColor> {
  const colors = new Map<Domain, DomainColor>();
  for (const domain of domains) {
    const preferred = preferredColors[domain];
    if (preferred !== undefined) colors.set(domain, preferred);
  }

  const free = palette.filter((color) => ![...colors.values()].includes(color));
  for (const domain of domains) {
    if (!colors.has(domain)) colors.set(domain, free.shift() ?? 'neutral');
  }

  return colors;
}

export function domainColorClass(colors: ReadonlyMap<Domain, DomainColor>, domain: Domain): string {
  return `domain-${colors.get(domain) ?? 'neutral'}`;
}

/** `medical` becomes `Medical`. */
export function domainTitle(domain: Domain): string {
  return domain.length === 0 ? domain : domain[0].toUpperCase() + domain.slice(1);
}

/** Abbreviates an expert label to a two-letter column heading: `Legal A` becomes `LA`, `Syntax` becomes `Sy`. */
export function abbreviateLabel(label: string): string {
  const words = label.trim().split(/\s+/).filter((word) => word.length > 0);
  if (words.length === 0) return '?';
  if (words.length === 1) return words[0].slice(0, 2);
  return (words[0][0] + words[words.length - 1][0]).toUpperCase();
}
