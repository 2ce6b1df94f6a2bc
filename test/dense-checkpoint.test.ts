// Exact checkpoints: a run saved with toJSON({ training: true }), loaded on either backend and trained on ends
// bit-identical to the run that never stopped: weights, optimizer moments, shuffling, early stopping and history.
import { describe, expect, it } from 'vitest';
import { DenseNetwork, type DenseNetworkOptions, FormatError, type FitOptions, StateError } from '../src/index.js';
import { moons } from './helpers/problems.js';
import { expectSameBits } from './helpers/bits.js';

const BACKENDS = ['wasm', 'js'] as const;
const data = moons(5, 200).train;

const CONFIGS: [string, DenseNetworkOptions, FitOptions][] = [
  ['adam, automatic hold-out and early stopping', { layers: [2, 8, 1] }, { batchSize: 16 }],
  ['momentum (Nesterov), validationSplit, early stopping that fires', { layers: [2, 6, 1], optimizer: { type: 'momentum', nesterov: true, learningRate: 0.05 } },
    { epochs: 300, batchSize: 10, validationSplit: 0.25, earlyStopping: { patience: 4, minDelta: 1e-3 } }],
  ['adam on standardized regression targets, no shuffling', { layers: [2, 6, 1], outputActivation: 'identity' },
    { epochs: 40, batchSize: 32, shuffle: false }],
];

describe.each(CONFIGS)('checkpoint: %s', (_name, options, fitOptions) => {
  const regression = options.outputActivation === 'identity';
  const rows = regression ? { inputs: data.inputs, targets: data.targets.map((t, i) => 10 * t + data.inputs[2 * i]!) } : data;

  for (const from of BACKENDS) {
    for (const to of BACKENDS) {
      it(`saved in onEpoch on ${from}, resumed on ${to}: same weights, moments and history as the run that never stopped`, () => {
        const whole = new DenseNetwork({ ...options, seed: 21, backend: from });
        const full = whole.fit(rows, fitOptions);
        const stopAt = Math.max(1, Math.floor(full.epochs.length / 2));
        let checkpoint = '';
        const first = new DenseNetwork({ ...options, seed: 21, backend: from });
        const head = first.fit(rows, {
          ...fitOptions,
          onEpoch: ({ epoch }) => {
            if (epoch + 1 !== stopAt) return true;
            checkpoint = JSON.stringify(first.toJSON({ training: true }));
            return false;
          },
        });
        expect(head.epochs.length).toBe(stopAt);
        const resumed = DenseNetwork.fromJSON(checkpoint, { backend: to });
        const tail = resumed.fit(rows, fitOptions);
        expect([...head.epochs, ...tail.epochs]).toEqual(full.epochs);
        expect(tail.stopReason).toBe(full.stopReason);
        expectSameBits(resumed.getParameters(), whole.getParameters(), 'parameters');
        const a = resumed.toJSON({ training: true }).training!;
        const b = whole.toJSON({ training: true }).training!;
        expectSameBits(Float64Array.from(a.moment1), Float64Array.from(b.moment1), 'first moments');
        expectSameBits(Float64Array.from(a.moment2), Float64Array.from(b.moment2), 'second moments');
        expect(a.random).toBe(b.random);
      });
    }
  }
});

describe('early stopping in the middle of its patience', () => {
  it('resumed from every epoch of a run that stops early (patience counter > 0 at some), on both backends', () => {
    const options: DenseNetworkOptions = { layers: [2, 6, 1], seed: 5, backend: 'js' };
    const fitOptions: FitOptions = { epochs: 400, batchSize: 20, validationSplit: 0.25, earlyStopping: { patience: 5, minDelta: 2e-3 } };
    const whole = new DenseNetwork(options);
    const checkpoints: string[] = [];
    const full = whole.fit(data, { ...fitOptions, onEpoch: () => { checkpoints.push(JSON.stringify(whole.toJSON({ training: true }))); } });
    expect(full.stopReason).toBe('earlyStopping');
    const waiting = checkpoints.filter((c) => JSON.parse(c).training.fit.waited > 0);
    expect(waiting.length).toBeGreaterThan(2);
    checkpoints.forEach((checkpoint, k) => {
      const resumed = DenseNetwork.fromJSON(checkpoint, { backend: k % 2 === 0 ? 'wasm' : 'js' });
      const tail = resumed.fit(data, fitOptions);
      expect(tail.epochs, `from epoch ${k + 1}`).toEqual(full.epochs.slice(k + 1));
      expect(tail.stopReason).toBe('earlyStopping');
      expectSameBits(resumed.getParameters(), whole.getParameters(), `parameters from epoch ${k + 1}`);
    });
  });
});

describe('saved before the first fit', () => {
  const rows = { inputs: data.inputs, targets: data.targets.map((t, i) => 10 * t + data.inputs[2 * i]!) };
  const fitOptions: FitOptions = { epochs: 3, batchSize: 16 };

  for (const standardize of [false, undefined, true, { inputs: true, targets: false }]) {
    it(`standardize ${JSON.stringify(standardize)}: the loaded network's first fit measures what its options asked and ends where the saved one does`, () => {
      const saved = new DenseNetwork({ layers: [2, 6, 1], outputActivation: 'identity', seed: 8, standardize, backend: 'js' });
      const loaded = DenseNetwork.fromJSON(JSON.stringify(saved.toJSON()), { backend: 'wasm' });
      expect(loaded.fit(rows, fitOptions).epochs).toEqual(saved.fit(rows, fitOptions).epochs);
      expectSameBits(loaded.getParameters(), saved.getParameters(), 'parameters');
      expect(loaded.toJSON().scaling).toEqual(saved.toJSON().scaling);
    });
  }

  it('a file with neither figures nor a choice (written before they existed) trains without figures', () => {
    const json = new DenseNetwork({ layers: [2, 6, 1], outputActivation: 'identity', seed: 8 }).toJSON();
    expect(json.standardize).toEqual({ inputs: false, targets: true });
    delete json.standardize;
    const loaded = DenseNetwork.fromJSON(json);
    loaded.fit(rows, fitOptions);
    expect(loaded.toJSON().scaling).toBeUndefined();
  });

  it('a standardize that is not two switches is refused with FormatError naming it', () => {
    const json = new DenseNetwork({ layers: [2, 6, 1], seed: 8 }).toJSON();
    for (const [value, field] of [['yes', 'json.standardize'], [{ inputs: false, targets: null }, 'json.standardize.targets']] as const) {
      expect(() => DenseNetwork.fromJSON({ ...json, standardize: value })).toThrow(expect.objectContaining({ name: 'FormatError', argument: field }));
    }
  });
});

describe('resuming between fits', () => {
  for (const to of BACKENDS) {
    it(`fit 3 epochs, save, load on ${to}, fit to epoch 10 = fit 10 epochs (Keras's initialEpoch)`, () => {
      const options: DenseNetworkOptions = { layers: [2, 8, 1], seed: 4, backend: 'wasm' };
      const fitOptions: FitOptions = { epochs: 10, batchSize: 8 };
      const whole = new DenseNetwork(options);
      const full = whole.fit(data, fitOptions);
      const first = new DenseNetwork(options);
      first.fit(data, { ...fitOptions, epochs: 3 });
      const saved = first.toJSON({ training: true });
      expect(saved.training!.fit!.epoch).toBe(3);
      const resumed = DenseNetwork.fromJSON(JSON.stringify(saved), { backend: to });
      const tail = resumed.fit(data, fitOptions);
      expect(tail.epochs.map((e) => e.epoch)).toEqual([3, 4, 5, 6, 7, 8, 9]);
      expect(tail.epochs).toEqual(full.epochs.slice(3));
      expectSameBits(resumed.getParameters(), whole.getParameters(), 'parameters');
      // The live network resumes when told where from.
      first.fit(data, { ...fitOptions, initialEpoch: 3 });
      expectSameBits(first.getParameters(), whole.getParameters(), 'parameters (live, initialEpoch 3)');
    });
  }

  it('a checkpoint saved from fitAsync\'s onEpoch resumes with fit (and the other way round) to the same bits', async () => {
    const options: DenseNetworkOptions = { layers: [2, 8, 1], seed: 6 };
    const fitOptions: FitOptions = { epochs: 8, batchSize: 16, validationSplit: 0.2, earlyStopping: { patience: 50 } };
    const whole = new DenseNetwork(options);
    const full = whole.fit(data, fitOptions);
    const first = new DenseNetwork(options);
    let checkpoint = '';
    await first.fitAsync(data, { ...fitOptions, onEpoch: ({ epoch }) => (epoch === 3 ? ((checkpoint = JSON.stringify(first.toJSON({ training: true }))), false) : true) });
    const resumed = DenseNetwork.fromJSON(checkpoint);
    expect(resumed.fit(data, fitOptions).epochs).toEqual(full.epochs.slice(4));
    expectSameBits(resumed.getParameters(), whole.getParameters(), 'parameters');
    const again = DenseNetwork.fromJSON(checkpoint, { backend: 'js' });
    expect((await again.fitAsync(data, fitOptions)).epochs).toEqual(full.epochs.slice(4));
    expectSameBits(again.getParameters(), whole.getParameters(), 'parameters (fitAsync)');
  });

  it('initialEpoch 0 starts a new run from a checkpoint; a plain toJSON carries no training state', () => {
    const net = new DenseNetwork({ layers: [2, 4, 1], seed: 2 });
    net.fit(data, { epochs: 2 });
    expect(net.toJSON().training).toBeUndefined();
    const loaded = DenseNetwork.fromJSON(net.toJSON({ training: true }));
    expect(loaded.fit(data, { epochs: 2, initialEpoch: 0 }).epochs.map((e) => e.epoch)).toEqual([0, 1]);
  });

  it('a checkpoint taken after early stopping fired resumes into the same ending at once', () => {
    const fitOptions: FitOptions = { epochs: 500, batchSize: 10, validationSplit: 0.25, earlyStopping: { patience: 2, minDelta: 0.01 } };
    const net = new DenseNetwork({ layers: [2, 4, 1], seed: 9 });
    let checkpoint = '';
    const history = net.fit(data, { ...fitOptions, onEpoch: () => { checkpoint = JSON.stringify(net.toJSON({ training: true })); } });
    expect(history.stopReason).toBe('earlyStopping');
    const resumed = DenseNetwork.fromJSON(checkpoint);
    const tail = resumed.fit(data, fitOptions);
    expect(tail.epochs).toEqual([]);
    expect(tail.stopReason).toBe('earlyStopping');
    expectSameBits(resumed.getParameters(), net.getParameters(), 'parameters');
  });
});

describe('checkpoint files are checked', () => {
  const net = new DenseNetwork({ layers: [2, 4, 1], seed: 2 });
  net.fit(data, { epochs: 2 });
  const good = net.toJSON({ training: true });

  it('refuses a visiting order that is not a permutation (it indexes the staged rows)', () => {
    const bad = structuredClone(good);
    bad.training!.fit!.order![0] = 10_000;
    expect(() => DenseNetwork.fromJSON(bad)).toThrow(FormatError);
    const repeated = structuredClone(good);
    repeated.training!.fit!.order![1] = repeated.training!.fit!.order![0]!;
    expect(() => DenseNetwork.fromJSON(repeated)).toThrow(/permutation/);
  });

  it('refuses moments of the wrong length, powers outside [0, 1] and unknown fields', () => {
    const short = structuredClone(good);
    short.training!.moment1.pop();
    expect(() => DenseNetwork.fromJSON(short)).toThrow(/json.training.moment1/);
    const power = structuredClone(good);
    power.training!.beta1Power = 2;
    expect(() => DenseNetwork.fromJSON(power)).toThrow(/beta1Power/);
    const extra = structuredClone(good) as unknown as { training: Record<string, unknown> };
    extra.training.steps = 3;
    expect(() => DenseNetwork.fromJSON(extra)).toThrow(/json.training.steps/);
  });

  it('resuming on other data than the checkpoint was saved with is refused; a refused fit keeps the checkpoint\'s progress', () => {
    const loaded = DenseNetwork.fromJSON(good);
    expect(() => loaded.fit({ inputs: data.inputs.subarray(0, 100), targets: data.targets.subarray(0, 50) }, { epochs: 4 })).toThrow(StateError);
    expect(() => loaded.fit(data, { epochs: 0 })).toThrow(/options.epochs/);
    expect(loaded.fit(data, { epochs: 4 }).epochs.map((e) => e.epoch)).toEqual([2, 3]);
  });

  it('mid-epoch (during fitAsync) no checkpoint is exact: toJSON({ training: true }) throws StateError', async () => {
    const busy = new DenseNetwork({ layers: [2, 4, 1], seed: 2 });
    // The source asks for a checkpoint halfway through the epoch, after 50 steps: no timer decides when.
    let midEpoch: unknown;
    let plain: unknown;
    async function* rows() {
      for (let i = 0; i < 100; i++) {
        if (i === 50) {
          try {
            busy.toJSON({ training: true });
          } catch (error) {
            midEpoch = error;
          }
          plain = busy.toJSON();
        }
        yield { input: [i / 100, 1 - i / 100], output: [i % 2] };
      }
    }
    await busy.fitAsync(() => rows(), { epochs: 1, batchSize: 1, shuffleBuffer: 0 });
    expect(midEpoch).toBeInstanceOf(StateError);
    expect((plain as { weights: unknown[] }).weights.length).toBe(2);
    expect(busy.toJSON({ training: true }).training!.fit!.epoch).toBe(1);
  });
});
