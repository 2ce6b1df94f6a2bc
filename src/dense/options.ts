// Validation of DenseNetwork's options into one resolved configuration.
import type { BackendName } from '../backend/index.js';
import { ConfigurationError, InvalidArgumentError, OutOfRangeError } from '../errors.js';
import { describe, finite, integer, lengthOf, oneOf, options, positive } from '../validate.js';
import { MAX_LAYER_SIZE, MAX_LAYERS } from '../layout.js';
import { OPTIMIZER_SPECS, SETTINGS, type OptimizerSettings } from '../spec/optimizers.js';
import { hiddenProblem, lossProblem, OPTIMIZER_KEYS, widthProblem, settingDefault, switchProblem } from '../spec/rules.js';
import {
  ACTIVATIONS, INITS, LOSSES, OPTIMIZERS,
  type Activation, type DenseLayerSpec, type DenseNetworkOptions, type Init, type Loss, type OptimizerOptions,
} from './types.js';

/** Options after validation and defaults. */
export interface ResolvedDense {
  sizes: number[];
  /** Per layer; index 0 (the input) is 'identity'. */
  activations: Activation[];
  loss: Loss;
  optimizer: Required<OptimizerOptions>;
  seed: number;
  init: Init | undefined;
  /** Which blocks the first fit measures standardization figures for. */
  standardize: { inputs: boolean; targets: boolean };
  backend: BackendName | undefined;
}

const NETWORK_OPTIONS = ['layers', 'activation', 'outputActivation', 'loss', 'optimizer', 'seed', 'init', 'standardize', 'backend'] as const;

/** Fills in an optimizer's defaults and checks every setting. */
export function resolveOptimizer(value: unknown, argument = 'options.optimizer'): Required<OptimizerOptions> {
  const spec = typeof value === 'string' || value === undefined ? { type: value ?? 'adam' } : value;
  const o = options(spec as OptimizerOptions, argument, OPTIMIZER_KEYS);
  const type = oneOf(o.type, `${argument}.type`, OPTIMIZERS);
  const setting = (name: keyof OptimizerSettings): number | boolean => {
    const v = o[name];
    const at = `${argument}.${name}`;
    if (v === undefined) return settingDefault(type, name);
    if (SETTINGS[name].range === 'switch') {
      if (typeof v !== 'boolean') throw new InvalidArgumentError(`${at} must be a boolean, got ${describe(v)}`, at);
      const problem = v ? switchProblem(type, name) : null;
      if (problem !== null) throw new ConfigurationError(`${at} ${problem}`, at);
      return v;
    }
    if (SETTINGS[name].range === 'positive') return positive(v, at);
    finite(v, at);
    if ((v as number) < 0 || (v as number) >= 1) throw new OutOfRangeError(`${at} must be in [0, 1), got ${v}`, at);
    return v as number;
  };
  const settings = Object.fromEntries(Object.keys(SETTINGS).map((name) => [name, setting(name as keyof OptimizerSettings)])) as Required<OptimizerSettings>;
  const weightDecay = o.weightDecay === undefined ? 0 : finite(o.weightDecay, `${argument}.weightDecay`);
  if (weightDecay < 0) throw new OutOfRangeError(`${argument}.weightDecay must be >= 0, got ${weightDecay}`, `${argument}.weightDecay`);
  return {
    type,
    learningRate: o.learningRate === undefined ? OPTIMIZER_SPECS.find((spec) => spec.name === type)!.learningRate : positive(o.learningRate, `${argument}.learningRate`),
    ...settings,
    weightDecay,
    clipNorm: o.clipNorm === undefined || o.clipNorm === 0 ? 0 : positive(o.clipNorm, `${argument}.clipNorm`),
  };
}

/** Validates `new DenseNetwork(options)`; every error names the option at fault. */
export function resolveDense(value: DenseNetworkOptions): ResolvedDense {
  if (value === undefined) throw new InvalidArgumentError('options must be an object with at least `layers`, e.g. { layers: [2, 3, 1] }', 'options');
  const o = options(value, 'options', NETWORK_OPTIONS);
  // The caller's array, its length and each entry read once.
  const count = Array.isArray(o.layers) ? lengthOf(o.layers) : -1;
  if (count < 0) throw new InvalidArgumentError(`options.layers must be an array of sizes or { size, activation }, got ${describe(o.layers)}`, 'options.layers');
  if (count < 2) throw new ConfigurationError(`options.layers needs an input and at least one more layer, got ${count}`, 'options.layers');
  // The limit of saved models, so that whatever toJSON writes, fromJSON reads.
  if (count > MAX_LAYERS) throw new OutOfRangeError(`options.layers may hold at most ${MAX_LAYERS} layers, got ${count}`, 'options.layers');
  const layers = layerEntries(o.layers as readonly unknown[], count);
  const hidden = o.activation === undefined ? 'tanh' : oneOf(o.activation, 'options.activation', ACTIVATIONS);
  // A sigmoid output by default: 0/1 targets are the common case, and regression names its identity output.
  const output = o.outputActivation !== undefined ? oneOf(o.outputActivation, 'options.outputActivation', ACTIVATIONS) : o.activation === undefined ? 'sigmoid' : hidden;
  const last = count - 1;
  const sizes: number[] = [];
  const activations: Activation[] = [];
  layers.forEach((layer, l) => {
    const arg = `options.layers[${l}]`;
    let spec: DenseLayerSpec;
    if (typeof layer === 'number') spec = { size: layer };
    else if (layer !== null && typeof layer === 'object') spec = options(layer, arg, ['size', 'activation']) as DenseLayerSpec;
    else throw new InvalidArgumentError(`${arg} must be a size or { size, activation }, got ${describe(layer)}`, arg);
    sizes.push(integer(spec.size, `${arg}.size`, 1, MAX_LAYER_SIZE));
    if (l === 0) {
      if (spec.activation !== undefined) throw new ConfigurationError(`${arg}.activation: the input layer takes no activation, got ${describe(spec.activation)}`, `${arg}.activation`);
      activations.push('identity');
      return;
    }
    const activation = spec.activation === undefined ? (l === last ? output : hidden) : oneOf(spec.activation, `${arg}.activation`, ACTIVATIONS);
    const problem = hiddenProblem(activation, l, count);
    if (problem !== null) {
      // Name the option the user wrote: the layer's own activation, or the shorthand for all hidden layers.
      const from = spec.activation === undefined ? 'options.activation' : `${arg}.activation`;
      throw new ConfigurationError(`${from}: ${problem}`, from);
    }
    activations.push(activation);
  });
  const outputActivation = activations[last]!;
  const narrow = widthProblem(outputActivation, sizes[last]!);
  if (narrow !== null) throw new ConfigurationError(`options.layers[${last}]: ${narrow}`, `options.layers[${last}]`);
  const loss = o.loss === undefined ? (outputActivation === 'softmax' ? 'crossEntropy' : 'mse') : oneOf(o.loss, 'options.loss', LOSSES);
  const problem = lossProblem(loss, outputActivation);
  if (problem !== null) throw new ConfigurationError(`options.loss ${problem}`, 'options.loss');
  const seed = o.seed === undefined ? Math.floor(Math.random() * 2 ** 32) : integer(o.seed, 'options.seed', 0, 2 ** 32 - 1);
  return {
    sizes,
    activations,
    loss,
    optimizer: resolveOptimizer(o.optimizer),
    seed,
    init: o.init === undefined ? undefined : oneOf(o.init, 'options.init', INITS),
    // By default only the targets of an identity (unbounded) output.
    standardize: resolveStandardize(o.standardize, { inputs: false, targets: outputActivation === 'identity' }),
    backend: o.backend,
  };
}

/** Each of the `count` entries of the caller's `layers`, read once; a hole (a sparse array) is refused by index. */
function layerEntries(layers: readonly unknown[], count: number): unknown[] {
  const out = new Array<unknown>(count);
  for (let l = 0; l < count; l++) {
    const layer = layers[l];
    if (layer === undefined && !(l in layers)) {
      throw new InvalidArgumentError(`options.layers[${l}] must be a size or { size, activation }, got an empty slot (a sparse array)`, `options.layers[${l}]`);
    }
    out[l] = layer;
  }
  return out;
}

/** `standardize` as two switches; each one left out takes its network kind's default. */
export function resolveStandardize(value: unknown, defaults: { inputs: boolean; targets: boolean }): { inputs: boolean; targets: boolean } {
  if (value === undefined) return { ...defaults };
  if (typeof value === 'boolean') return { inputs: value, targets: value };
  const o = options(value as { inputs?: unknown; targets?: unknown }, 'options.standardize', ['inputs', 'targets']);
  const flag = (v: unknown, name: string, fallback: boolean): boolean => {
    if (v === undefined) return fallback;
    if (typeof v !== 'boolean') throw new InvalidArgumentError(`options.standardize.${name} must be a boolean, got ${describe(v)}`, `options.standardize.${name}`);
    return v;
  };
  return { inputs: flag(o.inputs, 'inputs', defaults.inputs), targets: flag(o.targets, 'targets', defaults.targets) };
}
