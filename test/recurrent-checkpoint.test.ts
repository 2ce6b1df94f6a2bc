// Exact checkpoints of recurrent networks: a run saved with toJSON({ training: true }) from onEpoch (or after fit),
// loaded on either backend and trained on with the same data and options ends bit-identical to the run that never
// stopped: weights, optimizer moments, shuffling stream, early stopping, learning-rate halvings and history.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FormatError, NeuriteError, StateError } from '../src/errors.js';
import { RecurrentNetwork } from '../src/recurrent/network.js';
import type { RecurrentData, RecurrentFitOptions, RecurrentNetworkOptions } from '../src/recurrent/types.js';
import { expectSameBits } from './helpers/bits.js';
import { raggedPairs } from './helpers/recurrent.js';
import { pathsUnder, replaceAt } from './helpers/replace-one.js';

const BACKENDS = ['wasm', 'js'] as const;
const RUNS = Number(process.env.NEURITE_CHECKPOINT_RUNS ?? 25);

const series = (count: number, steps: number) => Array.from({ length: count }, (_, s) => Array.from({ length: steps }, (_, t) => 20 + 5 * Math.sin(0.4 * s + 0.5 * t)));

const CONFIGS: [string, RecurrentNetworkOptions, RecurrentData, RecurrentFitOptions][] = [
  ['lstm, adam, shuffled series', { inputSize: 1, layers: [{ type: 'lstm', size: 5 }, { type: 'dense', size: 1 }] },
    series(14, 9), { epochs: 10, batchSize: 3 }],
  ['gru, validationSplit, early stopping that fires', { inputSize: 1, layers: [{ type: 'gru', size: 4 }, { type: 'dense', size: 1 }], optimizer: { type: 'adam', learningRate: 0.05 } },
    series(16, 8), { epochs: 200, batchSize: 4, validationSplit: 0.25, earlyStopping: { patience: 3, minDelta: 1e-3 } }],
  ['ragged pairs, stacked rnn and lstm, bpttWindow 2, momentum, output last', {
    inputSize: 2, output: 'last', layers: [{ type: 'rnn', size: 3 }, { type: 'lstm', size: 3 }, { type: 'dense', size: 2 }],
    optimizer: { type: 'momentum', nesterov: true, learningRate: 0.05 },
  }, raggedPairs(3, 11, [5, 2, 7, 3], 2, 2, true), { epochs: 9, batchSize: 4, bpttWindow: 2 }],
  ['ragged pairs at every step, bpttWindow 3, early stopping that does not fire', {
    inputSize: 2, layers: [{ type: 'gru', size: 3 }, { type: 'dense', size: 2 }],
  }, raggedPairs(4, 10, [6, 3, 8], 2, 2, false), { epochs: 8, batchSize: 3, bpttWindow: 3, validationSplit: 0.2, earlyStopping: { patience: 50 } }],
];

/** The training state of a network as a checkpoint saves it: moments, powers, shuffling stream, the fit's progress. */
function expectSameTraining(a: RecurrentNetwork, b: RecurrentNetwork): void {
  expectSameBits(a.getParameters(), b.getParameters(), 'parameters');
  const x = a.toJSON({ training: true }).training!;
  const y = b.toJSON({ training: true }).training!;
  expectSameBits(Float64Array.from(x.moment1), Float64Array.from(y.moment1), 'first moments');
  expectSameBits(Float64Array.from(x.moment2), Float64Array.from(y.moment2), 'second moments');
  expect([x.beta1Power, x.beta2Power, x.random]).toEqual([y.beta1Power, y.beta2Power, y.random]);
  expect(x.fit).toEqual(y.fit);
  expect(a.learningRate).toBe(b.learningRate);
}

describe.each(CONFIGS)('checkpoint: %s', (_name, options, data, fitOptions) => {
  for (const from of BACKENDS) {
    for (const to of BACKENDS) {
      it(`saved in onEpoch on ${from}, resumed on ${to}: same weights, moments and history as the run that never stopped`, () => {
        const whole = new RecurrentNetwork({ ...options, seed: 21, backend: from });
        const full = whole.fit(data, fitOptions);
        const stopAt = Math.max(1, Math.floor(full.epochs.length / 2));
        let checkpoint = '';
        const first = new RecurrentNetwork({ ...options, seed: 21, backend: from });
        const head = first.fit(data, {
          ...fitOptions,
          onEpoch: ({ epoch }) => {
            if (epoch + 1 !== stopAt) return true;
            checkpoint = JSON.stringify(first.toJSON({ training: true }));
            return false;
          },
        });
        expect(head.epochs.length).toBe(stopAt);
        expect(JSON.parse(checkpoint).training.fit.epoch).toBe(stopAt);
        const resumed = RecurrentNetwork.fromJSON(checkpoint, { backend: to });
        const tail = resumed.fit(data, fitOptions);
        expect(tail.epochs[0]?.epoch).toBe(stopAt);
        // The same history, across backends too (the JS twin gives wasm's bits, losses included).
        expect([...head.epochs, ...tail.epochs]).toEqual(full.epochs);
        expect(tail.stopReason).toBe(full.stopReason);
        expectSameTraining(resumed, whole);
      });
    }
  }
});

describe('early stopping in the middle of its patience', () => {
  it('resumed from every epoch of a run that stops early (patience counter > 0 at some), on both backends', () => {
    const options: RecurrentNetworkOptions = { inputSize: 1, layers: [{ type: 'gru', size: 4 }, { type: 'dense', size: 1 }], optimizer: { type: 'adam', learningRate: 0.05 }, seed: 5, backend: 'js' };
    const data = series(16, 8);
    const fitOptions: RecurrentFitOptions = { epochs: 300, batchSize: 4, validationSplit: 0.25, earlyStopping: { patience: 4, minDelta: 1e-3 } };
    const reference = new RecurrentNetwork(options).fit(data, fitOptions);
    const whole = new RecurrentNetwork(options);
    const checkpoints: string[] = [];
    const full = whole.fit(data, { ...fitOptions, onEpoch: () => { checkpoints.push(JSON.stringify(whole.toJSON({ training: true }))); } });
    // Saving from onEpoch does not disturb the run.
    expect(full).toEqual(reference);
    expect(full.stopReason).toBe('earlyStopping');
    const waiting = checkpoints.filter((c) => JSON.parse(c).training.fit.waited > 0);
    expect(waiting.length).toBeGreaterThan(2);
    checkpoints.forEach((checkpoint, k) => {
      const resumed = RecurrentNetwork.fromJSON(checkpoint, { backend: k % 2 === 0 ? 'wasm' : 'js' });
      const tail = resumed.fit(data, fitOptions);
      expect(tail.epochs, `from epoch ${k + 1}`).toEqual(full.epochs.slice(k + 1));
      expect(tail.stopReason).toBe('earlyStopping');
      expectSameBits(resumed.getParameters(), whole.getParameters(), `parameters from epoch ${k + 1}`);
    });
  });

  it('a checkpoint taken after early stopping fired resumes into the same ending at once, on the best weights', () => {
    const data = series(16, 8);
    const fitOptions: RecurrentFitOptions = { epochs: 300, batchSize: 4, validationSplit: 0.25, earlyStopping: { patience: 2, minDelta: 0.01 } };
    const net = new RecurrentNetwork({ inputSize: 1, layers: [{ type: 'rnn', size: 4 }, { type: 'dense', size: 1 }], seed: 9 });
    let checkpoint = '';
    const history = net.fit(data, { ...fitOptions, onEpoch: () => { checkpoint = JSON.stringify(net.toJSON({ training: true })); } });
    expect(history.stopReason).toBe('earlyStopping');
    const saved = JSON.parse(checkpoint).training.fit;
    expect(saved.stopReason).toBe('earlyStopping');
    const resumed = RecurrentNetwork.fromJSON(checkpoint);
    const tail = resumed.fit(data, fitOptions);
    expect(tail.epochs).toEqual([]);
    expect(tail.stopReason).toBe('earlyStopping');
    expectSameBits(resumed.getParameters(), Float64Array.from(saved.bestParameters), 'the best epoch\'s parameters');
    expectSameBits(resumed.getParameters(), net.getParameters(), 'parameters');
  });
});

describe('resuming between fits', () => {
  const options: RecurrentNetworkOptions = { inputSize: 1, layers: [{ type: 'lstm', size: 4 }, { type: 'dense', size: 1 }], seed: 4, backend: 'wasm' };
  const data = series(10, 7);
  const fitOptions: RecurrentFitOptions = { epochs: 8, batchSize: 3 };

  for (const to of BACKENDS) {
    it(`fit 3 epochs, save, load on ${to}, fit to epoch 8 = fit 8 epochs (Keras's initialEpoch)`, () => {
      const whole = new RecurrentNetwork(options);
      const full = whole.fit(data, fitOptions);
      const first = new RecurrentNetwork(options);
      first.fit(data, { ...fitOptions, epochs: 3 });
      const saved = first.toJSON({ training: true });
      expect(saved.training!.fit!.epoch).toBe(3);
      const resumed = RecurrentNetwork.fromJSON(JSON.stringify(saved), { backend: to });
      const tail = resumed.fit(data, fitOptions);
      expect(tail.epochs.map((e) => e.epoch)).toEqual([3, 4, 5, 6, 7]);
      expect(tail.epochs).toEqual(full.epochs.slice(3));
      expectSameTraining(resumed, whole);
      // The live network resumes when told where from.
      first.fit(data, { ...fitOptions, initialEpoch: 3 });
      expectSameBits(first.getParameters(), whole.getParameters(), 'parameters (live, initialEpoch 3)');
    });
  }

  it('a checkpoint saved from fitAsync\'s onEpoch resumes with fit (and with fitAsync) to the same bits', async () => {
    const asyncOptions: RecurrentFitOptions = { epochs: 8, batchSize: 2, validationSplit: 0.2, earlyStopping: { patience: 50 } };
    const whole = new RecurrentNetwork(options);
    const full = whole.fit(data, asyncOptions);
    const first = new RecurrentNetwork(options);
    let checkpoint = '';
    await first.fitAsync(data, { ...asyncOptions, onEpoch: ({ epoch }) => (epoch === 3 ? ((checkpoint = JSON.stringify(first.toJSON({ training: true }))), false) : true) });
    const resumed = RecurrentNetwork.fromJSON(checkpoint);
    expect(resumed.fit(data, asyncOptions).epochs).toEqual(full.epochs.slice(4));
    expectSameTraining(resumed, whole);
    const again = RecurrentNetwork.fromJSON(checkpoint, { backend: 'js' });
    expect((await again.fitAsync(data, asyncOptions)).epochs.map((e) => e.epoch)).toEqual([4, 5, 6, 7]);
    expectSameTraining(again, whole);
  });

  it('a checkpoint without the fit state (written before it existed) still loads and starts a new run at epoch 0', () => {
    const first = new RecurrentNetwork(options);
    first.fit(data, { ...fitOptions, epochs: 2 });
    const old = first.toJSON({ training: true });
    delete old.training!.fit;
    // The reference: a second fit call on the network that never left memory (a new run, visiting order from 0).
    first.fit(data, { ...fitOptions, epochs: 3 });
    const loaded = RecurrentNetwork.fromJSON(JSON.stringify(old), { backend: 'js' });
    expect(loaded.fit(data, { ...fitOptions, epochs: 3 }).epochs.map((e) => e.epoch)).toEqual([0, 1, 2]);
    expectSameTraining(loaded, first);
  });

  it('a plain toJSON carries no training state; initialEpoch 0 starts a new run from a checkpoint', () => {
    const net = new RecurrentNetwork(options);
    net.fit(data, { epochs: 2 });
    expect(net.toJSON().training).toBeUndefined();
    const loaded = RecurrentNetwork.fromJSON(net.toJSON({ training: true }));
    expect(loaded.fit(data, { epochs: 2, initialEpoch: 0 }).epochs.map((e) => e.epoch)).toEqual([0, 1]);
  });

  it('mid-epoch (while fitAsync awaits) no checkpoint is exact: toJSON({ training: true }) throws StateError', async () => {
    const busy = new RecurrentNetwork({ inputSize: 1, layers: [{ type: 'lstm', size: 16 }, { type: 'dense', size: 1 }], seed: 2 });
    const attempts: unknown[] = [];
    let plain = 0;
    // fitAsync awaits only between batches, always inside an epoch (the epoch is recorded after its last batch).
    const timer = setInterval(() => {
      try {
        busy.toJSON({ training: true });
        attempts.push('saved');
      } catch (error) {
        attempts.push(error);
      }
      plain += busy.toJSON().layers.length;
    }, 0);
    await busy.fitAsync(series(40, 40), { epochs: 6, batchSize: 1 });
    clearInterval(timer);
    expect(attempts.length).toBeGreaterThan(0);
    for (const attempt of attempts) expect(attempt).toBeInstanceOf(StateError);
    expect(plain).toBe(2 * attempts.length);
    expect(busy.toJSON({ training: true }).training!.fit!.epoch).toBe(6);
  });
});

describe('saved before the first fit', () => {
  const data = series(10, 7);
  const fitOptions: RecurrentFitOptions = { epochs: 3, batchSize: 4 };
  const layers: RecurrentNetworkOptions['layers'] = [{ type: 'gru', size: 3 }, { type: 'dense', size: 1 }];

  for (const standardize of [false, undefined, { inputs: false, targets: true }, { inputs: true, targets: false }]) {
    it(`standardize ${JSON.stringify(standardize)}: the loaded network's first fit measures what its options asked and ends where the saved one does`, () => {
      const saved = new RecurrentNetwork({ inputSize: 1, layers, seed: 8, standardize, backend: 'js' });
      const loaded = RecurrentNetwork.fromJSON(JSON.stringify(saved.toJSON()), { backend: 'wasm' });
      expect(loaded.fit(data, fitOptions).epochs).toEqual(saved.fit(data, fitOptions).epochs);
      expectSameBits(loaded.getParameters(), saved.getParameters(), 'parameters');
      expect(loaded.toJSON().scaling).toEqual(saved.toJSON().scaling);
    });
  }

  it('a file with neither figures nor a choice (an older one saved before its first fit) trains without figures, as a dense one does', () => {
    const json = new RecurrentNetwork({ inputSize: 1, layers, seed: 8 }).toJSON();
    expect(json.standardize).toEqual({ inputs: true, targets: true });
    delete json.standardize;
    const loaded = RecurrentNetwork.fromJSON(json);
    loaded.fit(data, fitOptions);
    expect(loaded.toJSON().scaling).toBeUndefined();
    // The older writer's {} for "none" still loads as none.
    const none = RecurrentNetwork.fromJSON({ ...json, scaling: {} });
    none.fit(data, fitOptions);
    expectSameBits(none.getParameters(), loaded.getParameters(), 'parameters');
  });

  it('a standardize that is not two switches is refused with FormatError naming it', () => {
    const json = new RecurrentNetwork({ inputSize: 1, layers, seed: 8 }).toJSON();
    for (const [value, field] of [[true, 'json.standardize'], [{ inputs: 1, targets: true }, 'json.standardize.inputs'], [{ inputs: true }, 'json.standardize.targets'],
      [{ inputs: true, targets: false, mean: 0 }, 'json.standardize.mean']] as const) {
      expect(() => RecurrentNetwork.fromJSON({ ...json, standardize: value })).toThrow(expect.objectContaining({ name: 'FormatError', argument: field }));
    }
  });
});

describe('checkpoint files are checked', () => {
  const net = new RecurrentNetwork({ inputSize: 1, layers: [{ type: 'gru', size: 3 }, { type: 'dense', size: 1 }], seed: 2 });
  const data = series(12, 6);
  net.fit(data, { epochs: 3, batchSize: 4, validationSplit: 0.25, earlyStopping: { patience: 1, minDelta: 10 } });
  const good = net.toJSON({ training: true });

  it('the saved fit state holds epoch, order, early stopping and the rate before halvings', () => {
    const fit = good.training!.fit!;
    expect(fit.epoch).toBe(2);
    expect(fit.stopReason).toBe('earlyStopping');
    expect([...fit.order!].sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8]);
    expect(fit.bestParameters!.length).toBe(net.getParameters().length);
    expect(fit).toMatchObject({ waited: 1, reductions: 0, initialLearningRate: 0.01 });
  });

  it.each<[string, (fit: Record<string, any>) => void, string]>([
    ['a visiting order that is not a permutation', (f) => { f.order[0] = 10_000; }, 'json.training.fit.order'],
    ['a visiting order with a repeated index', (f) => { f.order[1] = f.order[0]; }, 'json.training.fit.order'],
    ['a visiting order that is not an array', (f) => { f.order = '0,1,2'; }, 'json.training.fit.order'],
    ['a negative epoch', (f) => { f.epoch = -1; }, 'json.training.fit.epoch'],
    ['a fractional epoch', (f) => { f.epoch = 1.5; }, 'json.training.fit.epoch'],
    ['an epoch beyond 2^31 − 1', (f) => { f.epoch = 2 ** 40; }, 'json.training.fit.epoch'],
    ['a missing epoch', (f) => { delete f.epoch; }, 'json.training.fit.epoch'],
    ['a patience counter that is a string', (f) => { f.waited = '1'; }, 'json.training.fit.waited'],
    ['a NaN best loss (as null)', (f) => { f.best = null; }, 'json.training.fit.best'],
    ['best parameters of the wrong length', (f) => { f.bestParameters.pop(); }, 'json.training.fit.bestParameters'],
    ['a non-finite best parameter', (f) => { f.bestParameters[0] = 'Infinity'; }, 'json.training.fit.bestParameters'],
    ['a stop reason that does not exist', (f) => { f.stopReason = 'bored'; }, 'json.training.fit.stopReason'],
    ['a zero learning rate before halvings', (f) => { f.initialLearningRate = 0; }, 'json.training.fit.initialLearningRate'],
    ['negative halvings', (f) => { f.reductions = -2; }, 'json.training.fit.reductions'],
    ['an unknown field', (f) => { f.steps = 3; }, 'json.training.fit.steps'],
    ['a prototype-polluting key', (f) => { Object.defineProperty(f, '__proto__', { value: { polluted: 1 }, enumerable: true }); }, 'json.training.fit.__proto__'],
  ])('refuses %s with a FormatError naming the field', (_, corrupt, argument) => {
    const bad = JSON.parse(JSON.stringify(good));
    corrupt(bad.training.fit);
    let error: unknown;
    try {
      RecurrentNetwork.fromJSON(JSON.stringify(bad));
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(FormatError);
    expect((error as NeuriteError).argument).toBe(argument);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('resuming on other data than the checkpoint was saved with is refused; a refused fit keeps the checkpoint\'s progress', () => {
    const loaded = RecurrentNetwork.fromJSON(good);
    const fitOptions: RecurrentFitOptions = { epochs: 5, batchSize: 4, validationSplit: 0.25 };
    const before = JSON.stringify(loaded.toJSON({ training: true }));
    expect(() => loaded.fit(data.slice(0, 8), fitOptions)).toThrow(StateError);
    expect(() => loaded.fit(data, { epochs: 0 })).toThrow(/options.epochs/);
    expect(JSON.stringify(loaded.toJSON({ training: true }))).toBe(before);
    // Its run had ended (early stopping): a fit that picks it up ends at once, as the original did.
    expect(loaded.fit(data, fitOptions)).toEqual({ epochs: [], stopReason: 'earlyStopping' });
  });
});

describe('checkpoint properties', () => {
  /** A small recurrent network: any cell, stacked or not, output at every step or last, any optimizer. */
  const network: fc.Arbitrary<RecurrentNetworkOptions> = fc.record({
    input: fc.integer({ min: 1, max: 2 }),
    cells: fc.array(fc.constantFrom('lstm' as const, 'gru' as const, 'rnn' as const), { minLength: 1, maxLength: 2 }),
    size: fc.integer({ min: 1, max: 4 }),
    output: fc.constantFrom('sequence' as const, 'last' as const),
    optimizer: fc.constantFrom('sgd' as const, 'adam' as const, 'rmsprop' as const, { type: 'momentum' as const, nesterov: true }, { type: 'adam' as const, clipNorm: 0.5, weightDecay: 1e-3 }),
    standardize: fc.boolean(),
    seed: fc.integer({ min: 0, max: 2 ** 32 - 1 }),
  }).map((c) => ({
    inputSize: c.input,
    output: c.output,
    layers: [...c.cells.map((type) => ({ type, size: c.size })), { type: 'dense' as const, size: c.input }],
    optimizer: c.optimizer,
    standardize: c.standardize,
    seed: c.seed,
  }));
  const fitting: fc.Arbitrary<RecurrentFitOptions> = fc.record({
    epochs: fc.integer({ min: 2, max: 8 }),
    batchSize: fc.integer({ min: 1, max: 6 }),
    shuffle: fc.boolean(),
    split: fc.boolean(),
    window: fc.integer({ min: 0, max: 4 }),
    patience: fc.option(fc.integer({ min: 1, max: 3 }), { nil: undefined }),
    onDivergence: fc.constantFrom('throw' as const, 'reduceLearningRate' as const),
  }).map((f) => ({
    epochs: f.epochs,
    batchSize: f.batchSize,
    shuffle: f.shuffle,
    bpttWindow: f.window,
    onDivergence: f.onDivergence,
    ...(f.split ? { validationSplit: 0.25 } : {}),
    ...(f.patience === undefined ? {} : { earlyStopping: { patience: f.patience, minDelta: 1e-4 } }),
  }));

  it('saved at a random epoch, resumed on a random backend with fit or fitAsync: bit-identical to the run that never stopped', async () => {
    await fc.assert(fc.asyncProperty(network, fitting, fc.nat(), fc.nat(), fc.constantFrom(...BACKENDS), fc.constantFrom(...BACKENDS), fc.boolean(),
      async (options, fitOptions, dataSeed, stopPick, from, to, resumeAsync) => {
        const data = raggedPairs(dataSeed, 4 + (dataSeed % 9), [2, 5, 3, 6], options.inputSize, options.inputSize, options.output === 'last');
        const whole = new RecurrentNetwork({ ...options, backend: from });
        const saved: string[] = [];
        const full = whole.fit(data, { ...fitOptions, onEpoch: () => { saved.push(JSON.stringify(whole.toJSON({ training: true }))); } });
        const k = stopPick % saved.length;
        const resumed = RecurrentNetwork.fromJSON(saved[k]!, { backend: to });
        const tail = resumeAsync ? await resumed.fitAsync(data, fitOptions) : resumed.fit(data, fitOptions);
        expect(tail.epochs).toEqual(full.epochs.slice(k + 1));
        expect(tail.stopReason).toBe(full.stopReason);
        expectSameTraining(resumed, whole);
        expect(resumed.toJSON().scaling).toEqual(whole.toJSON().scaling);
        whole.dispose();
        resumed.dispose();
      }), { numRuns: RUNS });
  });

  // What may replace a value: other types, out-of-range numbers, shuffled or shortened arrays.
  const replacement = fc.oneof(
    fc.constantFrom(null, true, '', 'earlyStopping', -1, 0.5, 1.5, 2 ** 31, 2 ** 32, Number.MAX_VALUE, -1e300, 5e-324, [], {}, [0], [1, 0], [2, 1, 0]),
    fc.double(),
    fc.array(fc.double({ min: -10, max: 10, noNaN: true }), { maxLength: 40 }),
  );

  it('a checkpoint with a training value replaced or removed: FormatError, or it loads, saves back the same and trains (or refuses with a NeuriteError)', () => {
    const options: RecurrentNetworkOptions = { inputSize: 1, layers: [{ type: 'gru', size: 2 }, { type: 'dense', size: 1 }], seed: 2, backend: 'js' };
    const data = series(8, 5);
    const fitOptions: RecurrentFitOptions = { epochs: 6, batchSize: 3, validationSplit: 0.25, earlyStopping: { patience: 3 } };
    const base = new RecurrentNetwork(options);
    let text = '';
    base.fit(data, { ...fitOptions, onEpoch: ({ epoch }) => { if (epoch === 2) text = JSON.stringify(base.toJSON({ training: true })); } });
    base.dispose();
    const paths = pathsUnder(JSON.parse(text).training, ['training']).filter((p) => p.length > 1);
    expect(paths.some((p) => p[1] === 'fit' && p[2] === 'order')).toBe(true);
    let loaded = 0;
    fc.assert(fc.property(fc.constantFrom(...paths), fc.option(replacement, { nil: undefined }), fc.constantFrom(...BACKENDS), (path, value, backend) => {
      const model = JSON.parse(text);
      replaceAt(model, path, value);
      let net: RecurrentNetwork;
      try {
        net = RecurrentNetwork.fromJSON(model, { backend });
      } catch (error) {
        expect(error).toBeInstanceOf(FormatError);
        return;
      }
      loaded++;
      const again = JSON.stringify(net.toJSON({ training: true }));
      expect(JSON.stringify(RecurrentNetwork.fromJSON(again, { backend: backend === 'js' ? 'wasm' : 'js' }).toJSON({ training: true }))).toBe(again);
      const epoch = typeof model.training.fit?.epoch === 'number' ? model.training.fit.epoch : 0;
      for (const more of [{ ...fitOptions, epochs: Math.min(2 ** 31 - 1, epoch + 1) }, { initialEpoch: 0, epochs: 1, batchSize: 3 }]) {
        try {
          net.fit(data, more);
        } catch (error) {
          // A typed refusal (a visiting order of another length, a divergence) is an answer; anything else is a bug.
          expect(error).toBeInstanceOf(NeuriteError);
        }
      }
      expect(Array.from(net.getParameters()).every(Number.isFinite)).toBe(true);
      net.dispose();
    }), { numRuns: 4 * RUNS });
    expect(loaded).toBeGreaterThan(0);
  });
});
