// The optimizers' step written from the formulas in OptimizerOptions' documentation, for the tests that feed it a
// network's own gradients (lastGradients) and expect the network's parameters, bit for bit.
import { expect } from 'vitest';
import type { OptimizerOptions } from '../../src/index.js';

/** What the reference keeps between steps: the moments and the bias-correction powers β1^t and β2^t. */
export interface ReferenceOptimizer {
  m: number[];
  v: number[];
  power1: number;
  power2: number;
}

/** The reference's state before the first step, for `count` parameters. */
export function referenceOptimizer(count: number): ReferenceOptimizer {
  return { m: new Array<number>(count).fill(0), v: new Array<number>(count).fill(0), power1: 1, power2: 1 };
}

/**
 * One step on `p`: g = scale·grad + decay·p (decay on weights only); sgd p -= lr·g; momentum v = μv + g,
 * p -= lr·(nesterov ? g + μv : v); rmsprop v = ρv + (1-ρ)g², p -= lr·g / (sqrt(v) + ε); adam m = β1m + (1-β1)g,
 * v = β2v + (1-β2)g², p -= lr·(m/(1-β1^t)) / (sqrt(v/(1-β2^t)) + ε).
 */
export function referenceStep(o: Required<OptimizerOptions>, state: ReferenceOptimizer, p: number[], grad: ArrayLike<number>, isWeight: readonly boolean[], scale: number): void {
  const { m, v } = state;
  state.power1 *= o.beta1;
  state.power2 *= o.beta2;
  for (let k = 0; k < p.length; k++) {
    const g = scale * grad[k]! + (isWeight[k] ? o.weightDecay : 0) * p[k]!;
    if (o.type === 'sgd') {
      p[k] = p[k]! - o.learningRate * g;
    } else if (o.type === 'momentum') {
      m[k] = o.momentum * m[k]! + g;
      p[k] = p[k]! - o.learningRate * (o.nesterov ? g + o.momentum * m[k]! : m[k]!);
    } else if (o.type === 'rmsprop') {
      v[k] = o.rho * v[k]! + (1 - o.rho) * (g * g);
      p[k] = p[k]! - o.learningRate * (g / (Math.sqrt(v[k]!) + o.epsilon));
    } else {
      expect(o.type).toBe('adam');
      m[k] = o.beta1 * m[k]! + (1 - o.beta1) * g;
      v[k] = o.beta2 * v[k]! + (1 - o.beta2) * (g * g);
      p[k] = p[k]! - o.learningRate * ((m[k]! / (1 - state.power1)) / (Math.sqrt(v[k]! / (1 - state.power2)) + o.epsilon));
    }
  }
}
