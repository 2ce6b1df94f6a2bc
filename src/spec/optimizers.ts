/**
 * Every optimizer, defined once: header code, name, its settings with their defaults, and its generated-kernel
 * emitter (absent: the generated kernel does not cover it). Formulas: src/math/optimizers.ts.
 */
import { OPT_ADAM, OPT_MOMENTUM, OPT_SGD } from '../header.js';
import { Op } from '../backend/wasm-encoder.js';
import type { OptimizerKernel } from './kernel.js';

/** One optimizer's definition. */
export interface OptimizerSpec {
  /** Its code in the arena header (DENSE_OPTIMIZER). */
  readonly code: number;
  /** Its name in options, JSON files and the CLI. */
  readonly name: string;
  /** Its own settings and their defaults (learningRate, weightDecay and clipNorm apply to every optimizer). */
  readonly settings: Readonly<Record<string, number | boolean>>;
  /** The default learning rate. */
  readonly learningRate: number;
  /** Its generated-kernel emitter; absent: it runs the generic kernel. */
  readonly kernel?: OptimizerKernel;
}

/** Every optimizer, by code (OPTIMIZER_SPECS[code].code === code). */
export const OPTIMIZER_SPECS: readonly OptimizerSpec[] = [
  {
    code: OPT_SGD, name: 'sgd', settings: {}, learningRate: 0.01,
    kernel: { velocity: false, direction: ({ c }, g) => void c.get(g) },
  },
  {
    code: OPT_MOMENTUM, name: 'momentum', settings: { momentum: 0.9, nesterov: false }, learningRate: 0.01,
    kernel: {
      velocity: true,
      direction: ({ c, mu, nesterov }, g, v, into) => {
        c.get(mu).get(v).op(Op.f64Mul).get(g).op(Op.f64Add).set(into);
        if (nesterov) c.get(g).get(mu).get(into).op(Op.f64Mul, Op.f64Add);
        else c.get(into);
      },
    },
  },
  { code: OPT_ADAM, name: 'adam', settings: { beta1: 0.9, beta2: 0.999, epsilon: 1e-8 }, learningRate: 0.001 },
];
