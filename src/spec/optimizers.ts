/**
 * Every optimizer, defined once: header code, name, its settings with their defaults, and its generated-kernel
 * emitter (absent: the generated kernel does not cover it). Formulas: src/math/optimizers.ts.
 */
import { OPT_ADAM, OPT_MOMENTUM, OPT_RMSPROP, OPT_SGD, S_BETA1, S_BETA2, S_EPSILON, S_MOMENTUM } from '../header.js';
import { Op } from '../backend/wasm-encoder.js';
import type { OptimizerKernel } from './kernel.js';

/** The settings of the optimizers (each reads its own: OPTIMIZER_SPECS); `OptimizerOptions` extends this. */
export interface OptimizerSettings {
  /** momentum only: velocity decay. @default 0.9 */
  momentum?: number;
  /** momentum only: Nesterov's look-ahead form. @default false */
  nesterov?: boolean;
  /** adam only: decay of the first moment. @default 0.9 */
  beta1?: number;
  /** adam only: decay of the second moment. @default 0.999 */
  beta2?: number;
  /** adam and rmsprop: added to the root of the second moment. @default 1e-8 */
  epsilon?: number;
  /** rmsprop only: decay of the mean square of the gradients (Keras's `rho`, PyTorch's `alpha`). @default 0.9 */
  rho?: number;
}

/**
 * Each setting's valid values (`unit`: [0, 1); `positive`: > 0; `switch`: a boolean, in the DENSE_NESTEROV word) and
 * its float64 slot in the settings block. Two settings may share a slot when no optimizer reads both (RMSprop's ρ is
 * Adam's β2 in role): the slot holds the optimizer's own setting, else the first one listed (settingSlots).
 */
export const SETTINGS: { readonly [K in keyof OptimizerSettings]-?: { readonly range: 'unit' | 'positive' | 'switch'; readonly slot: number } } = {
  momentum: { range: 'unit', slot: S_MOMENTUM },
  nesterov: { range: 'switch', slot: -1 },
  beta1: { range: 'unit', slot: S_BETA1 },
  beta2: { range: 'unit', slot: S_BETA2 },
  epsilon: { range: 'positive', slot: S_EPSILON },
  rho: { range: 'unit', slot: S_BETA2 },
};

/** One optimizer's definition (N: its name, kept as a literal type). */
export interface OptimizerSpec<N extends string = string> {
  /** Its code in the arena header (DENSE_OPTIMIZER). */
  readonly code: number;
  /** Its name in options, JSON files and the CLI. */
  readonly name: N;
  /** Its own settings and their defaults (learningRate, weightDecay and clipNorm apply to every optimizer). */
  readonly settings: { readonly [K in keyof OptimizerSettings]?: Exclude<OptimizerSettings[K], undefined> };
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
  // ε added outside the root, as Adam's here and PyTorch's RMSprop (Keras adds 1e-7 inside it).
  optimizer({ code: OPT_RMSPROP, name: 'rmsprop', settings: { rho: 0.9, epsilon: 1e-8 }, learningRate: 0.01 }),
] as const;

/**
 * The optimizers' names, as options, JSON files and the CLI spell them.
 * @inline
 */
export type OptimizerName = (typeof TABLE)[number]['name'];

/** Every optimizer, by code (OPTIMIZER_SPECS[code].code === code). */
export const OPTIMIZER_SPECS: readonly OptimizerSpec<OptimizerName>[] = TABLE;

/** The settings block's slot of each numeric setting of optimizer `type` and the value it holds (see SETTINGS). */
export function settingSlots(type: OptimizerName, values: Required<OptimizerSettings>): [slot: number, value: number][] {
  const own = OPTIMIZER_SPECS.find((spec) => spec.name === type)!.settings;
  const keys = (Object.keys(SETTINGS) as (keyof OptimizerSettings)[]).filter((key) => SETTINGS[key].range !== 'switch');
  const written = new Map<number, number>();
  for (const key of [...keys.filter((k) => k in own), ...keys.filter((k) => !(k in own))]) {
    if (!written.has(SETTINGS[key].slot)) written.set(SETTINGS[key].slot, values[key] as number);
  }
  return [...written];
}
