// The routing policy: settings plus what is known about a document give the `RoutingOptions`
// of its requests. No `vscode` import, so it can be unit-tested.
//
// Precedence, first match wins:
//   1. `routing.mode: off`: no domain bias at all (pins and rules are kept but not applied).
//   2. A pin on the document (`Pin Domain for This Document`).
//   3. `routing.domainByFile`: the most specific matching glob (most literal characters;
//      ties go to the entry written first).
//   4. `routing.domainByLanguage` for the document's language, unless it is `auto`.
//   5. `routing.mode: auto`: the engine detects the domain from the text.
//      `routing.mode: rules`: the document routes as `general`.

import type { Domain, DomainSource, RoutingOptions } from '../engine/protocol';
import { globSpecificity, matchesGlob } from './glob';
import { AUTO_DOMAIN, GENERAL_DOMAIN, RoutingSettings } from './settings';

export interface DocumentFacts {
  languageId: string;
  /** File system path, or the URI path for documents that are not files. */
  absolutePath: string;
  /** Path relative to the workspace folder that contains the document. */
  relativePath?: string;
  /** The document's pinned domain, if any. */
  pin?: Domain;
}

export interface RoutingDecision {
  options: RoutingOptions;
  /** Why the domain was chosen, for the status bar and the log, such as `file rule "contracts/**"`. */
  reason: string;
}

export function decideRouting(
  settings: RoutingSettings,
  document: DocumentFacts,
  knownDomains?: readonly string[],
): RoutingDecision {
  const base = baseOptions(settings);

  if (settings.mode === 'off') {
    return { options: { ...base, mode: 'off', domainSource: 'off' }, reason: 'routing is off' };
  }

  const isKnown = (domain: string) => knownDomains === undefined || knownDomains.includes(domain);

  if (document.pin !== undefined && isKnown(document.pin)) {
    return withDomain(base, document.pin, 'pinned', 'pinned to this document');
  }

  const fileRule = matchFileRule(settings.domainByFile, document);
  if (fileRule !== undefined && isKnown(fileRule.domain)) {
    return withDomain(base, fileRule.domain, 'file-rule', `file rule "${fileRule.glob}"`);
  }

  const languageDomain = settings.domainByLanguage[document.languageId];
  if (languageDomain !== undefined && languageDomain !== AUTO_DOMAIN && isKnown(languageDomain)) {
    return withDomain(base, languageDomain, 'language-rule', `language rule for "${document.languageId}"`);
  }

  if (settings.mode === 'rules') {
    // DomainSource has no value for "no rule matched"; the rules mode's fallback counts as a rule.
    return withDomain(base, GENERAL_DOMAIN, 'language-rule', 'no pin or rule matched, and routing mode is "rules"');
  }

  return { options: { ...base, mode: 'auto', domainSource: 'detected' }, reason: 'detected from the text' };
}

/** The file rule that decides a document's domain, or undefined when no glob matches. */
export function matchFileRule(
  domainByFile: Readonly<Record<string, string>>,
  document: Pick<DocumentFacts, 'absolutePath' | 'relativePath'>,
): { glob: string; domain: Domain } | undefined {
  let best: { glob: string; domain: Domain; specificity: number } | undefined;

  for (const [glob, domain] of Object.entries(domainByFile)) {
    let matches: boolean;
    try {
      matches = matchesGlob(glob, document);
    } catch {
      // Validation already dropped and reported malformed globs.
      continue;
    }
    if (!matches) continue;

    const specificity = globSpecificity(glob);
    if (best === undefined || specificity > best.specificity) best = { glob, domain, specificity };
  }

  return best === undefined ? undefined : { glob: best.glob, domain: best.domain };
}

function baseOptions(settings: RoutingSettings): Omit<RoutingOptions, 'mode'> {
  return {
    biasStrength: settings.biasStrength,
    minConfidence: settings.minConfidence,
    topK: settings.topK,
    topP: settings.topP,
    disabledExperts: [...settings.disabledExperts],
    counterfactual: settings.counterfactual.enabled,
    counterfactualStrength: settings.counterfactual.strength,
  };
}

function withDomain(
  base: Omit<RoutingOptions, 'mode'>,
  domain: Domain,
  domainSource: DomainSource,
  reason: string,
): RoutingDecision {
  return { options: { ...base, mode: 'auto', domain, domainSource }, reason };
}
