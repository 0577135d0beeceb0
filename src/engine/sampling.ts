// Choosing the next token from logits: greedy, or temperature and nucleus (top-p) sampling.

export type Random = () => number;

/** A small seedable generator (mulberry32), uniform in [0, 1). */
export function seededRandom(seed: number): Random {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let value = state;
    value = Math.imul(value ^ (value >>> 15), value | 1);
    value ^= value + Math.imul(value ^ (value >>> 7), value | 61);
    return ((value ^ (value >>> 14)) >>> 0) / 4294967296;
  };
}

export function argmax(values: ArrayLike<number>): number {
  let best = 0;
  for (let i = 1; i < values.length; i += 1) if (values[i] > values[best]) best = i;
  return best;
}

/** Log-softmax in float64. */
export function logSoftmax(logits: ArrayLike<number>): Float64Array {
  let max = -Infinity;
  for (let i = 0; i < logits.length; i += 1) if (logits[i] > max) max = logits[i];
  let sum = 0;
  for (let i = 0; i < logits.length; i += 1) sum += Math.exp(logits[i] - max);
  const logNormaliser = max + Math.log(sum);
  const result = new Float64Array(logits.length);
  for (let i = 0; i < logits.length; i += 1) result[i] = logits[i] - logNormaliser;
  return result;
}

/** Entropy in nats of the distribution softmax(logits). */
export function entropyOfLogits(logits: ArrayLike<number>): number {
  const logProbs = logSoftmax(logits);
  let entropy = 0;
  for (const logProb of logProbs) if (logProb > -Infinity) entropy -= Math.exp(logProb) * logProb;
  return entropy;
}

/** KL(p || q) in nats, for p = softmax(reference) and q = softmax(other). */
export function klDivergence(reference: ArrayLike<number>, other: ArrayLike<number>): number {
  const logP = logSoftmax(reference);
  const logQ = logSoftmax(other);
  let divergence = 0;
  for (let i = 0; i < logP.length; i += 1) {
    if (logP[i] === -Infinity) continue;
    divergence += Math.exp(logP[i]) * (logP[i] - logQ[i]);
  }
  return Math.max(0, divergence);
}

/**
 * Picks a token: the argmax when `temperature` is 0, otherwise a draw from the smallest set of
 * tokens whose probability at that temperature reaches `topP`. Tokens at -Infinity never win.
 */
export function chooseToken(logits: Float32Array, temperature: number, topP: number, random: Random): number {
  if (!(temperature > 0)) return argmax(logits);

  const scaled = Array.from(logits, (logit) => logit / temperature);
  const logProbs = logSoftmax(scaled);
  const order = Array.from(logProbs.keys())
    .filter((id) => logProbs[id] > -Infinity)
    .sort((a, b) => logProbs[b] - logProbs[a]);

  const nucleus: number[] = [];
  let mass = 0;
  for (const id of order) {
    nucleus.push(id);
    mass += Math.exp(logProbs[id]);
    if (mass >= topP) break;
  }

  let draw = random() * mass;
  for (const id of nucleus) {
    draw -= Math.exp(logProbs[id]);
    if (draw <= 0) return id;
  }
  return nucleus[nucleus.length - 1];
}
