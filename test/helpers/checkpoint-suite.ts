// The exact-checkpoint suite, run once per network kind (test/dense-checkpoint.test.ts, test/recurrent-checkpoint.test.ts):
// dense and recurrent networks write and read checkpoints through one module (src/checkpoint.ts), so a run saved with
// toJSON({ training: true }) and resumed on either backend must end bit-identical to the run that never stopped.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FormatError, NeuriteError, type BackendName, type FitHistory } from '../../src/index.js';
import type { EpochStats, FitStateJSON, ScalingJSON, StandardizeJSON, TrainingJSON } from '../../src/dense/types.js';
import { expectSameBits } from './bits.js';
import { replaceAt } from './replace-one.js';

export const BACKENDS = ['wasm', 'js'] as const;

/** The fit options the suite sets; each kind's own options type has them. */
interface SuiteFitOptions {
  epochs?: number;
  batchSize?: number;
  initialEpoch?: number;
  onEpoch?: (stats: EpochStats) => void | boolean;
}

/** A network as the suite uses it: the members DenseNetwork and RecurrentNetwork share. */
export interface CheckpointNetwork<Data, Fit> {
  fit(data: Data, options: Fit): FitHistory;
  fitAsync(data: Data, options: Fit): Promise<FitHistory>;
  getParameters(): Float64Array;
  toJSON(options?: { training?: boolean }): { training?: TrainingJSON; scaling?: ScalingJSON; standardize?: StandardizeJSON };
  readonly learningRate: number;
  dispose(): void;
}

/** A network, the data it trains on and how. */
export interface Run<Options, Data, Fit> {
  options: Options;
  data: Data;
  fitOptions: Fit;
}

/** What the suite needs of a network kind: how to build and load one, and a run for each group of tests. */
export interface CheckpointKind<Options extends { seed?: number; backend?: BackendName; standardize?: unknown }, Data, Fit extends SuiteFitOptions> {
  create(options: Options): CheckpointNetwork<Data, Fit>;
  fromJSON(json: unknown, options?: { backend?: BackendName }): CheckpointNetwork<Data, Fit>;
  /** Runs saved halfway and resumed on every pair of backends; the names head the describe blocks. */
  configs: [string, Options, Data, Fit][];
  /** A run whose early stopping fires after some epochs of waiting (the patience counter > 0 in some checkpoints). */
  patient: Run<Options, Data, Fit>;
  /** A run whose early stopping fires soon (patience 2, a large minDelta). */
  impatient: Run<Options, Data, Fit>;
  /** A run of several epochs, resumed between fits; `fitOptions.epochs` > 4; `asyncFitOptions` has a hold-out. */
  between: Run<Options, Data, Fit> & { asyncFitOptions: Fit };
  /** A network saved before its first fit; `options` has no standardize. */
  fresh: Run<Options, Data, Fit> & { defaultStandardize: StandardizeJSON };
}

/** The training state of a network as a checkpoint saves it: moments, powers, shuffling stream, the fit's progress. */
export function expectSameTraining<Data, Fit>(a: CheckpointNetwork<Data, Fit>, b: CheckpointNetwork<Data, Fit>, { sameLosses = true } = {}): void {
  expectSameBits(a.getParameters(), b.getParameters(), 'parameters');
  const x = a.toJSON({ training: true }).training!;
  const y = b.toJSON({ training: true }).training!;
  expectSameBits(Float64Array.from(x.moment1), Float64Array.from(y.moment1), 'first moments');
  expectSameBits(Float64Array.from(x.moment2), Float64Array.from(y.moment2), 'second moments');
  expect([x.beta1Power, x.beta2Power, x.random]).toEqual([y.beta1Power, y.beta2Power, y.random]);
  // A loss from another backend's log may differ by an ulp (docs/architecture.md): then the best loss is left out.
  const fit = (f?: FitStateJSON) => (sameLosses || !f ? f : { ...f, best: undefined });
  expect(fit(x.fit)).toEqual(fit(y.fit));
  expect(a.learningRate).toBe(b.learningRate);
}

/** The whole suite for one network kind. */
export function checkpointTests<Options extends { seed?: number; backend?: BackendName; standardize?: unknown }, Data, Fit extends SuiteFitOptions>(
  kind: CheckpointKind<Options, Data, Fit>,
): void {
  const { create, fromJSON } = kind;

  describe.each(kind.configs)('checkpoint: %s', (_name, options, data, fitOptions) => {
    for (const from of BACKENDS) {
      for (const to of BACKENDS) {
        it(`saved in onEpoch on ${from}, resumed on ${to}: same weights, moments and history as the run that never stopped`, () => {
          const whole = create({ ...options, seed: 21, backend: from });
          const full = whole.fit(data, fitOptions);
          const stopAt = Math.max(1, Math.floor(full.epochs.length / 2));
          let checkpoint = '';
          const first = create({ ...options, seed: 21, backend: from });
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
          const resumed = fromJSON(checkpoint, { backend: to });
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
      const { options, data, fitOptions } = kind.patient;
      const reference = create(options).fit(data, fitOptions);
      const whole = create(options);
      const checkpoints: string[] = [];
      const full = whole.fit(data, { ...fitOptions, onEpoch: () => { checkpoints.push(JSON.stringify(whole.toJSON({ training: true }))); } });
      // Saving from onEpoch does not disturb the run.
      expect(full).toEqual(reference);
      expect(full.stopReason).toBe('earlyStopping');
      const waiting = checkpoints.filter((c) => JSON.parse(c).training.fit.waited > 0);
      expect(waiting.length).toBeGreaterThan(2);
      checkpoints.forEach((checkpoint, k) => {
        const resumed = fromJSON(checkpoint, { backend: k % 2 === 0 ? 'wasm' : 'js' });
        const tail = resumed.fit(data, fitOptions);
        expect(tail.epochs, `from epoch ${k + 1}`).toEqual(full.epochs.slice(k + 1));
        expect(tail.stopReason).toBe('earlyStopping');
        expectSameBits(resumed.getParameters(), whole.getParameters(), `parameters from epoch ${k + 1}`);
      });
    });

    it('a checkpoint taken after early stopping fired resumes into the same ending at once, on the best weights', () => {
      const { options, data, fitOptions } = kind.impatient;
      const net = create(options);
      let checkpoint = '';
      const history = net.fit(data, { ...fitOptions, onEpoch: () => { checkpoint = JSON.stringify(net.toJSON({ training: true })); } });
      expect(history.stopReason).toBe('earlyStopping');
      const saved = JSON.parse(checkpoint).training.fit;
      expect(saved.stopReason).toBe('earlyStopping');
      const resumed = fromJSON(checkpoint);
      const tail = resumed.fit(data, fitOptions);
      expect(tail.epochs).toEqual([]);
      expect(tail.stopReason).toBe('earlyStopping');
      expectSameBits(resumed.getParameters(), Float64Array.from(saved.bestParameters), 'the best epoch\'s parameters');
      expectSameBits(resumed.getParameters(), net.getParameters(), 'parameters');
    });
  });

  describe('resuming between fits', () => {
    const { options, data, fitOptions, asyncFitOptions } = kind.between;
    const epochs = fitOptions.epochs!;

    for (const to of BACKENDS) {
      it(`fit 3 epochs, save, load on ${to}, fit to epoch ${epochs} = fit ${epochs} epochs (Keras's initialEpoch)`, () => {
        const whole = create(options);
        const full = whole.fit(data, fitOptions);
        const first = create(options);
        first.fit(data, { ...fitOptions, epochs: 3 });
        const saved = first.toJSON({ training: true });
        expect(saved.training!.fit!.epoch).toBe(3);
        const resumed = fromJSON(JSON.stringify(saved), { backend: to });
        const tail = resumed.fit(data, fitOptions);
        expect(tail.epochs.map((e) => e.epoch)).toEqual(Array.from({ length: epochs - 3 }, (_, k) => 3 + k));
        expect(tail.epochs).toEqual(full.epochs.slice(3));
        expectSameTraining(resumed, whole);
        // The live network resumes when told where from.
        first.fit(data, { ...fitOptions, initialEpoch: 3 });
        expectSameBits(first.getParameters(), whole.getParameters(), 'parameters (live, initialEpoch 3)');
      });
    }

    it('a checkpoint saved from fitAsync\'s onEpoch resumes with fit (and with fitAsync) to the same bits', async () => {
      const whole = create(options);
      const full = whole.fit(data, asyncFitOptions);
      const first = create(options);
      let checkpoint = '';
      await first.fitAsync(data, { ...asyncFitOptions, onEpoch: ({ epoch }) => (epoch === 3 ? ((checkpoint = JSON.stringify(first.toJSON({ training: true }))), false) : true) });
      const resumed = fromJSON(checkpoint);
      expect(resumed.fit(data, asyncFitOptions).epochs).toEqual(full.epochs.slice(4));
      expectSameTraining(resumed, whole);
      const again = fromJSON(checkpoint, { backend: 'js' });
      expect((await again.fitAsync(data, asyncFitOptions)).epochs).toEqual(full.epochs.slice(4));
      expectSameTraining(again, whole);
    });

    it('a plain toJSON carries no training state; initialEpoch 0 starts a new run from a checkpoint', () => {
      const net = create(options);
      net.fit(data, { ...fitOptions, epochs: 2 });
      expect(net.toJSON().training).toBeUndefined();
      const loaded = fromJSON(net.toJSON({ training: true }));
      expect(loaded.fit(data, { ...fitOptions, epochs: 2, initialEpoch: 0 }).epochs.map((e) => e.epoch)).toEqual([0, 1]);
    });
  });

  describe('saved before the first fit', () => {
    const { options, data, fitOptions, defaultStandardize } = kind.fresh;

    for (const standardize of [false, undefined, true, { inputs: false, targets: true }, { inputs: true, targets: false }]) {
      it(`standardize ${JSON.stringify(standardize)}: the loaded network's first fit measures what its options asked and ends where the saved one does`, () => {
        const saved = create({ ...options, seed: 8, standardize, backend: 'js' });
        const loaded = fromJSON(JSON.stringify(saved.toJSON()), { backend: 'wasm' });
        expect(loaded.fit(data, fitOptions).epochs).toEqual(saved.fit(data, fitOptions).epochs);
        expectSameBits(loaded.getParameters(), saved.getParameters(), 'parameters');
        expect(loaded.toJSON().scaling).toEqual(saved.toJSON().scaling);
      });
    }

    it('a file with neither figures nor a choice (written before they existed) trains without figures', () => {
      const json = create({ ...options, seed: 8 }).toJSON();
      expect(json.standardize).toEqual(defaultStandardize);
      delete json.standardize;
      const loaded = fromJSON(json);
      loaded.fit(data, fitOptions);
      expect(loaded.toJSON().scaling).toBeUndefined();
      // The older writer's {} for "none" still loads as none.
      const none = fromJSON({ ...json, scaling: {} });
      none.fit(data, fitOptions);
      expectSameBits(none.getParameters(), loaded.getParameters(), 'parameters');
    });

    it('a standardize that is not two switches is refused with FormatError naming it', () => {
      const json = create({ ...options, seed: 8 }).toJSON();
      for (const [value, field] of [['yes', 'json.standardize'], [true, 'json.standardize'], [{ inputs: false, targets: null }, 'json.standardize.targets'],
        [{ inputs: 1, targets: true }, 'json.standardize.inputs'], [{ inputs: true }, 'json.standardize.targets'],
        [{ inputs: true, targets: false, mean: 0 }, 'json.standardize.mean']] as const) {
        expect(() => fromJSON({ ...json, standardize: value })).toThrow(expect.objectContaining({ name: 'FormatError', argument: field }));
      }
    });
  });
}

/** The property that `options` resumed from a checkpoint saved at a random epoch ends as the run that never stopped. */
export async function expectResumedAtAnyEpoch<Options extends { seed?: number; backend?: BackendName; standardize?: unknown }, Data, Fit extends SuiteFitOptions>(
  kind: { create(options: Options): CheckpointNetwork<Data, Fit>; fromJSON: CheckpointKind<Options, Data, Fit>['fromJSON'] },
  { options, data, fitOptions }: Run<Options, Data, Fit>,
  { from, to, stopPick, resumeAsync, sameLosses }: { from: BackendName; to: BackendName; stopPick: number; resumeAsync: boolean; sameLosses: boolean },
): Promise<void> {
  // The uninterrupted run, which also saves a checkpoint after every epoch (saving must not disturb it).
  const whole = kind.create({ ...options, backend: from });
  const saved: string[] = [];
  const full = whole.fit(data, { ...fitOptions, onEpoch: () => { saved.push(JSON.stringify(whole.toJSON({ training: true }))); } });
  const k = stopPick % saved.length;
  const resumed = kind.fromJSON(saved[k]!, { backend: to });
  const tail = resumeAsync ? await resumed.fitAsync(data, fitOptions) : resumed.fit(data, fitOptions);
  // History against the uninterrupted run on the resuming backend where a loss may differ by an ulp between backends.
  const there = from === to || sameLosses ? full : kind.create({ ...options, backend: to }).fit(data, { ...fitOptions, onEpoch: () => {} });
  expect([...there.epochs.slice(0, k + 1), ...tail.epochs]).toEqual(there.epochs);
  expect(tail.stopReason).toBe(full.stopReason);
  expectSameTraining(resumed, whole, { sameLosses: from === to || sameLosses });
  expect(resumed.toJSON().scaling).toEqual(whole.toJSON().scaling);
  whole.dispose();
  resumed.dispose();
}

/** Fit options that exercise every part of the saved state: order, hold-out, early stopping, divergence policy. */
export function fitting({ epochs, batchSize }: { epochs: number; batchSize: number }) {
  return fc.record({
    epochs: fc.integer({ min: 2, max: epochs }),
    batchSize: fc.integer({ min: 1, max: batchSize }),
    shuffle: fc.boolean(),
    split: fc.boolean(),
    patience: fc.option(fc.integer({ min: 1, max: 3 }), { nil: undefined }),
    onDivergence: fc.constantFrom('throw' as const, 'reduceLearningRate' as const),
  }).map((f) => ({
    epochs: f.epochs,
    batchSize: f.batchSize,
    shuffle: f.shuffle,
    onDivergence: f.onDivergence,
    ...(f.split ? { validationSplit: 0.25 } : {}),
    ...(f.patience === undefined ? {} : { earlyStopping: { patience: f.patience, minDelta: 1e-4 } }),
  }));
}

// What may replace a value: other types, out-of-range numbers, shuffled or shortened arrays.
const replacement = fc.oneof(
  fc.constantFrom(null, true, '', 'earlyStopping', -1, 0.5, 1.5, 2 ** 31, 2 ** 32, Number.MAX_VALUE, -1e300, 5e-324, [], {}, [0], [1, 0], [2, 1, 0]),
  fc.double(),
  fc.array(fc.double({ min: -10, max: 10, noNaN: true }), { maxLength: 40 }),
);

/**
 * The property that checkpoint `text` with the value at one of `paths` replaced or removed is refused with a
 * FormatError, or loads, saves back the same text on the other backend and trains with `fits(epoch)` (or refuses
 * with a NeuriteError); `runs` cases.
 */
export function expectDamagedCheckpointsRefusedOrUsable<Data, Fit>(
  fromJSON: (json: unknown, options: { backend: BackendName }) => CheckpointNetwork<Data, Fit>,
  { text, paths, data, fits, runs }: { text: string; paths: (string | number)[][]; data: Data; fits: (epoch: number) => Fit[]; runs: number },
): void {
  let loaded = 0;
  fc.assert(fc.property(fc.constantFrom(...paths), fc.option(replacement, { nil: undefined }), fc.constantFrom(...BACKENDS), (path, value, backend) => {
    const model = JSON.parse(text);
    replaceAt(model, path, value);
    let net: CheckpointNetwork<Data, Fit>;
    try {
      net = fromJSON(model, { backend });
    } catch (error) {
      expect(error).toBeInstanceOf(FormatError);
      return;
    }
    loaded++;
    const again = JSON.stringify(net.toJSON({ training: true }));
    expect(JSON.stringify(fromJSON(again, { backend: backend === 'js' ? 'wasm' : 'js' }).toJSON({ training: true }))).toBe(again);
    const epoch = typeof model.training.fit?.epoch === 'number' ? model.training.fit.epoch : 0;
    for (const more of fits(epoch)) {
      try {
        net.fit(data, more);
      } catch (error) {
        // A typed refusal (data that does not match the saved order, a divergence) is an answer; anything else is a bug.
        expect(error).toBeInstanceOf(NeuriteError);
      }
    }
    expect(Array.from(net.getParameters()).every(Number.isFinite)).toBe(true);
    net.dispose();
  }), { numRuns: runs });
  expect(loaded).toBeGreaterThan(0);
}
