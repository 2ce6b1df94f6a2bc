// Strict readers of saved models: every field checked, hostile input rejected before anything is allocated from it.
import {
  ACTIVATIONS, type Activation, type DenseModelJSON, type FitStateJSON, LOSSES, OPTIMIZERS, type OptimizerOptions,
  type ScalingJSON, type StandardizationJSON, type StandardizeJSON, type TrainingJSON,
} from '../dense/types.js';
import { FormatError } from '../errors.js';
import { MAX_LAYER_SIZE, MAX_LAYERS } from '../layout.js';
import { SETTINGS } from '../spec/optimizers.js';
import { hiddenProblem, OPTIMIZER_KEYS, lossProblem, switchProblem, widthProblem } from '../spec/rules.js';
import { describe, isArrayOrTypedArray } from '../validate.js';

/** The most parameters (weights + biases) a saved dense model may declare: 2^27 float64s is 1 GiB. */
export const MAX_PARAMETERS = 2 ** 27;
/** The most neurons a saved seed network may declare (each holds a weight and a bias). */
export const MAX_SEED_NEURONS = 2 ** 26;
/**
 * The longest JSON text accepted: 2^28 characters, about 10 million parameters at 25 characters per float64
 * (V8 cannot hold a string twice that long anyway); pass larger models as parsed objects.
 */
export const MAX_JSON_CHARS = 2 ** 28;
/** The deepest nesting the free-form `meta` object may have (it is copied recursively). */
export const MAX_META_DEPTH = 32;
/** The most values the free-form `meta` object may hold, so a hostile meta cannot exhaust memory. */
export const MAX_META_VALUES = 2 ** 20;

/** Keys that would reach `Object.prototype` if a reader ever merged the object into another one. */
const POLLUTING_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

const DENSE_KEYS = ['format', 'version', 'layers', 'loss', 'optimizer', 'seed', 'weights', 'biases', 'meta', 'scaling', 'standardize', 'training'];
const SCALING_KEYS = ['inputs', 'targets'];
const STANDARDIZATION_KEYS = ['mean', 'std'];
const TRAINING_KEYS = ['moment1', 'moment2', 'beta1Power', 'beta2Power', 'random', 'fit'];
const TRAINING_REQUIRED = ['moment1', 'moment2', 'beta1Power', 'beta2Power', 'random'];
const FIT_KEYS = ['epoch', 'order', 'best', 'waited', 'bestParameters', 'reductions', 'initialLearningRate', 'stopReason'];
const FIT_REQUIRED = ['epoch', 'waited', 'reductions', 'initialLearningRate'];
const STOP_REASONS = ['epochs', 'errorThreshold', 'earlyStopping', 'divergence', 'callback'] as const;
const DENSE_REQUIRED = ['format', 'version', 'layers', 'loss', 'optimizer', 'seed', 'weights', 'biases'];
const LAYER_KEYS = ['size', 'activation'];
const SEED_KEYS = ['format', 'version', 'learningRate', 'layers'];
const SEED_LAYER_KEYS = ['size', 'weights', 'biases'];

/**
 * Reads a saved `DenseNetwork` (`toJSON()` output, as an object or a JSON string) and checks every field:
 * format and version, layer sizes (and their total, before reading any weight), activation, loss and optimizer
 * names, weight and bias counts, finite numbers, and no `__proto__`/`constructor`/`prototype` keys.
 * Returns a fresh copy that shares nothing with `json`.
 * @throws FormatError naming the field, what it must be and what it was.
 */
export function parseDenseModel(json: unknown): DenseModelJSON {
  const root = record(header(parseText(json), 'neurite-dense'), 'json', DENSE_KEYS, DENSE_REQUIRED);

  const layerList = list(root.layers, 'json.layers', 2, MAX_LAYERS);
  const layers = layerList.map((value, l) => denseLayer(value, `json.layers[${l}]`, l, layerList.length));
  let parameters = 0;
  for (let l = 1; l < layers.length; l++) parameters += layers[l]!.size * (layers[l - 1]!.size + 1);
  if (parameters > MAX_PARAMETERS) {
    throw new FormatError(`json.layers declare ${parameters} parameters, more than the ${MAX_PARAMETERS} a saved model may hold`, 'json.layers');
  }

  const loss = name(root.loss, 'json.loss', LOSSES);
  const output = layers[layers.length - 1]!.activation;
  const lossError = lossProblem(loss, output!);
  if (lossError !== null) throw new FormatError(`json.loss ${lossError}`, 'json.loss');

  const weightList = list(root.weights, 'json.weights', layers.length - 1, layers.length - 1);
  const biasList = list(root.biases, 'json.biases', layers.length - 1, layers.length - 1);
  const weights = weightList.map((w, i) => numbers(w, `json.weights[${i}]`, layers[i + 1]!.size * layers[i]!.size, `${layers[i + 1]!.size}×${layers[i]!.size}`));
  const biases = biasList.map((b, i) => numbers(b, `json.biases[${i}]`, layers[i + 1]!.size));

  const model: DenseModelJSON = {
    format: 'neurite-dense',
    version: 1,
    layers,
    loss,
    optimizer: optimizer(root.optimizer, 'json.optimizer'),
    seed: seedNumber(root.seed),
    weights,
    biases,
  };
  if (root.meta !== undefined) model.meta = meta(root.meta);
  if (root.scaling !== undefined) model.scaling = scaling(root.scaling, layers[0]!.size, layers[layers.length - 1]!.size);
  if (root.standardize !== undefined) model.standardize = standardizeChoice(root.standardize);
  if (root.training !== undefined) model.training = training(root.training, parameters);
  return model;
}

/** A saved seed `Network`: one weight and one bias per neuron, the input layer first. */
export interface SeedModelJSON {
  /** Marks the text as a seed model. */
  format: 'neurite-seed';
  /** Version of this format. */
  version: 1;
  /** The network's learning rate. */
  learningRate: number;
  /** Every layer, the input layer first. */
  layers: {
    /** Number of neurons. */
    size: number;
    /** One weight per neuron. */
    weights: number[];
    /** One bias per neuron. */
    biases: number[];
  }[];
}

/**
 * Reads a saved seed `Network` (an object or a JSON string) and checks every field the way
 * {@link parseDenseModel} does. Returns a fresh copy.
 * @throws FormatError naming the field, what it must be and what it was.
 */
export function parseSeedModel(json: unknown): SeedModelJSON {
  const root = record(header(parseText(json), 'neurite-seed'), 'json', SEED_KEYS, SEED_KEYS);
  const learningRate = finiteNumber(root.learningRate, 'json.learningRate');
  if (learningRate <= 0) throw new FormatError(`json.learningRate must be a finite number > 0, got ${learningRate}`, 'json.learningRate');
  const layerList = list(root.layers, 'json.layers', 1, MAX_LAYERS);
  const entries = layerList.map((value, l) => record(value, `json.layers[${l}]`, SEED_LAYER_KEYS, SEED_LAYER_KEYS));
  const sizes = entries.map((entry, l) => size(entry.size, `json.layers[${l}].size`, MAX_SEED_NEURONS));
  const neurons = sizes.reduce((a, b) => a + b, 0);
  if (neurons > MAX_SEED_NEURONS) throw new FormatError(`json.layers declare ${neurons} neurons, more than the ${MAX_SEED_NEURONS} a saved seed network may hold`, 'json.layers');
  const layers = entries.map((entry, l) => ({
    size: sizes[l]!,
    weights: numbers(entry.weights, `json.layers[${l}].weights`, sizes[l]!),
    biases: numbers(entry.biases, `json.layers[${l}].biases`, sizes[l]!),
  }));
  return { format: 'neurite-seed', version: 1, learningRate, layers };
}

/** @internal JSON text → value, refusing text longer than {@link MAX_JSON_CHARS}; other values pass through. */
export function parseText(json: unknown): unknown {
  if (typeof json !== 'string') return json;
  if (json.length > MAX_JSON_CHARS) throw new FormatError(`json is ${json.length} characters long, more than the ${MAX_JSON_CHARS} a saved model may take`, 'json');
  try {
    return JSON.parse(json);
  } catch (error) {
    throw new FormatError(`json is not valid JSON (truncated or corrupted?): ${(error as Error).message}`, 'json');
  }
}

/** Checks `format` and `version` before any other field, so a file of another format or version is reported as that. */
export function header(value: unknown, format: string): unknown {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new FormatError(`json must be an object, got ${describe(value)}`, 'json');
  const own = (key: string) => (Object.hasOwn(value, key) ? (value as Record<string, unknown>)[key] : undefined);
  literal(own('format'), 'json.format', format);
  literal(own('version'), 'json.version', 1);
  return value;
}

/** Checks that `value` is a non-array object with only `known` own keys and every `required` one; returns its own data. */
export function record(value: unknown, argument: string, known: readonly string[], required: readonly string[]): Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value) || ArrayBuffer.isView(value)) {
    throw new FormatError(`${argument} must be an object, got ${describe(value)}`, argument);
  }
  const out: Record<string, unknown> = Object.create(null);
  for (const key of Object.keys(value)) {
    if (POLLUTING_KEYS.has(key)) throw new FormatError(`${argument} holds the key '${key}', which is refused (prototype pollution)`, `${argument}.${key}`);
    if (!known.includes(key)) throw new FormatError(`${argument}.${key} is not a field of this format; valid fields: ${known.join(', ')}`, `${argument}.${key}`);
    out[key] = (value as Record<string, unknown>)[key];
  }
  for (const key of required) {
    if (out[key] === undefined) throw new FormatError(`${argument}.${key} is missing`, `${argument}.${key}`);
  }
  return out;
}

/** Checks that `value` is an array with a length in [min, max]. */
export function list(value: unknown, argument: string, min: number, max: number): unknown[] {
  if (!Array.isArray(value)) throw new FormatError(`${argument} must be an array, got ${describe(value)}`, argument);
  if (value.length < min || value.length > max) {
    const expected = min === max ? `${min}` : `${min} to ${max}`;
    throw new FormatError(`${argument} must hold ${expected} entries, got ${value.length}`, argument);
  }
  return value;
}

function literal(value: unknown, argument: string, expected: string | number): void {
  if (value !== expected) throw new FormatError(`${argument} must be ${JSON.stringify(expected)}, got ${describe(value)}`, argument);
}

export function name<T extends string>(value: unknown, argument: string, names: readonly T[]): T {
  if (typeof value !== 'string' || !(names as readonly string[]).includes(value)) {
    throw new FormatError(`${argument} must be one of ${names.map((n) => `'${n}'`).join(', ')}, got ${describe(value)}`, argument);
  }
  return value as T;
}

/** @internal Checks that `value` is a finite number, else a FormatError naming `argument`. */
export function finiteNumber(value: unknown, argument: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) throw new FormatError(`${argument} must be a finite number, got ${describe(value)}`, argument);
  return value;
}

/** Seeds are 32-bit unsigned integers, as DenseNetwork takes them. */
export function seedNumber(value: unknown): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > 2 ** 32 - 1) {
    throw new FormatError(`json.seed must be an integer in [0, ${2 ** 32 - 1}], got ${describe(value)}`, 'json.seed');
  }
  return value;
}

export function size(value: unknown, argument: string, max: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > max) {
    throw new FormatError(`${argument} must be an integer in [1, ${max}], got ${describe(value)}`, argument);
  }
  return value;
}

/** Layer `l` of `count`: the input layer has no activation (or 'identity'); softmax only on the output layer. */
function denseLayer(value: unknown, argument: string, l: number, count: number): { size: number; activation?: Activation } {
  const entry = record(value, argument, LAYER_KEYS, ['size']);
  const layerSize = size(entry.size, `${argument}.size`, MAX_LAYER_SIZE);
  if (l === 0) {
    if (entry.activation !== undefined) literal(entry.activation, `${argument}.activation`, 'identity');
    return { size: layerSize };
  }
  if (entry.activation === undefined) throw new FormatError(`${argument}.activation is missing`, `${argument}.activation`);
  const activation = name(entry.activation, `${argument}.activation`, ACTIVATIONS);
  const hidden = hiddenProblem(activation, l, count);
  if (hidden !== null) throw new FormatError(`${argument}.activation: ${hidden}`, `${argument}.activation`);
  const narrow = widthProblem(activation, layerSize);
  if (narrow !== null) throw new FormatError(`${argument}: ${narrow}`, `${argument}.size`);
  return { size: layerSize, activation };
}

/** Copies an array (or typed array) of exactly `length` finite numbers, reading each element once. */
export function numbers(value: unknown, argument: string, length: number, shape?: string): number[] {
  const what = shape === undefined ? `${length} numbers` : `${length} numbers (${shape})`;
  if (!isArrayOrTypedArray(value)) throw new FormatError(`${argument} must be an array of ${what}, got ${describe(value)}`, argument);
  if (value.length !== length) throw new FormatError(`${argument} must hold ${what}, got ${value.length}`, argument);
  const out = new Array<number>(length);
  for (let i = 0; i < length; i++) {
    const v = value[i];
    if (typeof v !== 'number' || !Number.isFinite(v)) throw new FormatError(`${argument}[${i}] must be a finite number, got ${describe(v)}`, argument);
    out[i] = v;
  }
  return out;
}

const OPTIMIZER_RANGES: Record<string, [min: number, max: number, open: boolean]> = {
  learningRate: [0, Infinity, true],
  ...Object.fromEntries(Object.entries(SETTINGS).map(([key, { range }]) => [key, range === 'unit' ? [0, 1, false] : [0, Infinity, true]])),
  weightDecay: [0, Infinity, false],
  // 0 is how DenseNetwork writes 'no clipping'.
  clipNorm: [0, Infinity, false],
};

/** An optimizer name or `{ type, ...settings }`; every setting finite and in range. */
export function optimizer(value: unknown, argument: string): OptimizerOptions {
  if (typeof value === 'string') return { type: name(value, argument, OPTIMIZERS) };
  const entry = record(value, argument, OPTIMIZER_KEYS, ['type']);
  const out: OptimizerOptions = { type: name(entry.type, `${argument}.type`, OPTIMIZERS) };
  for (const key of OPTIMIZER_KEYS) {
    const setting = entry[key];
    if (key === 'type' || setting === undefined) continue;
    if (SETTINGS[key as keyof typeof SETTINGS]?.range === 'switch') {
      if (typeof setting !== 'boolean') throw new FormatError(`${argument}.${key} must be true or false, got ${describe(setting)}`, `${argument}.${key}`);
      (out as unknown as Record<string, boolean>)[key] = setting;
      continue;
    }
    const v = finiteNumber(setting, `${argument}.${key}`);
    const [min, max, open] = OPTIMIZER_RANGES[key]!;
    if (open ? v <= min : v < min || v >= max) {
      const range = max === Infinity ? (open ? `> ${min}` : `>= ${min}`) : `in [${min}, ${max})`;
      throw new FormatError(`${argument}.${key} must be ${range}, got ${v}`, `${argument}.${key}`);
    }
    (out as unknown as Record<string, number>)[key] = v;
  }
  // DenseNetwork refuses a switch its optimizer does not read: a model it cannot build is a malformed model.
  for (const key of OPTIMIZER_KEYS) {
    const problem = (out as unknown as Record<string, unknown>)[key] === true ? switchProblem(out.type, key) : null;
    if (problem !== null) throw new FormatError(`${argument}.${key} ${problem}`, `${argument}.${key}`);
  }
  return out;
}

/** Deep-copies the free-form `meta` object: JSON values only, bounded depth and size, no polluting keys. */
export function meta(value: unknown): Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new FormatError(`json.meta must be an object, got ${describe(value)}`, 'json.meta');
  let count = 0;
  const copy = (v: unknown, path: string, depth: number): unknown => {
    if (++count > MAX_META_VALUES) throw new FormatError(`json.meta holds more than ${MAX_META_VALUES} values`, 'json.meta');
    if (depth > MAX_META_DEPTH) throw new FormatError(`${path} is nested deeper than ${MAX_META_DEPTH} levels`, 'json.meta');
    if (v === null || typeof v === 'string' || typeof v === 'boolean') return v;
    if (typeof v === 'number') {
      if (!Number.isFinite(v)) throw new FormatError(`${path} must be a finite number, got ${v}`, 'json.meta');
      return v;
    }
    if (Array.isArray(v)) {
      if (v.length > MAX_META_VALUES) throw new FormatError(`${path} holds more than ${MAX_META_VALUES} values`, 'json.meta');
      const out = new Array<unknown>(v.length);
      for (let i = 0; i < v.length; i++) out[i] = copy(v[i], `${path}[${i}]`, depth + 1);
      return out;
    }
    if (typeof v === 'object' && !ArrayBuffer.isView(v)) {
      const out: Record<string, unknown> = {};
      for (const key of Object.keys(v)) {
        if (POLLUTING_KEYS.has(key)) throw new FormatError(`${path} holds the key '${key}', which is refused (prototype pollution)`, 'json.meta');
        out[key] = copy((v as Record<string, unknown>)[key], `${path}.${key}`, depth + 1);
      }
      return out;
    }
    throw new FormatError(`${path} must hold JSON values only, got ${describe(v)}`, 'json.meta');
  };
  return copy(value, 'json.meta', 0) as Record<string, unknown>;
}

/** Standardization figures: per column a finite mean and a standard deviation > 0. */
export function scaling(value: unknown, inputs: number, outputs: number): ScalingJSON {
  const entry = record(value, 'json.scaling', SCALING_KEYS, []);
  const block = (v: unknown, argument: string, width: number): StandardizationJSON => {
    const figures = record(v, argument, STANDARDIZATION_KEYS, STANDARDIZATION_KEYS);
    const std = numbers(figures.std, `${argument}.std`, width);
    std.forEach((s, i) => {
      if (s <= 0) throw new FormatError(`${argument}.std[${i}] must be > 0, got ${s}`, `${argument}.std`);
    });
    return { mean: numbers(figures.mean, `${argument}.mean`, width), std };
  };
  const out: ScalingJSON = {};
  if (entry.inputs !== undefined) out.inputs = block(entry.inputs, 'json.scaling.inputs', inputs);
  if (entry.targets !== undefined) out.targets = block(entry.targets, 'json.scaling.targets', outputs);
  return out;
}

/** The standardization a model saved before its first fit measures: two switches. */
export function standardizeChoice(value: unknown): StandardizeJSON {
  const entry = record(value, 'json.standardize', SCALING_KEYS, SCALING_KEYS);
  const choice = { inputs: false, targets: false };
  for (const key of ['inputs', 'targets'] as const) {
    const on = entry[key];
    if (typeof on !== 'boolean') throw new FormatError(`json.standardize.${key} must be true or false, got ${describe(on)}`, `json.standardize.${key}`);
    choice[key] = on;
  }
  return choice;
}

function count(value: unknown, argument: string, max = Number.MAX_SAFE_INTEGER): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > max) {
    throw new FormatError(`${argument} must be an integer in [0, ${max}], got ${describe(value)}`, argument);
  }
  return value;
}

/** A checkpoint's training state; the visiting order must be a permutation (it indexes the staged rows). */
export function training(value: unknown, parameters: number): TrainingJSON {
  const entry = record(value, 'json.training', TRAINING_KEYS, TRAINING_REQUIRED);
  const power = (v: unknown, argument: string): number => {
    const p = finiteNumber(v, argument);
    if (p < 0 || p > 1) throw new FormatError(`${argument} must be in [0, 1], got ${p}`, argument);
    return p;
  };
  const out: TrainingJSON = {
    moment1: numbers(entry.moment1, 'json.training.moment1', parameters),
    moment2: numbers(entry.moment2, 'json.training.moment2', parameters),
    beta1Power: power(entry.beta1Power, 'json.training.beta1Power'),
    beta2Power: power(entry.beta2Power, 'json.training.beta2Power'),
    random: count(entry.random, 'json.training.random', 2 ** 32 - 1),
  };
  if (entry.fit === undefined) return out;
  const fit = record(entry.fit, 'json.training.fit', FIT_KEYS, FIT_REQUIRED);
  const rate = finiteNumber(fit.initialLearningRate, 'json.training.fit.initialLearningRate');
  if (rate <= 0) throw new FormatError(`json.training.fit.initialLearningRate must be > 0, got ${rate}`, 'json.training.fit.initialLearningRate');
  const state: FitStateJSON = {
    epoch: count(fit.epoch, 'json.training.fit.epoch', 2 ** 31 - 1),
    waited: count(fit.waited, 'json.training.fit.waited', 2 ** 31 - 1),
    reductions: count(fit.reductions, 'json.training.fit.reductions', 2 ** 31 - 1),
    initialLearningRate: rate,
  };
  if (fit.order !== undefined) state.order = permutation(fit.order, 'json.training.fit.order');
  if (fit.best !== undefined) state.best = finiteNumber(fit.best, 'json.training.fit.best');
  if (fit.bestParameters !== undefined) state.bestParameters = numbers(fit.bestParameters, 'json.training.fit.bestParameters', parameters);
  if (fit.stopReason !== undefined) state.stopReason = name(fit.stopReason, 'json.training.fit.stopReason', STOP_REASONS);
  out.fit = state;
  return out;
}

/** A permutation of 0 … n − 1, each index read once. */
function permutation(value: unknown, argument: string): number[] {
  if (!isArrayOrTypedArray(value)) throw new FormatError(`${argument} must be an array of row indices, got ${describe(value)}`, argument);
  const n = value.length;
  if (n > 2 ** 31 - 1) throw new FormatError(`${argument} holds too many rows`, argument);
  const seen = new Uint8Array(n);
  const out = new Array<number>(n);
  for (let i = 0; i < n; i++) {
    const v = value[i];
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v >= n || seen[v]) {
      throw new FormatError(`${argument} must be a permutation of 0 to ${n - 1}; entry ${i} is ${describe(v)}`, argument);
    }
    seen[v] = 1;
    out[i] = v;
  }
  return out;
}
