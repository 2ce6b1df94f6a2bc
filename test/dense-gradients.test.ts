// Backpropagation agrees with central finite differences of the loss, for every activation and loss.
import { describe, expect, it } from 'vitest';
import { type Activation, DenseNetwork, type Loss } from '../src/index.js';
import { randomArray, rng } from './helpers/data.js';

const HIDDEN: Activation[] = ['identity', 'sigmoid', 'tanh', 'relu', 'leakyRelu', 'elu'];
const OUTPUTS: [Activation, Loss][] = [
  ...(['identity', 'sigmoid', 'tanh', 'relu', 'leakyRelu', 'elu', 'softmax'] as Activation[]).map((a): [Activation, Loss] => [a, 'mse']),
  ['sigmoid', 'binaryCrossEntropy'],
  ['softmax', 'crossEntropy'],
];

function targetsFor(loss: Loss, output: Activation, random: () => number, rows: number, width: number): Float64Array {
  const t = new Float64Array(rows * width);
  for (let r = 0; r < rows; r++) {
    if (output === 'softmax') t[r * width + Math.floor(random() * width)] = 1;
    else for (let i = 0; i < width; i++) t[r * width + i] = loss === 'binaryCrossEntropy' ? Math.round(random()) : 2 * random() - 1;
  }
  return t;
}

describe.each(['js', 'wasm'] as const)('gradients on the %s backend', (backend) => {
  for (const hidden of HIDDEN) {
    for (const [output, loss] of OUTPUTS) {
      it(`${hidden} hidden, ${output} output, ${loss}: analytic matches finite differences (rel < 1e-6)`, () => {
        const random = rng(HIDDEN.indexOf(hidden) * 31 + OUTPUTS.findIndex(([a, l]) => a === output && l === loss));
        const net = new DenseNetwork({
          layers: [{ size: 3 }, { size: 5, activation: hidden }, { size: 4, activation: hidden }, { size: 3, activation: output }],
          loss, optimizer: { type: 'sgd', learningRate: 1e-3 }, seed: 11, backend,
        });
        const rows = 4;
        const inputs = randomArray(random, rows * 3, 2);
        const targets = targetsFor(loss, output, random, rows, 3);
        // Non-zero biases: with zero biases a unit fed by dead relus sits exactly on the kink at 0.
        const before = net.getParameters().map((p) => p + 0.2 * (2 * random() - 1));
        net.setParameters(before);
        net.trainStep(inputs, targets, rows);
        const analytic = net.lastGradients();
        const data = { inputs, targets };
        const h = 1e-5;
        let worst = 0;
        for (let k = 0; k < before.length; k++) {
          const p = before.slice();
          p[k] = before[k]! + h;
          net.setParameters(p);
          const plus = net.evaluate(data).loss;
          p[k] = before[k]! - h;
          net.setParameters(p);
          const minus = net.evaluate(data).loss;
          const numeric = (plus - minus) / (2 * h);
          // Relative error, with an absolute floor where both are ~0 (e.g. dead relu units).
          const error = Math.abs(numeric - analytic[k]!) / Math.max(Math.abs(numeric), Math.abs(analytic[k]!), 1e-4);
          worst = Math.max(worst, error);
        }
        expect(worst).toBeLessThan(1e-6);
      });
    }
  }
});

describe('lastGradientNorm', () => {
  it('is the L2 norm of lastGradients(), summed independently', () => {
    for (const backend of ['js', 'wasm'] as const) {
      const net = new DenseNetwork({ layers: [5, 7, 3], activation: 'tanh', outputActivation: 'softmax', seed: 4, backend });
      const random = rng(77);
      net.trainStep(randomArray(random, 6 * 5), Float64Array.from({ length: 18 }, (_, i) => (i % 3 === 0 ? 1 : 0)), 6);
      const norm = Math.hypot(...net.lastGradients());
      expect(Math.abs(net.lastGradientNorm - norm)).toBeLessThanOrEqual(1e-14 * norm);
    }
  });
});
