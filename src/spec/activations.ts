/**
 * Every activation, defined once: its header code, public and JSON name, parameters (arena settings), ONNX
 * operator, the JavaScript expression toFunction writes, and its generated-kernel emitters (absent: the
 * generated kernel does not cover it). The formulas themselves are src/math/activations.ts.
 */
import { ACT_ELU, ACT_IDENTITY, ACT_LEAKY_RELU, ACT_RELU, ACT_SIGMOID, ACT_SOFTMAX, ACT_SOFTPLUS, ACT_TANH } from '../header.js';
import { Op } from '../backend/wasm-encoder.js';
import type { ActivationKernel } from './kernel.js';

/** leakyRelu's slope below 0: 0.01, as in brain.js and tf.js's leakyRelu op. */
export const LEAKY_RELU_ALPHA = 0.01;
/** elu's scale below 0. */
export const ELU_ALPHA = 1;

/** One activation's definition (N: its name, kept as a literal type so the public name types derive from the table). */
export interface ActivationSpec<N extends string = string> {
  /** Its code in the arena header (DENSE_ACTIVATION). */
  readonly code: number;
  /** Its name in options, JSON files and the CLI. */
  readonly name: N;
  /** The settings it reads, with their values. */
  readonly parameters: Readonly<Record<string, number>>;
  /** Its ONNX operator and attributes; null: no node (identity). */
  readonly onnx: { readonly op: string; readonly float?: readonly [string, number]; readonly int?: readonly [string, number] } | null;
  /** toFunction's JavaScript for one unit, of its pre-activation `s`. */
  readonly source: string;
  /** Whether it may sit on a hidden layer (softmax acts on a whole row, so only on the output). */
  readonly hidden: boolean;
  /** Its generated-kernel emitters; absent: shapes using it run the generic kernel. */
  readonly kernel?: ActivationKernel;
}

const activation = <const N extends string>(spec: ActivationSpec<N>): ActivationSpec<N> => spec;

const identity = activation({
  code: ACT_IDENTITY, name: 'identity', parameters: {}, onnx: null, source: 's', hidden: true,
  kernel: {
    activation: ({ c }, z, into) => void c.get(z).set(into),
    derivative: ({ c }) => void c.f64(1.0),
  },
});

const sigmoid = activation({
  code: ACT_SIGMOID, name: 'sigmoid', parameters: {}, onnx: { op: 'Sigmoid' }, source: '1 / (1 + Math.exp(-s))', hidden: true,
  kernel: {
    activation: (k, z, into) => {
      k.c.get(z).op(Op.f64Abs, Op.f64Neg).set(k.t);
      k.exp(k.t, k.e);
      k.c.f64(1.0).get(k.e).get(z).f64(0.0).op(Op.f64Ge, Op.select).f64(1.0).get(k.e).op(Op.f64Add, Op.f64Div).set(into);
    },
    derivative: ({ c }, a) => void c.get(a).f64(1.0).get(a).op(Op.f64Sub, Op.f64Mul),
  },
});

const tanh = activation({
  code: ACT_TANH, name: 'tanh', parameters: {}, onnx: { op: 'Tanh' }, source: 'Math.tanh(s)', hidden: true,
  kernel: {
    activation: (k, z, into) => {
      k.c.f64(-2.0).get(z).op(Op.f64Abs, Op.f64Mul).set(k.t);
      k.exp(k.t, k.e);
      k.c.f64(1.0).get(k.e).op(Op.f64Sub).f64(1.0).get(k.e).op(Op.f64Add, Op.f64Div).set(k.t);
      k.c.get(k.t).op(Op.f64Neg).get(k.t).get(z).f64(0.0).op(Op.f64Lt, Op.select).set(into);
    },
    derivative: ({ c }, a) => void c.f64(1.0).get(a).get(a).op(Op.f64Mul, Op.f64Sub),
  },
});

const relu = activation({
  code: ACT_RELU, name: 'relu', parameters: {}, onnx: { op: 'Relu' }, source: 's > 0 ? s : 0', hidden: true,
  kernel: {
    activation: ({ c }, z, into) => void c.get(z).f64(0.0).get(z).f64(0.0).op(Op.f64Gt, Op.select).set(into),
    derivative: ({ c }, a) => void c.f64(1.0).f64(0.0).get(a).f64(0.0).op(Op.f64Gt, Op.select),
  },
});

const leakyRelu = activation({
  code: ACT_LEAKY_RELU, name: 'leakyRelu', parameters: { alpha: LEAKY_RELU_ALPHA }, onnx: { op: 'LeakyRelu', float: ['alpha', LEAKY_RELU_ALPHA] },
  source: `s > 0 ? s : ${LEAKY_RELU_ALPHA} * s`, hidden: true,
  kernel: {
    activation: ({ c, leakyAlpha }, z, into) => void c.get(z).get(leakyAlpha).get(z).op(Op.f64Mul).get(z).f64(0.0).op(Op.f64Gt, Op.select).set(into),
    derivative: ({ c, leakyAlpha }, a) => void c.f64(1.0).get(leakyAlpha).get(a).f64(0.0).op(Op.f64Gt, Op.select),
  },
});

const elu = activation({
  code: ACT_ELU, name: 'elu', parameters: { alpha: ELU_ALPHA }, onnx: { op: 'Elu', float: ['alpha', ELU_ALPHA] }, source: 's > 0 ? s : Math.expm1(s)', hidden: true,
  kernel: {
    activation: (k, z, into) => {
      k.c.get(z).f64(0.0).op(Op.f64Gt).if().get(z).set(into).op(Op.else);
      k.exp(z, k.e);
      k.c.get(k.eluAlpha).get(k.e).f64(1.0).op(Op.f64Sub, Op.f64Mul).set(into).op(Op.end);
    },
    derivative: ({ c, eluAlpha }, a) => void c.f64(1.0).get(a).get(eluAlpha).op(Op.f64Add).get(a).f64(0.0).op(Op.f64Gt, Op.select),
  },
});

const softmax = activation({
  // toFunction writes each unit's pre-activation, then normalizes the row (src/io/function.ts).
  code: ACT_SOFTMAX, name: 'softmax', parameters: {}, onnx: { op: 'Softmax', int: ['axis', -1] }, source: 's', hidden: false,
});

const softplus = activation({
  code: ACT_SOFTPLUS, name: 'softplus', parameters: {}, onnx: { op: 'Softplus' },
  source: 'Math.max(s, 0) + Math.log1p(Math.exp(-Math.abs(s)))', hidden: true,
});

const TABLE = [identity, sigmoid, tanh, relu, leakyRelu, elu, softmax, softplus] as const;

/**
 * The activations' names, as options, JSON files and the CLI spell them.
 * @inline
 */
export type ActivationName = (typeof TABLE)[number]['name'];

/** Every activation, by code (ACTIVATION_SPECS[code].code === code). */
export const ACTIVATION_SPECS: readonly ActivationSpec<ActivationName>[] = TABLE;

/** The activation with header code `code`; throws for an unknown code. */
export function activationSpec(code: number): ActivationSpec {
  const spec = ACTIVATION_SPECS[code];
  if (spec === undefined) throw new Error(`unknown activation code ${code}`);
  return spec;
}
