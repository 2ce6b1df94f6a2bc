// DenseNetwork with no options learns ordinary problems, across seeds: XOR, two moons, a regression with unscaled
// targets (Friedman #1, R²) and 2,500 MNIST digits; and the figures that standardize targets go everywhere predict does.
import * as ort from 'onnxruntime-web';
import { beforeAll, describe, expect, it } from 'vitest';
import { DenseNetwork, toFunction } from '../src/index.js';
import { accuracy, digits, friedman, moons, type Problem, rSquared, xorProblem } from './helpers/problems.js';

const SEEDS = [1, 2, 3, 4, 5];

/** Trains `new DenseNetwork({ layers, outputActivation?, seed })` with `fit(data)` and no options; returns the network. */
function untuned(layers: number[], problem: Problem, seed: number, outputActivation?: 'identity' | 'softmax'): DenseNetwork {
  const net = new DenseNetwork({ layers, seed, ...(outputActivation ? { outputActivation } : {}) });
  net.fit(problem.train);
  return net;
}

function predictions(net: DenseNetwork, problem: Problem): Float64Array {
  return net.predictBatch(problem.test.inputs, problem.test.inputs.length / net.inputSize).slice();
}

describe('defaults that learn', () => {
  it.each(SEEDS)('XOR on [2, 4, 1], seed %i: every row right, MSE < 0.01', (seed) => {
    const problem = xorProblem();
    const net = untuned([2, 4, 1], problem, seed);
    const out = predictions(net, problem);
    expect(accuracy(out, problem.test.targets, 1)).toBe(1);
    expect(out.reduce((s, y, i) => s + (y - problem.test.targets[i]!) ** 2, 0) / 4).toBeLessThan(0.01);
  });

  it.each(SEEDS)('two moons on [2, 16, 1], seed %i: >= 97 percent of 500 held-out points', (seed) => {
    const problem = moons(seed);
    const net = untuned([2, 16, 1], problem, seed);
    expect(accuracy(predictions(net, problem), problem.test.targets, 1)).toBeGreaterThanOrEqual(0.97);
  });

  it.each(SEEDS)('Friedman #1 (targets about 0 to 30) on [10, 32, 1] with an identity output, seed %i: R² >= 0.95 on 1,000 held-out rows', (seed) => {
    const problem = friedman(seed);
    const net = untuned([10, 32, 1], problem, seed, 'identity');
    expect(rSquared(predictions(net, problem), problem.test.targets)).toBeGreaterThanOrEqual(0.95);
  });

  const problem = digits();
  it.each(SEEDS.slice(0, 3))('2,500 MNIST digits on [784, 64, 10] with a softmax output, seed %i: >= 88 percent of 2,000 held-out digits', (seed) => {
    const net = untuned([784, 64, 10], problem, seed, 'softmax');
    expect(accuracy(predictions(net, problem), problem.test.targets, 10)).toBeGreaterThanOrEqual(0.88);
  });
});

describe('rmsprop by name, its defaults untuned (learning rate 0.01, rho 0.9, epsilon 1e-8)', () => {
  const fitted = (layers: number[], problem: Problem, seed: number, outputActivation?: 'identity'): DenseNetwork => {
    const net = new DenseNetwork({ layers, seed, optimizer: 'rmsprop', ...(outputActivation ? { outputActivation } : {}) });
    net.fit(problem.train);
    return net;
  };
  it.each(SEEDS)('XOR on [2, 4, 1], seed %i: every row right, MSE < 0.01', (seed) => {
    const problem = xorProblem();
    const out = predictions(fitted([2, 4, 1], problem, seed), problem);
    expect(accuracy(out, problem.test.targets, 1)).toBe(1);
    expect(out.reduce((s, y, i) => s + (y - problem.test.targets[i]!) ** 2, 0) / 4).toBeLessThan(0.01);
  });
  it.each(SEEDS)('Friedman #1 on [10, 32, 1] with an identity output, seed %i: R² >= 0.9 on 1,000 held-out rows', (seed) => {
    const problem = friedman(seed);
    expect(rSquared(predictions(fitted([10, 32, 1], problem, seed, 'identity'), problem), problem.test.targets)).toBeGreaterThanOrEqual(0.9);
  });
});

describe('what fit decides without options', () => {
  const data = moons(7);
  it('holds out the last fifth of 50 rows or more and stops early on it, ending on the best epoch', () => {
    const net = new DenseNetwork({ layers: [2, 8, 1], seed: 3 });
    const history = net.fit(data.train);
    expect(history.epochs[0]!.valLoss).toBeDefined();
    expect(history.stopReason).toBe('earlyStopping');
    // Ended on the best epoch: the held-out loss now is the smallest of the history.
    const held = { inputs: data.train.inputs.subarray(240 * 2), targets: data.train.targets.subarray(240) };
    const best = Math.min(...history.epochs.map((e) => e.valLoss!));
    expect(net.evaluate(held).loss).toBe(best);
  });

  it('holds nothing out of fewer than 50 rows and trains for 10,000 steps', () => {
    const small = { inputs: data.train.inputs.subarray(0, 49 * 2), targets: data.train.targets.subarray(0, 49) };
    const history = new DenseNetwork({ layers: [2, 8, 1], seed: 3 }).fit(small);
    expect(history.epochs[0]!.valLoss).toBeUndefined();
    expect(history.epochs.length).toBe(5000); // 2 batches of 32 per epoch
    expect(new DenseNetwork({ layers: [2, 4, 1], seed: 3 }).fit(xorProblem().train).epochs.length).toBe(10_000);
  });

  it('with epochs given runs exactly those, with no hold-out or early stopping unless asked', () => {
    const history = new DenseNetwork({ layers: [2, 8, 1], seed: 3 }).fit(data.train, { epochs: 7 });
    expect(history.epochs.length).toBe(7);
    expect(history.epochs[0]!.valLoss).toBeUndefined();
    expect(history.stopReason).toBe('epochs');
  });

  it('earlyStopping: false turns the automatic stop off (the hold-out stays)', () => {
    const history = new DenseNetwork({ layers: [2, 8, 1], seed: 3 }).fit(data.train, { earlyStopping: false });
    expect(history.epochs.length).toBe(Math.ceil(10_000 / Math.ceil(240 / 32)));
    expect(history.epochs[0]!.valLoss).toBeDefined();
  });

  it('builds tanh hidden layers, a sigmoid output, mse and adam at 0.01', () => {
    const net = new DenseNetwork({ layers: [2, 3, 1] });
    expect(net.layers.map((l) => l.activation)).toEqual(['identity', 'tanh', 'sigmoid']);
    expect(net.loss).toBe('mse');
    expect(net.optimizer).toMatchObject({ type: 'adam', learningRate: 0.01 });
    expect(new DenseNetwork({ layers: [2, 3, 1], activation: 'relu' }).layers[2]!.activation).toBe('relu');
  });
});

describe('standardized targets', () => {
  beforeAll(() => {
    ort.env.wasm.numThreads = 1;
  });
  const problem = friedman(11, 200);
  const trained = (backend: 'wasm' | 'js') => {
    const net = new DenseNetwork({ layers: [10, 8, 1], outputActivation: 'identity', seed: 4, backend });
    net.fit(problem.train, { epochs: 20 });
    return net;
  };

  it('are measured on the training rows (mean and population std) and saved in the JSON', () => {
    const t = problem.train.targets;
    const mean = t.reduce((a, b) => a + b, 0) / t.length;
    const std = Math.sqrt(t.reduce((a, b) => a + (b - mean) ** 2, 0) / t.length);
    const { scaling } = trained('js').toJSON();
    expect(scaling!.inputs).toBeUndefined();
    expect(scaling!.targets!.mean[0]).toBeCloseTo(mean, 10);
    expect(scaling!.targets!.std[0]).toBeCloseTo(std, 10);
    const unscaled = new DenseNetwork({ layers: [10, 8, 1], outputActivation: 'identity', standardize: false });
    unscaled.fit(problem.train, { epochs: 1 });
    expect(unscaled.toJSON().scaling).toBeUndefined();
    const both = new DenseNetwork({ layers: [10, 8, 1], outputActivation: 'identity', standardize: true });
    both.fit(problem.train, { epochs: 1 });
    expect(both.toJSON().scaling!.inputs!.mean[3]).toBeCloseTo(problem.train.inputs.filter((_, i) => i % 10 === 3).reduce((a, b) => a + b, 0) / 200, 10);
  });

  it('predict gives the targets\' units: the identity output times std plus mean, checked by hand on the weights', () => {
    const net = trained('wasm');
    const { weights, biases, scaling } = net.toJSON();
    const x = problem.test.inputs.subarray(0, 10);
    const hidden = Array.from({ length: 8 }, (_, o) => Math.tanh(biases[0]![o]! + x.reduce((s, v, i) => s + weights[0]![o * 10 + i]! * v, 0)));
    const raw = biases[1]![0]! + hidden.reduce((s, h, i) => s + weights[1]![i]! * h, 0);
    expect(net.predict(x)[0]).toBeCloseTo(raw * scaling!.targets!.std[0]! + scaling!.targets!.mean[0]!, 9);
  });

  it('evaluate and trainStep measure the loss on standardized targets, as fit does', () => {
    const net = trained('js');
    const { std, mean } = net.toJSON().scaling!.targets!;
    const rows = 16;
    const inputs = problem.test.inputs.subarray(0, rows * 10);
    const targets = problem.test.targets.subarray(0, rows);
    const out = net.predictBatch(inputs, rows).slice();
    const reference = out.reduce((s, y, i) => s + ((y - mean[0]!) / std[0]! - (targets[i]! - mean[0]!) / std[0]!) ** 2, 0) / rows;
    const evaluated = net.evaluate({ inputs, targets }).loss;
    expect(evaluated).toBeCloseTo(reference, 9);
    expect(net.trainStep(inputs, targets, rows)).toBe(evaluated);
  });

  it('survive toJSON → fromJSON on either backend, and toFunction gives predict\'s outputs within 1e-12', () => {
    const net = trained('wasm');
    const text = JSON.stringify(net.toJSON());
    const x = problem.test.inputs.subarray(0, 10);
    const expected = net.predict(x)[0];
    for (const backend of ['js', 'wasm'] as const) expect(DenseNetwork.fromJSON(text, { backend }).predict(x)[0]).toBe(expected);
    // toFunction sums each dot product in one running sum, the kernels in two lanes: the last bits may differ.
    expect(Math.abs(net.toFunction()(x)[0]! - expected!)).toBeLessThanOrEqual(1e-12 * Math.abs(expected!));
    expect(Math.abs(toFunction(JSON.parse(text))(x)[0]! - expected!)).toBeLessThanOrEqual(1e-12 * Math.abs(expected!));
  });

  it('are part of the ONNX graph', async () => {
    const net = trained('js');
    const rows = 5;
    const inputs = problem.test.inputs.subarray(0, rows * 10);
    const session = await ort.InferenceSession.create(net.toONNX({ precision: 'float64' }));
    const result = await session.run({ input: new ort.Tensor('float64', Float64Array.from(inputs), [rows, 10]) });
    await session.release();
    const expected = net.predictBatch(inputs, rows);
    const got = result.output!.data as Float64Array;
    for (let r = 0; r < rows; r++) expect(got[r]).toBeCloseTo(expected[r]!, 9);
  });

  it('a saved model without figures (written before they existed) loads and predicts its raw output', () => {
    const net = trained('js');
    const json = net.toJSON();
    delete json.scaling;
    const plain = DenseNetwork.fromJSON(json);
    const x = problem.test.inputs.subarray(0, 10);
    const { std, mean } = net.toJSON().scaling!.targets!;
    expect(plain.predict(x)[0]).toBeCloseTo((net.predict(x)[0]! - mean[0]!) / std[0]!, 9);
    expect(plain.toJSON().scaling).toBeUndefined();
  });
});

describe('the optimizer defaults the TSDoc states', () => {
  // Written from OptimizerOptions' @default tags; toJSON writes every setting, so each one is pinned.
  const common = { learningRate: 0.01, nesterov: false, beta1: 0.9, beta2: 0.999, epsilon: 1e-8, rho: 0.9, weightDecay: 0, clipNorm: 0 };
  it.each([
    ['sgd', { ...common, momentum: 0 }],
    ['momentum', { ...common, momentum: 0.9 }],
    ['adam', { ...common, momentum: 0 }],
    ['rmsprop', { ...common, momentum: 0 }],
  ] as const)('%s', (type, expected) => {
    expect(new DenseNetwork({ layers: [2, 1], optimizer: type, seed: 1 }).optimizer).toEqual({ type, ...expected });
    expect(new DenseNetwork({ layers: [2, 1], optimizer: { type }, seed: 1 }).optimizer).toEqual({ type, ...expected });
  });
  it('adam without options', () => {
    expect(new DenseNetwork({ layers: [2, 1], seed: 1 }).optimizer).toEqual({ type: 'adam', ...common, momentum: 0 });
  });
});
