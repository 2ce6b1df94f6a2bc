// Divergence and abort: training that blows up stops at the last finite step (or follows onDivergence),
// and an aborted fitAsync leaves exactly the model of its last completed step. References are replays
// of the same batches through trainStep on a twin network.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AbortError, DenseNetwork, type DenseNetworkOptions, DivergenceError, type FitHistory, type FitOptions, NeuriteError } from '../src/index.js';
import { rng } from './helpers/data.js';
import { expectSameBits } from './helpers/bits.js';
import { rejectionOf, thrownBy } from './helpers/errors.js';

const RUNS = Number(process.env.NEURITE_PROPERTY_RUNS ?? 100);

const allFinite = (values: ArrayLike<number>) => Array.prototype.every.call(values, Number.isFinite);

/** Unnormalized regression data: inputs of magnitude up to `scale`, targets a (noisy) linear function of them. */
function data(seed: number, rows: number, inputs: number, scale: number): { inputs: Float64Array; targets: Float64Array } {
  const random = rng(seed);
  const x = Float64Array.from({ length: rows * inputs }, () => (2 * random() - 1) * scale);
  const y = Float64Array.from({ length: rows }, (_, r) => x.subarray(r * inputs, (r + 1) * inputs).reduce((s, v) => s + v, 0) + random());
  return { inputs: x, targets: y };
}

/** Batch `b` of the data in its stored order (fit with shuffle: false visits rows this way). */
function batch(d: { inputs: Float64Array; targets: Float64Array }, nIn: number, batchSize: number, b: number) {
  const rows = d.targets.length;
  const start = b * batchSize;
  const count = Math.min(batchSize, rows - start);
  return { inputs: d.inputs.subarray(start * nIn, (start + count) * nIn), targets: d.targets.subarray(start, start + count), count };
}

/**
 * What fit({ shuffle: false, onDivergence }) must do, written with trainStep alone: epochs of batches; a
 * step that throws DivergenceError is not applied, and then the policy stops, throws, or puts the weights
 * back as they were at the start of the epoch, halves the learning rate and retries the epoch (at most 10
 * times). Returns where it stopped. (The rollback uses setParameters: use it with 'sgd', which has no moments.)
 */
function replay(net: DenseNetwork, d: { inputs: Float64Array; targets: Float64Array }, epochs: number, batchSize: number, policy: 'throw' | 'stop' | 'reduceLearningRate') {
  const batches = Math.ceil(d.targets.length / batchSize);
  let reductions = 0;
  let completed = 0;
  for (let epoch = 0; epoch < epochs;) {
    const start = net.getParameters();
    let failed = -1;
    for (let b = 0; b < batches && failed < 0; b++) {
      const { inputs, targets, count } = batch(d, net.inputSize, batchSize, b);
      try {
        net.trainStep(inputs, targets, count);
      } catch (error) {
        if (!(error instanceof DivergenceError)) throw error;
        failed = b;
      }
    }
    if (failed < 0) {
      completed = ++epoch;
      continue;
    }
    if (policy === 'reduceLearningRate' && reductions < 10) {
      reductions++;
      net.setParameters(start);
      net.learningRate /= 2;
      continue;
    }
    return { completed, diverged: { epoch, batch: failed }, reductions };
  }
  return { completed, reductions };
}

// Unstandardized: these tests need the raw targets' scale to blow training up.
const REGRESSION: DenseNetworkOptions = { layers: [3, 6, 1], activation: 'relu', outputActivation: 'identity', loss: 'mse', standardize: false, seed: 11 };

describe('divergence in fit', () => {
  it('a huge learning rate on unnormalized data throws DivergenceError naming epoch and batch; weights are the last finite step', () => {
    const options = { ...REGRESSION, optimizer: { type: 'sgd' as const, learningRate: 0.05 } };
    const d = data(1, 40, 3, 1000);
    for (const backend of ['js', 'wasm'] as const) {
      const net = new DenseNetwork({ ...options, backend });
      const thrown = thrownBy(() => net.fit(d, { epochs: 50, batchSize: 8, shuffle: false }));
      expect(thrown).toBeInstanceOf(DivergenceError);
      const error = thrown as DivergenceError;
      expect(error.message).toContain(`epoch ${error.epoch}, batch ${error.batch}`);
      const twin = new DenseNetwork({ ...options, backend });
      const reference = replay(twin, d, 50, 8, 'throw');
      expect(reference.diverged).toEqual({ epoch: error.epoch, batch: error.batch });
      expect(allFinite(net.getParameters())).toBe(true);
      expectSameBits(net.getParameters(), twin.getParameters(), `${backend}: parameters after divergence`);
    }
  });

  it('as a property: any learning rate and data scale either trains finitely or stops at the replayed last finite step (fit, fitAsync, both backends)', async () => {
    await fc.assert(fc.asyncProperty(
      fc.constantFrom('sgd' as const, 'momentum' as const, 'adam' as const),
      // Rates up to 1e8: a non-finite loss or gradient shows before any update can overflow a weight (see the next test).
      fc.integer({ min: -2, max: 8 }), fc.integer({ min: 0, max: 150 }), fc.nat(), fc.integer({ min: 1, max: 9 }),
      fc.constantFrom('js' as const, 'wasm' as const), fc.boolean(),
      async (type, rateExponent, scaleExponent, seed, batchSize, backend, asynchronous) => {
        const options = { ...REGRESSION, optimizer: { type, learningRate: 10 ** rateExponent }, seed: seed % 1000, backend };
        const d = data(seed, 17, 3, 10 ** scaleExponent);
        const net = new DenseNetwork(options);
        const fitOptions: FitOptions = { epochs: 4, batchSize, shuffle: false };
        const thrown = await rejectionOf(async () => (asynchronous ? net.fitAsync(d, fitOptions) : net.fit(d, fitOptions)));
        const twin = new DenseNetwork(options);
        const reference = replay(twin, d, 4, batchSize, 'throw');
        if (reference.diverged) {
          expect(thrown).toBeInstanceOf(DivergenceError);
          expect({ epoch: (thrown as DivergenceError).epoch, batch: (thrown as DivergenceError).batch }).toEqual(reference.diverged);
        } else {
          expect(thrown).toBeUndefined();
        }
        expect(allFinite(net.getParameters()), 'parameters are finite').toBe(true);
        expectSameBits(net.getParameters(), twin.getParameters(), 'parameters');
      }), { numRuns: RUNS });
  });

  // A step whose loss and gradient are finite but whose update would overflow a weight must not be applied either.
  it('an update that overflows a weight is not applied (1e299 learning rate, finite loss and gradient)', () => {
    for (const backend of ['js', 'wasm'] as const) {
      const options = { ...REGRESSION, optimizer: { type: 'sgd' as const, learningRate: 1e299 }, seed: 0, backend };
      const d = data(0, 17, 3, 1e5);
      const net = new DenseNetwork(options);
      expect(() => net.fit(d, { epochs: 4, batchSize: 2, shuffle: false })).toThrow(DivergenceError);
      expect(allFinite(net.getParameters()), `${backend}: parameters are finite`).toBe(true);
    }
  });

  it("onDivergence 'stop' returns the history so far with stopReason 'divergence'", () => {
    const options = { ...REGRESSION, optimizer: { type: 'sgd' as const, learningRate: 0.05 } };
    const d = data(1, 40, 3, 1000);
    const net = new DenseNetwork(options);
    const history = net.fit(d, { epochs: 50, batchSize: 8, shuffle: false, onDivergence: 'stop' });
    const twin = new DenseNetwork(options);
    const reference = replay(twin, d, 50, 8, 'stop');
    expect(history.stopReason).toBe('divergence');
    expect(history.epochs.length).toBe(reference.completed);
    expectSameBits(net.getParameters(), twin.getParameters(), 'parameters');
  });

  it("onDivergence 'reduceLearningRate' halves the rate and retries the epoch, as the trainStep replay does", () => {
    // 50 steps per epoch: a too-large rate reaches Infinity within the first epoch, so the retry starts from
    // the initial weights (a rate that only blows up in a later epoch retries from already huge weights).
    const d = data(1, 400, 3, 10);
    let recovered = 0;
    for (const learningRate of [0.05, 0.2, 1, 1e300]) {
      const options = { ...REGRESSION, optimizer: { type: 'sgd' as const, learningRate } };
      for (const backend of ['js', 'wasm'] as const) {
        const net = new DenseNetwork({ ...options, backend });
        let history: FitHistory | undefined;
        const thrown = thrownBy(() => { history = net.fit(d, { epochs: 5, batchSize: 8, shuffle: false, onDivergence: 'reduceLearningRate' }); });
        const twin = new DenseNetwork({ ...options, backend });
        const reference = replay(twin, d, 5, 8, 'reduceLearningRate');
        expect(reference.reductions, `rate ${learningRate}`).toBeGreaterThan(0);
        // Rescued: the halved rate trains on; given up: the rate from before the call is back.
        expect(net.learningRate).toBe(reference.diverged ? learningRate : learningRate / 2 ** reference.reductions);
        expectSameBits(net.getParameters(), twin.getParameters(), `rate ${learningRate}, ${backend}: parameters`);
        if (reference.diverged) {
          // Gave up after 10 halvings.
          expect(reference.reductions).toBe(10);
          expect(thrown).toBeInstanceOf(DivergenceError);
          expect({ epoch: (thrown as DivergenceError).epoch, batch: (thrown as DivergenceError).batch }).toEqual(reference.diverged);
        } else {
          recovered++;
          expect(thrown).toBeUndefined();
          expect(history!.stopReason).toBe('epochs');
          expect(history!.epochs.length).toBe(5);
          expect(history!.epochs.every((e) => Number.isFinite(e.loss))).toBe(true);
        }
      }
    }
    // Both branches ran: some rates were rescued by halving, 1e300 was not.
    expect(recovered).toBeGreaterThan(0);
    expect(recovered).toBeLessThan(8);
  });
});

describe('divergence in trainStep', () => {
  it('a step whose loss or gradient is not finite throws DivergenceError and changes nothing, optimizer state included', () => {
    for (const type of ['sgd', 'momentum', 'adam'] as const) {
      for (const backend of ['js', 'wasm'] as const) {
        const options = { ...REGRESSION, optimizer: { type, learningRate: 0.01 }, backend };
        const net = new DenseNetwork(options);
        const twin = new DenseNetwork(options);
        const d = data(3, 8, 3, 1);
        for (const n of [net, twin]) n.trainStep(d.inputs, d.targets);
        const before = net.getParameters();
        // 1e200 squared overflows: the loss is Infinity.
        expect(() => net.trainStep([1e200, 1e200, 1e200], [-1e200])).toThrow(DivergenceError);
        expectSameBits(net.getParameters(), before, `${type}/${backend}: parameters`);
        for (const n of [net, twin]) n.trainStep(d.inputs, d.targets);
        expectSameBits(net.getParameters(), twin.getParameters(), `${type}/${backend}: the next step (moments untouched)`);
      }
    }
  });
});

/** Enough rows that one epoch spans several of fitAsync's 12 ms slices. */
const BIG: DenseNetworkOptions = { layers: [20, 32, 1], activation: 'tanh', outputActivation: 'identity', optimizer: { type: 'adam', learningRate: 1e-3 }, standardize: false, seed: 5 };
const bigData = data(9, 3000, 20, 1);

describe('aborting fitAsync', () => {
  it('abort from onEpoch: rejects with AbortError; the model equals the same epochs trained without abort', async () => {
    for (const backend of ['js', 'wasm'] as const) {
      const net = new DenseNetwork({ ...BIG, backend });
      const controller = new AbortController();
      const seen: Float64Array[] = [];
      const run = net.fitAsync(bigData, {
        epochs: 10, batchSize: 64, signal: controller.signal,
        onEpoch: (stats) => {
          seen.push(net.getParameters());
          if (stats.epoch === 2) controller.abort();
        },
      });
      await expect(run).rejects.toBeInstanceOf(AbortError);
      await expect(run).rejects.toMatchObject({ argument: 'options.signal' });
      // Aborted right after epoch 2's callback: the model is that snapshot, and a shuffled sync fit of 3 epochs.
      expectSameBits(net.getParameters(), seen[2]!, `${backend}: parameters vs the abort-time snapshot`);
      const twin = new DenseNetwork({ ...BIG, backend });
      twin.fit(bigData, { epochs: 3, batchSize: 64 });
      expectSameBits(net.getParameters(), twin.getParameters(), `${backend}: parameters vs 3 epochs of fit`);
      // Still usable.
      expect(allFinite(net.predict(bigData.inputs.subarray(0, 20)))).toBe(true);
      await net.fitAsync(bigData, { epochs: 1, batchSize: 64 });
    }
  });

  it('abort from a timer mid-epoch: the model equals the replay of some whole number of steps, neither none nor all', async () => {
    for (const backend of ['js', 'wasm'] as const) {
      const net = new DenseNetwork({ ...BIG, backend });
      const controller = new AbortController();
      const timer = setTimeout(() => controller.abort(), 40);
      const batchSize = 4;
      const epochs = 20;
      await expect(net.fitAsync(bigData, { epochs, batchSize, shuffle: false, signal: controller.signal })).rejects.toBeInstanceOf(AbortError);
      clearTimeout(timer);
      const after = net.getParameters();
      expect(allFinite(after)).toBe(true);
      const twin = new DenseNetwork({ ...BIG, backend });
      const batches = Math.ceil(3000 / batchSize);
      let steps = 0;
      const same = () => after.every((v, i) => Object.is(v, twin.getParameters()[i]));
      while (!same() && steps < epochs * batches) {
        const { inputs, targets, count } = batch(bigData, 20, batchSize, steps % batches);
        twin.trainStep(inputs, targets, count);
        steps++;
      }
      expect(same(), `${backend}: no number of replayed steps gives the aborted model`).toBe(true);
      expect(steps).toBeGreaterThan(0);
      expect(steps).toBeLessThan(epochs * batches);
    }
  });

  it('an already aborted signal rejects (async) or throws (sync) before any step', async () => {
    const net = new DenseNetwork(BIG);
    const before = net.getParameters();
    const signal = AbortSignal.abort();
    await expect(net.fitAsync(bigData, { epochs: 2, signal })).rejects.toBeInstanceOf(AbortError);
    expect(() => net.fit(bigData, { epochs: 2, signal })).toThrow(AbortError);
    expectSameBits(net.getParameters(), before, 'parameters');
    expect(new AbortError('x')).toBeInstanceOf(NeuriteError);
  });
});

describe('batch sizes beyond the data', () => {
  it('a batchSize larger than the data (even 2^30) trains exactly like one batch of all rows, without allocating for it', () => {
    const d = data(4, 10, 3, 1);
    const nets = [2 ** 30, 10].map((batchSize) => {
      const net = new DenseNetwork({ ...REGRESSION, optimizer: 'sgd' });
      net.fit(d, { epochs: 3, batchSize, shuffle: false });
      return net.getParameters();
    });
    const twin = new DenseNetwork({ ...REGRESSION, optimizer: 'sgd' });
    for (let e = 0; e < 3; e++) twin.trainStep(d.inputs, d.targets);
    expectSameBits(nets[0]!, twin.getParameters(), 'batchSize 2^30');
    expectSameBits(nets[1]!, twin.getParameters(), 'batchSize = rows');
  });
});

describe('fitAsync errors', () => {
  it('bad data or options reject (not throw) with the NeuriteError fit throws, and change nothing', async () => {
    const net = new DenseNetwork({ ...REGRESSION, backend: 'wasm' });
    const before = net.getParameters();
    const good = data(1, 10, 3, 1);
    const cases: [unknown, unknown][] = [
      [{ inputs: good.inputs.subarray(1), targets: good.targets }, {}],
      [good, { epochs: 0 }],
      [good, { batchSize: 1.5 }],
      [good, { signal: 'stop' }],
      [[{ input: [1, 2, NaN], output: [0] }], {}],
    ];
    for (const [d, o] of cases) {
      let syncError: unknown;
      const expected = thrownBy(() => net.fit(d as never, o as never));
      let promise: Promise<unknown> | undefined;
      try {
        promise = net.fitAsync(d as never, o as never);
      } catch (error) {
        syncError = error;
      }
      expect(syncError, JSON.stringify(o)).toBeUndefined();
      expect(expected).toBeInstanceOf(NeuriteError);
      await expect(promise).rejects.toThrow((expected as Error).message);
      await expect(promise).rejects.toBeInstanceOf((expected as Error).constructor);
      expectSameBits(net.getParameters(), before, 'parameters');
    }
  });
});
