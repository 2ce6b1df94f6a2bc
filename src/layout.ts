/**
 * The one description of where every number lives in an arena. Each layout
 * is an i32 header (word indices in header.ts) followed by float64 buffers at
 * 16-byte aligned byte offsets; both kernel sets read only the header.
 */
import {
  SEED_LAYER_COUNT, SEED_INPUT_CAPACITY, SEED_INPUT, SEED_EXPECTED, SEED_HEADER_WORDS,
  SEED_LAYER_WORDS, SEED_SIZE, SEED_IS_INPUT, SEED_WEIGHT, SEED_BIAS, SEED_RESULT, SEED_HOPED,
  SEED_PENDING_WEIGHT, SEED_PENDING_BIAS, seedEntry,
} from './header.js';
import {
  DENSE_LAYER_COUNT, DENSE_CAPACITY, DENSE_PARAM_COUNT, DENSE_SETTINGS, DENSE_PARAMS, DENSE_GRADS,
  DENSE_MOMENT1, DENSE_MOMENT2, DENSE_INPUT, DENSE_TARGET, DENSE_DATA_ROWS, DENSE_DATA_INPUTS,
  DENSE_DATA_TARGETS, DENSE_DATA_ORDER, DENSE_DATA_LOSSES, DENSE_LOSS_CHUNK, DENSE_HEADER_WORDS,
  DENSE_LAYER_WORDS, DENSE_IN, DENSE_OUT, DENSE_ACTIVATION, DENSE_WEIGHT, DENSE_BIAS, DENSE_OUTPUT,
  DENSE_DELTA, SETTINGS_COUNT, DENSE_LOSS_KIND, DENSE_OPTIMIZER, DENSE_NESTEROV, denseEntry,
  DENSE_SLICE_STATS, SLICE, SLICE_WORDS,
} from './header.js';
import {
  RNN_STEPS, RNN_OUTPUT_MODE, RNN_LENGTHS, RNN_FEED, RNN_HEAD_INPUT, RNN_CELL, RNN_SIZE, RNN_WIDTH, RNN_XH, RNN_GATES,
  RNN_EXTRA, RNN_DGATES, RNN_DXH, RNN_DXR, RNN_CARRY_H, RNN_CARRY_C, RNN_MEMORY, CELL_LSTM, CELL_GRU,
  cellGates, OUTPUT_SEQUENCE, recurrentWord, recurrentEntry,
} from './header.js';
import { BackendError, MemoryError } from './errors.js';

/**
 * The most units one dense layer may have: wider, its weights could not be addressed by the i32 byte offsets of
 * the arena header (src/dense/options.ts and src/io/json.ts check it).
 */
export const MAX_LAYER_SIZE = 2 ** 24;
/** The most layers a network, or a saved model, may declare. */
export const MAX_LAYERS = 4096;

/** A computed layout: the header words and the total size in bytes. */
export interface Layout {
  readonly header: Int32Array;
  readonly bytes: number;
  /** Bytes from the start that do not depend on capacities (a grown arena copies these). */
  readonly fixedBytes: number;
}

/** Hands out 16-byte aligned float64 buffers after a header of `words` i32 words. */
export class LayoutBuilder {
  readonly header: Int32Array;
  private end: number;
  constructor(words: number) {
    this.header = new Int32Array(words);
    this.end = align(words * 4);
  }

  /** Reserves `count` float64s and stores their byte offset in header word `word`. */
  buffer(word: number, count: number): number {
    const offset = this.end;
    this.end = align(offset + count * 8);
    // Offsets are i32 in the header: an arena is at most 2 GiB.
    if (this.end > 2 ** 31 - 1) throw new MemoryError(`the network needs more than 2 GiB (${count} numbers in one buffer); arenas are limited to 2 GiB`);
    this.header[word] = offset;
    return offset;
  }

  /** Stores a plain integer in header word `word`. */
  set(word: number, value: number): void {
    this.header[word] = value;
  }

  /** Total bytes so far. */
  get bytes(): number {
    return this.end;
  }

  done(fixedBytes = this.end): Layout {
    return { header: this.header, bytes: this.end, fixedBytes };
  }
}

function align(bytes: number): number {
  return Math.ceil(bytes / 16) * 16;
}

/** Copies a layout's header into the start of an arena. */
export function writeHeader(arena: { readonly i32: Int32Array; readonly base: number }, layout: Layout): void {
  arena.i32.set(layout.header, arena.base >> 2);
}

/** One seed layer: its size and whether it is an input layer (neuron i reads input i). */
export interface SeedLayerShape {
  readonly size: number;
  readonly isInput: boolean;
}

export { seedEntry } from './header.js';

/**
 * Seed arena: per layer weight, bias, result, hoped and pending (weight, bias)
 * buffers, then the staging slots for one input (`inputCapacity` numbers) and
 * one expected vector. The staging slots come last so that growing the input
 * capacity keeps every other offset: a bigger arena is the old bytes plus room.
 */
export function seedLayout(layers: readonly SeedLayerShape[], inputCapacity: number): Layout {
  const b = new LayoutBuilder(SEED_HEADER_WORDS + layers.length * SEED_LAYER_WORDS);
  b.set(SEED_LAYER_COUNT, layers.length);
  b.set(SEED_INPUT_CAPACITY, inputCapacity);
  let widest = 1;
  layers.forEach((layer, l) => {
    b.set(seedEntry(l, SEED_SIZE), layer.size);
    b.set(seedEntry(l, SEED_IS_INPUT), layer.isInput ? 1 : 0);
    for (const field of [SEED_WEIGHT, SEED_BIAS, SEED_RESULT, SEED_HOPED, SEED_PENDING_WEIGHT, SEED_PENDING_BIAS]) {
      b.buffer(seedEntry(l, field), layer.size);
    }
    widest = Math.max(widest, layer.size);
  });
  b.buffer(SEED_EXPECTED, widest);
  b.buffer(SEED_INPUT, inputCapacity);
  return b.done();
}

export { denseEntry } from './header.js';

/** A dense network's shape and kernel codes: layer sizes (input first), activation codes (index 0 unused), loss and optimizer codes. */
export interface DenseShape {
  readonly sizes: readonly number[];
  readonly activations: readonly number[];
  readonly loss: number;
  readonly optimizer: number;
  readonly nesterov: boolean;
}

/** Number of weights and biases of a dense shape. */
export function denseParameterCount(sizes: readonly number[]): number {
  let count = 0;
  for (let l = 1; l < sizes.length; l++) count += sizes[l - 1]! * sizes[l]! + sizes[l]!;
  return count;
}

/**
 * Dense arena. Fixed part: settings, then parameters [W1 b1 W2 b2 ...] contiguous
 * (W row-major [out][in], each layer's biases right after its weights; the optimizer
 * and gradient norm walk them as one block), gradients, first and second moments in
 * the same arrangement. Then, sized by `capacity` rows per batch: each layer's outputs
 * and deltas, the staged inputs and targets; then the staged data set of `dataRows`
 * rows, its visiting order (i32) and per-epoch (loss, accuracy) pairs for `lossChunk` epochs. A capacity
 * above SLICE rows adds what a sliced step needs: per-slice partials and per-weight-row norms (DENSE_SLICE_STATS).
 */
export function denseLayout(shape: DenseShape, capacity: number, dataRows: number, lossChunk: number): Layout {
  const { sizes, activations } = shape;
  const layers = sizes.length - 1;
  const b = new LayoutBuilder(DENSE_HEADER_WORDS + layers * DENSE_LAYER_WORDS);
  const params = denseParameterCount(sizes);
  b.set(DENSE_DATA_ROWS, dataRows);
  b.set(DENSE_LOSS_CHUNK, lossChunk);
  let offset = trainingHeader(b, layers, capacity, params, shape);
  for (let l = 1; l <= layers; l++) offset = layerEntry(b, l, sizes[l - 1]!, sizes[l]!, activations[l]!, offset);
  optimizerBuffers(b, params);
  const fixedBytes = b.bytes;
  for (let l = 1; l <= layers; l++) {
    b.buffer(denseEntry(l, DENSE_OUTPUT), capacity * sizes[l]!);
    b.buffer(denseEntry(l, DENSE_DELTA), capacity * sizes[l]!);
  }
  b.buffer(DENSE_INPUT, capacity * sizes[0]!);
  b.buffer(DENSE_TARGET, capacity * sizes[layers]!);
  // Steps of more than one row sum their gradients by slices (gradientsPhase), which keeps its norms here.
  const slices = capacity > 1 ? Math.ceil(capacity / SLICE) : 0;
  b.buffer(DENSE_SLICE_STATS, slices > 0 ? slices * SLICE_WORDS + sizes.slice(1).reduce((sum, n) => sum + n, 0) : 0);
  b.buffer(DENSE_DATA_INPUTS, dataRows * sizes[0]!);
  b.buffer(DENSE_DATA_TARGETS, dataRows * sizes[layers]!);
  b.buffer(DENSE_DATA_ORDER, Math.ceil(dataRows / 2));
  b.buffer(DENSE_DATA_LOSSES, 2 * lossChunk);
  return b.done(fixedBytes);
}

/**
 * The header words every trained arena (dense or recurrent) starts with: layer count, capacity, parameter count,
 * loss, optimizer; then its settings buffer. Returns the byte offset of the parameters, which come next.
 */
function trainingHeader(b: LayoutBuilder, layers: number, capacity: number, params: number, shape: { loss: number; optimizer: number; nesterov: boolean }): number {
  b.set(DENSE_LAYER_COUNT, layers);
  b.set(DENSE_CAPACITY, capacity);
  b.set(DENSE_PARAM_COUNT, params);
  b.set(DENSE_LOSS_KIND, shape.loss);
  b.set(DENSE_OPTIMIZER, shape.optimizer);
  b.set(DENSE_NESTEROV, shape.nesterov ? 1 : 0);
  b.buffer(DENSE_SETTINGS, SETTINGS_COUNT);
  return b.buffer(DENSE_PARAMS, params);
}

/** Layer `l`'s entry: its sizes, activation, and its weights ([out][in], row-major) then biases from `offset`; returns the offset after them. */
function layerEntry(b: LayoutBuilder, l: number, nIn: number, nOut: number, activation: number, offset: number): number {
  b.set(denseEntry(l, DENSE_IN), nIn);
  b.set(denseEntry(l, DENSE_OUT), nOut);
  b.set(denseEntry(l, DENSE_ACTIVATION), activation);
  b.set(denseEntry(l, DENSE_WEIGHT), offset);
  b.set(denseEntry(l, DENSE_BIAS), offset + nIn * nOut * 8);
  return offset + nIn * nOut * 8 + nOut * 8;
}

/** The buffers arranged like the parameters that the optimizer reads and writes: gradients and both moments. */
function optimizerBuffers(b: LayoutBuilder, params: number): void {
  b.buffer(DENSE_GRADS, params);
  b.buffer(DENSE_MOMENT1, params);
  b.buffer(DENSE_MOMENT2, params);
}

/**
 * One recurrent layer of a {@link RecurrentShape}: its cell code (CELL_*), units, for a simple rnn its activation
 * code, and for an lstm its memory code (MEMORY_*; MEMORY_CELL elsewhere).
 */
export interface RecurrentLayerShape {
  readonly cell: number;
  readonly size: number;
  readonly activation: number;
  readonly memory: number;
}

/** A recurrent network's shape and kernel codes: the recurrent layers, then the dense head. */
export interface RecurrentShape {
  readonly inputSize: number;
  readonly layers: readonly RecurrentLayerShape[];
  readonly headSize: number;
  readonly headActivation: number;
  /** OUTPUT_SEQUENCE or OUTPUT_LAST. */
  readonly output: number;
  readonly loss: number;
  readonly optimizer: number;
  readonly nesterov: boolean;
}

/** Gate rows per unit of a cell: lstm 4 (i, f, g, o), gru 3 (z, r, n), rnn 1. */
export function gateCount(cell: number): number {
  const gates = cellGates(cell);
  if (gates === 0) throw new BackendError(`unknown cell code ${cell}`);
  return gates;
}

/** Number of weights and biases of a recurrent shape, in the arena's order: per layer [weights | biases], the head last. */
export function recurrentParameterCount(shape: RecurrentShape): number {
  let count = 0;
  let width = shape.inputSize;
  for (const layer of shape.layers) {
    const rows = gateCount(layer.cell) * layer.size;
    count += rows * (width + layer.size) + rows;
    width = layer.size;
  }
  return count + shape.headSize * width + shape.headSize;
}

/**
 * Recurrent arena (header words in header.ts). Fixed part: settings, parameters (per layer its gate rows over
 * [input | previous state], row-major, then its biases; the head last), gradients and moments arranged alike, and
 * the forecast's feedback figures. Then, for `capacity` sequences of up to `steps` steps, time-major: the staged
 * inputs, targets and lengths, and per layer every step's [input | state], gates, cell states, states and deltas.
 */
export function recurrentLayout(shape: RecurrentShape, capacity: number, steps: number): Layout {
  const layers = shape.layers.length + 1;
  const b = new LayoutBuilder(recurrentEntry(layers, layers, 0));
  const params = recurrentParameterCount(shape);
  const rows = capacity * steps;
  b.set(recurrentWord(layers, RNN_STEPS), steps);
  b.set(recurrentWord(layers, RNN_OUTPUT_MODE), shape.output);
  let offset = trainingHeader(b, layers, capacity, params, shape);
  let width = shape.inputSize;
  const widths: number[] = [];
  for (let l = 1; l <= layers; l++) {
    const head = l === layers;
    const size = head ? shape.headSize : shape.layers[l - 1]!.size;
    const nIn = head ? width : width + size;
    const nOut = head ? size : gateCount(shape.layers[l - 1]!.cell) * size;
    widths.push(width);
    offset = layerEntry(b, l, nIn, nOut, head ? shape.headActivation : shape.layers[l - 1]!.activation, offset);
    if (!head) {
      b.set(recurrentEntry(layers, l, RNN_CELL), shape.layers[l - 1]!.cell);
      b.set(recurrentEntry(layers, l, RNN_SIZE), size);
      b.set(recurrentEntry(layers, l, RNN_WIDTH), width);
      b.set(recurrentEntry(layers, l, RNN_MEMORY), shape.layers[l - 1]!.memory);
    }
    width = size;
  }
  optimizerBuffers(b, params);
  b.buffer(recurrentWord(layers, RNN_FEED), 2 * shape.inputSize);
  const fixedBytes = b.bytes;
  const sequence = shape.output === OUTPUT_SEQUENCE;
  b.buffer(DENSE_INPUT, rows * shape.inputSize);
  b.buffer(DENSE_TARGET, (sequence ? rows : capacity) * shape.headSize);
  b.buffer(recurrentWord(layers, RNN_LENGTHS), Math.ceil(capacity / 2));
  shape.layers.forEach((layer, i) => {
    const l = i + 1;
    const nIn = widths[i]! + layer.size;
    const nOut = gateCount(layer.cell) * layer.size;
    b.buffer(denseEntry(l, DENSE_OUTPUT), rows * layer.size);
    b.buffer(denseEntry(l, DENSE_DELTA), rows * layer.size);
    b.buffer(recurrentEntry(layers, l, RNN_XH), rows * nIn);
    b.buffer(recurrentEntry(layers, l, RNN_GATES), rows * nOut);
    b.buffer(recurrentEntry(layers, l, RNN_EXTRA), layer.cell === CELL_LSTM ? 2 * rows * layer.size : layer.cell === CELL_GRU ? rows * nIn : 0);
    b.buffer(recurrentEntry(layers, l, RNN_DGATES), capacity * nOut);
    b.buffer(recurrentEntry(layers, l, RNN_DXH), capacity * nIn);
    b.buffer(recurrentEntry(layers, l, RNN_DXR), layer.cell === CELL_GRU ? capacity * nIn : 0);
    b.buffer(recurrentEntry(layers, l, RNN_CARRY_H), capacity * layer.size);
    b.buffer(recurrentEntry(layers, l, RNN_CARRY_C), capacity * layer.size);
  });
  const headRows = sequence ? rows : capacity;
  b.buffer(denseEntry(layers, DENSE_OUTPUT), headRows * shape.headSize);
  b.buffer(denseEntry(layers, DENSE_DELTA), headRows * shape.headSize);
  b.buffer(recurrentWord(layers, RNN_HEAD_INPUT), sequence ? 0 : capacity * shape.layers[shape.layers.length - 1]!.size);
  return b.done(fixedBytes);
}
