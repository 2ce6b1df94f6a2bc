// Each optimizer's step against a plain-JS reference written from the formulas in OptimizerOptions'
// documentation and the README: fed the step's own gradients (lastGradients), it must land on the
// same parameters, bit for bit, step after step.
import { describe, expect, it } from 'vitest';
import { DenseNetwork, type OptimizerOptions } from '../src/index.js';
import { randomArray, rng } from './helpers/data.js';
import { referenceOptimizer, referenceStep } from './helpers/optimizer-reference.js';

const SIZES = [3, 4, 2];
const OPTIMIZERS: OptimizerOptions[] = [
  { type: 'sgd', learningRate: 0.1 },
  { type: 'sgd', learningRate: 0.1, weightDecay: 0.01 },
  { type: 'momentum', learningRate: 0.05, momentum: 0.8 },
  { type: 'momentum', learningRate: 0.05, momentum: 0.8, nesterov: true, weightDecay: 0.01 },
  { type: 'adam', learningRate: 0.01 },
  { type: 'adam', learningRate: 0.01, beta1: 0.8, beta2: 0.99, weightDecay: 0.001, clipNorm: 0.05 },
];

/** Whether parameter k is a weight (weight decay applies) or a bias: the layout is [W1 b1 W2 b2 …]. */
function weightMask(sizes: number[]): boolean[] {
  const mask: boolean[] = [];
  for (let l = 1; l < sizes.length; l++) {
    for (let k = 0; k < sizes[l - 1]! * sizes[l]!; k++) mask.push(true);
    for (let k = 0; k < sizes[l]!; k++) mask.push(false);
  }
  return mask;
}

describe.each(['js', 'wasm'] as const)('optimizer steps on the %s backend', (backend) => {
  it('keeps Adam\'s power β^t down to 2^-60 and flushes it to 0 below (where 1 - β^t is 1 either way)', () => {
    // β2 = 0.5: after t steps β2^t = 2^-t exactly.
    const net = new DenseNetwork({ layers: [2, 1], optimizer: { type: 'adam', beta1: 0.5, beta2: 0.5 }, seed: 2, backend });
    const power = (): number => (net.toJSON({ training: true }).training as { beta2Power: number }).beta2Power;
    for (let t = 1; t <= 61; t++) {
      net.trainStep([0.5, -0.5], [0.25]);
      if (t >= 59) expect(power(), `after ${t} steps`).toBe(t <= 60 ? 2 ** -t : 0);
    }
  });
  it.each(OPTIMIZERS.map((o) => [JSON.stringify(o), o] as const))('%s matches the reference formulas for 30 steps', (_, options) => {
    const net = new DenseNetwork({ layers: SIZES, activation: 'tanh', outputActivation: 'sigmoid', optimizer: options, seed: 11, backend });
    const o = net.optimizer;
    const isWeight = weightMask(SIZES);
    const p = Array.from(net.getParameters());
    const state = referenceOptimizer(p.length);
    let clipped = 0;
    const random = rng(3);
    for (let step = 0; step < 30; step++) {
      const rows = 1 + (step % 4);
      net.trainStep(randomArray(random, rows * 3), Float64Array.from({ length: rows * 2 }, () => random()), rows);
      const g = net.lastGradients();
      const norm = Math.sqrt(g.reduce((sum, x) => sum + x * x, 0));
      expect(net.lastGradientNorm).toBeCloseTo(norm, 12);
      // clipNorm scales the whole gradient down to that norm; the norm is the kernel's (its summation order is its own).
      const scale = o.clipNorm > 0 && net.lastGradientNorm > o.clipNorm ? o.clipNorm / net.lastGradientNorm : 1;
      if (scale < 1) clipped++;
      referenceStep(o, state, p, g, isWeight, scale);
      const actual = net.getParameters();
      for (let k = 0; k < p.length; k++) {
        if (!Object.is(actual[k], p[k])) expect.fail(`step ${step}, parameter ${k}: ${actual[k]} where the formula gives ${p[k]}`);
      }
    }
    // The clipped configuration must actually clip, or its formula went untested.
    if (o.clipNorm > 0) expect(clipped).toBeGreaterThan(0);
  });
});
