// recurrentToONNX: the exported graph, run by onnxruntime-web, gives the plain-loop reference's outputs.
import * as ort from 'onnxruntime-web';
import { beforeAll, describe, expect, it } from 'vitest';
import { ConfigurationError, FormatError, OutOfRangeError } from '../src/errors.js';
import type { RecurrentModelJSON } from '../src/recurrent/types.js';
import { recurrentToONNX } from '../src/io/onnx-recurrent.js';
import { RecurrentNetwork } from '../src/recurrent/network.js';
import { randomRecurrentModel, randomSequences, referencePredict } from './helpers/recurrent-reference.js';
import { thrownBy } from './helpers/errors.js';

beforeAll(() => {
  ort.env.wasm.numThreads = 1;
});

/** Runs the graph on `sequences` (N × T × features), batch first, and returns the flat output. */
async function runOnnx(bytes: Uint8Array, sequences: number[][][]): Promise<Float64Array> {
  const session = await ort.InferenceSession.create(bytes);
  const tensor = new ort.Tensor('float32', Float32Array.from(sequences.flat(2)), [sequences.length, sequences[0]!.length, sequences[0]![0]!.length]);
  const result = await session.run({ input: tensor });
  await session.release();
  return Float64Array.from(result.output!.data as Float32Array);
}

/** float32 weights and states through T steps: agreement to a few hundred float32 ulps of the output's scale. */
const FLOAT32_TOLERANCE = 2e-5;

function expectClose(actual: ArrayLike<number>, expected: readonly number[], tolerance: number): void {
  expect(actual.length).toBe(expected.length);
  expected.forEach((value, i) => expect(Math.abs(actual[i]! - value)).toBeLessThan(tolerance * Math.max(1, Math.abs(value))));
}

const CASES: [string, number, [string, number][], number, 'sequence' | 'last', string][] = [
  ['one lstm, every step', 1, [['lstm', 6]], 1, 'sequence', 'identity'],
  ['one gru, every step', 2, [['gru', 5]], 2, 'sequence', 'tanh'],
  ['one tanh rnn, every step', 3, [['rnn', 4]], 2, 'sequence', 'identity'],
  ['one relu rnn, last step', 3, [['rnn:relu', 4]], 1, 'last', 'sigmoid'],
  ['lstm over gru over rnn, last step, softmax', 2, [['lstm', 5], ['gru', 4], ['rnn', 3]], 3, 'last', 'softmax'],
  ['gru over lstm, every step, softmax', 3, [['gru', 4], ['lstm', 6]], 3, 'sequence', 'softmax'],
];

describe('recurrentToONNX', () => {
  it.each(CASES)('%s: onnxruntime matches the reference within float32 tolerance', async (_, inputSize, cells, outputs, output, activation) => {
    const model = randomRecurrentModel(inputSize, cells, outputs, { output, activation, seed: 3 }) as RecurrentModelJSON;
    const sequences = randomSequences(4, 9, inputSize);
    const actual = await runOnnx(recurrentToONNX(model), sequences);
    expectClose(actual, sequences.flatMap((sequence) => referencePredict(model, sequence)), FLOAT32_TOLERANCE);
  });

  it('applies the standardization figures on the way in and out', async () => {
    const model = randomRecurrentModel(2, [['lstm', 4]], 2, { seed: 5 }) as RecurrentModelJSON;
    model.scaling = { inputs: { mean: [3, -1], std: [2, 0.5] }, targets: { mean: [10, -4], std: [5, 0.25] } };
    const sequences = randomSequences(3, 7, 2, 11, 4);
    expectClose(await runOnnx(recurrentToONNX(model), sequences), sequences.flatMap((sequence) => referencePredict(model, sequence)), FLOAT32_TOLERANCE);
  });

  it.each([['lstm', 'sequence'], ['gru', 'last']] as const)('a trained RecurrentNetwork (%s, %s) exports, with its standardization, to what predict gives', async (cell, output) => {
    const series = randomSequences(12, 10, 2, 4, 3).map((sequence) => sequence.map(([a, b]) => [5 + a!, 20 * Math.sin(b!)]));
    const net = new RecurrentNetwork({ inputSize: 2, layers: [{ type: cell, size: 6 }, { type: 'dense', size: 2 }], output, seed: 2, backend: 'js' });
    if (output === 'sequence') net.fit(series, { epochs: 3 });
    else net.fit(series.map((sequence) => ({ input: sequence, output: sequence[sequence.length - 1]! })), { epochs: 3 });
    expect(net.toJSON().scaling?.inputs).toBeDefined();
    const sequences = series.slice(0, 3).map((sequence) => sequence.slice(0, 8));
    const expected = sequences.flatMap((sequence) => Array.from(net.predict(sequence)));
    expectClose(await runOnnx(net.toONNX(), sequences), expected, FLOAT32_TOLERANCE);
    net.dispose();
  });

  it('rejects malformed models and weights beyond float32', () => {
    const model = randomRecurrentModel(1, [['lstm', 2]], 1) as RecurrentModelJSON;
    (model.layers[1] as { weights: number[] }).weights[0] = 1e39;
    expect(() => recurrentToONNX(model)).toThrow(OutOfRangeError);
    (model.layers[1] as { weights: number[] }).weights[0] = 1;
    (model.layers[0] as { memory?: string }).memory = 'forget';
    expect(() => recurrentToONNX(model)).toThrowError(FormatError);
    expect(() => recurrentToONNX('{"format":"neurite-recurrent"')).toThrowError(FormatError);
  });

  it("refuses an lstm with memory 'hidden' (brain.js's cell, which ONNX's LSTM cannot compute) with a ConfigurationError naming the layer; memory 'cell' exports as no memory does", () => {
    const model = randomRecurrentModel(1, [['gru', 3], ['lstm', 2]], 1) as RecurrentModelJSON;
    const plain = recurrentToONNX(model);
    (model.layers[1] as { memory?: string }).memory = 'cell';
    expect(recurrentToONNX(model)).toEqual(plain);
    (model.layers[1] as { memory?: string }).memory = 'hidden';
    const error = thrownBy(() => recurrentToONNX(model));
    expect(error).toBeInstanceOf(ConfigurationError);
    expect((error as ConfigurationError).argument).toBe('json.layers[1].memory');
    expect((error as Error).message).toMatch(/ONNX's LSTM operator cannot express/);
    const net = new RecurrentNetwork({ inputSize: 1, layers: [{ type: 'lstm', size: 3, memory: 'hidden' }, { type: 'dense', size: 1 }], seed: 1, backend: 'js' });
    expect(() => net.toONNX()).toThrowError(ConfigurationError);
    net.dispose();
  });
});
