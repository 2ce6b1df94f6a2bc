// brainToDenseModel: a trained brain.js 1.6.1 NeuralNetwork, converted, gives brain.js's own run() outputs.
import { createRequire } from 'node:module';
import { fc, test } from '@fast-check/vitest';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { FormatError } from '../src/errors.js';
import { brainToDenseModel } from '../src/io/brain.js';
import { toFunction } from '../src/io/function.js';
import { generator, randomInputs } from './fixtures/dense-models.js';
import { replaceOne } from './helpers/replace-one.js';

interface BrainNetwork {
  train(data: { input: unknown; output: unknown }[], options: object): unknown;
  run(input: unknown): ArrayLike<number> | Record<string, number>;
  toJSON(): Record<string, unknown>;
}
// The NeuralNetwork module alone: brain's index also loads its GPU build, which tests do not need.
const { default: NeuralNetwork } = createRequire(import.meta.url)('brain.js/dist/neural-network.js') as {
  default: new (options: object) => BrainNetwork;
};

const XOR = [
  { input: [0, 0], output: [0] },
  { input: [0, 1], output: [1] },
  { input: [1, 0], output: [1] },
  { input: [1, 1], output: [0] },
];

/** brain keeps every layer's activations in a Float32Array: agreement is to float32 precision. */
const FLOAT32_TOLERANCE = 1e-6;

function trained(activation: string, hiddenLayers: number[], data: { input: number[]; output: number[] }[]): BrainNetwork {
  const net = new NeuralNetwork({ activation, hiddenLayers });
  net.train(data, { iterations: 200, errorThresh: 1e-6, learningRate: 0.1 });
  return net;
}

describe('brainToDenseModel', () => {
  // brain.js initializes with Math.random: a seeded one makes every run train the same networks.
  beforeEach(() => {
    vi.spyOn(Math, 'random').mockImplementation(generator(2024));
  });
  afterEach(() => {
    vi.restoreAllMocks();
  });
  const threeToTwo = randomInputs(12, 3, 5, 1).map((input) => ({ input, output: [input[0]! > input[1]! ? 0.9 : 0.1, input[2]! > 0 ? 0.8 : 0.2] }));

  it.each(['sigmoid', 'relu', 'leaky-relu', 'tanh'])('a trained 3-5-4-2 %s network gives brain.run outputs within float32 tolerance', (activation) => {
    const brainNet = trained(activation, [5, 4], threeToTwo);
    const model = brainToDenseModel(JSON.parse(JSON.stringify(brainNet.toJSON())));
    const predict = toFunction(model);
    let checked = 0;
    for (const input of randomInputs(25, 3, 17, 3)) {
      const expected = Array.from(brainNet.run(input) as ArrayLike<number>);
      const actual = predict(input);
      expect(actual.length).toBe(2);
      expected.forEach((value, i) => expect(Math.abs(actual[i]! - value)).toBeLessThan(FLOAT32_TOLERANCE * Math.max(1, Math.abs(value))));
      checked += expected.filter((v) => v !== 0).length;
    }
    // The comparison means something only if some outputs are not clamped to 0 by relu.
    expect(checked).toBeGreaterThan(10);
    expect(model.layers.map((l) => l.size)).toEqual([3, 5, 4, 2]);
  });

  it('XOR trained by brain.js keeps its answers, also from JSON text', () => {
    const brainNet = trained('sigmoid', [3], XOR);
    const predict = toFunction(brainToDenseModel(JSON.stringify(brainNet.toJSON())));
    for (const { input } of XOR) expect(predict(input)[0]).toBeCloseTo((brainNet.run(input) as Float32Array)[0]!, 6);
  });

  it('maps named inputs and outputs (brain lookups) to index order and keeps the names', () => {
    const brainNet = new NeuralNetwork({ hiddenLayers: [3] });
    brainNet.train([{ input: { r: 1, g: 0.2 }, output: { light: 1 } }, { input: { r: 0, g: 0.9 }, output: { dark: 1 } }], { iterations: 50 });
    const model = brainToDenseModel(brainNet.toJSON());
    expect(model.meta).toEqual({ source: 'brain.js', inputNames: ['r', 'g'], outputNames: ['light', 'dark'] });
    const expected = brainNet.run({ r: 0.3, g: 0.6 }) as Record<string, number>;
    const actual = toFunction(model)([0.3, 0.6]);
    expect(actual[0]).toBeCloseTo(expected.light!, 6);
    expect(actual[1]).toBeCloseTo(expected.dark!, 6);
  });

  it('rejects what is not brain.js 1.x NeuralNetwork JSON with a FormatError naming the field', () => {
    const json = trained('sigmoid', [2], XOR).toJSON();
    const broken = (change: (j: Record<string, unknown>) => void) => {
      const copy = JSON.parse(JSON.stringify(json)) as Record<string, unknown>;
      change(copy);
      return () => brainToDenseModel(copy);
    };
    expect(broken((j) => (j.activation = 'softplus'))).toThrowError(/json\.activation must be one of 'sigmoid', 'relu', 'leaky-relu', 'tanh'/);
    expect(broken((j) => (j.type = 'NeuralNetwork'))).toThrowError(/json\.type is not a field of brain\.js 1\.x/);
    expect(broken((j) => (j.sizes = [2, 2 ** 20, 2 ** 20, 1]))).toThrowError(/parameters, more than/);
    expect(broken((j) => delete (j.layers as Record<string, Record<string, unknown>>[])[1]!['0']!.bias)).toThrowError(/json\.layers\[1\]\.0\.bias must be a finite number/);
    expect(broken((j) => delete (j.layers as Record<string, Record<string, Record<string, unknown>>>[])[2]!['0']!.weights!['1'])).toThrowError(/must hold 2 weights/);
    expect(broken((j) => (j.layers as unknown[]).pop())).toThrowError(FormatError);
    expect(() => brainToDenseModel('{"sizes":[1,1],"layers":[{"0":{}},{"__proto__":{}}]}')).toThrowError(/prototype pollution/);
    expect(() => brainToDenseModel('{"sizes":')).toThrowError(FormatError);
  });
});

// A brain.js JSON with any one value replaced is converted consistently or rejected with a FormatError, never anything else.
const brainText = JSON.stringify({
  sizes: [2, 2, 1],
  layers: [{ 0: {}, 1: {} }, { 0: { bias: 0.5, weights: { 0: 1, 1: -1 } }, 1: { bias: -0.5, weights: { 0: 2, 1: 0.25 } } }, { 0: { bias: 0.1, weights: { 0: 1.5, 1: -2 } } }],
  outputLookup: false,
  inputLookup: false,
  activation: 'sigmoid',
  trainOpts: { iterations: 20000, errorThresh: 0.005, learningRate: 0.3, momentum: 0.1 },
});

describe('fuzzing brainToDenseModel', () => {
  test.prop([fc.nat(), fc.jsonValue({ maxDepth: 2 })], { numRuns: Number(process.env.NEURITE_FUZZ_RUNS ?? 300) })('one value replaced: converted consistently or a FormatError', (pick, replacement) => {
    const mutated = replaceOne(brainText, pick, replacement);
    try {
      const model = brainToDenseModel(mutated);
      model.weights.forEach((w, l) => expect(w.length).toBe(model.layers[l + 1]!.size * model.layers[l]!.size));
    } catch (error) {
      expect(error).toBeInstanceOf(FormatError);
    }
  });
});
