// Properties of exact checkpoints over random networks, data and fit options: a run saved at a random epoch and resumed
// on a random backend ends bit-identical to the run that never stopped; a damaged checkpoint is refused with a
// FormatError or loads into a model that saves back to the same text and trains.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type Activation, DenseNetwork, type DenseNetworkOptions } from '../src/index.js';
import { rng } from './helpers/data.js';
import { expectSameBits } from './helpers/bits.js';
import { pathsUnder } from './helpers/replace-one.js';
import { expectDamagedCheckpointsRefusedOrUsable, expectResumedAtAnyEpoch, fitting } from './helpers/checkpoint-suite.js';

const RUNS = Number(process.env.NEURITE_CHECKPOINT_RUNS ?? 50);
const BACKEND = fc.constantFrom('js' as const, 'wasm' as const);

/** A small network: 1-4 inputs, one or two hidden layers, a sigmoid, softmax or identity output, any optimizer. */
const network: fc.Arbitrary<DenseNetworkOptions> = fc.record({
  input: fc.integer({ min: 1, max: 4 }),
  hidden: fc.array(fc.integer({ min: 1, max: 6 }), { minLength: 1, maxLength: 2 }),
  output: fc.constantFrom<[number, Activation]>([1, 'sigmoid'], [2, 'softmax'], [3, 'softmax'], [1, 'identity'], [2, 'identity']),
  activation: fc.constantFrom<Activation>('tanh', 'relu', 'elu'),
  optimizer: fc.constantFrom('sgd' as const, 'adam' as const, { type: 'momentum' as const, nesterov: true }, { type: 'adam' as const, clipNorm: 0.5, weightDecay: 1e-3 }),
  standardize: fc.boolean(),
  seed: fc.integer({ min: 0, max: 2 ** 32 - 1 }),
}).map((c) => ({
  layers: [c.input, ...c.hidden, { size: c.output[0], activation: c.output[1] }],
  activation: c.activation,
  optimizer: c.optimizer,
  standardize: c.standardize,
  seed: c.seed,
}));

/** 8-30 rows of inputs in [-2, 2] with targets the output accepts (one-hot after softmax, [0, 1] after sigmoid). */
function data(options: DenseNetworkOptions, seed: number): { inputs: Float64Array; targets: Float64Array } {
  const random = rng(seed);
  const layers = options.layers as (number | { size: number; activation: Activation })[];
  const nIn = layers[0] as number;
  const out = layers.at(-1) as { size: number; activation: Activation };
  const count = 8 + Math.floor(random() * 23);
  const inputs = Float64Array.from({ length: count * nIn }, () => 4 * random() - 2);
  const targets = new Float64Array(count * out.size);
  for (let r = 0; r < count; r++) {
    if (out.activation === 'softmax') targets[r * out.size + Math.floor(random() * out.size)] = 1;
    else for (let j = 0; j < out.size; j++) targets[r * out.size + j] = out.activation === 'sigmoid' ? random() : 10 * random() - 5;
  }
  return { inputs, targets };
}

describe('a loaded model without standardization figures', () => {
  it('keeps training in its own units: an identity output is not standardized by the fit after loading', () => {
    const rows = { inputs: [0.5, -1, 1.5, 0.2, -0.7], targets: [1, -2, 3, 0.5, 4, -1, 2, 2, -3, 1] };
    const options: DenseNetworkOptions = { layers: [1, 3, { size: 2, activation: 'identity' }], optimizer: 'sgd', standardize: false, seed: 0, backend: 'js' };
    const whole = new DenseNetwork(options);
    whole.fit(rows, { epochs: 1, batchSize: 1, shuffle: false });
    const loaded = DenseNetwork.fromJSON(JSON.stringify(whole.toJSON()), { backend: 'js' });
    // A plain-loop reference for the next epoch is fit itself on the network that never left memory.
    whole.fit(rows, { epochs: 1, batchSize: 1, shuffle: false });
    loaded.fit(rows, { epochs: 1, batchSize: 1, shuffle: false });
    expect(loaded.toJSON().scaling).toBeUndefined();
    expectSameBits(loaded.getParameters(), whole.getParameters(), 'parameters');
  });
});

const dense = { create: (options: DenseNetworkOptions) => new DenseNetwork(options), fromJSON: DenseNetwork.fromJSON.bind(DenseNetwork) };

describe('checkpoint properties', () => {
  it('saved at a random epoch, resumed on a random backend: bit-identical to the run that never stopped', async () => {
    await fc.assert(fc.asyncProperty(network, fitting({ epochs: 12, batchSize: 12 }), fc.nat(), fc.nat(), BACKEND, BACKEND, fc.boolean(),
      async (options, fitOptions, dataSeed, stopPick, from, to, resumeAsync) => {
        // The reported crossEntropy loss of a step can differ by an ulp between the backends' log, while parameters and
        // optimizer state agree bit for bit.
        await expectResumedAtAnyEpoch(dense, { options, data: data(options, dataSeed), fitOptions }, { from, to, stopPick, resumeAsync, sameLosses: false });
      }), { numRuns: RUNS });
  });

  it('a checkpoint with a training value replaced or removed: FormatError, or it loads, saves back the same and trains', () => {
    const base = new DenseNetwork({ layers: [3, 4, 2], outputActivation: 'softmax', standardize: true, seed: 2, backend: 'js' });
    const rows = data({ layers: [3, 4, { size: 2, activation: 'softmax' }] }, 5);
    let text = '';
    base.fit(rows, { epochs: 6, batchSize: 4, validationSplit: 0.25, earlyStopping: { patience: 3 }, onEpoch: ({ epoch }) => { if (epoch === 2) text = JSON.stringify(base.toJSON({ training: true })); } });
    base.dispose();
    const paths = [['scaling'], ...pathsUnder(JSON.parse(text).training, ['training'])].filter((p) => p.length > 1 || p[0] === 'scaling');
    expectDamagedCheckpointsRefusedOrUsable(dense.fromJSON, {
      text, paths, data: rows, runs: 4 * RUNS,
      fits: (epoch) => [{ epochs: Math.min(2 ** 31 - 1, epoch + 1), batchSize: 4, validationSplit: 0.25 }, { initialEpoch: 0, epochs: 1, batchSize: 4 }],
    });
  });
});
