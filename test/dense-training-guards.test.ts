// Training refuses what would corrupt it: dispose() or re-entrant training from onEpoch (issue 13, defects 3 and 4),
// and targets outside the loss's domain (defect 11).
import { describe, expect, it } from 'vitest';
import { DenseNetwork, OutOfRangeError, StateError } from '../src/index.js';
import { moons } from './helpers/problems.js';

const BACKENDS = ['wasm', 'js'] as const;
const data = moons(2, 120).train;

describe.each(BACKENDS)('on the %s backend', (backend) => {
  const options = { layers: [2, 6, 1], seed: 8, backend } as const;

  it('dispose() inside a synchronous fit\'s onEpoch: fit throws StateError and trains no further', () => {
    const net = new DenseNetwork(options);
    let other: DenseNetwork | undefined;
    let before: Float64Array | undefined;
    let calls = 0;
    expect(() => net.fit(data, {
      epochs: 5,
      onEpoch: () => {
        calls++;
        net.dispose();
        // A network made where the freed memory was must not be trained by the outer fit.
        other = new DenseNetwork({ layers: [2, 6, 1], seed: 1, backend });
        before = other.getParameters();
      },
    })).toThrow(StateError);
    expect(calls).toBe(1);
    expect(other!.getParameters()).toEqual(before);
    expect(() => new DenseNetwork({ layers: [4, 4, 1], backend }).predict([1, 2, 3, 4])).not.toThrow();
  });

  it('fit, fitAsync and trainStep inside onEpoch throw StateError; the outer fit goes on unchanged afterwards', async () => {
    const reference = new DenseNetwork(options);
    const expected = reference.fit(data, { epochs: 3 });
    for (const call of ['fit', 'fitAsync', 'trainStep'] as const) {
      const net = new DenseNetwork(options);
      let thrown: unknown;
      const history = net.fit(data, {
        epochs: 3,
        onEpoch: ({ epoch }) => {
          if (epoch !== 1) return;
          try {
            if (call === 'fit') net.fit([{ input: [9, 9], output: [1] }], { epochs: 1 });
            else if (call === 'trainStep') net.trainStep([9, 9], [1]);
            else void net.fitAsync([{ input: [9, 9], output: [1] }], { epochs: 1 }).catch((error: unknown) => { thrown = error; });
          } catch (error) {
            thrown = error;
          }
        },
      });
      await Promise.resolve();
      expect(thrown, call).toBeInstanceOf(StateError);
      expect(history, call).toEqual(expected);
      expect(net.getParameters(), call).toEqual(reference.getParameters());
    }
  });

  it('evaluate and predict inside onEpoch are allowed and change nothing of the run', () => {
    const reference = new DenseNetwork(options);
    const expected = reference.fit(data, { epochs: 3 });
    const net = new DenseNetwork(options);
    const seen: number[] = [];
    const history = net.fit(data, { epochs: 3, onEpoch: () => { seen.push(net.evaluate(moons(9, 60).train).loss, net.predict([0.5, 0.5])[0]!); } });
    expect(history).toEqual(expected);
    expect(net.getParameters()).toEqual(reference.getParameters());
    expect(seen.every(Number.isFinite)).toBe(true);
  });

  it('trainStep while fitAsync runs throws StateError; training works again once it is done', async () => {
    const net = new DenseNetwork(options);
    const running = net.fitAsync(moons(1, 20_000).train, { epochs: 1, batchSize: 1 });
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(() => net.trainStep([1, 2], [1])).toThrow(StateError);
    await expect(net.fitAsync(data, { epochs: 1 })).rejects.toThrow(StateError);
    await running;
    expect(Number.isFinite(net.trainStep([1, 2], [1]))).toBe(true);
    expect(net.fit(data, { epochs: 1 }).epochs.length).toBe(1);
  });
});

describe('targets outside the loss\'s domain', () => {
  const softmax = () => new DenseNetwork({ layers: [2, 4, 3], outputActivation: 'softmax', seed: 1 });
  const sigmoid = () => new DenseNetwork({ layers: [2, 4, 1], loss: 'binaryCrossEntropy', seed: 1 });

  it('crossEntropy refuses negative targets and rows that do not sum to 1, in fit, evaluate, trainStep and validationData', () => {
    const negative = [{ input: [0, 1], output: [1.5, -0.5, 0] }];
    const half = { inputs: [0, 1], targets: [0.5, 0, 0] };
    const net = softmax();
    const before = net.getParameters();
    expect(() => net.fit(negative, { epochs: 1 })).toThrow(OutOfRangeError);
    expect(() => net.fit(half, { epochs: 1 })).toThrow(/data.targets.*sum to 1/);
    expect(() => net.evaluate(negative)).toThrow(/>= 0, got -0.5/);
    expect(() => net.trainStep([0, 1], [1.5, -0.5, 0])).toThrow(OutOfRangeError);
    expect(() => net.fit([{ input: [0, 1], output: [1, 0, 0] }], { epochs: 1, validationData: negative })).toThrow(/options.validationData/);
    expect(net.getParameters()).toEqual(before);
    // Soft labels that form a distribution are fine.
    expect(Number.isFinite(net.trainStep([0, 1], [0.2, 0.7, 0.1]))).toBe(true);
  });

  it('binaryCrossEntropy refuses targets outside [0, 1], naming the argument; mse takes any', () => {
    const net = sigmoid();
    for (const t of [-0.1, 1.2]) {
      try {
        net.fit([{ input: [0, 1], output: [t] }], { epochs: 1 });
        expect.unreachable();
      } catch (error) {
        expect(error).toBeInstanceOf(OutOfRangeError);
        expect((error as OutOfRangeError).argument).toBe('data[0].output');
      }
    }
    expect(() => net.trainStep([0, 1], [2])).toThrow(/targets: loss 'binaryCrossEntropy' needs targets in \[0, 1\]/);
    expect(() => new DenseNetwork({ layers: [2, 4, 1], loss: 'mse' }).trainStep([0, 1], [-7])).not.toThrow();
  });
});
