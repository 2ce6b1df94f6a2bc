// Same seed, same bits; toJSON → fromJSON exact; save → load → resume ends bit-identical to a run that never
// stopped (across backends); truncated BPTT against a plain-loop reference.
import { describe, expect, test } from 'vitest';
import { RecurrentNetwork } from '../src/recurrent/network.js';
import type { RecurrentNetworkOptions } from '../src/recurrent/types.js';
import { expectSameBits } from './helpers/bits.js';
import { engineGradient, plainOptions, raggedPairs } from './helpers/recurrent.js';

const series = (count: number, steps: number) => Array.from({ length: count }, (_, s) => Array.from({ length: steps }, (_, t) => 20 + 5 * Math.sin(0.4 * s + 0.5 * t)));
const options: RecurrentNetworkOptions = { inputSize: 1, layers: [{ type: 'lstm', size: 5 }, { type: 'gru', size: 4 }, { type: 'dense', size: 1 }], seed: 11 };

describe.each(['js', 'wasm'] as const)('reproducibility on %s', (backend) => {
  test('the same seed gives the same bits; another seed does not', () => {
    const run = (seed: number) => {
      const net = new RecurrentNetwork({ ...options, seed, backend });
      net.fit(series(10, 9), { epochs: 3, batchSize: 4 });
      return net.getParameters();
    };
    const first = run(11);
    expectSameBits(run(11), first, 'weights');
    expect(run(12)).not.toEqual(first);
  });

  test('fitAsync trains the same bits as fit', async () => {
    const data = series(12, 9);
    const sync = new RecurrentNetwork({ ...options, backend });
    const history = sync.fit(data, { epochs: 3, batchSize: 2, validationSplit: 0.25 });
    const async = new RecurrentNetwork({ ...options, backend });
    const asyncHistory = await async.fitAsync(data, { epochs: 3, batchSize: 2, validationSplit: 0.25 });
    expectSameBits(async.getParameters(), sync.getParameters(), 'weights');
    expect(asyncHistory).toEqual(history);
  });

  test('toJSON → JSON text → fromJSON predicts and forecasts the same bits', () => {
    const net = new RecurrentNetwork({ ...options, backend });
    net.fit(series(10, 9), { epochs: 2 });
    const copy = RecurrentNetwork.fromJSON(JSON.stringify(net.toJSON()), { backend });
    expectSameBits(copy.getParameters(), net.getParameters(), 'weights');
    const probe = series(1, 9)[0]!;
    expectSameBits(copy.predict(probe), net.predict(probe), 'predictions');
    expectSameBits(copy.forecast(probe, 7), net.forecast(probe, 7), 'forecasts');
    expect(copy.toJSON()).toEqual(net.toJSON());
  });

  test("an lstm with memory 'hidden': toJSON → JSON text → fromJSON keeps it, and every bit", () => {
    const hidden: RecurrentNetworkOptions = { ...options, layers: [{ type: 'lstm', size: 5, memory: 'hidden' }, { type: 'dense', size: 1 }], backend };
    const net = new RecurrentNetwork(hidden);
    net.fit(series(10, 9), { epochs: 2 });
    const json = net.toJSON();
    expect(json.layers[0]).toMatchObject({ type: 'lstm', memory: 'hidden' });
    const copy = RecurrentNetwork.fromJSON(JSON.stringify(json), { backend });
    expect(copy.toJSON()).toEqual(json);
    const probe = series(1, 9)[0]!;
    expectSameBits(copy.predict(probe), net.predict(probe), 'predictions');
    expectSameBits(copy.forecast(probe, 7), net.forecast(probe, 7), 'forecasts');
    // The same weights in the standard cell predict otherwise (what the memory field decides).
    delete (json.layers[0] as { memory?: string }).memory;
    expect(RecurrentNetwork.fromJSON(json, { backend }).predict(probe)).not.toEqual(net.predict(probe));
  });

  test.each(['js', 'wasm'] as const)('save → load (on %s) → resume ends bit-identical to a run that never stopped', (other) => {
    const data = series(10, 9);
    const straight = new RecurrentNetwork({ ...options, backend });
    straight.fit(data, { epochs: 5, batchSize: 3 });
    const stopped = new RecurrentNetwork({ ...options, backend });
    stopped.fit(data, { epochs: 2, batchSize: 3 });
    const checkpoint = JSON.stringify(stopped.toJSON({ training: true }));
    const resumed = RecurrentNetwork.fromJSON(checkpoint, { backend: other });
    expect(resumed.fit(data, { epochs: 5, batchSize: 3 }).epochs.map((e) => e.epoch)).toEqual([2, 3, 4]);
    expectSameBits(resumed.getParameters(), straight.getParameters(), 'weights');
    expectSameBits(resumed.predict(data[0]!), straight.predict(data[0]!), 'predictions');
    // initialEpoch 0 starts a new run instead, as a second fit call on the network that never left memory does.
    stopped.fit(data, { epochs: 3, batchSize: 3 });
    const again = RecurrentNetwork.fromJSON(checkpoint, { backend: other });
    expect(again.fit(data, { epochs: 3, batchSize: 3, initialEpoch: 0 }).epochs.map((e) => e.epoch)).toEqual([0, 1, 2]);
    expectSameBits(again.getParameters(), stopped.getParameters(), 'weights (initialEpoch 0)');
  });
});

/**
 * A plain-loop reference of one simple tanh rnn layer under an identity dense head with the mse loss, output at
 * every step: the gradient of the mean loss over all steps, with gradients cut at window boundaries (window w:
 * nothing flows from step t back into t − 1 when t is a multiple of w; 0: the whole sequence).
 */
function referenceGradient(p: Float64Array, inputs: number[][][], targets: number[][][], width: number, size: number, outputs: number, window: number): Float64Array {
  const nIn = width + size;
  const head = size * nIn + size;
  const g = new Float64Array(p.length);
  const total = inputs.reduce((sum, s) => sum + s.length, 0);
  inputs.forEach((sequence, s) => {
    const hs: number[][] = [];
    let previous = new Array<number>(size).fill(0);
    for (const x of sequence) {
      const h = new Array<number>(size);
      for (let u = 0; u < size; u++) {
        let z = p[size * nIn + u]!;
        for (let j = 0; j < width; j++) z += p[u * nIn + j]! * x[j]!;
        for (let j = 0; j < size; j++) z += p[u * nIn + width + j]! * previous[j]!;
        h[u] = Math.tanh(z);
      }
      hs.push(h);
      previous = h;
    }
    let carry = new Array<number>(size).fill(0);
    for (let t = sequence.length - 1; t >= 0; t--) {
      const h = hs[t]!;
      const dh = carry.slice();
      for (let o = 0; o < outputs; o++) {
        let y = p[head + outputs * size + o]!;
        for (let u = 0; u < size; u++) y += p[head + o * size + u]! * h[u]!;
        const dy = (2 * (y - targets[s]![t]![o]!)) / outputs / total;
        g[head + outputs * size + o] += dy;
        for (let u = 0; u < size; u++) {
          g[head + o * size + u] += dy * h[u]!;
          dh[u] += dy * p[head + o * size + u]!;
        }
      }
      const previousH = t === 0 ? new Array<number>(size).fill(0) : hs[t - 1]!;
      const next = new Array<number>(size).fill(0);
      for (let u = 0; u < size; u++) {
        const da = dh[u]! * (1 - h[u]! * h[u]!);
        g[size * nIn + u] += da;
        for (let j = 0; j < width; j++) g[u * nIn + j] += da * sequence[t]![j]!;
        for (let j = 0; j < size; j++) {
          g[u * nIn + width + j] += da * previousH[j]!;
          next[j] += da * p[u * nIn + width + j]!;
        }
      }
      carry = window > 0 && t % window === 0 ? new Array<number>(size).fill(0) : next;
    }
  });
  return g;
}

describe.each(['js', 'wasm'] as const)('truncated backpropagation through time on %s', (backend) => {
  test.each([0, 1, 3, 4])('bpttWindow %i matches the plain-loop reference', (window) => {
    const net = new RecurrentNetwork(plainOptions({ inputSize: 2, layers: [{ type: 'rnn', size: 3 }, { type: 'dense', size: 2 }], seed: 6, backend }));
    const data = raggedPairs(3, 3, [9, 4, 7], 2, 2, false);
    const engine = engineGradient(net, data, window);
    const reference = referenceGradient(net.getParameters(), data.map((d) => d.input as number[][]), data.map((d) => d.output as number[][]), 2, 3, 2, window);
    for (let i = 0; i < engine.length; i++) expect(engine[i]).toBeCloseTo(reference[i]!, 12);
  });

  test.each(['cell', 'hidden'] as const)("a window as long as the sequences changes no bit of the full gradient (lstm, memory '%s')", (memory) => {
    const net = new RecurrentNetwork(plainOptions({ inputSize: 1, layers: [{ type: 'lstm', size: 3, memory }, { type: 'dense', size: 1 }], seed: 6, backend }));
    const data = raggedPairs(4, 3, [6, 6, 6], 1, 1, false);
    expectSameBits(engineGradient(net, data, 6), engineGradient(net, data, 0), 'gradients');
    expect(engineGradient(net, data, 2)).not.toEqual(engineGradient(net, data, 0));
  });
});
