// Exact checkpoints: a run saved with toJSON({ training: true }), loaded on either backend and trained on ends
// bit-identical to the run that never stopped: weights, optimizer moments, shuffling, early stopping and history.
// The tests shared with recurrent networks: helpers/checkpoint-suite.ts.
import { describe, expect, it } from 'vitest';
import { DenseNetwork, type DenseData, type DenseNetworkOptions, FormatError, type FitOptions, StateError } from '../src/index.js';
import { moons } from './helpers/problems.js';
import { checkpointTests } from './helpers/checkpoint-suite.js';

const data = moons(5, 200).train;
const regression = { inputs: data.inputs, targets: data.targets.map((t, i) => 10 * t + data.inputs[2 * i]!) };

checkpointTests<DenseNetworkOptions, DenseData, FitOptions>({
  create: (options) => new DenseNetwork(options),
  fromJSON: (json, options) => DenseNetwork.fromJSON(json, options),
  configs: [
    ['adam, automatic hold-out and early stopping', { layers: [2, 8, 1] }, data, { batchSize: 16 }],
    ['momentum (Nesterov), validationSplit, early stopping that fires', { layers: [2, 6, 1], optimizer: { type: 'momentum', nesterov: true, learningRate: 0.05 } }, data,
      { epochs: 300, batchSize: 10, validationSplit: 0.25, earlyStopping: { patience: 4, minDelta: 1e-3 } }],
    ['adam on standardized regression targets, no shuffling', { layers: [2, 6, 1], outputActivation: 'identity' }, regression,
      { epochs: 40, batchSize: 32, shuffle: false }],
  ],
  patient: {
    options: { layers: [2, 6, 1], seed: 5, backend: 'js' }, data,
    fitOptions: { epochs: 400, batchSize: 20, validationSplit: 0.25, earlyStopping: { patience: 5, minDelta: 2e-3 } },
  },
  impatient: {
    options: { layers: [2, 4, 1], seed: 9 }, data,
    fitOptions: { epochs: 500, batchSize: 10, validationSplit: 0.25, earlyStopping: { patience: 2, minDelta: 0.01 } },
  },
  between: {
    options: { layers: [2, 8, 1], seed: 4, backend: 'wasm' }, data,
    fitOptions: { epochs: 10, batchSize: 8 },
    asyncFitOptions: { epochs: 8, batchSize: 16, validationSplit: 0.2, earlyStopping: { patience: 50 } },
  },
  fresh: {
    options: { layers: [2, 6, 1], outputActivation: 'identity' }, data: regression,
    fitOptions: { epochs: 3, batchSize: 16 },
    defaultStandardize: { inputs: false, targets: true },
  },
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
