// Saved recurrent models: the strict reader (every field checked before anything is allocated from it), and the
// weights of the JSON layers laid out as the arena's parameters and back.
import { MAX_LAYERS } from '../layout.js';
import { ACTIVATIONS, LOSSES } from '../dense/types.js';
import { FormatError } from '../errors.js';
import {
  header, list, MAX_PARAMETERS, meta, name, numbers, optimizer, parseText, record, scaling, seedNumber, size, standardizeChoice, training,
} from '../io/json.js';
import { gateCount, MAX_LAYER_SIZE } from '../layout.js';
import { hiddenProblem, lossProblem, widthProblem } from '../spec/rules.js';
import { CELL_CODES } from './model.js';
import type { ResolvedRecurrent } from './options.js';
import { LSTM_MEMORIES, RECURRENT_OUTPUTS, type RecurrentLayerJSON, type RecurrentModelJSON } from './types.js';

const MODEL_KEYS = ['format', 'version', 'inputSize', 'output', 'layers', 'loss', 'optimizer', 'seed', 'meta', 'scaling', 'standardize', 'training'];
const MODEL_REQUIRED = ['format', 'version', 'inputSize', 'output', 'layers', 'loss', 'optimizer', 'seed'];
const CELL_KEYS = ['type', 'size', 'input', 'recurrent', 'bias'];
const LSTM_KEYS = ['type', 'size', 'memory', 'input', 'recurrent', 'bias'];
const RNN_KEYS = ['type', 'size', 'activation', 'input', 'recurrent', 'bias'];
const HEAD_KEYS = ['type', 'size', 'activation', 'weights', 'biases'];
const ALL_LAYER_KEYS = [...new Set([...LSTM_KEYS, ...RNN_KEYS, ...HEAD_KEYS])];

/**
 * Reads a saved `RecurrentNetwork` (`toJSON()` output, as an object or a JSON string) and checks every field: format
 * and version, sizes (and the parameter total, before reading any weight), cell, activation, loss and optimizer
 * names, weight counts, finite numbers, a checkpoint's training state (moments, powers, the fit's epoch, visiting
 * order, early-stopping state and halvings, as DenseNetwork's), and no `__proto__`/`constructor`/`prototype` keys.
 * Returns a fresh copy.
 * @throws FormatError naming the field, what it must be and what it was.
 */
export function parseRecurrentModel(json: unknown): RecurrentModelJSON {
  const root = record(header(parseText(json), 'neurite-recurrent'), 'json', MODEL_KEYS, MODEL_REQUIRED);
  const inputSize = size(root.inputSize, 'json.inputSize', MAX_LAYER_SIZE);
  const output = name(root.output, 'json.output', RECURRENT_OUTPUTS);
  const layerList = list(root.layers, 'json.layers', 2, MAX_LAYERS);
  // Shapes first, from every layer's type and size: the parameter total is checked before any weight is read.
  const entries = layerList.map((value, l) => {
    const argument = `json.layers[${l}]`;
    const all = record(value, argument, ALL_LAYER_KEYS, ['type', 'size']);
    const last = l === layerList.length - 1;
    const type = name(all.type, `${argument}.type`, last ? ['dense'] as const : ['lstm', 'gru', 'rnn'] as const);
    const keys = type === 'dense' ? HEAD_KEYS : type === 'rnn' ? RNN_KEYS : type === 'lstm' ? LSTM_KEYS : CELL_KEYS;
    // An lstm's memory is optional ('cell' when missing).
    const required = type === 'lstm' ? CELL_KEYS : keys;
    // `all` is this reader's own copy: checking it again reads nothing of the caller's.
    return { argument, entry: record(all, argument, keys, required), type, size: size(all.size, `${argument}.size`, MAX_LAYER_SIZE) };
  });
  let parameters = 0;
  let width = inputSize;
  for (const { type, size: units } of entries) {
    const rows = type === 'dense' ? units : gateCount(CELL_CODES[type]) * units;
    parameters += rows * (type === 'dense' ? width : width + units) + rows;
    width = units;
  }
  if (parameters > MAX_PARAMETERS) throw new FormatError(`json.layers declare ${parameters} parameters, more than the ${MAX_PARAMETERS} a saved model may hold`, 'json.layers');
  width = inputSize;
  const layers = entries.map(({ argument, entry, type, size: units }): RecurrentLayerJSON => {
    const previous = width;
    width = units;
    if (type === 'dense') {
      const activation = name(entry.activation, `${argument}.activation`, ACTIVATIONS);
      const problem = hiddenProblem(activation, 1, 2) ?? widthProblem(activation, units);
      if (problem !== null) throw new FormatError(`${argument}: ${problem}`, `${argument}.activation`);
      return {
        type, size: units, activation,
        weights: numbers(entry.weights, `${argument}.weights`, units * previous, `${units}×${previous}`),
        biases: numbers(entry.biases, `${argument}.biases`, units),
      };
    }
    const rows = gateCount(CELL_CODES[type]) * units;
    const weights = {
      input: numbers(entry.input, `${argument}.input`, rows * previous, `${rows}×${previous}`),
      recurrent: numbers(entry.recurrent, `${argument}.recurrent`, rows * units, `${rows}×${units}`),
      bias: numbers(entry.bias, `${argument}.bias`, rows),
    };
    if (type === 'rnn') return { type, size: units, activation: name(entry.activation, `${argument}.activation`, ['tanh', 'relu'] as const), ...weights };
    if (type === 'lstm' && entry.memory !== undefined) return { type, size: units, memory: name(entry.memory, `${argument}.memory`, LSTM_MEMORIES), ...weights };
    return { type: type as 'lstm' | 'gru', size: units, ...weights };
  });
  const head = layers[layers.length - 1] as Extract<RecurrentLayerJSON, { type: 'dense' }>;
  const loss = name(root.loss, 'json.loss', LOSSES);
  const lossError = lossProblem(loss, head.activation);
  if (lossError !== null) throw new FormatError(`json.loss ${lossError}`, 'json.loss');
  const model: RecurrentModelJSON = {
    format: 'neurite-recurrent',
    version: 1,
    inputSize,
    output,
    layers,
    loss,
    optimizer: optimizer(root.optimizer, 'json.optimizer'),
    seed: seedNumber(root.seed),
  };
  if (root.meta !== undefined) model.meta = meta(root.meta);
  if (root.scaling !== undefined) model.scaling = scaling(root.scaling, inputSize, head.size);
  if (root.standardize !== undefined) model.standardize = standardizeChoice(root.standardize);
  if (root.training !== undefined) model.training = training(root.training, parameters);
  return model;
}

/**
 * The weights of checked JSON layers as the arena's parameters (`count` of them): per recurrent layer its gate rows
 * over [input | previous state], then its biases; the head's weights and biases last.
 */
export function parametersFromJSON(model: RecurrentModelJSON, count: number): Float64Array {
  const parameters = new Float64Array(count);
  let at = 0;
  let width = model.inputSize;
  for (const layer of model.layers) {
    if (layer.type === 'dense') {
      parameters.set(layer.weights, at);
      parameters.set(layer.biases, at + layer.weights.length);
      break;
    }
    const rows = gateCount(CELL_CODES[layer.type]) * layer.size;
    const nIn = width + layer.size;
    for (let r = 0; r < rows; r++) {
      parameters.set(layer.input.slice(r * width, (r + 1) * width), at + r * nIn);
      parameters.set(layer.recurrent.slice(r * layer.size, (r + 1) * layer.size), at + r * nIn + width);
    }
    parameters.set(layer.bias, at + rows * nIn);
    at += rows * nIn + rows;
    width = layer.size;
  }
  return parameters;
}

/** The JSON layers of a network of `config` whose parameters (in the arena's order, see parametersFromJSON) are `p`. */
export function layersToJSON(config: ResolvedRecurrent, p: Float64Array): RecurrentLayerJSON[] {
  let at = 0;
  let width = config.inputSize;
  const layers = config.layers.map((layer): RecurrentLayerJSON => {
    const rows = gateCount(CELL_CODES[layer.cell]) * layer.size;
    const nIn = width + layer.size;
    const input: number[] = [];
    const recurrent: number[] = [];
    for (let r = 0; r < rows; r++) {
      for (let j = 0; j < width; j++) input.push(p[at + r * nIn + j]!);
      for (let j = 0; j < layer.size; j++) recurrent.push(p[at + r * nIn + width + j]!);
    }
    const bias = Array.from(p.subarray(at + rows * nIn, at + rows * nIn + rows));
    at += rows * nIn + rows;
    width = layer.size;
    if (layer.cell === 'rnn') return { type: 'rnn', size: layer.size, activation: layer.activation, input, recurrent, bias };
    // memory is written only when 'hidden': a standard lstm saves as it always has.
    if (layer.cell === 'lstm' && layer.memory === 'hidden') return { type: 'lstm', size: layer.size, memory: 'hidden', input, recurrent, bias };
    return { type: layer.cell, size: layer.size, input, recurrent, bias };
  });
  const head = config.head;
  layers.push({
    type: 'dense', size: head.size, activation: head.activation,
    weights: Array.from(p.subarray(at, at + head.size * width)),
    biases: Array.from(p.subarray(at + head.size * width, at + head.size * width + head.size)),
  });
  return layers;
}
