// JS/wasm parity of recurrent networks, run against the SIMD build (test/recurrent-parity.test.ts) and the plain
// build (test/recurrent-parity-plain.test.ts): every weight after training, every prediction and forecast, the
// histories' losses, bit for bit, for every cell (lstm in both memories), both output modes, ragged batches and
// truncated BPTT.
import { expect, test } from 'vitest';
import { wasmSimd } from '../../src/backend/index.js';
import { RecurrentNetwork } from '../../src/recurrent/network.js';
import type { RecurrentFitOptions, RecurrentNetworkOptions } from '../../src/recurrent/types.js';
import { expectSameBits } from './bits.js';
import { raggedPairs } from './recurrent.js';

const sine = (count: number, steps: number) =>
  Array.from({ length: count }, (_, s) => Array.from({ length: steps }, (_, t) => 50 + 40 * Math.sin(0.37 * s + 0.5 * t)));

const configurations: { name: string; options: Omit<RecurrentNetworkOptions, 'backend'>; data: () => unknown; fit: RecurrentFitOptions }[] = [
  { name: 'lstm on series (adam, clipping)', options: { inputSize: 1, layers: [{ type: 'lstm', size: 7 }, { type: 'dense', size: 1 }], seed: 5 }, data: () => sine(12, 15), fit: { epochs: 4, batchSize: 5 } },
  { name: 'gru on series (momentum, nesterov, weight decay)', options: { inputSize: 1, layers: [{ type: 'gru', size: 6 }, { type: 'dense', size: 1 }], optimizer: { type: 'momentum', learningRate: 0.02, nesterov: true, weightDecay: 1e-3 }, seed: 6 }, data: () => sine(10, 12), fit: { epochs: 4, batchSize: 3 } },
  { name: 'rnn relu, sgd, truncated BPTT', options: { inputSize: 1, layers: [{ type: 'rnn', size: 5, activation: 'relu' }, { type: 'dense', size: 1 }], optimizer: 'sgd', seed: 7 }, data: () => sine(8, 20), fit: { epochs: 3, batchSize: 4, bpttWindow: 6 } },
  {
    name: "stacked, ragged pairs, 'last', softmax",
    options: { inputSize: 3, output: 'last', loss: 'crossEntropy', layers: [{ type: 'gru', size: 5 }, { type: 'lstm', size: 4 }, { type: 'dense', size: 3 }], seed: 8 },
    data: () => raggedPairs(9, 11, [6, 2, 9, 4], 3, 3, true, true),
    fit: { epochs: 3, batchSize: 4, validationSplit: 0.25 },
  },
  {
    name: "lstm, memory 'hidden', on series (batch size 1, truncated BPTT)",
    options: { inputSize: 1, layers: [{ type: 'lstm', size: 7, memory: 'hidden' }, { type: 'dense', size: 1 }], seed: 10 },
    data: () => sine(8, 15),
    fit: { epochs: 3, batchSize: 1, bpttWindow: 5 },
  },
  {
    name: "stacked lstm 'cell' over lstm 'hidden', ragged pairs, 'last'",
    options: { inputSize: 2, output: 'last', layers: [{ type: 'lstm', size: 5, memory: 'hidden' }, { type: 'lstm', size: 4 }, { type: 'dense', size: 2 }], seed: 11 },
    data: () => raggedPairs(12, 11, [6, 2, 9, 4], 2, 2, true),
    fit: { epochs: 3, batchSize: 4 },
  },
  {
    name: 'stacked, ragged pairs, sequence, 2 outputs',
    options: { inputSize: 2, layers: [{ type: 'lstm', size: 5 }, { type: 'rnn', size: 3 }, { type: 'dense', size: 2 }], seed: 9 },
    data: () => raggedPairs(10, 9, [7, 3, 5], 2, 2, false),
    fit: { epochs: 3, batchSize: 4 },
  },
];

/** The parity tests; `build` names the wasm build the file loaded ('simd' or 'plain'). */
export function recurrentParityTests(build: 'simd' | 'plain'): void {
  test(`the ${build} wasm build is the one loaded`, () => {
    expect(wasmSimd()).toBe(build === 'simd');
  });

  test.each(configurations)('$name: wasm and js train, predict and forecast the same bits', ({ options, data, fit }) => {
    const nets = (['js', 'wasm'] as const).map((backend) => new RecurrentNetwork({ ...options, backend }));
    const histories = nets.map((net) => net.fit(data() as never, fit));
    expectSameBits(nets[1]!.getParameters(), nets[0]!.getParameters(), 'weights');
    expectSameBits(histories[1]!.epochs.map((e) => e.loss), histories[0]!.epochs.map((e) => e.loss), 'losses');
    expectSameBits(histories[1]!.epochs.map((e) => e.valLoss ?? 0), histories[0]!.epochs.map((e) => e.valLoss ?? 0), 'validation losses');
    const probe = (data() as unknown[])[0] as { input?: unknown };
    const sequence = (probe.input ?? probe) as number[];
    expectSameBits(nets[1]!.predict(sequence), nets[0]!.predict(sequence), 'predictions');
    if (options.output !== 'last' && options.inputSize === 1) expectSameBits(nets[1]!.forecast(sequence, 9), nets[0]!.forecast(sequence, 9), 'forecasts');
  });
}
