// RecurrentModel: the arena of a RecurrentNetwork and everything that reads or writes it, with the state training keeps.
import { ArenaModel } from '../arena-model.js';
import type { Arena } from '../backend/index.js';
import { measure, scaleRows, standardize, unstandardize } from '../dense/scaling.js';
import { checkTargets } from '../dense/targets.js';
import {
  CELL_GRU, CELL_LSTM, CELL_RNN, DENSE_CAPACITY, DENSE_INPUT, DENSE_OUTPUT, DENSE_PARAMS, DENSE_SETTINGS, DENSE_STATUS, DENSE_TARGET, MEMORY_CELL,
  MEMORY_HIDDEN, OUTPUT_LAST, OUTPUT_SEQUENCE, RNN_FEED, RNN_LENGTHS, RNN_STEPS, RNN_WINDOW, denseEntry, recurrentWord,
} from '../header.js';
import { gateCount, type Layout, recurrentLayout, type RecurrentShape, writeHeader } from '../layout.js';
import { ACTIVATION_CODES, LOSS_CODES, OPTIMIZER_CODES } from '../spec/codes.js';
import { setInto } from '../validate.js';
import { readSequence, type Sequences, toSequences } from './data.js';
import type { ResolvedRecurrent } from './options.js';
import type { RecurrentOutput, Sequence } from './types.js';

/** Each cell name to its header code. */
export const CELL_CODES = { lstm: CELL_LSTM, gru: CELL_GRU, rnn: CELL_RNN } as const;
const MEMORY_CODES = { cell: MEMORY_CELL, hidden: MEMORY_HIDDEN } as const;
/** Sequences per kernel call when evaluating, at most; and the most bytes of per-step buffers such a call may use. */
const EVALUATION_CHUNK = 256;
const EVALUATION_BYTES = 32 * 2 ** 20;

/** The arena layout of a checked configuration, with room for `capacity` sequences of `steps` steps per kernel call. */
function layoutOf(config: ResolvedRecurrent, capacity: number, steps: number): Layout {
  const o = config.optimizer;
  const shape: RecurrentShape = {
    inputSize: config.inputSize,
    layers: config.layers.map((layer) => ({
      cell: CELL_CODES[layer.cell], size: layer.size, activation: ACTIVATION_CODES[layer.activation], memory: MEMORY_CODES[layer.memory],
    })),
    headSize: config.head.size,
    headActivation: ACTIVATION_CODES[config.head.activation],
    output: config.output === 'sequence' ? OUTPUT_SEQUENCE : OUTPUT_LAST,
    loss: LOSS_CODES[config.loss],
    optimizer: OPTIMIZER_CODES[o.type],
    nesterov: o.nesterov,
  };
  return recurrentLayout(shape, capacity, steps);
}

/**
 * The model behind a RecurrentNetwork: it owns the arena and its header (allocation, growth to a batch's sequences
 * and steps, staging, kernel calls) and, through ArenaModel, the optimizer's settings and state and the state of
 * training, which fit, fitAsync and checkpoints drive. Arguments reach it already checked, except the sequences and
 * data it reads once itself.
 */
export class RecurrentModel extends ArenaModel<ResolvedRecurrent> {
  /** Features per time step. */
  readonly inputSize: number;
  /** Outputs of the dense head. */
  readonly outputSize: number;
  /** An output at every step ('sequence') or from the final state ('last'). */
  readonly output: RecurrentOutput;
  // Mirrors of the header's capacity words: sequences and steps per kernel call.
  private capacity = 1;
  private steps = 1;
  // Bytes one sequence's step takes in the arena (0 until the first evaluation needs it).
  private stepBytes = 0;

  /** Allocates and initializes the arena of a checked configuration. */
  constructor(config: ResolvedRecurrent) {
    super('RecurrentNetwork', config, layoutOf(config, 1, 1));
    this.inputSize = config.inputSize;
    this.outputSize = config.head.size;
    this.output = config.output;
    this.initialize();
  }

  /**
   * Glorot uniform weights: input weights ±sqrt(6 / (width + gates·size)), recurrent weights ±sqrt(6 / (size +
   * gates·size)), the head ±sqrt(6 / (in + out)); biases 0 but an lstm's forget gate, 1 (it starts remembering).
   * Drawn layer by layer: input weights row by row, then recurrent weights, then the head.
   */
  private initialize(): void {
    const f = this.arena.f64;
    let at = this.arena.at(DENSE_PARAMS);
    let width = this.inputSize;
    for (const layer of this.config.layers) {
      const rows = gateCount(CELL_CODES[layer.cell]) * layer.size;
      const nIn = width + layer.size;
      const inputLimit = Math.sqrt(6 / (width + rows));
      const recurrentLimit = Math.sqrt(6 / (layer.size + rows));
      for (let r = 0; r < rows; r++) for (let j = 0; j < width; j++) f[at + r * nIn + j] = (2 * this.random.next() - 1) * inputLimit;
      for (let r = 0; r < rows; r++) for (let j = 0; j < layer.size; j++) f[at + r * nIn + width + j] = (2 * this.random.next() - 1) * recurrentLimit;
      if (layer.cell === 'lstm') f.fill(1, at + rows * nIn + layer.size, at + rows * nIn + 2 * layer.size);
      at += rows * nIn + rows;
      width = layer.size;
    }
    const limit = Math.sqrt(6 / (width + this.outputSize));
    for (let k = 0; k < width * this.outputSize; k++) f[at + k] = (2 * this.random.next() - 1) * limit;
  }

  /**
   * Makes room for `capacity` sequences of `steps` steps per kernel call. A bigger arena is allocated and the fixed
   * part copied before the old one is freed, so a MemoryError leaves the network as it was.
   */
  private reserve(capacity: number, steps: number): Arena {
    const arena = this.live();
    if (capacity <= this.capacity && steps <= this.steps) return arena;
    const layout = layoutOf(this.config, Math.max(capacity, this.capacity), Math.max(steps, this.steps));
    const bigger = this.impl.allocate(layout.bytes);
    writeHeader(bigger, layout);
    const from = arena.at(DENSE_SETTINGS);
    bigger.f64.set(arena.f64.subarray(from, (arena.base + this.layout.fixedBytes) >> 3), bigger.at(DENSE_SETTINGS));
    this.replaceArena(bigger, layout);
    this.capacity = bigger.word(DENSE_CAPACITY);
    this.steps = bigger.word(recurrentWord(this.layerCount, RNN_STEPS));
    return bigger;
  }

  /** Parameter layers: the recurrent ones and the head. */
  private get layerCount(): number {
    return this.config.layers.length + 1;
  }

  /** Stages sequences [start, start + count) of `data` (in `order` when given); returns the longest one's steps. */
  stage(data: Sequences, order: Int32Array | null, start: number, count: number): number {
    let steps = 0;
    for (let b = 0; b < count; b++) steps = Math.max(steps, data.lengths[order ? order[start + b]! : start + b]!);
    const arena = this.reserve(count, steps);
    const f = arena.f64;
    const nIn = this.inputSize;
    const nOut = this.outputSize;
    const x = arena.at(DENSE_INPUT);
    const y = arena.at(DENSE_TARGET);
    const sequence = this.output === 'sequence';
    const lengths = (arena.base + arena.word(recurrentWord(this.layerCount, RNN_LENGTHS))) >> 2;
    f.fill(0, x, x + steps * count * nIn);
    if (sequence) f.fill(0, y, y + steps * count * nOut);
    for (let b = 0; b < count; b++) {
      const s = order ? order[start + b]! : start + b;
      const length = data.lengths[s]!;
      const offset = data.offsets[s]!;
      arena.i32[lengths + b] = length;
      for (let t = 0; t < length; t++) {
        for (let k = 0; k < nIn; k++) f[x + (t * count + b) * nIn + k] = data.inputs[(offset + t) * nIn + k]!;
        if (sequence) for (let k = 0; k < nOut; k++) f[y + (t * count + b) * nOut + k] = data.targets[(offset + t) * nOut + k]!;
      }
      if (!sequence) for (let k = 0; k < nOut; k++) f[y + b * nOut + k] = data.targets[s * nOut + k]!;
    }
    return steps;
  }

  /** One training step on `count` staged sequences of up to `steps` steps; returns its loss (see diverged()). */
  trainStaged(count: number, steps: number, window: number): number {
    const arena = this.arena;
    arena.i32[(arena.base >> 2) + DENSE_STATUS] = 0;
    arena.i32[(arena.base >> 2) + recurrentWord(this.layerCount, RNN_WINDOW)] = window;
    return this.impl.kernels.trainRecurrent(arena, count, steps);
  }

  /** What the loss of sequences [start, start + count) averages over: their steps ('sequence') or the sequences. */
  weight(data: Sequences, order: Int32Array | null, start: number, count: number): number {
    if (this.output === 'last') return count;
    let steps = 0;
    for (let b = 0; b < count; b++) steps += data.lengths[order ? order[start + b]! : start + b]!;
    return steps;
  }

  /** Checked sequences of `data` for this network, unscaled. */
  sequencesOf(data: unknown, argument: string): Sequences {
    const sequences = toSequences(data, this.inputSize, this.outputSize, this.output, argument);
    checkTargets(this.loss, sequences.targets, this.outputSize, `${argument} targets`);
    return sequences;
  }

  /** Measures the standardization figures on training sequences, once (null when none is wanted). */
  decideScaling(data: Sequences): void {
    if (this.scaling === undefined) this.scaling = measure(data, { inputs: this.inputSize, targets: this.outputSize }, this.standardization);
  }

  /** `data` as the network trains on it: standardized copies where it has figures. */
  scaled(data: Sequences): Sequences {
    return scaleRows(data, this.scaling);
  }

  /** Mean loss and accuracy over sequences already scaled, in chunks. */
  evaluateSequences(data: Sequences): { loss: number; accuracy: number } {
    if (this.stepBytes === 0) this.stepBytes = layoutOf(this.config, 1, 2).bytes - layoutOf(this.config, 1, 1).bytes;
    const chunk = Math.max(1, Math.min(EVALUATION_CHUNK, Math.floor(EVALUATION_BYTES / (data.longest * this.stepBytes))));
    let total = 0;
    let correct = 0;
    let weight = 0;
    for (let start = 0; start < data.count; start += chunk) {
      const count = Math.min(chunk, data.count - start);
      const steps = this.stage(data, null, start, count);
      const w = this.weight(data, null, start, count);
      total += this.impl.kernels.evaluateRecurrent(this.arena, count, steps) * w;
      correct += this.lastCorrect();
      weight += w;
    }
    return { loss: total / weight, accuracy: correct / weight };
  }

  /** Reads one sequence once, checks it, standardizes the copy. */
  readInput(sequence: Sequence): { values: Float64Array; steps: number } {
    this.live();
    const read = readSequence(sequence, this.inputSize, 'sequence');
    this.live();
    if (this.scaling?.inputs) standardize(read.values, read.steps, this.scaling.inputs);
    return read;
  }

  /** How many numbers the outputs for a sequence of `steps` steps are. */
  outputLength(steps: number): number {
    return this.output === 'sequence' ? steps * this.outputSize : this.outputSize;
  }

  /** Runs one sequence read by {@link readInput}; writes its outputs, in the targets' units, into `out` (checked). */
  run(out: Float64Array, values: Float64Array, steps: number): Float64Array {
    const arena = this.reserve(1, steps);
    arena.f64.set(values, arena.at(DENSE_INPUT));
    arena.i32[(arena.base + arena.word(recurrentWord(this.layerCount, RNN_LENGTHS))) >> 2] = steps;
    this.impl.kernels.forwardRecurrent(arena, 1, steps);
    setInto(out, arena.view(denseEntry(this.layerCount, DENSE_OUTPUT), out.length));
    if (this.scaling?.targets) unstandardize(out, out.length / this.outputSize, this.scaling.targets);
    return out;
  }

  /**
   * The `steps` steps after `sequence` (steps × outputs, new): the network reads the sequence, then each prediction
   * is fed back as the next step's input. The caller checked that the network has output 'sequence' and as many
   * outputs as inputs.
   */
  forecast(sequence: Sequence, steps: number): Float64Array {
    const { values, steps: prime } = this.readInput(sequence);
    const n = this.outputSize;
    const arena = this.reserve(1, prime + steps - 1);
    const f = arena.f64;
    f.set(values, arena.at(DENSE_INPUT));
    // Feedback: out in standardized target units → the input's standardized units, y·scale + shift.
    const feed = arena.at(recurrentWord(this.layerCount, RNN_FEED));
    for (let k = 0; k < n; k++) {
      const ti = this.scaling?.targets;
      const ii = this.scaling?.inputs;
      const targetStd = ti ? ti.std[k]! : 1;
      const targetMean = ti ? ti.mean[k]! : 0;
      const inputStd = ii ? ii.std[k]! : 1;
      const inputMean = ii ? ii.mean[k]! : 0;
      f[feed + k] = targetStd / inputStd;
      f[feed + n + k] = (targetMean - inputMean) / inputStd;
    }
    this.impl.kernels.forecastRecurrent(arena, prime, steps);
    const out = arena.view(denseEntry(this.layerCount, DENSE_OUTPUT), (prime + steps - 1) * n).slice((prime - 1) * n);
    if (this.scaling?.targets) unstandardize(out, steps, this.scaling.targets);
    return out;
  }
}
