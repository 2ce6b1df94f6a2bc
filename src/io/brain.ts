// brainToDenseModel: a brain.js 1.x NeuralNetwork's toJSON() output as a neurite dense model with the same outputs.
import type { Activation, DenseModelJSON, OptimizerOptions } from '../dense/types.js';
import { FormatError } from '../errors.js';
import { describe } from '../validate.js';
import { MAX_LAYER_SIZE, MAX_LAYERS } from '../layout.js';
import { finiteNumber, MAX_PARAMETERS, parseDenseModel, parseText } from './json.js';

/** brain.js 1.x activation names. */
const BRAIN_ACTIVATIONS = ['sigmoid', 'relu', 'leaky-relu', 'tanh'] as const;
type BrainActivation = (typeof BRAIN_ACTIVATIONS)[number];
/** brain.js's leaky-relu runs `x < 0 ? 0 : 0.01 * x` (its leakyReluAlpha default; toJSON does not save another). */
const BRAIN_LEAKY_ALPHA = 0.01;
const BRAIN_KEYS = ['sizes', 'layers', 'inputLookup', 'outputLookup', 'activation', 'trainOpts'];
const POLLUTING_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

/**
 * Converts the output of a brain.js 1.x `NeuralNetwork#toJSON()` (an object or its JSON text) into a
 * `DenseModelJSON` whose predict gives brain.js's `run` outputs (brain.js keeps activations in float32,
 * so they agree to float32 precision). brain.js applies its activation to every layer, the output one too.
 * Its `leaky-relu` computes `x < 0 ? 0 : 0.01·x` (not a leaky ReLU): that layer becomes a `relu` layer with
 * weights and biases scaled by 0.01, which computes the same function. Named inputs or outputs (brain's
 * lookups) become index order, with the names kept in `meta.inputNames` / `meta.outputNames`.
 * The loss is 'mse' (what brain.js trains) and the optimizer brain's momentum SGD (or adam when its praxis was adam).
 * @throws FormatError naming the field at fault
 */
export function brainToDenseModel(json: unknown): DenseModelJSON {
  const root = object(parseText(json), 'json');
  for (const key of Object.keys(root)) {
    if (!BRAIN_KEYS.includes(key)) throw new FormatError(`json.${key} is not a field of brain.js 1.x NeuralNetwork JSON; valid fields: ${BRAIN_KEYS.join(', ')}`, `json.${key}`);
  }
  const activation = root.activation === undefined ? 'sigmoid' : brainActivation(root.activation);
  if (!Array.isArray(root.sizes) || root.sizes.length < 2 || root.sizes.length > MAX_LAYERS) {
    throw new FormatError(`json.sizes must be an array of 2 to ${MAX_LAYERS} layer sizes, got ${describe(root.sizes)}`, 'json.sizes');
  }
  const sizes = root.sizes.map((size: unknown, l: number) => {
    if (typeof size !== 'number' || !Number.isInteger(size) || size < 1 || size > MAX_LAYER_SIZE) {
      throw new FormatError(`json.sizes[${l}] must be an integer in [1, ${MAX_LAYER_SIZE}], got ${describe(size)}`, `json.sizes[${l}]`);
    }
    return size;
  });
  let parameters = 0;
  for (let l = 1; l < sizes.length; l++) parameters += sizes[l]! * (sizes[l - 1]! + 1);
  if (parameters > MAX_PARAMETERS) throw new FormatError(`json.sizes declare ${parameters} parameters, more than the ${MAX_PARAMETERS} a model may hold`, 'json.sizes');
  if (!Array.isArray(root.layers) || root.layers.length !== sizes.length) {
    throw new FormatError(`json.layers must be an array of ${sizes.length} layers (one per size), got ${describe(root.layers)}`, 'json.layers');
  }
  // Node names per layer, in brain's order (Object.keys order, as its fromJSON reads them).
  const layerObjects = root.layers.map((layer: unknown, l: number) => object(layer, `json.layers[${l}]`));
  const names = layerObjects.map((layer: Record<string, unknown>, l: number) => {
    const keys = Object.keys(layer);
    if (keys.length !== sizes[l]) throw new FormatError(`json.layers[${l}] must hold ${sizes[l]} nodes (json.sizes[${l}]), got ${keys.length}`, `json.layers[${l}]`);
    return keys;
  });

  const scale = activation === 'leaky-relu' ? BRAIN_LEAKY_ALPHA : 1;
  const weights: number[][] = [];
  const biases: number[][] = [];
  for (let l = 1; l < sizes.length; l++) {
    const previous = names[l - 1]!;
    const w = new Array<number>(sizes[l]! * previous.length);
    const b = new Array<number>(sizes[l]!);
    names[l]!.forEach((node: string, o: number) => {
      const at = `json.layers[${l}].${node}`;
      const entry = object(layerObjects[l]![node], at);
      b[o] = scale * finiteNumber(entry.bias, `${at}.bias`);
      const incoming = object(entry.weights, `${at}.weights`);
      if (Object.keys(incoming).length !== previous.length) {
        throw new FormatError(`${at}.weights must hold ${previous.length} weights (one per node of layer ${l - 1}), got ${Object.keys(incoming).length}`, `${at}.weights`);
      }
      previous.forEach((from, i) => {
        if (!Object.hasOwn(incoming, from)) throw new FormatError(`${at}.weights.${from} is missing`, `${at}.weights.${from}`);
        w[o * previous.length + i] = scale * finiteNumber(incoming[from], `${at}.weights.${from}`);
      });
    });
    weights.push(w);
    biases.push(b);
  }

  const ours: Activation = activation === 'leaky-relu' ? 'relu' : activation;
  const meta: Record<string, unknown> = { source: 'brain.js' };
  if (root.inputLookup === true) meta.inputNames = names[0];
  if (root.outputLookup === true) meta.outputNames = names[names.length - 1];
  return parseDenseModel({
    format: 'neurite-dense',
    version: 1,
    layers: sizes.map((size: number, l: number) => (l === 0 ? { size } : { size, activation: ours })),
    loss: 'mse',
    optimizer: optimizer(root.trainOpts),
    seed: 1,
    weights,
    biases,
    meta,
  });
}

/** Checks that `value` is a non-array object without prototype-polluting own keys. */
export function object(value: unknown, argument: string): Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value) || ArrayBuffer.isView(value)) {
    throw new FormatError(`${argument} must be an object, got ${describe(value)}`, argument);
  }
  for (const key of Object.keys(value)) {
    if (POLLUTING_KEYS.has(key)) throw new FormatError(`${argument} holds the key '${key}', which is refused (prototype pollution)`, `${argument}.${key}`);
  }
  return value as Record<string, unknown>;
}

function brainActivation(value: unknown): BrainActivation {
  if (typeof value !== 'string' || !(BRAIN_ACTIVATIONS as readonly string[]).includes(value)) {
    throw new FormatError(`json.activation must be one of ${BRAIN_ACTIVATIONS.map((a) => `'${a}'`).join(', ')}, got ${describe(value)}`, 'json.activation');
  }
  return value as BrainActivation;
}

/** brain's training settings as ours: adam when its praxis was adam, else its momentum SGD (defaults 0.3 and 0.1). */
function optimizer(trainOpts: unknown): OptimizerOptions {
  const options = trainOpts !== null && typeof trainOpts === 'object' ? (trainOpts as Record<string, unknown>) : {};
  const setting = (key: string, fallback: number, max: number) => {
    const value = options[key];
    return typeof value === 'number' && value > 0 && value < max ? value : fallback;
  };
  if (options.praxis === 'adam') return { type: 'adam', learningRate: setting('learningRate', 0.01, Infinity) };
  return { type: 'momentum', learningRate: setting('learningRate', 0.3, Infinity), momentum: setting('momentum', 0.1, 1) };
}
