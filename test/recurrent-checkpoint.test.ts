// Exact checkpoints of recurrent networks: a run saved with toJSON({ training: true }) from onEpoch (or after fit),
// loaded on either backend and trained on with the same data and options ends bit-identical to the run that never
// stopped: weights, optimizer moments, shuffling stream, early stopping, learning-rate halvings and history.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FormatError, NeuriteError, StateError } from '../src/errors.js';
import { RecurrentNetwork } from '../src/recurrent/network.js';
import type { RecurrentData, RecurrentFitOptions, RecurrentNetworkOptions } from '../src/recurrent/types.js';
import { raggedPairs } from './helpers/recurrent.js';
import { pathsUnder } from './helpers/replace-one.js';
import { BACKENDS, checkpointTests, expectDamagedCheckpointsRefusedOrUsable, expectResumedAtAnyEpoch, expectSameTraining, fitting } from './helpers/checkpoint-suite.js';

const RUNS = Number(process.env.NEURITE_CHECKPOINT_RUNS ?? 25);

const between: RecurrentNetworkOptions = { inputSize: 1, layers: [{ type: 'lstm', size: 4 }, { type: 'dense', size: 1 }], seed: 4, backend: 'wasm' };

const series = (count: number, steps: number) => Array.from({ length: count }, (_, s) => Array.from({ length: steps }, (_, t) => 20 + 5 * Math.sin(0.4 * s + 0.5 * t)));

const layers: RecurrentNetworkOptions['layers'] = [{ type: 'gru', size: 3 }, { type: 'dense', size: 1 }];

const recurrent = { create: (options: RecurrentNetworkOptions) => new RecurrentNetwork(options), fromJSON: RecurrentNetwork.fromJSON.bind(RecurrentNetwork) };

checkpointTests<RecurrentNetworkOptions, RecurrentData, RecurrentFitOptions>({
  ...recurrent,
  configs: [
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
  ],
  patient: {
    options: { inputSize: 1, layers: [{ type: 'gru', size: 4 }, { type: 'dense', size: 1 }], optimizer: { type: 'adam', learningRate: 0.05 }, seed: 5, backend: 'js' },
    data: series(16, 8),
    fitOptions: { epochs: 300, batchSize: 4, validationSplit: 0.25, earlyStopping: { patience: 4, minDelta: 1e-3 } },
  },
  impatient: {
    options: { inputSize: 1, layers: [{ type: 'rnn', size: 4 }, { type: 'dense', size: 1 }], seed: 9 },
    data: series(16, 8),
    fitOptions: { epochs: 300, batchSize: 4, validationSplit: 0.25, earlyStopping: { patience: 2, minDelta: 0.01 } },
  },
  between: {
    options: between, data: series(10, 7),
    fitOptions: { epochs: 8, batchSize: 3 },
    asyncFitOptions: { epochs: 8, batchSize: 2, validationSplit: 0.2, earlyStopping: { patience: 50 } },
  },
  fresh: {
    options: { inputSize: 1, layers }, data: series(10, 7),
    fitOptions: { epochs: 3, batchSize: 4 },
    defaultStandardize: { inputs: true, targets: true },
  },
});

describe('resuming between fits', () => {
  const data = series(10, 7);
  const fitOptions: RecurrentFitOptions = { epochs: 8, batchSize: 3 };

  it('a checkpoint without the fit state (written before it existed) still loads and starts a new run at epoch 0', () => {
    const first = new RecurrentNetwork(between);
    first.fit(data, { ...fitOptions, epochs: 2 });
    const old = first.toJSON({ training: true });
    delete old.training!.fit;
    // The reference: a second fit call on the network that never left memory (a new run, visiting order from 0).
    first.fit(data, { ...fitOptions, epochs: 3 });
    const loaded = RecurrentNetwork.fromJSON(JSON.stringify(old), { backend: 'js' });
    expect(loaded.fit(data, { ...fitOptions, epochs: 3 }).epochs.map((e) => e.epoch)).toEqual([0, 1, 2]);
    expectSameTraining(loaded, first);
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
  const windowedFitting: fc.Arbitrary<RecurrentFitOptions> = fc.tuple(fitting({ epochs: 8, batchSize: 6 }), fc.integer({ min: 0, max: 4 }))
    .map(([f, window]) => ({ ...f, bpttWindow: window }));

  it('saved at a random epoch, resumed on a random backend with fit or fitAsync: bit-identical to the run that never stopped', async () => {
    await fc.assert(fc.asyncProperty(network, windowedFitting, fc.nat(), fc.nat(), fc.constantFrom(...BACKENDS), fc.constantFrom(...BACKENDS), fc.boolean(),
      async (options, fitOptions, dataSeed, stopPick, from, to, resumeAsync) => {
        const data = raggedPairs(dataSeed, 4 + (dataSeed % 9), [2, 5, 3, 6], options.inputSize, options.inputSize, options.output === 'last');
        await expectResumedAtAnyEpoch(recurrent, { options, data, fitOptions }, { from, to, stopPick, resumeAsync, sameLosses: true });
      }), { numRuns: RUNS });
  });

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
    expectDamagedCheckpointsRefusedOrUsable(recurrent.fromJSON, {
      text, paths, data, runs: 4 * RUNS,
      fits: (epoch) => [{ ...fitOptions, epochs: Math.min(2 ** 31 - 1, epoch + 1) }, { initialEpoch: 0, epochs: 1, batchSize: 3 }],
    });
  });
});
