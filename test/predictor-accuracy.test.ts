// The float32 predictor's stated error against the float64 network (src/predictor/predictor.ts): ≤ 2e-6 relative to
// each row's largest output on a 784-128-10 relu/softmax MNIST model trained a little, ≤ 1e-6 absolute on small
// sigmoid and tanh networks trained on random targets.
import { describe, expect, it } from 'vitest';
import { DenseNetwork } from '../src/index.js';
import { digits } from './helpers/problems.js';
import { randomArray, rng } from './helpers/data.js';

/** The largest |float32 − float64| of each row, over the row's largest |float64 output|, and the largest |float32 − float64|. */
function errors(net: DenseNetwork, inputs: Float64Array, count: number): { relative: number; absolute: number } {
  const predictor = net.toPredictor();
  const exact = net.predictBatch(inputs, count);
  const single = predictor.predictBatch(inputs, count);
  predictor.dispose();
  const n = net.outputSize;
  let relative = 0;
  let absolute = 0;
  for (let r = 0; r < count; r++) {
    let largest = 0;
    let error = 0;
    for (let o = 0; o < n; o++) {
      largest = Math.max(largest, Math.abs(exact[r * n + o]!));
      error = Math.max(error, Math.abs(single[r * n + o]! - exact[r * n + o]!));
    }
    relative = Math.max(relative, error / largest);
    absolute = Math.max(absolute, error);
  }
  return { relative, absolute };
}

describe('float32 predictor: error against the float64 network', () => {
  it('784-128-10 relu/softmax on MNIST, trained one epoch: ≤ 2e-6 relative to each row\'s largest output', () => {
    const { train, test } = digits();
    const net = new DenseNetwork({ layers: [784, 128, 10], activation: 'relu', outputActivation: 'softmax', loss: 'crossEntropy', seed: 3 });
    net.fit(train, { epochs: 1, batchSize: 32 });
    expect(net.evaluate(test).accuracy).toBeGreaterThan(0.8);
    const { relative, absolute } = errors(net, test.inputs, test.inputs.length / 784);
    expect(relative).toBeLessThanOrEqual(2e-6);
    expect(absolute).toBeLessThanOrEqual(2e-6);
    // Not exact either: float32 does differ.
    expect(absolute).toBeGreaterThan(0);
    net.dispose();
  });

  for (const activation of ['sigmoid', 'tanh'] as const) {
    for (const sizes of [[2, 8, 1], [16, 32, 32, 4], [10, 64, 64, 3]]) {
      it(`${sizes.join('-')} ${activation}, trained: ≤ 1e-6 absolute`, () => {
        const outputActivation = activation === 'sigmoid' ? 'sigmoid' : 'identity';
        const net = new DenseNetwork({ layers: sizes, activation, outputActivation, seed: 4 });
        const random = rng(3);
        const inputs = randomArray(random, 500 * sizes[0]!, 2);
        const targets = randomArray(random, 500 * sizes.at(-1)!, 1).map((v) => (activation === 'sigmoid' ? (v + 1) / 2 : v));
        net.fit({ inputs, targets }, { epochs: 20 });
        const { absolute } = errors(net, inputs, 500);
        expect(absolute).toBeLessThanOrEqual(1e-6);
        expect(absolute).toBeGreaterThan(0);
        net.dispose();
      });
    }
  }
});
