// toFunction / toFunctionSource: standalone predict code agrees with an independent plain-loop reference.
import { describe, expect, it } from 'vitest';
import type { Activation } from '../src/dense/types.js';
import { FormatError, ShapeError } from '../src/errors.js';
import { DenseNetwork } from '../src/dense/network.js';
import { toFunction, toFunctionSource } from '../src/io/function.js';
import { randomInputs, randomModel, referencePredict } from './fixtures/dense-models.js';

const CASES: [number[], Activation[]][] = [
  [[2, 3, 1], ['sigmoid', 'sigmoid']],
  [[4, 8, 3], ['relu', 'softmax']],
  [[3, 5, 5, 2], ['tanh', 'leakyRelu', 'identity']],
  [[6, 4, 4], ['elu', 'tanh']],
  [[5, 7, 6, 4], ['leakyRelu', 'elu', 'softmax']],
];

describe('toFunction', () => {
  it.each(CASES)('%j with %j matches the plain-loop reference to 1e-12', (sizes, activations) => {
    const model = randomModel(sizes, activations, sizes.length * 13);
    const predict = toFunction(model);
    for (const input of randomInputs(20, sizes[0]!, 3, 3)) {
      const actual = predict(input);
      const expected = referencePredict(model, input);
      expect(actual.length).toBe(expected.length);
      expected.forEach((value, i) => expect(Math.abs(actual[i]! - value)).toBeLessThan(1e-12 * Math.max(1, Math.abs(value))));
    }
  });

  it('keeps softmax finite for logits far beyond exp overflow', () => {
    const model = randomModel([1, 3], ['softmax']);
    model.weights[0] = [1000, 999, 0];
    model.biases[0] = [0, 0, 0];
    const actual = toFunction(model)([1]);
    // The same softmax, shifted by -999 so the reference's plain exp() stays finite.
    const expected = referencePredict({ ...model, weights: [[1, 0, -999]] }, [1]);
    expected.forEach((value, i) => expect(Math.abs(actual[i]! - value)).toBeLessThan(1e-15));
  });

  it('accepts typed arrays and returns a fresh array per call', () => {
    const model = randomModel([3, 2], ['identity']);
    const predict = toFunction(model);
    const first = predict(new Float64Array([1, 2, 3]));
    const second = predict([0, 0, 0]);
    expect(first).not.toBe(second);
    expect(Array.from(second)).toEqual(model.biases[0]);
  });

  it('rejects inputs of the wrong length with a ShapeError naming input', () => {
    const predict = toFunction(randomModel([3, 2], ['relu']));
    expect(() => predict([1, 2])).toThrowError(ShapeError);
    expect(() => predict([1, 2])).toThrowError(/input must hold 3 numbers/);
  });

  it('rejects a malformed model with a FormatError', () => {
    const model = randomModel([3, 2], ['relu']);
    model.biases[0]!.pop();
    expect(() => toFunction(model)).toThrowError(FormatError);
    expect(() => toFunctionSource(model)).toThrowError(FormatError);
  });
});

describe('toFunctionSource', () => {
  it('evaluates on its own, without neurite, to the same outputs', () => {
    const model = randomModel([4, 6, 2], ['tanh', 'sigmoid'], 99);
    const source = toFunctionSource(model);
    expect(source).not.toMatch(/require|import/);
    const predict = new Function(`return ${source};`)() as (input: number[]) => Float64Array;
    for (const input of randomInputs(5, 4)) expect(Array.from(predict(input))).toEqual(Array.from(toFunction(model)(input)));
    expect(() => predict([1])).toThrowError(RangeError);
  });

  it('writes weights that read back bit for bit, -0 included', () => {
    const model = randomModel([2, 1], ['identity']);
    model.weights[0] = [0.1 + 0.2, -0];
    model.biases[0] = [Number.MIN_VALUE];
    const source = toFunctionSource(model);
    expect(source).toContain(String(0.1 + 0.2));
    expect(source).toContain(`[${String(0.1 + 0.2)},-0]`);
    expect(source).toContain(String(Number.MIN_VALUE));
  });
});

describe('toFunction on a trained DenseNetwork', () => {
  it.each(['wasm', 'js'] as const)('gives net.predict outputs to 1e-12 (%s backend)', (backend) => {
    const net = new DenseNetwork({ layers: [{ size: 3 }, { size: 6, activation: 'elu' }, { size: 5, activation: 'leakyRelu' }, { size: 4, activation: 'softmax' }], seed: 3, backend });
    const data = randomInputs(16, 3, 9).map((input, i) => ({ input, output: [0, 1, 2, 3].map((k) => (k === i % 4 ? 1 : 0)) }));
    net.fit(data, { epochs: 5, batchSize: 4 });
    const predict = toFunction(net.toJSON());
    for (const { input } of data) {
      const expected = net.predict(input).slice();
      const actual = predict(input);
      expected.forEach((value, i) => expect(Math.abs(actual[i]! - value)).toBeLessThan(1e-12));
    }
    net.dispose();
  });
});
