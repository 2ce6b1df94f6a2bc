// The kernels generated per network shape (src/backend/specialized.ts) against the generic wasm kernel and the
// js backend: every byte of the arena, every weight, every history figure, the same divergence.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { DenseNetwork, DivergenceError, type DenseNetworkOptions, type FitOptions } from '../src/index.js';
import { disableSpecialized, specializedEpochs } from '../src/backend/specialized.js';
import { wasmModule } from '../src/backend/wasm.js';
import { arenaBytes, arenaOf, rowsFor } from './helpers/arena.js';

// Wrapped, so the tests see that training ran the generated kernel and not, silently, the generic one.
const generatedCalls = vi.hoisted(() => ({ count: 0 }));
vi.mock('../src/backend/specialized.js', async (original) => {
  const module = await original<typeof import('../src/backend/specialized.js')>();
  return {
    ...module,
    specializedEpochs: (...args: Parameters<typeof module.specializedEpochs>) => {
      const kernel = module.specializedEpochs(...args);
      return kernel && ((...call: Parameters<typeof kernel>) => (generatedCalls.count++, kernel(...call)));
    },
  };
});

afterEach(() => disableSpecialized(false));

type Outcome = { net: DenseNetwork; history?: ReturnType<DenseNetwork['fit']>; error?: unknown };

/** Runs `train` on a js network, a wasm network on the generic kernel and one on the generated kernel. */
function threeWays(options: DenseNetworkOptions, train: (net: DenseNetwork) => ReturnType<DenseNetwork['fit']>): Outcome[] {
  return (['js', 'generic', 'generated'] as const).map((way) => {
    const net = new DenseNetwork({ ...options, backend: way === 'js' ? 'js' : 'wasm' });
    disableSpecialized(way === 'generic');
    generatedCalls.count = 0;
    try {
      return { net, history: train(net) };
    } catch (error) {
      return { net, error };
    } finally {
      disableSpecialized(false);
      expect(generatedCalls.count > 0, `${way} backend ran a generated kernel`).toBe(way === 'generated');
    }
  });
}

function expectSame(outcomes: Outcome[], label: string): void {
  const [js, generic, generated] = outcomes as [Outcome, Outcome, Outcome];
  const bytes = [arenaBytes(generic.net), arenaBytes(generated.net)];
  expect(bytes[1]!.length, label).toBe(bytes[0]!.length);
  const first = bytes[0]!.findIndex((b, i) => b !== bytes[1]![i]);
  expect(first, `${label}: first differing arena byte (of ${bytes[0]!.length})`).toBe(-1);
  const parameters = outcomes.map((o) => o.net.getParameters());
  parameters[0]!.forEach((p, k) => expect(Object.is(p, parameters[2]![k]), `${label}: parameter ${k}, js ${p} vs generated ${parameters[2]![k]}`).toBe(true));
  const figures = (o: Outcome) => o.history?.epochs.map((e) => [e.epoch, e.loss, e.accuracy]);
  expect(figures(generated), label).toEqual(figures(js));
  expect(generated.history?.stopReason, label).toBe(js.history?.stopReason);
  expect(String(generated.error), label).toBe(String(generic.error));
  expect(String(generated.error), label).toBe(String(js.error));
}

const SHAPES: DenseNetworkOptions[] = [
  { layers: [2, 3, 1], activation: 'sigmoid', loss: 'mse', optimizer: { type: 'sgd', learningRate: 0.3 } },
  { layers: [3, 5, 2], activation: 'tanh', outputActivation: 'identity', loss: 'mse', optimizer: { type: 'sgd', learningRate: 0.05 } },
  { layers: [1, 4, 3, 1], activation: 'relu', outputActivation: 'sigmoid', loss: 'mse', optimizer: { type: 'sgd', learningRate: 0.1 } },
  { layers: [4, 3, 3], activation: 'leakyRelu', outputActivation: 'elu', loss: 'mse', optimizer: { type: 'sgd', learningRate: 0.02 } },
  { layers: [5, 6, 2], activation: 'elu', outputActivation: 'tanh', loss: 'mse', optimizer: { type: 'sgd', learningRate: 0.1 } },
  { layers: [9, 10, 4], activation: 'sigmoid', outputActivation: 'identity', loss: 'mse', optimizer: { type: 'sgd', learningRate: 0.05 } },
  { layers: [2, 3, 1], activation: 'sigmoid', loss: 'mse', optimizer: { type: 'momentum', learningRate: 0.3, momentum: 0.1 } },
  { layers: [3, 6, 2], activation: 'tanh', outputActivation: 'sigmoid', loss: 'mse', optimizer: { type: 'momentum', learningRate: 0.05, momentum: 0.9, nesterov: true } },
];

describe('kernels generated per network shape', () => {
  it('serve the shapes they cover, and only those', () => {
    const wasm = wasmModule()!;
    const covered = (options: DenseNetworkOptions, batchSize = 1) =>
      specializedEpochs(wasm, arenaOf(new DenseNetwork({ ...options, backend: 'wasm' })), 4, batchSize, 10) !== null;
    for (const shape of SHAPES) expect(covered(shape), shape.layers.join('-')).toBe(true);
    const xor = SHAPES[0]!;
    expect(covered(xor, 2)).toBe(false);
    expect(covered({ ...xor, optimizer: 'adam' })).toBe(false);
    expect(covered({ ...xor, optimizer: { type: 'sgd', weightDecay: -0 } })).toBe(false);
    expect(covered({ ...xor, optimizer: { type: 'sgd', clipNorm: 1 } })).toBe(false);
    expect(covered({ ...xor, optimizer: { type: 'sgd', weightDecay: 1e-4 } })).toBe(false);
    expect(covered({ ...xor, loss: 'binaryCrossEntropy' })).toBe(false);
    expect(covered({ layers: [2, 3, 2], outputActivation: 'softmax', loss: 'crossEntropy', optimizer: 'sgd' })).toBe(false);
    expect(covered({ ...xor, layers: [8, 12, 1] })).toBe(true); // 121 parameters
    expect(covered({ ...xor, layers: [10, 12, 4] })).toBe(false); // 184 parameters
  });

  SHAPES.forEach((shape, s) => {
    it(`${shape.layers.join('-')}: leave the arena byte for byte as the generic kernel does, and the js backend's weights`, () => {
      const data = rowsFor(shape, 7, s);
      const plans: [string, FitOptions][] = [
        ['all epochs in one call', { epochs: 300, batchSize: 1, shuffle: false }],
        ['one call per epoch, shuffled', { epochs: 40, batchSize: 1 }],
      ];
      for (const [label, fitOptions] of plans) {
        expectSame(threeWays({ ...shape, seed: 10 + s }, (net) => net.fit(data, fitOptions)), `${label}`);
      }
    });
  });

  it('take the careful step where the bound cannot prove one safe: the first step and after setParameters', () => {
    const shape = SHAPES[0]!;
    const data = rowsFor(shape, 4, 1);
    expectSame(threeWays({ ...shape, seed: 3 }, (net) => {
      net.fit(data, { epochs: 5, batchSize: 1, shuffle: false });
      // Unknown peaks again: the next step cannot use the bound.
      net.setParameters(net.getParameters().map((p) => p * 3));
      return net.fit(data, { epochs: 5, batchSize: 1, shuffle: false });
    }), 'setParameters between fits');
  });

  it('stop at the error threshold after the same epoch', () => {
    const shape = SHAPES[0]!;
    const xor = { inputs: Float64Array.of(0, 0, 0, 1, 1, 0, 1, 1), targets: Float64Array.of(0, 1, 1, 0) };
    const outcomes = threeWays({ ...shape, seed: 7 }, (net) => net.fit(xor, { epochs: 20000, batchSize: 1, shuffle: false, errorThreshold: 0.05 }));
    expect(outcomes[2]!.history!.stopReason).toBe('errorThreshold');
    expect(outcomes[2]!.history!.epochs.length).toBeLessThan(20000);
    expectSame(outcomes, 'errorThreshold');
  });

  it('compile in the background where synchronous compiles are refused (a browser\'s main thread), the generic kernel serving meanwhile', async () => {
    const shape: DenseNetworkOptions = { layers: [3, 4, 2], activation: 'sigmoid', loss: 'mse', optimizer: { type: 'sgd', learningRate: 0.2 } };
    const wasm = wasmModule()!;
    const Module = WebAssembly.Module;
    const refuse = vi.spyOn(WebAssembly, 'Module').mockImplementation(function (bytes: BufferSource) {
      if (bytes.byteLength > 4096) throw new RangeError('WebAssembly.Module is disallowed on the main thread, if the buffer size is larger than 4KB');
      return new Module(bytes);
    } as unknown as typeof WebAssembly.Module);
    try {
      const arena = arenaOf(new DenseNetwork({ ...shape, backend: 'wasm' }));
      expect(specializedEpochs(wasm, arena, 4, 1, 10)).toBeNull();
      expect(refuse).toHaveBeenCalled();
      await vi.waitFor(() => expect(specializedEpochs(wasm, arena, 4, 1, 10)).not.toBeNull());
    } finally {
      refuse.mockRestore();
    }
    expectSame(threeWays({ ...shape, seed: 8 }, (net) => net.fit(rowsFor(shape, 5, 8), { epochs: 50, batchSize: 1, shuffle: false })), 'compiled in the background');
  });

  it('keep at most 32 kernels per module, dropping the oldest first', () => {
    const compile = vi.spyOn(WebAssembly, 'Module');
    try {
      const train = (hidden: number) => {
        const net = new DenseNetwork({ layers: [1, hidden, 1], activation: 'relu', loss: 'mse', optimizer: 'sgd', backend: 'wasm' });
        net.fit({ inputs: Float64Array.of(0.5), targets: Float64Array.of(1) }, { epochs: 1, batchSize: 1 });
        net.dispose();
      };
      for (let hidden = 11; hidden <= 43; hidden++) train(hidden); // 33 shapes (34 to 130 parameters)
      expect(compile).toHaveBeenCalledTimes(33);
      train(43); // the newest is still there
      expect(compile).toHaveBeenCalledTimes(33);
      train(11); // the oldest was dropped
      expect(compile).toHaveBeenCalledTimes(34);
    } finally {
      compile.mockRestore();
    }
  });

  it('refuse the same diverging step and leave the same state', () => {
    for (const [type, learningRate] of [['sgd', 1e150], ['sgd', 1e305], ['momentum', 1e150], ['momentum', 1e305]] as const) {
      const shape = { ...SHAPES[1]!, optimizer: { type, learningRate } };
      const data = rowsFor(shape, 6, 2);
      const outcomes = threeWays({ ...shape, seed: 4 }, (net) => net.fit(data, { epochs: 50, batchSize: 1, shuffle: false }));
      expect(outcomes[2]!.error, `${type}, learning rate ${learningRate}`).toBeInstanceOf(DivergenceError);
      expectSame(outcomes, `${type}, learning rate ${learningRate}`);
    }
  });
});
