// DenseNetwork learns real problems: XOR, iris, and 10,000 real MNIST digits; the same seed gives the same run.
import { describe, expect, it } from 'vitest';
import { DenseNetwork } from '../src/index.js';
import { iris, mnist, XOR } from './helpers/data.js';

describe.each(['wasm', 'js'] as const)('learning on the %s backend', (backend) => {
  it('XOR with 2-4-1 sigmoid and per-sample SGD reaches MSE < 0.01', () => {
    const net = new DenseNetwork({ layers: [2, 4, 1], activation: 'sigmoid', optimizer: { type: 'sgd', learningRate: 0.5 }, seed: 3, backend });
    net.fit(XOR, { epochs: 5000, batchSize: 1, shuffle: false });
    const mse = XOR.reduce((s, d) => s + (net.predict(d.input)[0]! - d.output[0]!) ** 2, 0) / XOR.length;
    expect(mse).toBeLessThan(0.01);
    expect(net.evaluate(XOR).loss).toBeCloseTo(mse, 12);
  });

  it('iris reaches >= 95% accuracy on 30 held-out flowers', () => {
    const { train, test } = iris();
    const net = new DenseNetwork({ layers: [4, 16, 3], activation: 'tanh', outputActivation: 'softmax', optimizer: { type: 'adam', learningRate: 0.01 }, seed: 1, backend });
    net.fit(train, { epochs: 200, batchSize: 8 });
    expect(net.evaluate(test).accuracy).toBeGreaterThanOrEqual(0.95);
  });
});

describe('reproducibility', () => {
  it('the same seed gives identical histories and weights; another seed does not', () => {
    const { train } = iris();
    const run = (seed: number) => {
      const net = new DenseNetwork({ layers: [4, 8, 3], activation: 'relu', outputActivation: 'softmax', seed });
      const history = net.fit(train, { epochs: 5, batchSize: 10, validationSplit: 0.2 });
      return { history, parameters: net.getParameters() };
    };
    const [a, b, c] = [run(7), run(7), run(8)];
    expect(b.history).toEqual(a.history);
    expect(b.parameters).toEqual(a.parameters);
    expect(c.parameters).not.toEqual(a.parameters);
  });

  it('fitAsync gives the same history and weights as fit', async () => {
    const { train } = iris();
    const options = { layers: [4, 8, 3], activation: 'tanh', outputActivation: 'softmax', seed: 2 } as const;
    const sync = new DenseNetwork(options);
    const async = new DenseNetwork(options);
    const h1 = sync.fit(train, { epochs: 4, batchSize: 7 });
    const h2 = await async.fitAsync(train, { epochs: 4, batchSize: 7 });
    expect(h2).toEqual(h1);
    expect(async.getParameters()).toEqual(sync.getParameters());
  });
});

describe('MNIST', () => {
  it('784-128-10 relu + softmax with adam reaches >= 94% on 2,000 held-out digits after training on 8,000', () => {
    const { train, test } = mnist();
    const net = new DenseNetwork({
      layers: [{ size: 784 }, { size: 128, activation: 'relu' }, { size: 10, activation: 'softmax' }],
      loss: 'crossEntropy', optimizer: { type: 'adam', learningRate: 0.001 }, seed: 1,
    });
    net.fit(train, { epochs: 8, batchSize: 32 });
    const { accuracy } = net.evaluate(test);
    expect(accuracy).toBeGreaterThanOrEqual(0.94);
  });
});
