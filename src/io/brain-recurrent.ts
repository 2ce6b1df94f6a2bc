// brainToRecurrentModel: a brain.js 1.x LSTMTimeStep / GRUTimeStep / RNNTimeStep toJSON() output as a neurite recurrent model.
import { FormatError } from '../errors.js';
import { MAX_LAYER_SIZE } from '../layout.js';
import type { RecurrentLayerJSON, RecurrentModelJSON } from '../recurrent/types.js';
import { describe, lengthOf } from '../validate.js';
import { object } from './brain.js';
import { MAX_LAYERS } from '../layout.js';
import { finiteNumber, MAX_PARAMETERS, parseText } from './json.js';

type Cell = 'lstm' | 'gru' | 'rnn';

/** brain.js's time-step classes and the cell each computes. */
const BRAIN_TYPES: Readonly<Record<string, Cell>> = { LSTMTimeStep: 'lstm', GRUTimeStep: 'gru', RNNTimeStep: 'rnn' };
/** brain.js's text models: they embed characters, which a RecurrentNetwork does not. */
const TEXT_TYPES = ['LSTM', 'GRU', 'RNN'];
/** Per cell, brain's [input, recurrent, bias] matrix names of each gate, in the contract's gate order. */
const GATE_MATRICES: Readonly<Record<Cell, readonly (readonly [string, string, string])[]>> = {
  lstm: [
    ['inputMatrix', 'inputHidden', 'inputBias'],
    ['forgetMatrix', 'forgetHidden', 'forgetBias'],
    ['cellActivationMatrix', 'cellActivationHidden', 'cellActivationBias'],
    ['outputMatrix', 'outputHidden', 'outputBias'],
  ],
  gru: [
    ['updateGateInputMatrix', 'updateGateHiddenMatrix', 'updateGateBias'],
    ['resetGateInputMatrix', 'resetGateHiddenMatrix', 'resetGateBias'],
    ['cellWriteInputMatrix', 'cellWriteHiddenMatrix', 'cellWriteBias'],
  ],
  rnn: [['weight', 'transition', 'bias']],
};
const ROOT_KEYS = ['type', 'options', 'hiddenLayers', 'outputConnector', 'output'];
const MATRIX_KEYS = ['rows', 'columns', 'weights'];
/** brain's RNN defaults learn with a per-weight adaptive step of 0.01; adam at that rate is the nearest of ours. */
const IMPORTED_LEARNING_RATE = 0.01;

/**
 * Converts the output of a brain.js 1.x `LSTMTimeStep`, `GRUTimeStep` or `RNNTimeStep` `toJSON()` (an object,
 * its JSON text, with weights as arrays, typed arrays or brain's `{"0": …}` objects) into a `RecurrentModelJSON`
 * whose predict and forecast give brain.js's `run` and `forecast` results (brain computes in float32, so they
 * agree to float32 precision). The model outputs at every step (`output: 'sequence'`) through an identity dense
 * head (brain's `outputConnector` and `output`). brain's GRU is the contract's (reset before the product); its
 * RNN uses relu; its LSTM applies the forget gate to the previous hidden state and carries no cell state,
 * which is `memory: 'hidden'` on the lstm layers. The loss is 'mse' (brain's error gradient) and the
 * optimizer adam at 0.01 (brain's RMSProp-like rule is not one of neurite's).
 * @throws FormatError naming the field at fault; brain's text models (LSTM, GRU, RNN) are refused.
 */
export function brainToRecurrentModel(json: unknown): RecurrentModelJSON {
  const root = object(parseText(json), 'json');
  for (const key of Object.keys(root)) {
    if (!ROOT_KEYS.includes(key)) throw new FormatError(`json.${key} is not a field of brain.js 1.x time-step JSON; valid fields: ${ROOT_KEYS.join(', ')}`, `json.${key}`);
  }
  const type = root.type;
  if (typeof type !== 'string' || !Object.hasOwn(BRAIN_TYPES, type)) {
    const text = typeof type === 'string' && TEXT_TYPES.includes(type) ? ` (brain's text model ${type} embeds characters; only its time-step models are supported)` : '';
    throw new FormatError(`json.type must be one of ${Object.keys(BRAIN_TYPES).map((t) => `'${t}'`).join(', ')}, got ${describe(type)}${text}`, 'json.type');
  }
  const cell = BRAIN_TYPES[type]!;
  const gates = GATE_MATRICES[cell];

  const options = object(root.options, 'json.options');
  const inputSize = size(options.inputSize, 'json.options.inputSize');
  const outputSize = size(options.outputSize, 'json.options.outputSize');
  const hiddenSizes = options.hiddenLayers;
  if (!Array.isArray(hiddenSizes) || hiddenSizes.length < 1 || hiddenSizes.length > MAX_LAYERS) {
    throw new FormatError(`json.options.hiddenLayers must be an array of 1 to ${MAX_LAYERS} layer sizes, got ${describe(hiddenSizes)}`, 'json.options.hiddenLayers');
  }
  const sizes = hiddenSizes.map((value: unknown, l: number) => size(value, `json.options.hiddenLayers[${l}]`));
  let parameters = outputSize * (sizes[sizes.length - 1]! + 1);
  sizes.forEach((units, l) => (parameters += gates.length * units * ((l === 0 ? inputSize : sizes[l - 1]!) + units + 1)));
  if (parameters > MAX_PARAMETERS) throw new FormatError(`json.options declare ${parameters} parameters, more than the ${MAX_PARAMETERS} a model may hold`, 'json.options');

  const hiddenLayers = root.hiddenLayers;
  if (!Array.isArray(hiddenLayers) || hiddenLayers.length !== sizes.length) {
    throw new FormatError(`json.hiddenLayers must be an array of ${sizes.length} layers (one per json.options.hiddenLayers size), got ${describe(hiddenLayers)}`, 'json.hiddenLayers');
  }
  const layers: RecurrentLayerJSON[] = sizes.map((units, l) => {
    const at = `json.hiddenLayers[${l}]`;
    const matrices = object(hiddenLayers[l], at);
    const expected = gates.flat();
    for (const key of Object.keys(matrices)) {
      if (!expected.includes(key)) throw new FormatError(`${at}.${key} is not a matrix of brain's ${type}; valid ones: ${expected.join(', ')}`, `${at}.${key}`);
    }
    const width = l === 0 ? inputSize : sizes[l - 1]!;
    const input: number[] = [];
    const recurrent: number[] = [];
    const bias: number[] = [];
    for (const [inputName, recurrentName, biasName] of gates) {
      input.push(...matrix(matrices[inputName], `${at}.${inputName}`, units, width));
      recurrent.push(...matrix(matrices[recurrentName], `${at}.${recurrentName}`, units, units));
      bias.push(...matrix(matrices[biasName], `${at}.${biasName}`, units, 1));
    }
    if (cell === 'rnn') return { type: 'rnn', size: units, activation: 'relu', input, recurrent, bias };
    if (cell === 'gru') return { type: 'gru', size: units, input, recurrent, bias };
    // brain's LSTM: its forget gate acts on the previous hidden state, and it carries no cell state.
    return { type: 'lstm', size: units, memory: 'hidden', input, recurrent, bias };
  });
  const last = sizes[sizes.length - 1]!;
  layers.push({
    type: 'dense',
    size: outputSize,
    activation: 'identity',
    weights: matrix(root.outputConnector, 'json.outputConnector', outputSize, last),
    biases: matrix(root.output, 'json.output', outputSize, 1),
  });
  return {
    format: 'neurite-recurrent',
    version: 1,
    inputSize,
    output: 'sequence',
    layers,
    loss: 'mse',
    optimizer: { type: 'adam', learningRate: IMPORTED_LEARNING_RATE },
    seed: 1,
    meta: { source: 'brain.js', type },
  };
}

function size(value: unknown, argument: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > MAX_LAYER_SIZE) {
    throw new FormatError(`${argument} must be an integer in [1, ${MAX_LAYER_SIZE}], got ${describe(value)}`, argument);
  }
  return value;
}

/** A brain `Matrix#toJSON()` of `rows` × `columns` as a row-major number array (brain's layout too). */
function matrix(value: unknown, argument: string, rows: number, columns: number): number[] {
  const m = object(value, argument);
  for (const key of Object.keys(m)) {
    if (!MATRIX_KEYS.includes(key)) throw new FormatError(`${argument}.${key} is not a field of a brain.js matrix; valid fields: ${MATRIX_KEYS.join(', ')}`, `${argument}.${key}`);
  }
  if (m.rows !== rows) throw new FormatError(`${argument}.rows must be ${rows}, got ${describe(m.rows)}`, `${argument}.rows`);
  if (m.columns !== columns) throw new FormatError(`${argument}.columns must be ${columns}, got ${describe(m.columns)}`, `${argument}.columns`);
  const count = rows * columns;
  const weights = m.weights;
  const at = `${argument}.weights`;
  // brain's weights are a Float32Array, which JSON text turns into an object keyed "0", "1", ….
  const n = lengthOf(weights);
  if (n >= 0) {
    if (n !== count) throw new FormatError(`${at} must hold ${count} numbers, got ${n}`, at);
    const list = weights as ArrayLike<unknown>;
    return Array.from({ length: count }, (_, i) => finiteNumber(list[i], `${at}[${i}]`));
  }
  const keyed = object(weights, at);
  const keys = Object.keys(keyed);
  if (keys.length !== count) throw new FormatError(`${at} must hold ${count} numbers, got ${keys.length} keys`, at);
  return Array.from({ length: count }, (_, i) => {
    if (!Object.hasOwn(keyed, i)) throw new FormatError(`${at}.${i} is missing`, `${at}.${i}`);
    return finiteNumber(keyed[i], `${at}.${i}`);
  });
}
