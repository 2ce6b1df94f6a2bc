// fromJSON on hostile input, through the public entry points (DenseNetwork.fromJSON, Network.fromJSON):
// a FormatError, fast, without allocating from declared sizes; and a mutation fuzz whose only outcomes are a
// FormatError or a network equal to what the mutated text says (checked against JSON.parse, not the reader).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { wasmModule } from '../src/backend/wasm.js';
import { DenseNetwork, FormatError, Network } from '../src/index.js';

const RUNS = Number(process.env.NEURITE_FUZZ_RUNS ?? 1000);

const trained = (() => {
  const net = new DenseNetwork({ layers: [3, { size: 4, activation: 'elu' }, { size: 2, activation: 'softmax' }], optimizer: { type: 'momentum', nesterov: true }, seed: 4 });
  net.fit([{ input: [0.1, -2, 3], output: [1, 0] }, { input: [1, 0.5, -0.25], output: [0, 1] }], { epochs: 3 });
  net.meta = { columns: ['a', 'b', 'c'], scale: [1, 2.5, -1e-300] };
  return net;
})();
const denseText = JSON.stringify(trained.toJSON());
const seedText = JSON.stringify(new Network([{ weight: 0.5, bias: 0.1, size: 2 }, { weight: -0.25, bias: 1e-7, size: 3 }], 0.05).toJSON());

/** Runs `load` and returns the result, or 'FormatError'; any other throw fails the test. */
function attempt<T>(load: () => T): T | 'FormatError' {
  try {
    return load();
  } catch (error) {
    if (error instanceof FormatError) return 'FormatError';
    throw new Error(`expected a FormatError, got ${(error as Error)?.constructor?.name}: ${(error as Error)?.message}`);
  }
}

function expectFormatError(load: () => unknown, what: string): void {
  expect(attempt(load), what).toBe('FormatError');
}

const wasmBytes = () => wasmModule()!.exports.memory.buffer.byteLength;

describe('fromJSON rejects hostile input with FormatError', () => {
  it('truncated text at every cut, wrong format and version, wrong array lengths', () => {
    for (let cut = 0; cut < denseText.length; cut += 3) expectFormatError(() => DenseNetwork.fromJSON(denseText.slice(0, cut)), `dense cut at ${cut}`);
    for (let cut = 0; cut < seedText.length; cut += 3) expectFormatError(() => Network.fromJSON(seedText.slice(0, cut)), `seed cut at ${cut}`);
    const model = JSON.parse(denseText);
    for (const [what, broken] of [
      ['version 2', { ...model, version: 2 }],
      ['version "1"', { ...model, version: '1' }],
      ['no version', { ...model, version: undefined }],
      ['seed format', { ...model, format: 'neurite-seed' }],
      ['one weight short', { ...model, weights: [model.weights[0].slice(1), model.weights[1]] }],
      ['one bias too many', { ...model, biases: [model.biases[0], [...model.biases[1], 0]] }],
      ['a missing layer of weights', { ...model, weights: [model.weights[0]] }],
      ['weights as an object', { ...model, weights: { 0: model.weights[0], 1: model.weights[1], length: 2 } }],
      ['a sparse weight row', { ...model, weights: [new Array(12), model.weights[1]] }],
      ['a string weight', { ...model, weights: [['0.5', ...model.weights[0].slice(1)], model.weights[1]] }],
    ] as const) {
      expectFormatError(() => DenseNetwork.fromJSON(broken), what);
      expectFormatError(() => DenseNetwork.fromJSON(JSON.stringify(broken)), `${what} (text)`);
    }
    const seed = JSON.parse(seedText);
    expectFormatError(() => Network.fromJSON({ ...seed, version: 0 }), 'seed version 0');
    expectFormatError(() => Network.fromJSON({ ...seed, layers: [{ ...seed.layers[0], weights: [1] }, seed.layers[1]] }), 'seed weights short');
    // Readable fields that DenseNetwork would refuse to build (found by npm run fuzz): still a FormatError.
    expectFormatError(() => DenseNetwork.fromJSON({ ...model, optimizer: { type: 'adam', nesterov: true } }), 'nesterov on adam');
    expectFormatError(() => DenseNetwork.fromJSON({ ...model, optimizer: { type: 'sgd', nesterov: true } }), 'nesterov on sgd');
    expectFormatError(() => DenseNetwork.fromJSON({ ...model, loss: 'mse', layers: [model.layers[0], model.layers[1], { size: 1, activation: 'softmax' }], weights: [model.weights[0], model.weights[1].slice(0, 4)], biases: [model.biases[0], [0]] }), 'softmax of 1 unit');
    expectFormatError(() => DenseNetwork.fromJSON(seedText), 'a seed model given to DenseNetwork');
    expectFormatError(() => Network.fromJSON(denseText), 'a dense model given to Network');
  });

  it('huge declared sizes fail fast, before anything is allocated from them', () => {
    const model = JSON.parse(denseText);
    const hostile = [
      { ...model, layers: [{ size: 2 ** 30 }, ...model.layers.slice(1)] },
      { ...model, layers: [{ size: 2 ** 24 }, { size: 2 ** 24, activation: 'relu' }, model.layers[2]] },
      // 121 million parameters (under the cap) but empty weights: refused before a ~4 GB network is built.
      { ...model, layers: [{ size: 11000 }, { size: 11000, activation: 'relu' }, model.layers[2]], weights: [[], [], []], biases: [[], [], []] },
      { ...model, layers: Array.from({ length: 5000 }, (_, l) => (l === 0 ? { size: 1 } : { size: 1, activation: 'relu' })) },
      { ...model, weights: [{ length: 2 ** 32 }, model.weights[1]] },
    ];
    const seed = JSON.parse(seedText);
    const seedHostile = [
      { ...seed, layers: [{ size: 2 ** 30, weights: [], biases: [] }] },
      { ...seed, layers: Array.from({ length: 100 }, () => ({ size: 2 ** 25, weights: [], biases: [] })) },
    ];
    const rss = process.memoryUsage().rss;
    const wasm = wasmBytes();
    const start = performance.now();
    for (const json of hostile) {
      expectFormatError(() => DenseNetwork.fromJSON(json, { backend: 'wasm' }), JSON.stringify(json).slice(0, 80));
      expectFormatError(() => DenseNetwork.fromJSON(JSON.stringify(json), { backend: 'js' }), 'as text');
    }
    for (const json of seedHostile) expectFormatError(() => Network.fromJSON(json), JSON.stringify(json).slice(0, 80));
    expect(performance.now() - start).toBeLessThan(2000);
    expect(wasmBytes()).toBe(wasm);
    expect(process.memoryUsage().rss - rss).toBeLessThan(100 * 2 ** 20);
  });

  it('__proto__, constructor and prototype keys anywhere; Object.prototype stays clean', () => {
    const inserts: [string, string][] = [
      ['{', '{"__proto__":{"polluted":true},'],
      ['{"size":3', '{"constructor":{"prototype":{"polluted":true}},"size":3'],
      ['"loss"', '"prototype":{"polluted":true},"loss"'],
      ['"columns"', '"__proto__":{"polluted":true},"columns"'],
      ['"type":"momentum"', '"type":"momentum","__proto__":{"polluted":true}'],
    ];
    for (const [at, insert] of inserts) {
      expect(denseText).toContain(at);
      expectFormatError(() => DenseNetwork.fromJSON(denseText.replace(at, insert)), insert);
    }
    expectFormatError(() => Network.fromJSON(seedText.replace('{"size":2', '{"__proto__":{"polluted":true},"size":2')), 'seed layer');
    expectFormatError(() => DenseNetwork.fromJSON(JSON.parse('{"__proto__":{"polluted":true}}')), 'only __proto__');
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.prototype).not.toHaveProperty('polluted');
  });

  it('non-JSON values: null, numbers, arrays, typed arrays, functions, deeply nested text', () => {
    const values: unknown[] = [null, undefined, 0, NaN, true, 'null', '[]', '{}', [], new Float64Array(4), () => 1, Symbol('x'), new Date(), new Map(),
      '['.repeat(100_000) + ']'.repeat(100_000), `{"meta":${'['.repeat(10_000)}${']'.repeat(10_000)}}`];
    for (const value of values) {
      expectFormatError(() => DenseNetwork.fromJSON(value), String(typeof value));
      expectFormatError(() => Network.fromJSON(value), String(typeof value));
    }
    const deepMeta = { ...JSON.parse(denseText), meta: JSON.parse(`{"a":${'['.repeat(1000)}${']'.repeat(1000)}}`) };
    expectFormatError(() => DenseNetwork.fromJSON(deepMeta), 'meta nested 1000 deep');
  });
});

// Mutations of a valid model's text: byte flips, truncations, insertions, deletions, duplicated spans.
const mutation = fc.oneof(
  fc.tuple(fc.constant('flip' as const), fc.nat(), fc.integer({ min: 0, max: 6 })),
  fc.tuple(fc.constant('truncate' as const), fc.nat(), fc.constant(0)),
  fc.tuple(fc.constant('insert' as const), fc.nat(), fc.integer({ min: 0, max: 24 })),
  fc.tuple(fc.constant('delete' as const), fc.nat(), fc.integer({ min: 1, max: 8 })),
  fc.tuple(fc.constant('duplicate' as const), fc.nat(), fc.integer({ min: 1, max: 40 })),
);
const TOKENS = ['{', '}', '[', ']', '"', ':', ',', '-', '.', 'e', '0', '1', '9', ' ', 'null', 'true', '1e999', '"__proto__"', '"size"', '-0', '2147483648', '\\u0000', '[]', '{}', '"relu"'];

function mutate(text: string, changes: ['flip' | 'truncate' | 'insert' | 'delete' | 'duplicate', number, number][]): string {
  let out = text;
  for (const [kind, position, amount] of changes) {
    const at = position % (out.length + 1);
    if (kind === 'flip' && at < out.length) out = out.slice(0, at) + String.fromCharCode(out.charCodeAt(at) ^ (1 << amount)) + out.slice(at + 1);
    else if (kind === 'truncate') out = out.slice(0, at);
    else if (kind === 'insert') out = out.slice(0, at) + TOKENS[amount % TOKENS.length] + out.slice(at);
    else if (kind === 'delete') out = out.slice(0, at) + out.slice(at + amount);
    else if (kind === 'duplicate') out = out.slice(0, at + amount) + out.slice(at, at + amount) + out.slice(at + amount);
  }
  return out;
}

/** Object.is on numbers, recursively; plain equality elsewhere. */
function sameData(a: unknown, b: unknown): boolean {
  if (typeof a === 'number' && typeof b === 'number') return Object.is(a, b);
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((v, i) => sameData(v, b[i]));
  if (a && b && typeof a === 'object' && typeof b === 'object') {
    const ka = Object.keys(a);
    return ka.length === Object.keys(b).length && ka.every((k) => Object.hasOwn(b, k) && sameData((a as never)[k], (b as never)[k]));
  }
  return a === b;
}

/** An accepted dense model must be exactly what JSON.parse reads from the text, and self-consistent. */
function checkDense(net: DenseNetwork, text: string): void {
  const raw = JSON.parse(text);
  const saved = net.toJSON();
  expect(raw.format).toBe('neurite-dense');
  expect(raw.version).toBe(1);
  expect(net.sizes).toEqual(raw.layers.map((l: { size: number }) => l.size));
  raw.layers.slice(1).forEach((l: { activation: string }, i: number) => expect(saved.layers[i + 1]!.activation).toBe(l.activation));
  expect(saved.loss).toBe(raw.loss);
  expect(saved.seed).toBe(raw.seed);
  const rawOptimizer = typeof raw.optimizer === 'string' ? { type: raw.optimizer } : raw.optimizer;
  for (const [key, value] of Object.entries(rawOptimizer)) expect((saved.optimizer as unknown as Record<string, unknown>)[key], `optimizer.${key}`).toBe(value);
  expect(sameData(saved.weights, raw.weights), 'weights').toBe(true);
  expect(sameData(saved.biases, raw.biases), 'biases').toBe(true);
  expect(sameData(saved.meta, raw.meta), 'meta').toBe(true);
  saved.weights.forEach((w, l) => expect(w.length).toBe(net.sizes[l]! * net.sizes[l + 1]!));
  // And it computes: a finite output for a finite input.
  expect(Array.from(net.predict(new Float64Array(net.inputSize).fill(0.5))).every(Number.isFinite)).toBe(true);
}

function checkSeed(net: Network, text: string): void {
  const raw = JSON.parse(text);
  const saved = net.toJSON();
  expect(saved.learningRate).toBe(raw.learningRate);
  expect(saved.layers.map((l) => l.size)).toEqual(raw.layers.map((l: { size: number }) => l.size));
  expect(sameData(saved.layers.map((l) => [l.weights, l.biases]), raw.layers.map((l: { weights: number[]; biases: number[] }) => [l.weights, l.biases]))).toBe(true);
}

describe('fuzzing fromJSON with mutated model text', () => {
  it(`${RUNS} mutated texts per reader: FormatError, or a network equal to JSON.parse of the text`, () => {
    let accepted = 0;
    fc.assert(fc.property(fc.array(mutation, { minLength: 1, maxLength: 5 }), fc.constantFrom('js' as const, 'wasm' as const), (changes, backend) => {
      const text = mutate(denseText, changes);
      const net = attempt(() => DenseNetwork.fromJSON(text, { backend }));
      if (net !== 'FormatError') {
        accepted++;
        checkDense(net, text);
        net.dispose();
      }
      const seedMutated = mutate(seedText, changes);
      const seed = attempt(() => Network.fromJSON(seedMutated, { backend }));
      if (seed !== 'FormatError') {
        checkSeed(seed, seedMutated);
        seed.dispose();
      }
    }), { numRuns: RUNS });
    // Some mutations (a digit flipped in a weight, a space inserted) keep the model valid: both outcomes are exercised.
    expect(accepted).toBeGreaterThan(0);
  });
});
