// Completion quality on the held-out documents: exact match and edit similarity of the next
// phrase (prose) or the rest of the line (code), and the keystrokes a simulated user saves.

import type { CompletionModel } from './completionModels';
import { completionCases, isCodeDomain, nextPhrase, typingSegment, type HeldoutDocument } from './heldout';
import { editSimilarity } from './metrics';
import { simulateTyping, type TypingResult } from './typing';

export interface CompletionSample {
  document: string;
  domain: string;
  offset: number;
  reference: string;
  prediction: string;
  exact: boolean;
  similarity: number;
}

export interface DocumentCompletionResult {
  samples: CompletionSample[];
  typing: TypingResult[];
}

export interface CompletionEvaluationOptions {
  /** Completion cases per document. */
  cases: number;
  /** Typing segments per document, starting at the first completion cases. */
  typingSegments: number;
}

export async function evaluateCompletions(document: HeldoutDocument, model: CompletionModel, options: CompletionEvaluationOptions): Promise<DocumentCompletionResult> {
  const code = isCodeDomain(document.domain);
  const stopAt = code ? 'line' : 'sentence';
  const cases = completionCases(document, Math.max(options.cases, options.typingSegments));
  const samples: CompletionSample[] = [];

  for (const completionCase of cases.slice(0, options.cases)) {
    const completion = await model.complete(document.name, document.text.slice(0, completionCase.offset), stopAt);
    const prediction = code ? completion.trimEnd() : nextPhrase(completion);
    samples.push({
      document: document.name,
      domain: document.domain,
      offset: completionCase.offset,
      reference: completionCase.reference,
      prediction,
      exact: prediction === completionCase.reference,
      similarity: editSimilarity(prediction, completionCase.reference),
    });
  }

  const typing: TypingResult[] = [];
  for (const completionCase of cases.slice(0, options.typingSegments)) {
    const start = completionCase.offset;
    const segment = typingSegment(document.text, start);
    const result = await simulateTyping(
      segment,
      (typed) => document.text.slice(start + typed),
      (typed) => model.complete(document.name, document.text.slice(0, start + typed), stopAt),
    );
    typing.push(result);
  }
  return { samples, typing };
}
