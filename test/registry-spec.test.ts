// The spec tables (src/spec/) against the header codes, the formulas' edge cases against independent references,
// and the refusal of a kind code no table lists, on every backend.
import { describe, expect, it } from 'vitest';
import { BackendError, DenseNetwork, RecurrentNetwork } from '../src/index.js';
import type { Arena } from '../src/backend/arena.js';
import { specializedEpochs } from '../src/backend/specialized.js';
import { wasmModule } from '../src/backend/wasm.js';
import * as header from '../src/header.js';
import { DENSE_LAYER_COUNT, DENSE_LOSS_KIND, DENSE_OPTIMIZER, denseEntry, DENSE_ACTIVATION, RNN_CELL, recurrentEntry } from '../src/header.js';
import { exp } from '../src/math/exp.js';
import { activation, derivative } from '../src/math/activations.js';
import { binaryCrossEntropyTerm, crossEntropyTerm } from '../src/math/losses.js';
import { ACTIVATION_SPECS } from '../src/spec/activations.js';
import { LOSS_SPECS } from '../src/spec/losses.js';
import { OPTIMIZER_SPECS } from '../src/spec/optimizers.js';

const codes = (prefix: string): number[] => Object.entries(header).filter(([name]) => name.startsWith(prefix)).map(([, code]) => code as number).sort();

describe('the spec tables', () => {
  it.each([
    ['ACT_', ACTIVATION_SPECS], ['LOSS_', LOSS_SPECS], ['OPT_', OPTIMIZER_SPECS],
  ] as const)('list every %s code of the header once, at its own index, under a unique name', (prefix, table) => {
    expect(table.map((spec) => spec.code)).toEqual(codes(prefix));
    table.forEach((spec, index) => expect(spec.code).toBe(index));
    expect(new Set(table.map((spec) => spec.name)).size).toBe(table.length);
  });

  it('give every activation a toFunction source that computes the function it names', () => {
    const reference: Record<string, (s: number) => number> = {
      identity: (s) => s, sigmoid: (s) => 1 / (1 + Math.exp(-s)), tanh: Math.tanh, relu: (s) => Math.max(s, 0),
      leakyRelu: (s) => (s > 0 ? s : 0.01 * s), elu: (s) => (s > 0 ? s : Math.exp(s) - 1), softmax: (s) => s,
      softplus: (s) => Math.log(1 + Math.exp(s)),
    };
    for (const spec of ACTIVATION_SPECS) {
      const source = new Function('s', `return ${spec.source};`) as (s: number) => number;
      for (const s of [-3, -0.5, 0, 0.25, 2]) expect(source(s), `${spec.name}(${s})`).toBeCloseTo(reference[spec.name]!(s), 14);
    }
  });
});

describe('exp (src/math/exp.ts), both kernel sets\' one definition', () => {
  const ulps = (a: number, b: number): number => Math.abs(a - b) / (Number.EPSILON * Math.max(Math.abs(b), Number.MIN_VALUE / Number.EPSILON));
  it('is within 2 ulp of Math.exp from the subnormal range to the overflow', () => {
    for (let x = -744.5; x < 709.78; x += 0.37) {
      const expected = Math.exp(x);
      if (expected >= 2 ** -1022) expect(ulps(exp(x), expected), `exp(${x})`).toBeLessThanOrEqual(2);
      else expect(Math.abs(exp(x) - expected), `exp(${x}) (subnormal)`).toBeLessThanOrEqual(Number.MIN_VALUE);
    }
  });
  it('keeps the edge cases: NaN, ±Infinity, overflow to Infinity, underflow to 0, exp(0) = 1', () => {
    expect(exp(Number.NaN)).toBeNaN();
    expect(exp(Infinity)).toBe(Infinity);
    expect(exp(-Infinity)).toBe(0);
    expect(exp(709.79)).toBe(Infinity);
    expect(exp(1000)).toBe(Infinity);
    expect(exp(-1000)).toBe(0);
    expect(exp(-1480)).toBe(0);
    expect(exp(-745.2)).toBe(0);
    // The last finite result and the last non-zero one, at the thresholds themselves.
    expect(exp(709.782712893384)).toBe(Math.exp(709.782712893384));
    expect(exp(-745.1332191019411)).toBe(Number.MIN_VALUE);
    expect(exp(0)).toBe(1);
    expect(exp(1)).toBe(Math.E);
  });
});

describe('the activation formulas (src/math/activations.ts) against plain references', () => {
  const reference: Record<string, [(z: number) => number, (z: number) => number]> = {
    identity: [(z) => z, () => 1],
    sigmoid: [(z) => 1 / (1 + Math.exp(-z)), (z) => Math.exp(-z) / (1 + Math.exp(-z)) ** 2],
    tanh: [Math.tanh, (z) => 1 - Math.tanh(z) ** 2],
    relu: [(z) => Math.max(z, 0), (z) => (z > 0 ? 1 : 0)],
    leakyRelu: [(z) => (z > 0 ? z : 0.01 * z), (z) => (z > 0 ? 1 : 0.01)],
    elu: [(z) => (z > 0 ? z : Math.exp(z) - 1), (z) => (z > 0 ? 1 : Math.exp(z))],
    softplus: [(z) => Math.log1p(Math.exp(z)), (z) => 1 / (1 + Math.exp(-z))],
  };
  for (const spec of ACTIVATION_SPECS.filter((a) => a.hidden)) {
    it(`${spec.name}: values and derivatives (from the output), zeros with their sign`, () => {
      const [f, df] = reference[spec.name]!;
      for (const z of [-30, -2.5, -0.3, -1e-9, 0, 1e-9, 0.4, 3, 30]) {
        const a = activation(z, spec.code, 0.01, 1);
        expect(a, `${spec.name}(${z})`).toBeCloseTo(f(z), 15);
        expect(derivative(a, spec.code, 0.01, 1), `${spec.name}'(${z})`).toBeCloseTo(df(z), 8);
      }
      if (f(0) === 0) expect(Object.is(activation(0, spec.code, 0.01, 1), 0), `${spec.name}(0) is +0`).toBe(true);
      if (spec.name === 'relu') expect(Object.is(activation(-0, spec.code, 0.01, 1), 0), 'relu(-0) is +0').toBe(true);
      // At the kink (output 0) the relu family takes its left slope: a dead relu passes no gradient back.
      if (spec.name === 'relu') expect(derivative(0, spec.code, 0.01, 1)).toBe(0);
      if (spec.name === 'leakyRelu') expect(derivative(0, spec.code, 0.01, 1)).toBe(0.01);
    });
  }
});

describe('the loss terms (src/math/losses.ts) against their documented formulas', () => {
  it('binaryCrossEntropy clamps a saturated output to [1e-15, 1 - 1e-15], so its loss stays finite', () => {
    expect(binaryCrossEntropyTerm(0.3, 1)).toBe(Math.log(0.3));
    expect(binaryCrossEntropyTerm(0.3, 0)).toBe(Math.log(1 - 0.3));
    expect(binaryCrossEntropyTerm(1, 0)).toBe(Math.log(1 - (1 - 1e-15)));
    expect(binaryCrossEntropyTerm(0, 1)).toBe(Math.log(1e-15));
  });
  it('crossEntropy is y·ln a, floored at 1e-15, and 0 where y is 0', () => {
    expect(crossEntropyTerm(0.25, 1)).toBe(Math.log(0.25));
    expect(crossEntropyTerm(0.25, 0)).toBe(0);
    expect(crossEntropyTerm(0, 1)).toBe(Math.log(1e-15));
  });
});

describe.each(['js', 'wasm'] as const)('a kind code no table lists, on the %s backend', (backend) => {
  const arenaOf = (net: DenseNetwork): Arena => (net as unknown as { model: { arena: Arena } }).model.arena;
  const data = { inputs: Float64Array.of(0, 1, 1, 0), targets: Float64Array.of(1, 1) };
  // Trained once first, so the arena has grown to its final layout and is not rewritten from the shape later.
  const corrupt = (word: number): DenseNetwork => {
    const net = new DenseNetwork({ layers: [2, 3, 1], activation: 'sigmoid', loss: 'mse', optimizer: 'sgd', seed: 1, backend });
    net.fit(data, { epochs: 1, batchSize: 2 });
    const arena = arenaOf(net);
    arena.i32[(arena.base >> 2) + word] = 99;
    return net;
  };

  it('as an activation, is refused with a BackendError (not computed as identity), and no generated kernel takes it', () => {
    const net = corrupt(denseEntry(1, DENSE_ACTIVATION));
    expect(() => net.predict([0.5, 0.5])).toThrow(BackendError);
    if (backend === 'wasm') expect(specializedEpochs(wasmModule()!, arenaOf(net), 2, 1, 1)).toBeNull();
    expect(() => net.fit(data, { epochs: 1, batchSize: 1 })).toThrow(BackendError);
  });
  it('as a loss, is refused with a BackendError', () => {
    const net = corrupt(DENSE_LOSS_KIND);
    expect(() => net.trainStep(data.inputs, data.targets, 2)).toThrow(BackendError);
  });
  it('as an optimizer, is refused with a BackendError (not stepped as Adam)', () => {
    const net = corrupt(DENSE_OPTIMIZER);
    if (backend === 'wasm') expect(specializedEpochs(wasmModule()!, arenaOf(net), 2, 1, 1)).toBeNull();
    expect(() => net.trainStep(data.inputs, data.targets, 2)).toThrow(BackendError);
  });
});

describe.each(['js', 'wasm'] as const)('a cell code no table lists, on the %s backend', (backend) => {
  it.each([[3], [-1], [99]])('%i is refused with a BackendError (not run as an rnn cell), and the weights stay as they were', (code) => {
    const net = new RecurrentNetwork({ inputSize: 1, layers: [{ type: 'gru', size: 3 }, { type: 'dense', size: 1 }], seed: 1, backend });
    const series = [[0.1, 0.4, 0.2, 0.7]];
    net.fit(series, { epochs: 1 });
    const before = net.getParameters();
    const arena = (net as unknown as { model: { arena: Arena } }).model.arena;
    const words = arena.base >> 2;
    arena.i32[words + recurrentEntry(arena.i32[words + DENSE_LAYER_COUNT]!, 1, RNN_CELL)] = code;
    expect(() => net.predict([0.1, 0.4])).toThrow(BackendError);
    expect(() => net.fit(series, { epochs: 1 })).toThrow(BackendError);
    expect(net.getParameters()).toEqual(before);
  });
});
