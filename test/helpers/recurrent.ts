// Shared pieces of the recurrent tests: small data sets and the gradient the engine computes for them.
import type { RecurrentModel } from '../../src/recurrent/model.js';
import { RecurrentNetwork } from '../../src/recurrent/network.js';
import type { RecurrentData, RecurrentNetworkOptions, SequencePair } from '../../src/recurrent/types.js';
import { Random } from '../../src/random.js';

/** `count` pairs of ragged sequences (lengths from `lengths`, cycled), inputSize-wide steps, targets per step or per sequence. */
export function raggedPairs(seed: number, count: number, lengths: number[], inputSize: number, outputSize: number, last: boolean, oneHot = false): SequencePair[] {
  const random = new Random(seed);
  const value = () => 2 * random.next() - 1;
  const pairs: SequencePair[] = [];
  for (let s = 0; s < count; s++) {
    const steps = lengths[s % lengths.length]!;
    const input = Array.from({ length: steps }, () => Array.from({ length: inputSize }, value));
    const target = () => {
      if (!oneHot) return Array.from({ length: outputSize }, value);
      const row = new Array<number>(outputSize).fill(0);
      row[Math.floor(random.next() * outputSize)] = 1;
      return row;
    };
    pairs.push({ input, output: last ? target() : Array.from({ length: steps }, target) });
  }
  return pairs;
}

/**
 * The gradient of the mean loss over all of `data` in one batch as the engine computes it (one training step, then
 * the parameters put back), and the network for evaluating the loss at other parameters.
 */
export function engineGradient(net: RecurrentNetwork, data: RecurrentData, window = 0): Float64Array {
  const before = net.getParameters();
  const model = (net as unknown as { model: RecurrentModel }).model;
  const sequences = model.scaled(model.sequencesOf(data, 'data'));
  const steps = model.stage(sequences, null, 0, sequences.count);
  model.trainStaged(sequences.count, steps, window);
  const gradient = net.lastGradients();
  net.setParameters(before);
  return gradient;
}

/** Central finite differences of the mean loss (evaluate) at each parameter, step h. */
export function finiteDifferences(net: RecurrentNetwork, data: RecurrentData, h = 1e-6): Float64Array {
  const p = net.getParameters();
  const out = new Float64Array(p.length);
  for (let i = 0; i < p.length; i++) {
    const saved = p[i]!;
    p[i] = saved + h;
    net.setParameters(p);
    const up = net.evaluate(data).loss;
    p[i] = saved - h;
    net.setParameters(p);
    const down = net.evaluate(data).loss;
    p[i] = saved;
    out[i] = (up - down) / (2 * h);
  }
  net.setParameters(p);
  return out;
}

/** Options of a small network for gradient checks: plain SGD, no clipping, no standardization. */
export function plainOptions(options: Omit<RecurrentNetworkOptions, 'optimizer' | 'standardize'>): RecurrentNetworkOptions {
  return { ...options, optimizer: { type: 'sgd', learningRate: 0.1, clipNorm: 0 }, standardize: false };
}
