// Gradient clipping (on by default for recurrent networks), the refusal of a diverging step, and the divergence
// policies of fit ('reduceLearningRate': back to the epoch's start, half the rate, the epoch again).
import { describe, expect, test } from 'vitest';
import { DivergenceError } from '../src/errors.js';
import { RecurrentNetwork } from '../src/recurrent/network.js';
import type { RecurrentData, RecurrentNetworkOptions } from '../src/recurrent/types.js';
import type { FitHistory } from '../src/dense/types.js';
import { expectSameBits } from './helpers/bits.js';
import { engineGradient, raggedPairs } from './helpers/recurrent.js';
import { thrownBy } from './helpers/errors.js';

describe.each(['js', 'wasm'] as const)('training safeguards on %s', (backend) => {
  test('clipping is on by default (clipNorm 1); clipNorm 0 turns it off', () => {
    const layers = [{ type: 'gru', size: 3 }, { type: 'dense', size: 1 }] as const;
    expect(new RecurrentNetwork({ inputSize: 1, layers: [...layers], backend }).optimizer.clipNorm).toBe(1);
    expect(new RecurrentNetwork({ inputSize: 1, layers: [...layers], optimizer: { type: 'sgd', clipNorm: 0 }, backend }).optimizer.clipNorm).toBe(0);
    expect(new RecurrentNetwork({ inputSize: 1, layers: [...layers], optimizer: { type: 'adam', clipNorm: 5 }, backend }).optimizer.clipNorm).toBe(5);
  });

  test('a clipped SGD step moves the weights by −lr · g · clipNorm / ‖g‖', () => {
    const net = new RecurrentNetwork({
      inputSize: 2, layers: [{ type: 'lstm', size: 3 }, { type: 'dense', size: 2 }], optimizer: { type: 'sgd', learningRate: 0.5, clipNorm: 0.01 },
      standardize: false, seed: 2, backend,
    });
    const data = raggedPairs(5, 4, [5, 3, 4, 2], 2, 2, false);
    const before = net.getParameters();
    const gradient = engineGradient(net, data);
    const norm = Math.sqrt(gradient.reduce((sum, g) => sum + g * g, 0));
    expect(norm).toBeGreaterThan(0.01);
    net.fit(data, { epochs: 1, batchSize: 4, shuffle: false });
    const after = net.getParameters();
    for (let i = 0; i < after.length; i++) expect(after[i]).toBeCloseTo(before[i]! - 0.5 * gradient[i]! * (0.01 / norm), 14);
  });

  test('a diverging step is refused: DivergenceError, and that step changes no weight', () => {
    const net = new RecurrentNetwork({ inputSize: 1, layers: [{ type: 'rnn', size: 3 }, { type: 'dense', size: 1 }], standardize: false, seed: 3, backend });
    const parameters = net.getParameters();
    // Head weights near the float64 limit: the outputs overflow, so the loss is not finite.
    parameters.fill(1e308, parameters.length - 4, parameters.length - 1);
    net.setParameters(parameters);
    const data = [[1, 2, 3, 4], [2, 3, 4, 5]];
    const error = thrownBy(() => net.fit(data, { epochs: 1 }));
    expect(error).toBeInstanceOf(DivergenceError);
    expect((error as DivergenceError).epoch).toBe(0);
    expectSameBits(net.getParameters(), parameters, 'weights after the refused step');
    expect(net.fit(data, { epochs: 1, onDivergence: 'stop' }).stopReason).toBe('divergence');
    expectSameBits(net.getParameters(), parameters, 'weights after the refused step');
  });
});

/** Unstandardized series around 2: plain SGD without clipping is stable at a rate of 0.8 and overflows above it. */
const wave = (count: number) => Array.from({ length: count }, (_, s) => Array.from({ length: 10 }, (_, t) => 2 + Math.sin(0.4 * s + 0.5 * t)));
const unclipped = (type: 'sgd' | 'adam', learningRate: number, backend: 'js' | 'wasm'): RecurrentNetworkOptions => ({
  inputSize: 1, layers: [{ type: 'lstm', size: 4 }, { type: 'dense', size: 1 }], standardize: false, optimizer: { type, learningRate, clipNorm: 0 }, seed: 3, backend,
});

/**
 * The policy by hand, from public calls: one fit of one epoch at a time; when it throws DivergenceError, the network
 * goes back to a checkpoint taken before that epoch (weights and optimizer moments), the rate is halved and the epoch
 * run again, 10 times at most; giving up puts the first rate back.
 */
function replay(options: RecurrentNetworkOptions, data: RecurrentData, epochs: number, batchSize: number) {
  let net = new RecurrentNetwork(options);
  const initial = net.learningRate;
  const losses: number[] = [];
  let reductions = 0;
  for (let epoch = 0; epoch < epochs;) {
    const saved = JSON.stringify(net.toJSON({ training: true }));
    try {
      losses.push(net.fit(data, { epochs: 1, batchSize, shuffle: false, initialEpoch: 0 }).epochs[0]!.loss);
      epoch++;
    } catch (error) {
      if (!(error instanceof DivergenceError)) throw error;
      if (reductions === 10) {
        net.learningRate = initial;
        return { net, losses, reductions, diverged: { epoch, batch: error.batch } };
      }
      reductions++;
      const rate = net.learningRate / 2;
      net = RecurrentNetwork.fromJSON(saved, { backend: options.backend });
      net.learningRate = rate;
    }
  }
  return { net, losses, reductions, diverged: undefined };
}

describe.each(['js', 'wasm'] as const)("onDivergence 'reduceLearningRate' on %s", (backend) => {
  test('a rate 16 times too large diverges in the first epoch; four halvings later training runs as if started at the stable rate', () => {
    const data = wave(600);
    const fitOptions = { epochs: 4, batchSize: 1, shuffle: false } as const;
    expect(() => new RecurrentNetwork(unclipped('sgd', 12.8, backend)).fit(data, fitOptions)).toThrow(DivergenceError);
    const net = new RecurrentNetwork(unclipped('sgd', 12.8, backend));
    const history = net.fit(data, { ...fitOptions, onDivergence: 'reduceLearningRate' });
    // 12.8, 6.4, 3.2 and 1.6 overflow within the first epoch; each retry starts from the initial weights, so the run
    // is the one a network built with the rate of 0.8 trains.
    expect(net.learningRate).toBe(12.8 / 16);
    const stable = new RecurrentNetwork(unclipped('sgd', 0.8, backend));
    const reference = stable.fit(data, fitOptions);
    expect(history).toEqual(reference);
    expectSameBits(net.getParameters(), stable.getParameters(), 'parameters');
    // It learns: the loss falls to a third of the first epoch's.
    expect(history.epochs[3]!.loss).toBeLessThan(history.epochs[0]!.loss / 3);
  });

  test.each([['sgd', 1.6], ['sgd', 12.8], ['adam', 1e300], ['sgd', 1e300]] as const)('%s at a rate of %s: as the policy replayed by hand from checkpoints', (type, rate) => {
    const data = wave(300);
    const options = unclipped(type, rate, backend);
    const reference = replay(options, data, 4, 1);
    expect(reference.reductions).toBeGreaterThan(0);
    const net = new RecurrentNetwork(options);
    let history: FitHistory | undefined;
    const thrown = thrownBy(() => { history = net.fit(data, { epochs: 4, batchSize: 1, shuffle: false, onDivergence: 'reduceLearningRate' }); });
    expectSameBits(net.getParameters(), reference.net.getParameters(), 'parameters');
    const a = net.toJSON({ training: true }).training!;
    const b = reference.net.toJSON({ training: true }).training!;
    expectSameBits(Float64Array.from(a.moment1), Float64Array.from(b.moment1), 'first moments');
    expectSameBits(Float64Array.from(a.moment2), Float64Array.from(b.moment2), 'second moments');
    if (reference.diverged) {
      // Gave up after 10 halvings: DivergenceError where the last try failed, and the rate from before the call.
      expect(reference.reductions).toBe(10);
      expect(thrown).toBeInstanceOf(DivergenceError);
      expect({ epoch: (thrown as DivergenceError).epoch, batch: (thrown as DivergenceError).batch }).toEqual(reference.diverged);
      expect(net.learningRate).toBe(rate);
    } else {
      // Rescued: each epoch recorded once, as it finally ran; the network keeps the halved rate.
      expect(thrown).toBeUndefined();
      expect(history!.stopReason).toBe('epochs');
      expect(history!.epochs.map((e) => e.loss)).toEqual(reference.losses);
      expect(net.learningRate).toBe(rate / 2 ** reference.reductions);
    }
  });

  test('a checkpoint saved after a halving resumes with the halvings counted and the first rate kept', () => {
    const data = wave(300);
    const fitOptions = { epochs: 4, batchSize: 1, shuffle: false, onDivergence: 'reduceLearningRate' } as const;
    const whole = new RecurrentNetwork(unclipped('sgd', 1.6, backend));
    const saved: string[] = [];
    const full = whole.fit(data, { ...fitOptions, onEpoch: () => { saved.push(JSON.stringify(whole.toJSON({ training: true }))); } });
    const last = JSON.parse(saved[3]!).training.fit;
    expect(last.reductions).toBeGreaterThan(0);
    expect(last.initialLearningRate).toBe(1.6);
    for (const [k, checkpoint] of saved.entries()) {
      const resumed = RecurrentNetwork.fromJSON(checkpoint, { backend: backend === 'js' ? 'wasm' : 'js' });
      expect(resumed.fit(data, fitOptions).epochs).toEqual(full.epochs.slice(k + 1));
      expectSameBits(resumed.getParameters(), whole.getParameters(), `parameters from epoch ${k + 1}`);
      expect(resumed.learningRate).toBe(whole.learningRate);
      // The progress it saves in turn: epoch, order, halvings and the rate from before them.
      expect(resumed.toJSON({ training: true }).training!.fit).toEqual(whole.toJSON({ training: true }).training!.fit);
    }
  });
});
