// The js backend's per-sample path (src/backend/js/per-sample.ts) against the wasm backend's generic kernel:
// every byte of the arena, every history figure, the same divergence.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { DenseNetwork, DivergenceError, type DenseNetworkOptions, type FitHistory } from '../src/index.js';
import { disableSpecialized } from '../src/backend/specialized.js';
import { arenaBytes, rowsFor } from './helpers/arena.js';

// Wrapped, so the tests see which js training ran the per-sample path and which the generic kernel.
const perSampleCalls = vi.hoisted(() => ({ count: 0 }));
vi.mock('../src/backend/js/per-sample.js', async (original) => {
  const module = await original<typeof import('../src/backend/js/per-sample.js')>();
  return {
    ...module,
    perSampleEpochs: (...args: Parameters<typeof module.perSampleEpochs>) => (perSampleCalls.count++, module.perSampleEpochs(...args)),
  };
});

afterEach(() => disableSpecialized(false));

type Outcome = { net: DenseNetwork; history?: FitHistory; error?: unknown; perSample: number };

/** Trains a js network and a wasm one on the generic kernel (no generated kernel) the same way. */
function bothWays(options: DenseNetworkOptions, train: (net: DenseNetwork) => FitHistory): [Outcome, Outcome] {
  return (['js', 'wasm'] as const).map((backend) => {
    const net = new DenseNetwork({ ...options, backend });
    disableSpecialized(true);
    perSampleCalls.count = 0;
    try {
      return { net, history: train(net), perSample: perSampleCalls.count };
    } catch (error) {
      return { net, error, perSample: perSampleCalls.count };
    } finally {
      disableSpecialized(false);
    }
  }) as [Outcome, Outcome];
}

function expectSame([js, wasm]: [Outcome, Outcome], label: string): void {
  expect(js.perSample, `${label}: the js network trained on the per-sample path`).toBeGreaterThan(0);
  expect(wasm.perSample, label).toBe(0);
  const bytes = [arenaBytes(js.net, { zeroCrossEntropyLosses: true }), arenaBytes(wasm.net, { zeroCrossEntropyLosses: true })] as const;
  expect(bytes[0].length, label).toBe(bytes[1].length);
  expect(bytes[0].findIndex((b, i) => b !== bytes[1][i]), `${label}: first differing arena byte (of ${bytes[0].length})`).toBe(-1);
  const figures = (o: Outcome) => o.history?.epochs.map((e) => [e.epoch, e.accuracy]);
  expect(figures(js), label).toEqual(figures(wasm));
  const losses = (o: Outcome) => o.history?.epochs.map((e) => e.loss) ?? [];
  const jsLosses = losses(js);
  losses(wasm).forEach((loss, e) => {
    if (js.net.loss === 'mse') expect(Object.is(jsLosses[e], loss), `${label}: loss of epoch ${e}`).toBe(true);
    else expect(Math.abs(jsLosses[e]! - loss), `${label}: loss of epoch ${e}`).toBeLessThanOrEqual(1e-14 * Math.abs(loss));
  });
  expect(js.history?.stopReason, label).toBe(wasm.history?.stopReason);
  expect(String(js.error), label).toBe(String(wasm.error));
}

// Per-sample SGD and momentum on every loss, hidden activation and depth, with and without weight decay.
const SHAPES: DenseNetworkOptions[] = [
  { layers: [2, 3, 1], activation: 'sigmoid', loss: 'mse', optimizer: { type: 'sgd', learningRate: 0.3 } },
  { layers: [3, 5, 2], activation: 'tanh', outputActivation: 'identity', loss: 'mse', optimizer: { type: 'sgd', learningRate: 0.05, weightDecay: 1e-3 } },
  { layers: [1, 4, 3, 1], activation: 'relu', outputActivation: 'sigmoid', loss: 'binaryCrossEntropy', optimizer: { type: 'sgd', learningRate: 0.1 } },
  { layers: [4, 3, 3], activation: 'leakyRelu', outputActivation: 'softmax', loss: 'crossEntropy', optimizer: { type: 'momentum', learningRate: 0.05, weightDecay: 1e-2 } },
  { layers: [5, 6, 3], activation: 'elu', outputActivation: 'softmax', loss: 'mse', optimizer: { type: 'momentum', learningRate: 0.1, momentum: 0.5 } },
  { layers: [3, 7, 2], activation: 'softplus', outputActivation: 'tanh', loss: 'mse', optimizer: { type: 'momentum', learningRate: 0.05, nesterov: true } },
  { layers: [6, 9, 8, 2], activation: 'sigmoid', outputActivation: 'sigmoid', loss: 'binaryCrossEntropy', optimizer: { type: 'momentum', learningRate: 0.2, nesterov: true, weightDecay: 1e-4 } },
];

describe('the js backend\'s per-sample path', () => {
  SHAPES.forEach((shape, s) => {
    it(`${shape.layers.join('-')} ${shape.optimizer && typeof shape.optimizer === 'object' ? shape.optimizer.type : ''}: leaves the arena byte for byte as the generic wasm kernel does`, () => {
      const data = rowsFor(shape, 7, s);
      expectSame(bothWays({ ...shape, seed: 20 + s }, (net) => net.fit(data, { epochs: 300, batchSize: 1, shuffle: false })), 'all epochs in one call');
      expectSame(bothWays({ ...shape, seed: 20 + s }, (net) => net.fit(data, { epochs: 30, batchSize: 1 })), 'one call per epoch, shuffled');
      expectSame(bothWays({ ...shape, seed: 20 + s }, (net) => net.fit(rowsFor(shape, 1, s), { epochs: 40, batchSize: 1 })), 'one row');
    });
  });

  it('takes the careful step where the bound cannot prove one safe, and reads the settings of each call', () => {
    const shape = SHAPES[3]!;
    const data = rowsFor(shape, 5, 1);
    expectSame(bothWays({ ...shape, seed: 3 }, (net) => {
      net.fit(data, { epochs: 5, batchSize: 1, shuffle: false });
      // Unknown peaks again: the next step cannot use the bound.
      net.setParameters(net.getParameters().map((p) => p * 3));
      net.learningRate = 0.01;
      return net.fit(data, { epochs: 5, batchSize: 1, shuffle: false });
    }), 'setParameters and a new learning rate between fits');
  });

  it('stops at the error threshold after the same epoch', () => {
    const xor = { inputs: Float64Array.of(0, 0, 0, 1, 1, 0, 1, 1), targets: Float64Array.of(0, 1, 1, 0) };
    const outcomes = bothWays({ ...SHAPES[0]!, seed: 7 }, (net) => net.fit(xor, { epochs: 20000, batchSize: 1, shuffle: false, errorThreshold: 0.05 }));
    expect(outcomes[0].history!.stopReason).toBe('errorThreshold');
    expect(outcomes[0].history!.epochs.length).toBeLessThan(20000);
    expectSame(outcomes, 'errorThreshold');
  });

  it('refuses the same diverging step and leaves the same state', () => {
    for (const [type, learningRate] of [['sgd', 1e150], ['sgd', 1e305], ['momentum', 1e150], ['momentum', 1e305]] as const) {
      const shape = { ...SHAPES[1]!, optimizer: { type, learningRate } };
      const outcomes = bothWays({ ...shape, seed: 4 }, (net) => net.fit(rowsFor(shape, 6, 2), { epochs: 50, batchSize: 1, shuffle: false }));
      expect(outcomes[0].error, `${type}, learning rate ${learningRate}`).toBeInstanceOf(DivergenceError);
      expectSame(outcomes, `${type}, learning rate ${learningRate}`);
    }
    // Gradients too large to square (hidden outputs near 1e100 from first-layer weights of 1e100, output deltas
    // near 1e100), with a finite loss, under a learning rate that keeps every step finite.
    const shape: DenseNetworkOptions = { layers: [2, 3, 1], activation: 'relu', outputActivation: 'identity', loss: 'mse', optimizer: { type: 'sgd', learningRate: 1e-200 } };
    const outcomes = bothWays({ ...shape, seed: 4 }, (net) => {
      net.setParameters(net.getParameters().map((p, k) => (k < 9 ? Math.abs(p) * 1e100 : p)));
      return net.fit(rowsFor(shape, 6, 2), { epochs: 50, batchSize: 1, shuffle: false });
    });
    expect(outcomes[0].error, 'gradients of 1e200').toBeInstanceOf(DivergenceError);
    expectSame(outcomes, 'gradients of 1e200');
  });

  it('leaves batches, Adam and clipping to the generic kernel', () => {
    const xor = SHAPES[0]!;
    const data = rowsFor(xor, 4, 9);
    for (const [options, batchSize] of [[xor, 2], [{ ...xor, optimizer: 'adam' }, 1], [{ ...xor, optimizer: { type: 'sgd', clipNorm: 1 } }, 1]] as const) {
      const [js] = bothWays({ ...options, seed: 5 }, (net) => net.fit(data, { epochs: 3, batchSize, shuffle: false }));
      expect(js.perSample, JSON.stringify(options)).toBe(0);
    }
  });
});
