// Validation of RecurrentNetwork's options into one resolved configuration.
import type { BackendName } from '../backend/index.js';
import { resolveOptimizer, resolveStandardize } from '../dense/options.js';
import { ACTIVATIONS, LOSSES, type Activation, type Loss, type OptimizerOptions } from '../dense/types.js';
import { ConfigurationError, InvalidArgumentError, OutOfRangeError } from '../errors.js';
import { MAX_LAYERS } from '../layout.js';
import { MAX_LAYER_SIZE } from '../layout.js';
import { hiddenProblem, lossProblem, widthProblem } from '../spec/rules.js';
import { describe, integer, lengthOf, oneOf, options, record } from '../validate.js';
import { LSTM_MEMORIES, RECURRENT_CELLS, RECURRENT_OUTPUTS, type RecurrentCell, type RecurrentNetworkOptions, type RecurrentOutput } from './types.js';

/** Gradient clipping of recurrent networks unless the optimizer options say otherwise. */
const DEFAULT_CLIP_NORM = 1;

/** One recurrent layer, resolved. */
export interface ResolvedLayer {
  cell: RecurrentCell;
  size: number;
  /** 'tanh' or 'relu' for a simple rnn; 'tanh' (unused by the kernels) for lstm and gru. */
  activation: 'tanh' | 'relu';
  /** What an lstm's forget gate multiplies; 'cell' for gru and rnn (unused by their kernels). */
  memory: 'cell' | 'hidden';
}

/** Options after validation and defaults. */
export interface ResolvedRecurrent {
  inputSize: number;
  layers: ResolvedLayer[];
  head: { size: number; activation: Activation };
  output: RecurrentOutput;
  loss: Loss;
  optimizer: Required<OptimizerOptions>;
  seed: number;
  standardize: { inputs: boolean; targets: boolean };
  backend: BackendName | undefined;
}

const NETWORK_OPTIONS = ['inputSize', 'layers', 'output', 'loss', 'optimizer', 'seed', 'standardize', 'backend'] as const;
const LAYER_TYPES = [...RECURRENT_CELLS, 'dense'] as const;

/** The head activation a loss implies when none is given. */
function headDefault(loss: Loss | undefined): Activation {
  return loss === 'crossEntropy' ? 'softmax' : loss === 'binaryCrossEntropy' ? 'sigmoid' : 'identity';
}

/** Validates `new RecurrentNetwork(options)`; every error names the option at fault. */
export function resolveRecurrent(value: RecurrentNetworkOptions): ResolvedRecurrent {
  if (value === undefined) {
    throw new InvalidArgumentError("options must be an object with `inputSize` and `layers`, e.g. { inputSize: 1, layers: [{ type: 'lstm', size: 20 }, { type: 'dense', size: 1 }] }", 'options');
  }
  const o = options(value, 'options', NETWORK_OPTIONS);
  const inputSize = integer(o.inputSize, 'options.inputSize', 1, MAX_LAYER_SIZE);
  const count = Array.isArray(o.layers) ? lengthOf(o.layers) : -1;
  if (count < 0) throw new InvalidArgumentError(`options.layers must be an array of { type, size }, got ${describe(o.layers)}`, 'options.layers');
  if (count < 2) throw new ConfigurationError(`options.layers needs at least one recurrent layer and a dense head, got ${count} layers`, 'options.layers');
  if (count > MAX_LAYERS) throw new OutOfRangeError(`options.layers may hold at most ${MAX_LAYERS} layers, got ${count}`, 'options.layers');
  const lossOption = o.loss === undefined ? undefined : oneOf(o.loss, 'options.loss', LOSSES);
  const layers: ResolvedLayer[] = [];
  let head: { size: number; activation: Activation } | undefined;
  for (let l = 0; l < count; l++) {
    const arg = `options.layers[${l}]`;
    const spec = options(
      record(o.layers as readonly unknown[], l, 'options.layers', '{ type, size }') as { type?: unknown; size?: unknown; activation?: unknown; memory?: unknown },
      arg, ['type', 'size', 'activation', 'memory'],
    );
    const type = oneOf(spec.type, `${arg}.type`, LAYER_TYPES);
    const size = integer(spec.size, `${arg}.size`, 1, MAX_LAYER_SIZE);
    const last = l === count - 1;
    if (type === 'dense') {
      if (!last) throw new ConfigurationError(`${arg}: the dense head must be the last layer, and only one`, `${arg}.type`);
      if (spec.memory !== undefined) throw new ConfigurationError(`${arg}.memory: only an 'lstm' layer takes a memory (what its forget gate multiplies), not the dense head`, `${arg}.memory`);
      const activation = spec.activation === undefined ? headDefault(lossOption) : oneOf(spec.activation, `${arg}.activation`, ACTIVATIONS);
      const problem = hiddenProblem(activation, 1, 2) ?? widthProblem(activation, size);
      if (problem !== null) throw new ConfigurationError(`${arg}: ${problem}`, `${arg}.activation`);
      head = { size, activation };
      continue;
    }
    if (last) throw new ConfigurationError(`${arg}: the last layer must be the dense head { type: 'dense', size }, got a '${type}' layer`, `${arg}.type`);
    if (spec.activation !== undefined && type !== 'rnn') {
      throw new ConfigurationError(`${arg}.activation: only a simple 'rnn' layer takes an activation ('${type}' uses sigmoid gates and tanh)`, `${arg}.activation`);
    }
    const activation = spec.activation === undefined ? 'tanh' : oneOf(spec.activation, `${arg}.activation`, ['tanh', 'relu'] as const);
    if (spec.memory !== undefined && type !== 'lstm') {
      throw new ConfigurationError(`${arg}.memory: only an 'lstm' layer takes a memory (what its forget gate multiplies), not a '${type}' layer`, `${arg}.memory`);
    }
    const memory = spec.memory === undefined ? 'cell' : oneOf(spec.memory, `${arg}.memory`, LSTM_MEMORIES);
    layers.push({ cell: type, size, activation, memory });
  }
  const output = o.output === undefined ? 'sequence' : oneOf(o.output, 'options.output', RECURRENT_OUTPUTS);
  const loss = lossOption ?? (head!.activation === 'softmax' ? 'crossEntropy' : head!.activation === 'sigmoid' ? 'binaryCrossEntropy' : 'mse');
  const problem = lossProblem(loss, head!.activation);
  if (problem !== null) throw new ConfigurationError(`options.loss ${problem}`, 'options.loss');
  const seed = o.seed === undefined ? Math.floor(Math.random() * 2 ** 32) : integer(o.seed, 'options.seed', 0, 2 ** 32 - 1);
  // A copy of the caller's optimizer object, read once: whether it names clipNorm decides the recurrent default.
  const given = o.optimizer !== null && typeof o.optimizer === 'object' ? { ...(o.optimizer as OptimizerOptions) } : o.optimizer;
  const optimizer = resolveOptimizer(given);
  if (typeof given !== 'object' || given.clipNorm === undefined) optimizer.clipNorm = DEFAULT_CLIP_NORM;
  return {
    inputSize,
    layers,
    head: head!,
    output,
    loss,
    optimizer,
    seed,
    // By default the inputs, and the targets of an identity head.
    standardize: resolveStandardize(o.standardize, { inputs: true, targets: head!.activation === 'identity' }),
    backend: o.backend,
  };
}
