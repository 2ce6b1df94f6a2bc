/**
 * The configuration rules, read from the spec tables, checked once for `new DenseNetwork(options)` and once for a
 * saved model: each returns what is wrong (the caller prefixes the field it names and throws its own error), or null.
 */
import { ACTIVATION_SPECS } from './activations.js';
import { LOSS_SPECS } from './losses.js';
import { OPTIMIZER_SPECS, type OptimizerSettings } from './optimizers.js';

/** The keys of an optimizer's options: the settings every optimizer takes, and each optimizer's own. */
export const OPTIMIZER_KEYS: readonly string[] = [
  ...new Set(['type', 'learningRate', ...OPTIMIZER_SPECS.flatMap((spec) => Object.keys(spec.settings)), 'weightDecay', 'clipNorm']),
];

const activationNamed = (name: string) => ACTIVATION_SPECS.find((spec) => spec.name === name)!;
const optimizerNamed = (name: string) => OPTIMIZER_SPECS.find((spec) => spec.name === name)!;

/** Activation `name` on layer `l` (1-based, of `count` layers counting the input): some act on the output only. */
export function hiddenProblem(name: string, l: number, count: number): string | null {
  return l < count - 1 && !activationNamed(name).hidden ? `${name} is only allowed on the output layer, and layer ${l} is hidden` : null;
}

/** Activation `name` on a layer of `size` units: softmax acts on the whole row, and one unit of it always outputs 1. */
export function widthProblem(name: string, size: number): string | null {
  return name === 'softmax' && size < 2 ? `a softmax output needs at least 2 units (one softmax unit always outputs 1), got ${size}` : null;
}

/** Loss `name` with output activation `output`: the fused delta of some losses assumes one output activation. */
export function lossProblem(name: string, output: string): string | null {
  const needed = LOSS_SPECS.find((spec) => spec.name === name)!.output;
  if (needed === null || needed === output) return null;
  const fitting = LOSS_SPECS.filter((spec) => spec.output === null || spec.output === output).map((spec) => `'${spec.name}'`);
  return `'${name}' needs a ${needed} output layer, got '${output}' (losses for a ${output} output: ${fitting.join(', ')})`;
}

/** Optimizer `type` with its switch `setting` turned on: a switch only the optimizers that declare it accept. */
export function switchProblem(type: string, setting: string): string | null {
  if (setting in optimizerNamed(type).settings) return null;
  const owners = OPTIMIZER_SPECS.filter((spec) => setting in spec.settings).map((spec) => `'${spec.name}'`);
  return `applies to the ${owners.join(', ')} optimizer, not '${type}'`;
}

/**
 * The default of optimizer `type`'s setting `key`: its own, or for a setting it does not read, the default of the
 * optimizer that declares it (saved models write every setting), except momentum, 0 (no velocity).
 */
export function settingDefault(type: string, key: keyof OptimizerSettings): number | boolean {
  const own = optimizerNamed(type).settings[key];
  if (own !== undefined) return own;
  if (key === 'momentum') return 0;
  return OPTIMIZER_SPECS.find((spec) => key in spec.settings)!.settings[key]!;
}
