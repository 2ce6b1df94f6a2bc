// Gradients of every cell, stacked layers, both output modes and ragged (masked) batches against central finite
// differences of the loss, on both backends (lstm in both memories); truncated BPTT against a plain-loop reference.
import { describe, expect, test } from 'vitest';
import { RecurrentNetwork } from '../src/recurrent/network.js';
import { LSTM_MEMORIES, type RecurrentNetworkOptions } from '../src/recurrent/types.js';
import { engineGradient, finiteDifferences, plainOptions, raggedPairs } from './helpers/recurrent.js';

function expectClose(actual: Float64Array, expected: Float64Array, what: string): void {
  expect(actual.length).toBe(expected.length);
  let worst = 0;
  for (let i = 0; i < actual.length; i++) {
    const error = Math.abs(actual[i]! - expected[i]!) / Math.max(1e-3, Math.abs(expected[i]!));
    worst = Math.max(worst, error);
  }
  expect(worst, what).toBeLessThan(1e-5);
}

const cases: { name: string; options: Omit<RecurrentNetworkOptions, 'optimizer' | 'standardize' | 'backend'>; last: boolean; oneHot?: boolean }[] = [
  ...LSTM_MEMORIES.map((memory) => ({ name: `lstm, memory '${memory}'`, options: { inputSize: 2, layers: [{ type: 'lstm' as const, size: 3, memory }, { type: 'dense' as const, size: 2 }] }, last: false })),
  { name: 'gru', options: { inputSize: 2, layers: [{ type: 'gru', size: 3 }, { type: 'dense', size: 2 }] }, last: false },
  { name: 'rnn tanh', options: { inputSize: 2, layers: [{ type: 'rnn', size: 3 }, { type: 'dense', size: 2 }] }, last: false },
  { name: 'rnn relu', options: { inputSize: 2, layers: [{ type: 'rnn', size: 4, activation: 'relu' }, { type: 'dense', size: 2 }] }, last: false },
  { name: 'stacked gru over lstm over rnn', options: { inputSize: 2, layers: [{ type: 'rnn', size: 2 }, { type: 'lstm', size: 3 }, { type: 'gru', size: 2 }, { type: 'dense', size: 2 }] }, last: false },
  {
    name: "'last' with a softmax head and crossEntropy",
    options: { inputSize: 2, output: 'last', loss: 'crossEntropy', layers: [{ type: 'lstm', size: 3 }, { type: 'gru', size: 4 }, { type: 'dense', size: 3 }] },
    last: true,
    oneHot: true,
  },
  {
    name: "stacked: lstm 'cell' over lstm 'hidden' over rnn, 'last'",
    options: { inputSize: 2, output: 'last', layers: [{ type: 'rnn', size: 2 }, { type: 'lstm', size: 3, memory: 'hidden' }, { type: 'lstm', size: 2 }, { type: 'dense', size: 2 }] },
    last: true,
  },
];

describe.each(['js', 'wasm'] as const)('recurrent gradients on %s', (backend) => {
  test.each(cases)('$name, a ragged batch of lengths 5, 2, 4', ({ options, last, oneHot }) => {
    const net = new RecurrentNetwork(plainOptions({ ...options, seed: 3, backend }));
    const data = raggedPairs(7, 3, [5, 2, 4], options.inputSize, options.layers[options.layers.length - 1]!.size, last, oneHot);
    expectClose(engineGradient(net, data), finiteDifferences(net, data), 'gradient vs finite differences');
  });
});

describe.each(['js', 'wasm'] as const)('masking on %s', (backend) => {
  // Padding must not reach the loss: a ragged batch's gradient is its sequences' gradients, each computed alone
  // (no padding at all), weighted by their share of the loss (steps for 'sequence', one each for 'last').
  test.each([false, true])('a ragged batch gives the weighted sum of its sequences\' own gradients (output last: %s)', (last) => {
    const options = plainOptions({
      inputSize: 2, seed: 4, backend, output: last ? 'last' : 'sequence',
      layers: [{ type: 'gru', size: 3 }, { type: 'lstm', size: 3 }, { type: 'dense', size: 2 }],
    });
    const net = new RecurrentNetwork(options);
    const lengths = [6, 1, 3, 4];
    const data = raggedPairs(11, 4, lengths, 2, 2, last);
    const batch = engineGradient(net, data);
    const total = last ? data.length : lengths.reduce((a, b) => a + b, 0);
    const expected = new Float64Array(batch.length);
    data.forEach((pair, s) => {
      const alone = engineGradient(net, [pair]);
      const share = (last ? 1 : lengths[s]!) / total;
      for (let i = 0; i < alone.length; i++) expected[i] += share * alone[i]!;
    });
    expectClose(batch, expected, 'ragged batch vs sequences alone');
  });
});
