// Properties over random networks, data and call sequences: the js and wasm backends agree bit for bit,
// save → load gives the same network, and every rejected call leaves the network exactly as it was.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type Activation, DenseNetwork, type DenseNetworkOptions, type Loss, Network, NeuriteError,
} from '../src/index.js';
import { rng } from './helpers/data.js';
import { expectSameBits } from './helpers/bits.js';

const RUNS = Number(process.env.NEURITE_PROPERTY_RUNS ?? 150);

const HIDDEN: Activation[] = ['identity', 'sigmoid', 'tanh', 'relu', 'leakyRelu', 'elu'];

/** Any valid configuration: 1-20 inputs, 1-3 hidden layers of 1-20, 1-20 outputs, any activation, loss and optimizer. */
const configuration: fc.Arbitrary<DenseNetworkOptions> = fc.record({
  input: fc.integer({ min: 1, max: 20 }),
  hidden: fc.array(fc.record({ size: fc.integer({ min: 1, max: 20 }), activation: fc.constantFrom(...HIDDEN) }), { minLength: 1, maxLength: 3 }),
  output: fc.integer({ min: 1, max: 20 }),
  outputActivation: fc.constantFrom<Activation>(...HIDDEN, 'softmax'),
  lossPick: fc.nat(2),
  optimizer: fc.oneof(
    fc.record({ type: fc.constant('sgd' as const), learningRate: fc.double({ min: 1e-4, max: 0.3, noNaN: true }), weightDecay: fc.constantFrom(0, 1e-3) }),
    fc.record({ type: fc.constant('momentum' as const), learningRate: fc.double({ min: 1e-4, max: 0.1, noNaN: true }), nesterov: fc.boolean(), weightDecay: fc.constantFrom(0, 1e-3) }),
    fc.record({ type: fc.constant('adam' as const), learningRate: fc.double({ min: 1e-4, max: 0.05, noNaN: true }), clipNorm: fc.constantFrom(0, 0.5, 5) }),
  ),
  seed: fc.integer({ min: 0, max: 2 ** 32 - 1 }),
  init: fc.constantFrom(undefined, 'xavier' as const, 'he' as const),
}).map((c) => {
  const output = c.outputActivation === 'softmax' ? Math.max(2, c.output) : c.output;
  const losses: Loss[] = c.outputActivation === 'softmax' ? ['crossEntropy', 'mse'] : c.outputActivation === 'sigmoid' ? ['binaryCrossEntropy', 'mse'] : ['mse'];
  return {
    layers: [{ size: c.input }, ...c.hidden, { size: output, activation: c.outputActivation }],
    loss: losses[c.lossPick % losses.length]!,
    optimizer: c.optimizer,
    seed: c.seed,
    ...(c.init === undefined ? {} : { init: c.init }),
  };
});

/** Rows of inputs in [-2, 2] and targets the loss accepts (one-hot for softmax, [0, 1] for sigmoid). */
function rows(net: DenseNetwork, seed: number, count: number): { inputs: Float64Array; targets: Float64Array } {
  const random = rng(seed);
  const inputs = Float64Array.from({ length: count * net.inputSize }, () => 4 * random() - 2);
  const targets = new Float64Array(count * net.outputSize);
  const last = net.layers[net.layers.length - 1]!.activation;
  for (let r = 0; r < count; r++) {
    if (last === 'softmax') targets[r * net.outputSize + Math.floor(random() * net.outputSize)] = 1;
    else for (let i = 0; i < net.outputSize; i++) targets[r * net.outputSize + i] = last === 'sigmoid' ? random() : 2 * random() - 1;
  }
  return { inputs, targets };
}

/** `run()`'s result, or the name and message of the NeuriteError it threw. */
function outcome<T>(run: () => T): T | string {
  try {
    return run();
  } catch (error) {
    if (!(error instanceof NeuriteError)) throw error;
    return `${error.name}: ${error.message}`;
  }
}

type Call =
  | { kind: 'predict'; seed: number }
  | { kind: 'predictBatch'; seed: number; rows: number }
  | { kind: 'trainStep'; seed: number; rows: number }
  | { kind: 'fit'; seed: number; rows: number; epochs: number; batchSize: number; shuffle: boolean; split: boolean }
  | { kind: 'evaluate'; seed: number; rows: number }
  | { kind: 'learningRate'; factor: number };

const call: fc.Arbitrary<Call> = fc.oneof(
  fc.record({ kind: fc.constant('predict' as const), seed: fc.nat() }),
  fc.record({ kind: fc.constant('predictBatch' as const), seed: fc.nat(), rows: fc.integer({ min: 1, max: 12 }) }),
  fc.record({ kind: fc.constant('trainStep' as const), seed: fc.nat(), rows: fc.integer({ min: 1, max: 12 }) }),
  fc.record({
    kind: fc.constant('fit' as const), seed: fc.nat(), rows: fc.integer({ min: 2, max: 24 }), epochs: fc.integer({ min: 1, max: 3 }),
    batchSize: fc.integer({ min: 1, max: 40 }), shuffle: fc.boolean(), split: fc.boolean(),
  }),
  fc.record({ kind: fc.constant('evaluate' as const), seed: fc.nat(), rows: fc.integer({ min: 1, max: 30 }) }),
  fc.record({ kind: fc.constant('learningRate' as const), factor: fc.constantFrom(0.5, 2) }),
);

/**
 * Runs `c` on `net` and returns what it produced: `numbers` (outputs, learning rates: must match bit for bit)
 * and `metrics` (losses and accuracies: computed through log/exp, whose last bit may differ between
 * JS's Math and the wasm build's own; see the tolerance below), or the error's class name.
 */
function apply(net: DenseNetwork, c: Call): { numbers: number[]; metrics: number[]; error?: string } {
  try {
    switch (c.kind) {
      case 'predict':
        return { numbers: Array.from(net.predict(rows(net, c.seed, 1).inputs)), metrics: [] };
      case 'predictBatch':
        return { numbers: Array.from(net.predictBatch(rows(net, c.seed, c.rows).inputs, c.rows)), metrics: [] };
      case 'trainStep': {
        const d = rows(net, c.seed, c.rows);
        return { numbers: [], metrics: [net.trainStep(d.inputs, d.targets, c.rows)] };
      }
      case 'fit': {
        const history = net.fit(rows(net, c.seed, c.rows), {
          epochs: c.epochs, batchSize: c.batchSize, shuffle: c.shuffle, ...(c.split ? { validationSplit: 0.25 } : {}),
        });
        return { numbers: [history.epochs.length, ...history.epochs.map((e) => e.epoch)], metrics: history.epochs.flatMap((e) => [e.loss, e.accuracy, e.valLoss ?? -1, e.valAccuracy ?? -1]) };
      }
      case 'evaluate': {
        const { loss, accuracy } = net.evaluate(rows(net, c.seed, c.rows));
        return { numbers: [], metrics: [loss, accuracy] };
      }
      case 'learningRate':
        net.learningRate = net.learningRate * c.factor;
        return { numbers: [net.learningRate], metrics: [] };
    }
  } catch (error) {
    if (!(error instanceof NeuriteError)) throw error;
    return { numbers: [], metrics: [], error: error.name };
  }
}

describe('js/wasm parity as a property', () => {
  it('random configurations and interleaved predict/predictBatch/trainStep/fit/evaluate give bit-identical outputs and parameters', () => {
    fc.assert(fc.property(configuration, fc.array(call, { minLength: 1, maxLength: 12 }), (options, calls) => {
      const js = new DenseNetwork({ ...options, backend: 'js' });
      const wasm = new DenseNetwork({ ...options, backend: 'wasm' });
      try {
        expectSameBits(js.getParameters(), wasm.getParameters(), 'initial parameters');
        calls.forEach((c, i) => {
          const a = apply(js, c);
          const b = apply(wasm, c);
          expect(b.error, `call ${i} (${c.kind})`).toBe(a.error);
          expectSameBits(a.numbers, b.numbers, `call ${i} (${c.kind}) results`);
          expect(b.metrics.length).toBe(a.metrics.length);
          a.metrics.forEach((m, k) => {
            if (Object.is(m, b.metrics[k])) return;
            expect(Math.abs(b.metrics[k]! - m), `call ${i} (${c.kind}) metric ${k}: ${m} vs ${b.metrics[k]}`).toBeLessThanOrEqual(1e-13 * Math.max(1, Math.abs(m)));
          });
          expectSameBits(js.getParameters(), wasm.getParameters(), `parameters after call ${i} (${c.kind})`);
        });
      } finally {
        wasm.dispose();
      }
    }), { numRuns: RUNS });
  });
});

describe('save → load identity as a property', () => {
  it('a -0 parameter survives an object round trip, and becomes 0 through JSON text (JSON has no negative zero)', () => {
    const net = new DenseNetwork({ layers: [1, 1], optimizer: 'sgd', seed: 1 });
    net.setParameters([-0, -0]);
    expect(Object.is(DenseNetwork.fromJSON(net.toJSON()).getParameters()[0], -0)).toBe(true);
    expect(Object.is(DenseNetwork.fromJSON(JSON.stringify(net.toJSON())).getParameters()[0], 0)).toBe(true);
    // Training never creates a -0 from +0 (x - y is +0 when both are zeros of either sign, except -0 - +0).
    net.setParameters([0, 0]);
    net.trainStep([0], [0]);
    expect(Array.from(net.getParameters()).every((v) => !Object.is(v, -0))).toBe(true);
  });

  it('toJSON → fromJSON (object, JSON text, stringify/parse, either backend) predicts and saves bit for bit the same', () => {
    fc.assert(fc.property(configuration, fc.array(call, { maxLength: 6 }), fc.nat(), fc.constantFrom('js' as const, 'wasm' as const), (options, calls, probeSeed, backend) => {
      const net = new DenseNetwork({ ...options, backend });
      calls.forEach((c) => apply(net, c));
      net.meta = { trainedWith: calls.length, note: 'ok' };
      const saved = net.toJSON();
      const text = JSON.stringify(saved);
      const probe = rows(net, probeSeed, 9).inputs;
      const expected = net.predictBatch(probe, 9).slice();
      const copies = [
        DenseNetwork.fromJSON(saved, { backend: 'js' }),
        DenseNetwork.fromJSON(text, { backend: 'wasm' }),
        DenseNetwork.fromJSON(JSON.parse(text), { backend: backend === 'js' ? 'wasm' : 'js' }),
      ];
      for (const copy of copies) {
        expectSameBits(copy.getParameters(), net.getParameters(), 'loaded parameters');
        expectSameBits(copy.predictBatch(probe, 9), expected, 'loaded predictions');
        expect(copy.toJSON()).toEqual(saved);
        expect(copy.sizes).toEqual(net.sizes);
        expect(copy.loss).toBe(net.loss);
        expect(copy.optimizer).toEqual(net.optimizer);
        copy.dispose();
      }
      net.dispose();
    }), { numRuns: RUNS });
  });

  it('the seed Network: process/update sequences, then toJSON → fromJSON gives the same outputs and JSON', () => {
    const layer = fc.record({
      weight: fc.double({ min: -2, max: 2, noNaN: true }).filter((w) => w !== 0),
      // + 0 turns -0 into 0: JSON text has no negative zero (see the test below).
      bias: fc.double({ min: -2, max: 2, noNaN: true }).map((b) => b + 0),
      size: fc.integer({ min: 1, max: 6 }),
    });
    fc.assert(fc.property(fc.array(layer, { minLength: 1, maxLength: 4 }), fc.double({ min: 1e-3, max: 0.5, noNaN: true }), fc.nat(), fc.integer({ min: 0, max: 8 }), fc.constantFrom('js' as const, 'wasm' as const),
      (layers, learningRate, seed, steps, backend) => {
        const net = new Network(layers, learningRate, { backend });
        const random = rng(seed);
        const nIn = layers[0]!.size;
        const nOut = layers[layers.length - 1]!.size;
        const input = () => Array.from({ length: nIn }, () => 2 * random() - 1);
        for (let s = 0; s < steps; s++) {
          net.process(input());
          try {
            net.update(Array.from({ length: nOut }, () => random()));
          } catch (error) {
            if (!(error instanceof NeuriteError)) throw error;
          }
        }
        const saved = net.toJSON();
        const probe = input();
        const expected = net.process(probe);
        for (const copy of [Network.fromJSON(saved), Network.fromJSON(JSON.stringify(saved), { backend: backend === 'js' ? 'wasm' : 'js' }), Network.fromJSON(JSON.parse(JSON.stringify(saved)))]) {
          expectSameBits(copy.process(probe), expected, 'seed outputs');
          expect(copy.toJSON()).toEqual(saved);
          copy.dispose();
        }
        net.dispose();
      }), { numRuns: RUNS });
  });
});

// Bad arguments: each is a function of the network (for its sizes) and returns the call to make.
const badVector = (length: number): fc.Arbitrary<unknown> => fc.oneof(
  fc.integer({ min: 0, max: 25 }).filter((n) => n !== length).map((n) => new Array(n).fill(0.5)),
  fc.tuple(fc.nat(), fc.constantFrom(NaN, Infinity, -Infinity)).map(([at, bad]) => {
    const v = new Array(length).fill(0.25);
    v[at % length] = bad;
    return v;
  }),
  fc.tuple(fc.nat(), fc.constantFrom<unknown>('1', null, undefined, {}, [1], true)).map(([at, bad]) => {
    const v: unknown[] = new Array(length).fill(0.25);
    v[at % length] = bad;
    return v;
  }),
  fc.constantFrom<unknown>(null, undefined, 'abc', 42, {}, { length }, new Float32Array(length + 1), new DataView(new ArrayBuffer(8))),
);
const badCount = fc.constantFrom<unknown>(0, -1, 1.5, NaN, Infinity, '2', null, 2 ** 31);
const badData = (net: DenseNetwork): fc.Arbitrary<unknown> => fc.oneof(
  fc.constantFrom<unknown>(null, undefined, 'data', 5, [], {}, { inputs: [1] }, [null], [{ input: [1] }]),
  badVector(net.inputSize).map((input) => [{ input, output: new Array(net.outputSize).fill(0) }]),
  badVector(net.outputSize).map((output) => [{ input: new Array(net.inputSize).fill(0), output }]),
  fc.constant({ inputs: new Float64Array(net.inputSize * 2 + 1), targets: new Float64Array(net.outputSize * 2) }),
  fc.constant({ inputs: new Float64Array(net.inputSize * 2), targets: new Float64Array(net.outputSize * 3) }),
  fc.constant({ inputs: Float64Array.from({ length: net.inputSize }, (_, i) => (i === 0 ? NaN : 0)), targets: new Float64Array(net.outputSize) }),
);
const badFitOptions = fc.constantFrom<unknown>(
  null, 'fast', { epochs: 0 }, { epochs: -1 }, { epochs: 1.5 }, { epochs: NaN }, { batchSize: 0 }, { batchSize: 2.5 }, { batchSize: '8' },
  { validationSplit: 1 }, { validationSplit: 0 }, { validationSplit: NaN }, { validationSplit: 0.5, validationData: [] }, { shuffle: 'yes' },
  { onEpoch: 'log' }, { onDivergence: 'retry' }, { signal: {} }, { signal: null }, { earlyStopping: { patience: 0 } },
  { earlyStopping: { minDelta: -1 } }, { earlyStopping: { wait: 3 } }, { errorThreshold: NaN }, { epoch: 3 }, { validationData: [{ input: [], output: [] }] },
);

type BadCall = { name: string; run: (net: DenseNetwork) => unknown };
const badCall = (net: DenseNetwork): fc.Arbitrary<BadCall> => {
  const good = rows(net, 1, 4);
  const goodData = { inputs: good.inputs, targets: good.targets };
  return fc.oneof(
    badVector(net.inputSize).map((v) => ({ name: 'predict', run: (n: DenseNetwork) => n.predict(v as number[]) })),
    fc.tuple(badVector(net.inputSize * 2), fc.constantFrom(2)).map(([v, c]) => ({ name: 'predictBatch(inputs)', run: (n: DenseNetwork) => n.predictBatch(v as number[], c) })),
    badCount.map((c) => ({ name: 'predictBatch(count)', run: (n: DenseNetwork) => n.predictBatch(good.inputs, c as number) })),
    badVector(net.inputSize).map((v) => ({ name: 'trainStep(inputs)', run: (n: DenseNetwork) => n.trainStep(v as number[], good.targets.subarray(0, net.outputSize), 1) })),
    badVector(net.outputSize).map((v) => ({ name: 'trainStep(targets)', run: (n: DenseNetwork) => n.trainStep(good.inputs.subarray(0, net.inputSize), v as number[], 1) })),
    badCount.map((c) => ({ name: 'trainStep(count)', run: (n: DenseNetwork) => n.trainStep(good.inputs, good.targets, c as number) })),
    badData(net).map((d) => ({ name: 'fit(data)', run: (n: DenseNetwork) => n.fit(d as never, { epochs: 2 }) })),
    badFitOptions.map((o) => ({ name: `fit(options ${JSON.stringify(o)})`, run: (n: DenseNetwork) => n.fit(goodData, o as never) })),
    badData(net).map((d) => ({ name: 'evaluate', run: (n: DenseNetwork) => n.evaluate(d as never) })),
    badVector(net.getParameters().length).map((v) => ({ name: 'setParameters', run: (n: DenseNetwork) => n.setParameters(v as number[]) })),
    fc.constantFrom<unknown>(0, -1, NaN, Infinity, '0.1', null).map((v) => ({ name: `learningRate = ${String(v)}`, run: (n: DenseNetwork) => { n.learningRate = v as number; } })),
  );
};

describe('rejected calls leave the network unchanged, as a property', () => {
  it.each(['js', 'wasm'] as const)('%s: any bad argument throws a NeuriteError naming it, and weights, optimizer state and shuffling stream are untouched', (backend) => {
    fc.assert(fc.property(configuration.chain((options) => {
      const probe = new DenseNetwork({ ...options, backend: 'js' });
      return fc.tuple(fc.constant(options), fc.array(badCall(probe), { minLength: 1, maxLength: 4 }), fc.nat());
    }), ([options, bad, seed]) => {
      const net = new DenseNetwork({ ...options, backend });
      const twin = new DenseNetwork({ ...options, backend });
      // Some history first, so the optimizer has moments and the shuffling stream has moved.
      // (A random configuration may diverge: then both stop at the same last finite step.)
      const warm = rows(net, seed, 6);
      const warmed = [net, twin].map((n) => outcome(() => n.fit(warm, { epochs: 2, batchSize: 4 })));
      expect(warmed[0]).toEqual(warmed[1]);
      for (const b of bad) {
        const before = net.getParameters();
        let thrown: unknown;
        try {
          b.run(net);
        } catch (error) {
          thrown = error;
        }
        expect(thrown, b.name).toBeInstanceOf(NeuriteError);
        expect((thrown as NeuriteError).argument, `${b.name}: ${(thrown as Error).message}`).toEqual(expect.any(String));
        expectSameBits(net.getParameters(), before, `parameters after ${b.name}`);
      }
      // Hidden state too: the same next training (shuffled, so the random stream counts) gives the same bits.
      expect(net.learningRate).toBe(twin.learningRate);
      const next = rows(net, seed + 1, 7);
      const histories = [net, twin].map((n) => outcome(() => n.fit(next, { epochs: 2, batchSize: 3, shuffle: true })));
      expect(histories[0]).toEqual(histories[1]);
      expectSameBits(net.getParameters(), twin.getParameters(), 'parameters after training on');
      net.dispose();
      twin.dispose();
    }), { numRuns: RUNS });
  });
});

describe('seed Network: rejected calls leave it unchanged, as a property', () => {
  const layer = fc.record({
    weight: fc.oneof(fc.double({ min: -2, max: 2, noNaN: true }).filter((w) => w !== 0), fc.constantFrom(1e-300, 1e300)),
    bias: fc.double({ min: -2, max: 2, noNaN: true }),
    size: fc.integer({ min: 1, max: 6 }),
  });
  const flat = (net: Network) => net.toJSON().layers.flatMap((l) => [...l.weights, ...l.biases]);

  it.each(['js', 'wasm'] as const)('%s: bad process/update arguments, and updates that would zero a weight or overflow, change nothing', (backend) => {
    fc.assert(fc.property(
      fc.array(layer, { minLength: 1, maxLength: 4 }), fc.oneof(fc.double({ min: 1e-3, max: 2, noNaN: true }), fc.constantFrom(1e300)), fc.nat(), fc.integer({ min: 0, max: 5 }),
      fc.array(fc.tuple(fc.constantFrom('process', 'update', 'extreme update'), fc.nat()), { minLength: 1, maxLength: 4 }),
      (layers, learningRate, seed, warmSteps, bad) => {
        const net = new Network(layers, learningRate, { backend });
        const twin = new Network(layers, learningRate, { backend });
        const random = rng(seed);
        const nIn = layers[0]!.size;
        const nOut = layers[layers.length - 1]!.size;
        const vectorOf = (n: number, scale = 1) => Array.from({ length: n }, () => (2 * random() - 1) * scale);
        for (let s = 0; s < warmSteps; s++) {
          const input = vectorOf(nIn);
          const expected = vectorOf(nOut);
          const outcomes = [net, twin].map((n) => outcome(() => {
            n.process(input);
            n.update(expected);
          }));
          expect(outcomes[0]).toEqual(outcomes[1]);
        }
        const probe = vectorOf(nIn);
        for (const n of [net, twin]) n.process(probe);
        for (const [kind, pick] of bad) {
          const before = flat(net);
          const wrong = [new Array(nIn + 1 + (pick % 3)).fill(0.5), [NaN, ...new Array(Math.max(0, nIn - 1)).fill(0)], 'input', null, [Infinity], { length: nIn }];
          // Valid but extreme targets: either applied (then the twin applies them too) or refused with nothing changed.
          const extreme = vectorOf(nOut, 10 ** (pick % 300));
          let thrown: unknown;
          try {
            if (kind === 'process') net.process(wrong[pick % wrong.length] as number[]);
            else if (kind === 'update') net.update((pick % 2 ? [...new Array(nOut - 1).fill(0), NaN] : new Array(nOut + 1).fill(0)) as number[]);
            else net.update(extreme);
          } catch (error) {
            thrown = error;
          }
          if (kind === 'extreme update' && thrown === undefined) {
            twin.update(extreme);
            expectSameBits(flat(net), flat(twin), 'seed parameters after an extreme update');
            continue;
          }
          expect(thrown, kind).toBeInstanceOf(NeuriteError);
          if (kind !== 'extreme update') expect((thrown as NeuriteError).argument, kind).toEqual(expect.any(String));
          expectSameBits(flat(net), before, `seed parameters after a rejected ${kind}`);
        }
        // Hidden state too: the next update from the same process results gives the same bits.
        const expected = vectorOf(nOut);
        const next = [net, twin].map((n) => outcome(() => n.update(expected)));
        expect(next[0]).toEqual(next[1]);
        expectSameBits(flat(net), flat(twin), 'seed parameters after the next update');
        net.dispose();
        twin.dispose();
      }), { numRuns: RUNS });
  });
});
