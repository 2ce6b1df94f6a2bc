// DenseNetwork.fit options (validation, early stopping, thresholds, callbacks, shuffling), JSON round trips,
// toFunction and evaluate, each checked against an independent computation.
import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import type { DenseModel } from '../src/dense/model.js';
import { DenseNetwork, type BackendName, type DenseNetworkOptions, type EpochStats } from '../src/index.js';
import { oneHot, randomArray, rng, XOR } from './helpers/data.js';
import { S_BETA1_POWER, S_BETA2_POWER } from '../src/header.js';
import { wasmModule } from '../src/backend/wasm.js';

const backends: BackendName[] = ['js', 'wasm'];

function expectSame(actual: ArrayLike<number>, expected: ArrayLike<number>, what = ''): void {
  expect(actual.length, what).toBe(expected.length);
  for (let i = 0; i < actual.length; i++) {
    if (!Object.is(actual[i], expected[i])) expect.fail(`${what} number ${i}: ${actual[i]} is not ${expected[i]}`);
  }
}

/** `rows` pairs: 3 inputs in [-1, 1), a one-hot class of 2 from a fixed rule, or a random class when `noise`. */
function pairs(seed: number, rows: number, noise = false): { input: number[]; output: number[] }[] {
  const r = rng(seed);
  return Array.from({ length: rows }, () => {
    const input = [2 * r() - 1, 2 * r() - 1, 2 * r() - 1];
    const label = noise ? (r() < 0.5 ? 0 : 1) : input[0]! + 0.5 * input[1]! - input[2]! > 0 ? 1 : 0;
    return { input, output: oneHot(label, 2) };
  });
}

/** Runs `fit` with an onEpoch that also saves the parameters at the end of every epoch. */
function fitSaving(net: DenseNetwork, data: Parameters<DenseNetwork['fit']>[0], options: Parameters<DenseNetwork['fit']>[1] = {}) {
  const saved: Float64Array[] = [];
  const seen: EpochStats[] = [];
  const history = net.fit(data, {
    ...options,
    onEpoch: (stats) => {
      seen.push(stats);
      saved.push(net.getParameters());
      return options.onEpoch?.(stats);
    },
  });
  return { history, saved, seen };
}

describe.each(backends)('fit on the %s backend', (backend) => {
  const options: DenseNetworkOptions = { layers: [3, 6, 2], activation: 'tanh', outputActivation: 'softmax', optimizer: { type: 'adam', learningRate: 0.02 }, seed: 5, backend };
  const data = pairs(1, 40);

  it('validationSplit holds out the last rows: valLoss and valAccuracy equal evaluate() on them with that epoch\'s weights', () => {
    const net = new DenseNetwork(options);
    const { history, saved, seen } = fitSaving(net, data, { epochs: 6, batchSize: 8, validationSplit: 0.25 });
    expect(history.epochs.length).toBe(6);
    expect(seen).toEqual(history.epochs);
    const last = data.slice(30);
    const first = data.slice(0, 10);
    history.epochs.forEach((stats, e) => {
      expect(stats.epoch).toBe(e);
      expect(stats.valLoss).toBeTypeOf('number');
      const judge = new DenseNetwork(options);
      judge.setParameters(saved[e]!);
      const v = judge.evaluate(last);
      expect(stats.valLoss).toBe(v.loss);
      expect(stats.valAccuracy).toBe(v.accuracy);
      expect(stats.valLoss).not.toBe(judge.evaluate(first).loss);
    });
    // The held-out rows were not trained on: the same fit on the first 30 rows alone gives the same weights.
    const alone = new DenseNetwork(options);
    alone.fit(data.slice(0, 30), { epochs: 6, batchSize: 8 });
    expectSame(alone.getParameters(), net.getParameters(), 'trained on the first 30 rows only');
  });

  it('validationSplit holds back rows × split rows even where the product rounds below an integer', () => {
    // 100 × 0.29 is 28.999999999999996 in float64; 29 rows are held back, as 100 × 29 / 100 says.
    expect(100 * 0.29).toBeLessThan(29);
    const rows = pairs(8, 100);
    const net = new DenseNetwork(options);
    const { history, saved } = fitSaving(net, rows, { epochs: 1, batchSize: 71, validationSplit: 0.29 });
    const judge = new DenseNetwork(options);
    judge.setParameters(saved[0]!);
    expect(history.epochs[0]!.valLoss).toBe(judge.evaluate(rows.slice(71)).loss);
    const alone = new DenseNetwork(options);
    alone.fit(rows.slice(0, 71), { epochs: 1, batchSize: 71 });
    expectSame(alone.getParameters(), net.getParameters(), 'trained on the first 71 rows');
  });

  it('validationData is evaluated after every epoch, in both data forms', () => {
    const validation = pairs(2, 12);
    const flat = { inputs: Float64Array.from(validation.flatMap((p) => p.input)), targets: Float64Array.from(validation.flatMap((p) => p.output)) };
    for (const form of [validation, flat]) {
      const net = new DenseNetwork(options);
      const { history, saved } = fitSaving(net, data, { epochs: 4, batchSize: 10, validationData: form });
      history.epochs.forEach((stats, e) => {
        const judge = new DenseNetwork(options);
        judge.setParameters(saved[e]!);
        const v = judge.evaluate(validation);
        expect(stats.valLoss).toBe(v.loss);
        expect(stats.valAccuracy).toBe(v.accuracy);
      });
    }
    // Without validation there are no validation figures.
    const plain = new DenseNetwork(options).fit(data, { epochs: 2 });
    expect(plain.epochs[0]).not.toHaveProperty('valLoss');
    expect(plain.epochs[0]).not.toHaveProperty('valAccuracy');
  });

  it('earlyStopping stops after `patience` epochs without improvement and restores the best epoch\'s weights', () => {
    // Random labels: the network memorizes the training rows and the validation loss climbs.
    const net = new DenseNetwork({ ...options, layers: [3, 24, 2], optimizer: { type: 'adam', learningRate: 0.05 } });
    const patience = 3;
    const minDelta = 1e-4;
    const { history, saved } = fitSaving(net, pairs(3, 30, true), { epochs: 300, batchSize: 5, validationData: pairs(4, 30, true), earlyStopping: { patience, minDelta } });
    expect(history.stopReason).toBe('earlyStopping');
    // The best epoch, found independently from the history: first to beat the best so far by more than minDelta.
    let best = Infinity;
    let bestEpoch = -1;
    history.epochs.forEach((s, e) => {
      if (s.valLoss! < best - minDelta) {
        best = s.valLoss!;
        bestEpoch = e;
      }
    });
    expect(bestEpoch).toBeGreaterThanOrEqual(0);
    expect(history.epochs.length).toBe(bestEpoch + patience + 1);
    expectSame(net.getParameters(), saved[bestEpoch]!, `restored epoch ${bestEpoch}`);
    expect(saved.at(-1)).not.toEqual(saved[bestEpoch]);
  });

  it('earlyStopping without validation watches the training loss', () => {
    const net = new DenseNetwork({ ...options, optimizer: { type: 'sgd', learningRate: 1e-9 } });
    // A learning rate so small the loss barely moves: no epoch beats the first by minDelta.
    const { history, saved } = fitSaving(net, data, { epochs: 50, shuffle: false, earlyStopping: { patience: 2, minDelta: 0.5 } });
    expect(history.stopReason).toBe('earlyStopping');
    expect(history.epochs.length).toBe(3);
    expectSame(net.getParameters(), saved[0]!);
  });

  it('errorThreshold stops at the first epoch whose loss is below it, on every path', () => {
    const xor = { layers: [2, 4, 1], activation: 'tanh', outputActivation: 'sigmoid', optimizer: { type: 'adam', learningRate: 0.05 }, seed: 2, backend } as DenseNetworkOptions;
    const threshold = 0.05;
    const runs = [
      new DenseNetwork(xor).fit(XOR, { epochs: 2000, batchSize: 4, shuffle: false, errorThreshold: threshold }),
      fitSaving(new DenseNetwork(xor), XOR, { epochs: 2000, batchSize: 4, shuffle: false, errorThreshold: threshold }).history,
    ];
    for (const h of runs) {
      expect(h.stopReason).toBe('errorThreshold');
      expect(h.epochs.length).toBeLessThan(2000);
      expect(h.epochs.at(-1)!.loss).toBeLessThan(threshold);
      h.epochs.slice(0, -1).forEach((s) => expect(s.loss).toBeGreaterThanOrEqual(threshold));
    }
    // The batched kernel path and the epoch-by-epoch path give the same history.
    expect(runs[1]).toEqual(runs[0]);
  });

  it('onEpoch returning false stops with stopReason "callback"; other return values go on', () => {
    const net = new DenseNetwork(options);
    const calls: number[] = [];
    const history = net.fit(data, { epochs: 10, onEpoch: ({ epoch }) => { calls.push(epoch); return epoch === 3 ? false : undefined; } });
    expect(history.stopReason).toBe('callback');
    expect(calls).toEqual([0, 1, 2, 3]);
    expect(history.epochs.map((s) => s.epoch)).toEqual([0, 1, 2, 3]);
    const full = new DenseNetwork(options).fit(data, { epochs: 5, onEpoch: () => true });
    expect(full.stopReason).toBe('epochs');
    expect(full.epochs.length).toBe(5);
  });

  it('shuffle: true and false give different runs, each reproducible from the seed', () => {
    const run = (shuffle: boolean) => {
      const net = new DenseNetwork(options);
      const history = net.fit(data, { epochs: 5, batchSize: 4, shuffle });
      return { history, parameters: net.getParameters() };
    };
    const [a, b, c, d] = [run(true), run(true), run(false), run(false)];
    expect(b.history).toEqual(a.history);
    expectSame(b.parameters, a.parameters, 'shuffled twice');
    expect(d.history).toEqual(c.history);
    expectSame(d.parameters, c.parameters, 'in order twice');
    expect(c.history.epochs[0]!.loss).not.toBe(a.history.epochs[0]!.loss);
    expect(Array.from(c.parameters)).not.toEqual(Array.from(a.parameters));
    // shuffle defaults to true.
    const net = new DenseNetwork(options);
    expect(net.fit(data, { epochs: 5, batchSize: 4 })).toEqual(a.history);
    // Without shuffling, fit is plain minibatch SGD in row order: the same as trainStep on each batch.
    const stepper = new DenseNetwork(options);
    for (let e = 0; e < 5; e++) {
      for (let start = 0; start < data.length; start += 4) {
        const batch = data.slice(start, start + 4);
        stepper.trainStep(batch.flatMap((p) => p.input), batch.flatMap((p) => p.output), batch.length);
      }
    }
    expectSame(stepper.getParameters(), c.parameters, 'fit without shuffle vs trainStep per batch');
  });

  it('fitAsync gives the same history and weights as fit, early stopping included', async () => {
    const a = new DenseNetwork(options);
    const b = new DenseNetwork(options);
    const ha = a.fit(data, { epochs: 4, batchSize: 6, validationSplit: 0.2 });
    const hb = await b.fitAsync(data, { epochs: 4, batchSize: 6, validationSplit: 0.2 });
    expect(hb).toEqual(ha);
    expectSame(b.getParameters(), a.getParameters());
    const noisy = { ...options, layers: [3, 24, 2], optimizer: { type: 'adam', learningRate: 0.05 } } as DenseNetworkOptions;
    const stop = { epochs: 300, batchSize: 5, validationData: pairs(4, 30, true), earlyStopping: { patience: 3 } };
    const c = new DenseNetwork(noisy);
    const d = new DenseNetwork(noisy);
    const hc = c.fit(pairs(3, 30, true), stop);
    const hd = await d.fitAsync(pairs(3, 30, true), stop);
    expect(hc.stopReason).toBe('earlyStopping');
    expect(hd).toEqual(hc);
    expectSame(d.getParameters(), c.getParameters());
  });

  it('predict and evaluate between fits change nothing that the next fit depends on', () => {
    const a = new DenseNetwork(options);
    const b = new DenseNetwork(options);
    a.fit(data, { epochs: 2, batchSize: 4 });
    b.fit(data, { epochs: 2, batchSize: 4 });
    b.evaluate(pairs(9, 2000));
    b.predictBatch(new Float64Array(3 * 500), 500);
    b.predict([1, 2, 3]);
    expect(b.fit(data, { epochs: 3, batchSize: 4 })).toEqual(a.fit(data, { epochs: 3, batchSize: 4 }));
    expectSame(b.getParameters(), a.getParameters());
  });
});

describe('the history fit returns', () => {
  it('builds its records once, on first read, and shows them when printed', () => {
    const net = new DenseNetwork({ layers: [2, 3, 1], activation: 'sigmoid', optimizer: { type: 'sgd', learningRate: 0.5 }, seed: 2 });
    const history = net.fit(XOR, { epochs: 3, batchSize: 1, shuffle: false });
    const printed = inspect(history, { depth: 4 });
    expect(printed).not.toContain('Getter');
    expect(printed).toContain(`loss: ${history.epochs[2]!.loss}`);
    expect(history.epochs).toBe(history.epochs);
    expect(JSON.parse(JSON.stringify(history))).toEqual({ epochs: history.epochs, stopReason: 'epochs' });
    expect(Object.keys(history)).toEqual(['epochs', 'stopReason']);
  });
});

describe('data that lives in WebAssembly memory', () => {
  it('fit takes a live view of WebAssembly memory (a layer\'s weights) as data, even when staging it grows the memory', () => {
    const rows = 60_000;
    // [rows, 4]'s weights: 4 × rows numbers of wasm memory, read here as rows × 4 inputs.
    const a = new DenseNetwork({ layers: [rows, 4], seed: 1, backend: 'wasm' });
    const features = a.layers[1]!.weights;
    const copy = features.slice();
    const targets = Float64Array.from({ length: 2 * rows }, (_, i) => (i % 2 === (Math.floor(i / 2) % 3 === 0 ? 0 : 1) ? 1 : 0));
    const options: DenseNetworkOptions = { layers: [4, 5, 2], activation: 'tanh', outputActivation: 'softmax', seed: 2 };
    const b = new DenseNetwork({ ...options, backend: 'wasm' });
    const memory = wasmModule()!.exports.memory;
    const before = memory.buffer.byteLength;
    const history = b.fit({ inputs: features, targets }, { epochs: 1, batchSize: 2000, shuffle: false });
    // Staging 60,000 rows grew the memory, the scenario really happened: an unshared memory's view is detached now.
    expect(memory.buffer.byteLength).toBeGreaterThan(before);
    if (!wasmModule()!.shared) expect(features.length).toBe(0);
    const twin = new DenseNetwork({ ...options, backend: 'js' });
    expect(twin.fit({ inputs: copy, targets }, { epochs: 1, batchSize: 2000, shuffle: false })).toEqual(history);
    expectSame(b.getParameters(), twin.getParameters());
  });
});

describe('toJSON, toFunction and evaluate', () => {
  const configs: DenseNetworkOptions[] = [
    { layers: [3, 6, 2], activation: 'tanh', outputActivation: 'softmax' },
    { layers: [3, 5, 4, 1], activation: 'relu', outputActivation: 'sigmoid', loss: 'binaryCrossEntropy', optimizer: { type: 'momentum', nesterov: true, learningRate: 0.05 } },
    { layers: [3, { size: 4, activation: 'elu' }, { size: 3, activation: 'leakyRelu' }, { size: 2, activation: 'identity' }], optimizer: { type: 'sgd', learningRate: 0.1, weightDecay: 1e-3 } },
  ];
  const data = pairs(6, 30);

  for (const backend of backends) {
    configs.forEach((config, c) => {
      it(`config ${c} on ${backend}: toJSON → JSON text → fromJSON is exact on both backends`, () => {
        const net = new DenseNetwork({ ...config, seed: 9, backend });
        net.fit(c === 0 ? data : data.map((p) => ({ input: p.input, output: c === 1 ? [p.output[0]!] : p.output })), { epochs: 3, batchSize: 7 });
        const text = JSON.stringify(net.toJSON());
        for (const target of backends) {
          const copy = DenseNetwork.fromJSON(text, { backend: target });
          expect(copy.backend).toBe(target);
          expect(copy.sizes).toEqual(net.sizes);
          expect(copy.layers.map((l) => l.activation)).toEqual(net.layers.map((l) => l.activation));
          expect(copy.loss).toBe(net.loss);
          expect(copy.optimizer).toEqual(net.optimizer);
          expect(copy.seed).toBe(net.seed);
          expectSame(copy.getParameters(), net.getParameters(), `${target} parameters`);
          for (const p of data) expectSame(copy.predict(p.input), net.predict(p.input), `${target} prediction`);
          // The object form round-trips too, and so does a second trip.
          expectSame(DenseNetwork.fromJSON(copy.toJSON(), { backend: target }).getParameters(), net.getParameters());
        }
      });

      it(`config ${c} on ${backend}: toFunction gives predict's outputs within 1e-12`, () => {
        const net = new DenseNetwork({ ...config, seed: 10 + c, backend });
        const f = net.toFunction();
        const r = rng(c);
        for (let k = 0; k < 50; k++) {
          const input = [4 * r() - 2, 4 * r() - 2, 4 * r() - 2];
          const expected = net.predict(input).slice();
          const actual = f(input);
          expect(actual.length).toBe(expected.length);
          expected.forEach((v, i) => expect(Math.abs(actual[i]! - v)).toBeLessThanOrEqual(1e-12 * Math.max(1, Math.abs(v))));
        }
      });
    });

    it(`fromJSON on ${backend}: the options cannot override what the model saved`, () => {
      const net = new DenseNetwork({ ...configs[0]!, seed: 12, backend });
      const copy = DenseNetwork.fromJSON(net.toJSON(), { backend, seed: 99, optimizer: 'sgd', layers: [3, 9, 2] } as never);
      expect(copy.seed).toBe(12);
      expect(copy.optimizer).toEqual(net.optimizer);
      expect(copy.sizes).toEqual([3, 6, 2]);
      expectSame(copy.getParameters(), net.getParameters());
    });

    it(`evaluate on ${backend}: accuracy is the hand count of argmax matches, loss the mean cross-entropy`, () => {
      const net = new DenseNetwork({ ...configs[0]!, seed: 4, backend });
      net.fit(data, { epochs: 2, batchSize: 5 });
      let correct = 0;
      let loss = 0;
      for (const p of data) {
        const out = Array.from(net.predict(p.input));
        const argmax = (v: readonly number[]) => v.indexOf(Math.max(...v));
        if (argmax(out) === argmax(p.output)) correct++;
        loss += -Math.log(out[argmax(p.output)]!);
      }
      const result = net.evaluate(data);
      expect(result.accuracy).toBe(correct / data.length);
      expect(correct).toBeGreaterThan(0);
      expect(correct).toBeLessThan(data.length);
      expect(Math.abs(result.loss - loss / data.length)).toBeLessThan(1e-12);
    });

    it(`evaluate on ${backend}: one output counts rows on the same side of 0.5; mse is the mean squared error`, () => {
      const net = new DenseNetwork({ layers: [2, 3, 1], activation: 'tanh', outputActivation: 'sigmoid', seed: 8, backend });
      const rows = pairs(7, 25).map((p) => ({ input: p.input.slice(0, 2), output: [p.output[1]! === 1 ? 0.9 : 0.2] }));
      let correct = 0;
      let loss = 0;
      for (const p of rows) {
        const y = net.predict(p.input)[0]!;
        if ((y >= 0.5) === (p.output[0]! >= 0.5)) correct++;
        loss += (y - p.output[0]!) ** 2;
      }
      const result = net.evaluate(rows);
      expect(result.accuracy).toBe(correct / rows.length);
      expect(Math.abs(result.loss - loss / rows.length)).toBeLessThan(1e-12);
    });
  }
});

describe('early stopping that never runs out of patience', () => {
  it('still ends on the weights of the best epoch when the epochs run out after it', () => {
    const random = rng(12);
    const rows = 60;
    const data = { inputs: randomArray(random, rows * 3), targets: Float64Array.from({ length: rows }, () => (random() < 0.5 ? 0 : 1)) };
    const net = new DenseNetwork({ layers: [3, 6, 1], outputActivation: 'sigmoid', loss: 'binaryCrossEntropy', optimizer: { type: 'sgd', learningRate: 2 }, seed: 9 });
    const snapshots: Float64Array[] = [];
    const valLosses: number[] = [];
    const history = net.fit(data, {
      epochs: 30, batchSize: 4, validationSplit: 0.3, earlyStopping: { patience: 1000 },
      onEpoch: (stats) => { snapshots.push(net.getParameters()); valLosses.push(stats.valLoss!); },
    });
    const best = valLosses.indexOf(Math.min(...valLosses));
    expect(history.stopReason).toBe('epochs');
    expect(best, 'the scenario needs a best epoch before the last').toBeLessThan(valLosses.length - 1);
    expect(net.getParameters()).toEqual(snapshots[best]);
  });
});

describe('the optimizer\'s running powers β^t', () => {
  it.each(['js', 'wasm'] as const)('%s: go to 0 instead of sinking into the subnormals, where x86 arithmetic takes a slow path', (backend) => {
    // 0.9^t stops at the smallest subnormal (0.9 times it rounds back to it); 0.5^t passes 2^-60 after 60 steps.
    const net = new DenseNetwork({ layers: [2, 2, 1], optimizer: { type: 'adam', learningRate: 1e-3, beta1: 0.9, beta2: 0.5 }, seed: 1, backend });
    const inputs = Float64Array.of(0.5, -0.5);
    const targets = Float64Array.of(0.25);
    for (let step = 0; step < 8000; step++) net.trainStep(inputs, targets);
    const state = (net as unknown as { model: DenseModel }).model.trainingState();
    for (const power of [state[S_BETA1_POWER]!, state[S_BETA2_POWER]!]) {
      expect(power === 0 || Math.abs(power) >= 2 ** -1022, `β^t = ${power}`).toBe(true);
    }
    expect(state[S_BETA1_POWER]).toBe(0);
  });
});
