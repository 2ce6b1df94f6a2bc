// brainToRecurrentModel: trained brain.js 1.6.1 time-step networks, converted, give brain's own run() and forecast().
import { createRequire } from 'node:module';
import { fc, test } from '@fast-check/vitest';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { FormatError } from '../src/errors.js';
import { brainToRecurrentModel } from '../src/io/brain-recurrent.js';
import { RecurrentNetwork } from '../src/recurrent/network.js';
import { generator } from './fixtures/dense-models.js';
import { referenceForecast, referencePredict } from './helpers/recurrent-reference.js';
import { replaceOne } from './helpers/replace-one.js';

interface BrainTimeStep {
  train(data: unknown[], options: object): unknown;
  run(input: unknown): number | Float32Array;
  forecast(input: unknown, count: number): number[] | Float32Array[];
  toJSON(): Record<string, unknown>;
  fromJSON(json: unknown): void;
}
type BrainClass = new (options?: object) => BrainTimeStep;
// The recurrent modules alone: brain's index also loads its GPU build, which tests do not need.
const load = (file: string) => (createRequire(import.meta.url)(`brain.js/dist/recurrent/${file}.js`) as { default: BrainClass }).default;
const BRAIN: Record<string, BrainClass> = { LSTMTimeStep: load('lstm-time-step'), GRUTimeStep: load('gru-time-step'), RNNTimeStep: load('rnn-time-step') };

/**
 * brain rounds every intermediate matrix to float32 and the recurrence carries those roundings through 23 steps
 * and a fed-back forecast: agreement is to about a hundred float32 ulps, relative to the output's scale.
 */
const FLOAT32_TOLERANCE = 1e-5;

function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>): void {
  expect(actual.length).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) expect(Math.abs(actual[i]! - expected[i]!)).toBeLessThan(FLOAT32_TOLERANCE * Math.max(1, Math.abs(expected[i]!)));
}

/** `count` sequences of `length` steps of `width` features: phase-shifted sines in [0.1, 0.9]. */
function sequences(count: number, length: number, width: number, seed: number): number[][][] {
  const random = generator(seed);
  return Array.from({ length: count }, () => {
    const phase = random() * 6;
    return Array.from({ length }, (_, t) => Array.from({ length: width }, (_, j) => 0.5 + 0.4 * Math.sin(phase + 0.7 * t + j)));
  });
}

/** A brain network of `type` trained for a few iterations, then its weights scaled by `gain` (brain's small initial weights keep the cells near-linear; the gain drives the gates into their curves). */
function trained(type: string, inputSize: number, hiddenLayers: number[], gain: number): BrainTimeStep {
  const net = new BRAIN[type]!({ inputSize, hiddenLayers, outputSize: inputSize });
  const data = sequences(6, 8, inputSize, 3).map((sequence) => (inputSize === 1 ? sequence.map((step) => step[0]!) : sequence));
  net.train(data, { iterations: 20, errorThresh: 0 });
  const json = JSON.parse(JSON.stringify(net.toJSON())) as { hiddenLayers: Record<string, { weights: Record<string, number> }>[]; outputConnector: { weights: Record<string, number> } };
  for (const layer of json.hiddenLayers) for (const m of Object.values(layer)) for (const k of Object.keys(m.weights)) m.weights[k]! *= gain;
  for (const k of Object.keys(json.outputConnector.weights)) json.outputConnector.weights[k]! *= gain;
  const scaled = new BRAIN[type]!();
  scaled.fromJSON(json);
  return scaled;
}

/**
 * The gain on the trained weights, per type: as large as keeps the recurrence contractive, so float32 roundings
 * fade instead of growing (a relu RNN or a GRU with larger weights amplifies them to 1e-3 and beyond).
 */
const GAINS: Record<string, number> = { LSTMTimeStep: 3, GRUTimeStep: 1, RNNTimeStep: 1 };
const CASES: [string, number, number[]][] = [];
for (const type of Object.keys(BRAIN)) CASES.push([type, 1, [6]], [type, 2, [5, 4]]);

describe('brainToRecurrentModel', () => {
  // brain.js initializes with Math.random: a seeded one makes every run train the same networks.
  beforeEach(() => {
    vi.spyOn(Math, 'random').mockImplementation(generator(2024));
  });
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it.each(CASES)('%s with %i input(s) and hidden layers %j: brain run and forecast, to float32 precision', (type, inputSize, hiddenLayers) => {
    const brainNet = trained(type, inputSize, hiddenLayers, GAINS[type]!);
    const model = brainToRecurrentModel(JSON.parse(JSON.stringify(brainNet.toJSON())));
    expect(model.layers.map((l) => l.size)).toEqual([...hiddenLayers, inputSize]);
    for (const sequence of sequences(4, 23, inputSize, 9)) {
      const input = inputSize === 1 ? sequence.map((step) => step[0]!) : sequence;
      const run = brainNet.run(input);
      const lastStep = referencePredict(model, sequence).slice(-inputSize);
      expectClose(lastStep, typeof run === 'number' ? [run] : run);
      const forecast = brainNet.forecast(input, 6);
      expectClose(referenceForecast(model, sequence, 6), forecast.flatMap((step) => (typeof step === 'number' ? [step] : Array.from(step))));
    }
  });

  it.each(CASES.flatMap((c) => (['wasm', 'js'] as const).map((backend) => [...c, backend] as const)))(
    'RecurrentNetwork.fromBrainJSON(%s, %i input(s), %j) on %s: predict and forecast give brain run and forecast',
    (type, inputSize, hiddenLayers, backend) => {
      const brainNet = trained(type, inputSize, hiddenLayers, GAINS[type]!);
      const net = RecurrentNetwork.fromBrainJSON(JSON.stringify(brainNet.toJSON()), { backend });
      for (const sequence of sequences(4, 23, inputSize, 9)) {
        const input = inputSize === 1 ? sequence.map((step) => step[0]!) : sequence;
        const run = brainNet.run(input);
        expectClose(net.predict(sequence).slice(-inputSize), typeof run === 'number' ? [run] : run);
        const forecast = brainNet.forecast(input, 6);
        expectClose(net.forecast(sequence, 6), forecast.flatMap((step) => (typeof step === 'number' ? [step] : Array.from(step))));
      }
      net.dispose();
    },
  );

  it.each(['wasm', 'js'] as const)('a brain.js LSTMTimeStep trained on a sine series (300 iterations, as trained: no gain) imports on %s to its run and forecast', (backend) => {
    const series = sequences(8, 12, 1, 5).map((sequence) => sequence.map((step) => step[0]!));
    const brainNet = new BRAIN.LSTMTimeStep!({ inputSize: 1, hiddenLayers: [8], outputSize: 1 });
    const { error } = brainNet.train(series, { iterations: 300, errorThresh: 0 }) as { error: number };
    // It learned (brain's error is about 0.4 after one iteration on such series): the comparison is of a working model.
    expect(error).toBeLessThan(0.05);
    const net = RecurrentNetwork.fromBrainJSON(JSON.stringify(brainNet.toJSON()), { backend });
    for (const sequence of sequences(4, 20, 1, 13)) {
      const input = sequence.map((step) => step[0]!);
      expectClose(net.predict(input).slice(-1), [brainNet.run(input) as number]);
      expectClose(net.forecast(input, 12), brainNet.forecast(input, 12) as number[]);
    }
    net.dispose();
  });

  it("an LSTMTimeStep becomes lstm layers with memory 'hidden', kept by toJSON; the standard cell would not give brain's run", () => {
    const brainNet = trained('LSTMTimeStep', 1, [6], GAINS.LSTMTimeStep!);
    const net = RecurrentNetwork.fromBrainJSON(brainNet.toJSON());
    expect(net.toJSON().layers.map((layer) => (layer as { memory?: string }).memory)).toEqual(['hidden', undefined]);
    const sequence = sequences(1, 23, 1, 9)[0]!.map((step) => step[0]!);
    const run = brainNet.run(sequence) as number;
    expectClose(net.predict(sequence).slice(-1), [run]);
    // The same weights in the standard cell: off by far more than float32 precision (the test could fail).
    const standard = net.toJSON();
    delete (standard.layers[0] as { memory?: string }).memory;
    const other = RecurrentNetwork.fromJSON(standard);
    expect(Math.abs(other.predict(sequence).at(-1)! - run)).toBeGreaterThan(1e-3);
    net.dispose();
    other.dispose();
  });

  it('reads brain.toJSON() as returned (Float32Array weights) as it reads its JSON text', () => {
    const brainNet = trained('GRUTimeStep', 1, [3], 1);
    expect(brainToRecurrentModel(brainNet.toJSON())).toEqual(brainToRecurrentModel(JSON.stringify(brainNet.toJSON())));
  });

  it('rejects what is not brain.js 1.x time-step JSON with a FormatError naming the field', () => {
    const json = JSON.parse(JSON.stringify(trained('LSTMTimeStep', 1, [2], 1).toJSON())) as Record<string, unknown>;
    const broken = (change: (j: Record<string, any>) => void) => {
      const copy = JSON.parse(JSON.stringify(json)) as Record<string, any>;
      change(copy);
      return () => brainToRecurrentModel(copy);
    };
    const rejects = (change: (j: Record<string, any>) => void, message: RegExp) => {
      expect(broken(change)).toThrowError(FormatError);
      expect(broken(change)).toThrowError(message);
    };
    rejects((j) => (j.type = 'LSTM'), /json\.type must be one of .*text model LSTM/);
    rejects((j) => (j.type = 'GRUTimeStep'), /json\.hiddenLayers\[0\]\.inputMatrix is not a matrix of brain's GRUTimeStep/);
    rejects((j) => (j.options.inputSize = 2), /json\.hiddenLayers\[0\]\.inputMatrix\.columns must be 2/);
    rejects((j) => (j.options.hiddenLayers = [3]), /json\.hiddenLayers\[0\]\.inputMatrix\.rows must be 3/);
    rejects((j) => (j.hiddenLayers[0].cellActivationHidden = j.hiddenLayers[0].cellActivationMatrix), /json\.hiddenLayers\[0\]\.cellActivationHidden\.columns must be 2/);
    rejects((j) => delete j.type, /json\.type must be one of/);
    rejects((j) => (j.sizes = [1]), /json\.sizes is not a field/);
    rejects((j) => (j.options.hiddenLayers = [2 ** 14, 2 ** 14]), /parameters, more than/);
    rejects((j) => (j.options.inputSize = 0), /json\.options\.inputSize must be an integer/);
    rejects((j) => j.hiddenLayers.push({}), /json\.hiddenLayers must be an array of 1 layers/);
    rejects((j) => (j.hiddenLayers[0].inputMatrix.rows = 3), /json\.hiddenLayers\[0\]\.inputMatrix\.rows must be 2/);
    rejects((j) => delete j.hiddenLayers[0].forgetBias, /json\.hiddenLayers\[0\]\.forgetBias must be an object/);
    rejects((j) => (j.hiddenLayers[0].peephole = j.hiddenLayers[0].inputBias), /json\.hiddenLayers\[0\]\.peephole is not a matrix/);
    rejects((j) => (j.hiddenLayers[0].inputHidden.weights['3'] = 'x'), /json\.hiddenLayers\[0\]\.inputHidden\.weights\.3 must be a finite number/);
    rejects((j) => delete j.hiddenLayers[0].inputHidden.weights['3'], /must hold 4 numbers, got 3 keys/);
    rejects((j) => (j.outputConnector.weights = [1, 2, 3]), /json\.outputConnector\.weights must hold 2 numbers, got 3/);
    rejects((j) => (j.output.weights = [null]), /json\.output\.weights\[0\] must be a finite number/);
    expect(() => brainToRecurrentModel('{"type":"RNNTimeStep","options":{"__proto__":{}}}')).toThrowError(/prototype pollution/);
    expect(() => brainToRecurrentModel('{"type":')).toThrowError(FormatError);
    expect(() => brainToRecurrentModel(null)).toThrowError(/json must be an object/);
  });
});

// A brain.js time-step JSON with any one value replaced is converted consistently or rejected with a FormatError, never anything else.
const matrix = (rows: number, columns: number, start: number) => ({ rows, columns, weights: Object.fromEntries(Array.from({ length: rows * columns }, (_, i) => [String(i), start + i / 10])) });
/** The first value of each gate's input matrix, hidden matrix and bias, gate by gate. */
const STARTS = [[0.1, 0.2, 0.3], [-0.1, -0.2, -0.3], [0.4, 0.5, 0.6], [-0.4, -0.5, -0.6]] as const;
/** A brain.js time-step JSON: 1 input, one hidden layer of 2 units whose gates' matrices are named in `gates`, 1 output. */
const timeStepText = (type: string, gates: [string, string, string][]) => JSON.stringify({
  type,
  options: { inputSize: 1, hiddenLayers: [2], outputSize: 1, decayRate: 0.999, smoothEps: 1e-8, regc: 0.000001, clipval: 5 },
  hiddenLayers: [Object.fromEntries(gates.flatMap(([input, hidden, bias], g) => [
    [input, matrix(2, 1, STARTS[g]![0])], [hidden, matrix(2, 2, STARTS[g]![1])], [bias, matrix(2, 1, STARTS[g]![2])],
  ]))],
  outputConnector: matrix(1, 2, 0.7),
  output: matrix(1, 1, 0.8),
});
const gruText = timeStepText('GRUTimeStep', [
  ['updateGateInputMatrix', 'updateGateHiddenMatrix', 'updateGateBias'],
  ['resetGateInputMatrix', 'resetGateHiddenMatrix', 'resetGateBias'],
  ['cellWriteInputMatrix', 'cellWriteHiddenMatrix', 'cellWriteBias'],
]);
const lstmText = timeStepText('LSTMTimeStep', [
  ['inputMatrix', 'inputHidden', 'inputBias'],
  ['forgetMatrix', 'forgetHidden', 'forgetBias'],
  ['outputMatrix', 'outputHidden', 'outputBias'],
  ['cellActivationMatrix', 'cellActivationHidden', 'cellActivationBias'],
]);

describe.each([['GRUTimeStep', gruText], ['LSTMTimeStep', lstmText]])('fuzzing brainToRecurrentModel on %s', (_, brainText) => {
  test.prop([fc.nat(), fc.jsonValue({ maxDepth: 2 })], { numRuns: Number(process.env.NEURITE_FUZZ_RUNS ?? 300) })('one value replaced: converted consistently or a FormatError', (pick, replacement) => {
    const mutated = replaceOne(brainText, pick, replacement);
    try {
      const net = RecurrentNetwork.fromBrainJSON(mutated);
      expect(net.predict([0.5, 0.25]).every(Number.isFinite)).toBe(true);
      net.dispose();
    } catch (error) {
      expect(error).toBeInstanceOf(FormatError);
    }
  });
});
