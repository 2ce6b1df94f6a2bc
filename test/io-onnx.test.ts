// toONNX: the exported graph, run by onnxruntime-web, gives the same outputs as toFunction.
import * as ort from 'onnxruntime-web';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Activation } from '../src/dense/types.js';
import { InvalidArgumentError, OutOfRangeError } from '../src/errors.js';
import { toFunction } from '../src/io/function.js';
import { toONNX } from '../src/io/onnx.js';
import { ACTIVATION_SPECS } from '../src/spec/activations.js';
import { randomInputs, randomModel } from './fixtures/dense-models.js';

beforeAll(() => {
  ort.env.wasm.numThreads = 1;
});

async function runOnnx(bytes: Uint8Array, inputs: number[][], precision: 'float32' | 'float64'): Promise<Float64Array> {
  const session = await ort.InferenceSession.create(bytes);
  const flat = inputs.flat();
  const data = precision === 'float64' ? Float64Array.from(flat) : Float32Array.from(flat);
  const tensor = new ort.Tensor(precision === 'float64' ? 'float64' : 'float32', data, [inputs.length, inputs[0]!.length]);
  const result = await session.run({ input: tensor });
  await session.release();
  return Float64Array.from(result.output!.data as Float32Array | Float64Array);
}

const CASES: [string, number[], Activation[]][] = [
  ['sigmoid hidden, softmax output', [4, 6, 3], ['sigmoid', 'softmax']],
  ['tanh and relu hidden, identity output', [3, 5, 4, 2], ['tanh', 'relu', 'identity']],
  ['leakyRelu and elu hidden, sigmoid output', [5, 7, 6, 1], ['leakyRelu', 'elu', 'sigmoid']],
];

describe('toONNX', () => {
  it.each(CASES)('float32 export of %s matches toFunction within float32 tolerance', async (_, sizes, activations) => {
    const model = randomModel(sizes, activations, 11);
    const inputs = randomInputs(9, sizes[0]!);
    const actual = await runOnnx(toONNX(model), inputs, 'float32');
    const predict = toFunction(model);
    const expected = inputs.flatMap((input) => Array.from(predict(input)));
    expect(actual.length).toBe(expected.length);
    expected.forEach((value, i) => expect(Math.abs(actual[i]! - value)).toBeLessThan(1e-5 * Math.max(1, Math.abs(value))));
  });

  // Every activation of the table: on a hidden layer where it may sit there, else on the output.
  it.each(ACTIVATION_SPECS.map((spec) => [spec.name, spec.hidden ? [spec.name, 'identity'] : ['tanh', spec.name]] as const))(
    'float32 export of %s matches toFunction within float32 tolerance',
    async (_, activations) => {
      const model = randomModel([3, 5, 2], [...activations] as Activation[], 17);
      const inputs = randomInputs(9, 3);
      const actual = await runOnnx(toONNX(model), inputs, 'float32');
      const predict = toFunction(model);
      inputs.flatMap((input) => Array.from(predict(input))).forEach((value, i) => expect(Math.abs(actual[i]! - value)).toBeLessThan(1e-5 * Math.max(1, Math.abs(value))));
    },
  );

  it('float64 export matches toFunction to 1e-12', async () => {
    const model = randomModel([4, 8, 8, 3], ['relu', 'tanh', 'softmax'], 5);
    const inputs = randomInputs(6, 4);
    const actual = await runOnnx(toONNX(model, { precision: 'float64' }), inputs, 'float64');
    const predict = toFunction(model);
    inputs.flatMap((input) => Array.from(predict(input))).forEach((value, i) => expect(Math.abs(actual[i]! - value)).toBeLessThan(1e-12));
  });

  it('rejects unknown options and precisions, and weights beyond float32', () => {
    const model = randomModel([2, 2], ['sigmoid']);
    expect(() => toONNX(model, { precison: 'float64' } as never)).toThrow(InvalidArgumentError);
    expect(() => toONNX(model, { precision: 'float16' } as never)).toThrow(InvalidArgumentError);
    model.weights[0]![1] = 1e39;
    expect(() => toONNX(model)).toThrow(OutOfRangeError);
    expect(() => toONNX(model, { precision: 'float64' })).not.toThrow();
  });
});
