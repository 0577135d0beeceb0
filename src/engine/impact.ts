// impact.json: the mean KL divergence of the next-token distribution when one expert is masked,
// per domain, layer and expert, measured on validation text ("hard" = uncertain tokens only).

import { existsSync, readFileSync } from 'node:fs';
import { describeError } from './errors';
import type { Architecture } from './manifest';

export interface ImpactTable {
  /** domain -> impact per layer and expert index on uncertain tokens. */
  hard: Map<string, number[][]>;
  /** domain -> impact per layer and expert index on all tokens. */
  all: Map<string, number[][]>;
}

export type ImpactLoad = { table: ImpactTable } | { table?: undefined; reason: string };

export function loadImpactTable(file: string, architecture: Architecture, domains: readonly string[]): ImpactLoad {
  if (!existsSync(file)) return { reason: `${file} does not exist` };

  let data: unknown;
  try {
    data = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    return { reason: `${file} cannot be read as JSON: ${describeError(error)}` };
  }

  const byDomain = (data as { domains?: unknown } | null)?.domains;
  if (typeof byDomain !== 'object' || byDomain === null) return { reason: `${file} has no "domains" object` };

  const table: ImpactTable = { hard: new Map(), all: new Map() };
  for (const [domain, entry] of Object.entries(byDomain as Record<string, unknown>)) {
    if (!domains.includes(domain)) continue;
    const { hard, all } = (entry ?? {}) as { hard?: unknown; all?: unknown };
    if (!isMatrix(hard, architecture) || !isMatrix(all, architecture)) {
      return { reason: `${file}: domain ${domain} needs "hard" and "all" as ${architecture.layers} x ${architecture.expertsPerLayer} numbers` };
    }
    table.hard.set(domain, hard);
    table.all.set(domain, all);
  }
  return { table };
}

function isMatrix(value: unknown, architecture: Architecture): value is number[][] {
  return (
    Array.isArray(value) &&
    value.length === architecture.layers &&
    value.every((row) => Array.isArray(row) && row.length === architecture.expertsPerLayer && row.every((x) => Number.isFinite(x)))
  );
}
