/**
 * Every optimizer, defined once: header code, name, its settings with their defaults, and its generated-kernel
 * emitter (absent: the generated kernel does not cover it). Formulas: src/math/optimizers.ts.
 */
import { OPT_ADAM, OPT_MOMENTUM, OPT_SGD } from '../header.js';
import { Op } from '../backend/wasm-encoder.js';
import type { OptimizerKernel } from './kernel.js';

/** One optimizer's definition (N: its name, kept as a literal type). */
export interface OptimizerSpec<N extends string = string> {
  /** Its code in the arena header (DENSE_OPTIMIZER). */
  readonly code: number;
  /** Its name in options, JSON files and the CLI. */
  readonly name: N;
  /** Its own settings and their defaults (learningRate, weightDecay and clipNorm apply to every optimizer). */
  readonly settings: Readonly<Record<string, number | boolean>>;
  /** The default learning rate: 0.01 for each, as Adam's usual 0.001 (Keras's) needs ten times the epochs on small problems. */
  readonly learningRate: number;
  /** Its generated-kernel emitter; absent: it runs the generic kernel. */
  readonly kernel?: OptimizerKernel;
}

const optimizer = <const N extends string>(spec: OptimizerSpec<N>): OptimizerSpec<N> => spec;

const TABLE = [
  optimizer({
    code: OPT_SGD, name: 'sgd', settings: {}, learningRate: 0.01,
    kernel: { velocity: false, direction: ({ c }, g) => void c.get(g) },
  }),
  optimizer({
    code: OPT_MOMENTUM, name: 'momentum', settings: { momentum: 0.9, nesterov: false }, learningRate: 0.01,
    kernel: {
      velocity: true,
      direction: ({ c, mu, nesterov }, g, v, into) => {
        c.get(mu).get(v).op(Op.f64Mul).get(g).op(Op.f64Add).set(into);
        if (nesterov) c.get(g).get(mu).get(into).op(Op.f64Mul, Op.f64Add);
        else c.get(into);
      },
    },
  }),
  optimizer({ code: OPT_ADAM, name: 'adam', settings: { beta1: 0.9, beta2: 0.999, epsilon: 1e-8 }, learningRate: 0.01 }),
] as const;

/**
 * The optimizers' names, as options, JSON files and the CLI spell them.
 * @inline
 */
export type OptimizerName = (typeof TABLE)[number]['name'];

/** Every optimizer, by code (OPTIMIZER_SPECS[code].code === code). */
export const OPTIMIZER_SPECS: readonly OptimizerSpec<OptimizerName>[] = TABLE;
