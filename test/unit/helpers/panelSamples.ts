// Fixed sample data for the panel's unit tests and screenshots: a 4-layer model with 8 experts
// per layer, two per domain, and a legal document at the cursor.

import type { ExpertInfo, LayerRouting, RoutingTrace, TokenTrace } from '../../../src/engine/protocol';
import type { PanelModel, PanelSnapshot } from '../../../src/panel/protocol';

const domains = ['legal', 'medical', 'code', 'general'];

export function sampleModel(): PanelModel {
  const experts: ExpertInfo[] = [];
  for (let layer = 0; layer < 4; layer++) {
    for (let index = 0; index < 8; index++) {
      const domain = domains[Math.floor(index / 2)];
      const label = `${domain[0].toUpperCase()}${domain.slice(1)} ${index % 2 === 0 ? 'A' : 'B'}`;
      experts.push({ id: `L${layer}.E${index}`, layer, index, domain, label });
    }
  }
  return { name: 'expert-moe', domains: [...domains], experts, layers: 4, expertsPerLayer: 8, maxTopK: 8 };
}

/** Normalises weights into probabilities and picks the two largest as chosen. */
function layer(weights: number[], options: { awakened?: number[]; entropy?: number } = {}): LayerRouting {
  const total = weights.reduce((sum, weight) => sum + weight, 0);
  const probs = weights.map((weight) => weight / total);
  const chosen = probs
    .map((p, index) => ({ p, index }))
    .sort((a, b) => b.p - a.p)
    .slice(0, 2)
    .map((entry) => entry.index);
  const entropy =
    options.entropy ?? -probs.reduce((sum, p) => sum + (p > 0 ? p * Math.log(p) : 0), 0) / Math.log(probs.length);
  return { probs, chosen: [...chosen, ...(options.awakened ?? [])], awakened: options.awakened ?? [], entropy };
}

function token(text: string, bias: number): TokenTrace {
  return {
    text,
    layers: [
      layer([6 + bias, 3, 1, 0.5, 0.6, 0.4, 1, 0.8]),
      layer([5, 4 + bias, 0.7, 0.9, 0.5, 0.5, 1.2, 1]),
      layer([2, 7, 0.4, 0.6, 0.3, 0.3, Math.max(0.2, 3 - bias), 1]),
      layer([4, 3, 0.5, 0.5, 0.8, 0.4, 1, Math.max(0.2, 4 - bias)]),
    ],
  };
}

export function sampleTrace(): RoutingTrace {
  return {
    domain: {
      domain: 'legal',
      confidence: 0.87,
      posterior: { legal: 0.87, medical: 0.05, code: 0.02, general: 0.06 },
      source: 'detected',
    },
    context: [
      layer([5.2, 2.9, 0.6, 0.4, 0.3, 0.2, 0.9, 0.8]),
      layer([3.1, 4.7, 0.3, 0.9, 0.2, 0.4, 1.1, 0.6]),
      layer([2.2, 0.2, 0.8, 0.5, 0.1, 0.3, 2.5, 1.3], { awakened: [1] }),
      layer([3.8, 3.3, 0.2, 0.3, 0.4, 0.2, 0.7, 1.6]),
    ],
    load: [
      [0.41, 0.33, 0.02, 0.01, 0.02, 0.01, 0.12, 0.08],
      [0.3, 0.44, 0.01, 0.06, 0.0, 0.02, 0.11, 0.06],
      [0.37, 0.0, 0.07, 0.05, 0.01, 0.02, 0.32, 0.16],
      [0.36, 0.32, 0.01, 0.02, 0.03, 0.01, 0.07, 0.18],
    ],
    generated: [
      token(' the', 0),
      token(' Tenant', 3),
      token(' shall', 2),
      token(' indemnify', 4),
      token(' the', 0),
      token(' Landlord', 3),
      token(' against', 1),
      token(' all', 0),
      token(' claims', 2),
      token('.', -1),
    ],
  };
}

export function sampleSnapshot(): PanelSnapshot {
  const trace = sampleTrace();
  return {
    status: { kind: 'ready' },
    controls: {
      topK: 2,
      disabledExperts: ['L3.E5'],
      counterfactual: true,
      settingsTarget: 'workspace',
      mode: 'auto',
      minConfidence: 0.5,
    },
    document: { uri: 'file:///work/lease.txt', name: 'lease.txt', languageId: 'plaintext', line: 12 },
    model: sampleModel(),
    routing: trace,
    completion: { text: trace.generated.map((t) => t.text).join(''), tokens: structuredClone(trace.generated) },
    explanation: {
      completion: ' the Tenant shall indemnify the Landlord',
      impacts: [
        { expertId: 'L2.E1', layer: 2, index: 1, klDivergence: 0.62, completionWithout: ' the Tenant shall pay the rent' },
        { expertId: 'L1.E1', layer: 1, index: 1, klDivergence: 0.41 },
        { expertId: 'L0.E0', layer: 0, index: 0, klDivergence: 0.33 },
        { expertId: 'L3.E0', layer: 3, index: 0, klDivergence: 0.21, completionWithout: ' the Tenant must indemnify' },
        { expertId: 'L2.E6', layer: 2, index: 6, klDivergence: 0.12 },
        { expertId: 'L3.E7', layer: 3, index: 7, klDivergence: 0.05 },
        { expertId: 'L0.E6', layer: 0, index: 6, klDivergence: 0.02 },
        { expertId: 'L1.E3', layer: 1, index: 3, klDivergence: 0.004 },
        { expertId: 'L2.E2', layer: 2, index: 2, klDivergence: 0.001 },
      ],
    },
  };
}
