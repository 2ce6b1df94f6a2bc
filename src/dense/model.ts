// DenseModel: the arena of a DenseNetwork and everything that reads or writes it, with the state training keeps.
import { ArenaModel } from '../arena-model.js';
import { type Arena, untrack } from '../backend/index.js';
import { InvalidArgumentError, MemoryError, ShapeError, StateError } from '../errors.js';
import {
  DENSE_BIAS, DENSE_CAPACITY, DENSE_DATA_INPUTS, DENSE_DATA_LOSSES, DENSE_DATA_ORDER, DENSE_DATA_ROWS, DENSE_DATA_TARGETS, DENSE_FAILED_BATCH,
  DENSE_FAILED_EPOCH, DENSE_INPUT, DENSE_LOSS_CHUNK, DENSE_OUTPUT, DENSE_STATUS, DENSE_TARGET, DENSE_WEIGHT,
} from '../header.js';
import { denseEntry, denseLayout, type DenseShape, type Layout, writeHeader } from '../layout.js';
import { ACTIVATION_CODES, LOSS_CODES, OPTIMIZER_CODES } from '../spec/codes.js';
import {
  copyFinite, elementError, integer, isFloat64Array, isViewOf, isOutput, lengthError, lengthOf, nonFinite, outputError, rowsOf, setInto,
} from '../validate.js';
import { type Rows } from './data.js';
import type { ResolvedDense } from './options.js';
import { standardize, unstandardize } from './scaling.js';
import { checkTargets } from './targets.js';

/** Epochs one kernel call may run back to back when nothing is needed between them. */
const EPOCHS_PER_CALL = 1024;
/** Bytes of per-row buffers a predictBatch kernel call may use; a larger batch runs in chunks of rows. */
const BATCH_CHUNK_BYTES = 32 * 2 ** 20;

/**
 * `values` (of `length` elements, as read) as a Float64Array of `expected` numbers: a caller's Float64Array
 * itself (reading it runs no caller code; the kernel checks it once staged, in one SIMD pass), anything
 * else read once into a checked copy.
 */
function asFloat64(values: unknown, length: number, expected: number, argument: string): Float64Array {
  if (length !== expected) throw lengthError(values, length, argument, expected);
  if (isFloat64Array(values)) return values;
  const copy = new Float64Array(expected);
  const bad = copyFinite(copy, 0, values as ArrayLike<unknown>, expected);
  if (bad >= 0) throw elementError(argument, bad);
  return copy;
}

/** The arena layout of a checked configuration, with room for `capacity` rows, a staged data set of `dataRows` and `lossChunk` epochs' figures. */
function layoutOf(config: ResolvedDense, capacity: number, dataRows: number, lossChunk: number): Layout {
  const o = config.optimizer;
  const shape: DenseShape = {
    sizes: config.sizes,
    activations: config.activations.map((a) => ACTIVATION_CODES[a]),
    loss: LOSS_CODES[config.loss],
    optimizer: OPTIMIZER_CODES[o.type],
    nesterov: o.nesterov,
  };
  return denseLayout(shape, capacity, dataRows, lossChunk);
}

/**
 * The model behind a DenseNetwork: it owns the arena and its header (allocation, growth, staging, kernel calls,
 * settings and optimizer state) and the state of training (shuffling stream, standardization figures, the running
 * and the saved fit), which fit, fitAsync and checkpoints drive. Arguments reach it already checked, except the
 * arrays it reads once itself (predictInto's input, trainStep's rows, predictBatch's inputs).
 */
export class DenseModel extends ArenaModel<ResolvedDense> {
  /** Layer sizes, input first. */
  readonly sizes: readonly number[];
  protected override readonly busyReason = "; it would change the running fit's data and weights";
  private view: Float64Array | null = null;
  private inputRow: Float64Array | null = null;
  // Bytes each row of a batch takes in the arena (0 until the first predictBatch needs it).
  private rowBytes = 0;
  // Copies of call arguments taken by reserve() before growing (they may be views of wasm memory).
  private staged: Float64Array | null = null;
  private stagedTargets: Float64Array | null = null;
  // Mirrors of the header's capacity words, so the hot paths test them without reading the arena.
  private capacity = 1;
  private dataRows = 0;
  private lossChunk = 0;

  /** Allocates and initializes the arena of a checked configuration. */
  constructor(config: ResolvedDense) {
    super('DenseNetwork', config, layoutOf(config, 1, 0, 0));
    this.sizes = Object.freeze(config.sizes.slice());
    this.initialize();
  }

  /** Number of inputs. */
  get inputSize(): number {
    return this.sizes[0]!;
  }

  /** Number of outputs. */
  get outputSize(): number {
    return this.sizes[this.sizes.length - 1]!;
  }

  // Xavier/Glorot uniform ±sqrt(6/(in+out)) or He uniform ±sqrt(6/in); biases 0.
  private initialize(): void {
    const f = this.arena.f64;
    for (let l = 1; l < this.sizes.length; l++) {
      const nIn = this.sizes[l - 1]!;
      const nOut = this.sizes[l]!;
      const activation = this.config.activations[l]!;
      const init = this.config.init ?? (activation === 'relu' || activation === 'leakyRelu' || activation === 'elu' ? 'he' : 'xavier');
      const limit = init === 'he' ? Math.sqrt(6 / nIn) : Math.sqrt(6 / (nIn + nOut));
      const w = this.arena.at(denseEntry(l, DENSE_WEIGHT));
      for (let k = 0; k < nIn * nOut; k++) f[w + k] = (2 * this.random.next() - 1) * limit;
    }
  }

  /** Live view of a layer's weights or biases. */
  parameterView(layer: number, which: 'weights' | 'biases'): Float64Array {
    const arena = this.live();
    const count = which === 'weights' ? this.sizes[layer - 1]! * this.sizes[layer]! : this.sizes[layer]!;
    return arena.view(denseEntry(layer, which === 'weights' ? DENSE_WEIGHT : DENSE_BIAS), count);
  }

  /**
   * Makes room for `capacity` rows per kernel call and a staged data set of `dataRows`
   * Rows. A bigger arena is allocated and the fixed part copied before the old one is
   * Freed, so a MemoryError leaves the network as it was.
   */
  private reserve(capacity: number, inputs?: Float64Array, targets?: Float64Array): Arena {
    if (capacity <= this.capacity && !this.disposed) return this.arena;
    // Arguments that are views of wasm memory would be detached by its growth: copy them first.
    const memory = this.arena.heap.buffer;
    this.staged = inputs && isViewOf(inputs, memory) ? new Float64Array(inputs) : null;
    this.stagedTargets = targets && isViewOf(targets, memory) ? new Float64Array(targets) : null;
    return this.grow(capacity, 0, 0);
  }

  private grow(capacity: number, dataRows: number, lossChunk: number): Arena {
    if (capacity <= this.capacity && dataRows <= this.dataRows && lossChunk <= this.lossChunk && !this.disposed) return this.arena;
    const arena = this.live();
    const layout = layoutOf(this.config, Math.max(capacity, this.capacity), Math.max(dataRows, this.dataRows), Math.max(lossChunk, this.lossChunk));
    const bigger = this.impl.allocate(layout.bytes);
    const old = arena.f64.subarray(arena.base >> 3, (arena.base + this.layout.fixedBytes) >> 3);
    bigger.f64.set(old, bigger.base >> 3);
    writeHeader(bigger, layout);
    // A staged data set survives growth: fit may evaluate (and grow) between epochs.
    const rows = this.dataRows;
    for (const [word, count] of [[DENSE_DATA_INPUTS, rows * this.inputSize], [DENSE_DATA_TARGETS, rows * this.outputSize], [DENSE_DATA_ORDER, Math.ceil(rows / 2)]] as const) {
      bigger.f64.set(arena.view(word, count), bigger.at(word));
    }
    this.replaceArena(bigger, layout);
    this.view = null;
    this.inputRow = null;
    this.capacity = bigger.word(DENSE_CAPACITY);
    this.dataRows = bigger.word(DENSE_DATA_ROWS);
    this.lossChunk = bigger.word(DENSE_LOSS_CHUNK);
    return bigger;
  }

  // The output rows of the last forward pass, as one reused view per count (re-made after memory grows: length 0).
  private outputView(count: number): Float64Array {
    const length = count * this.outputSize;
    if (this.view === null || this.view.length !== length) {
      const start = this.arena.at(denseEntry(this.sizes.length - 1, DENSE_OUTPUT));
      this.view = this.arena.f64.subarray(start, start + length);
    }
    return this.view;
  }

  /**
   * Writes the network's output for one input into `out` (a Float64Array of {@link outputSize}
   * Numbers) and returns `out`. Allocates nothing: the form for hot loops.
   */
  predictInto(out: Float64Array, input: ArrayLike<number>): Float64Array {
    const arena = this.live();
    if (!isOutput(out, this.outputSize)) throw outputError(out, this.outputSize);
    // The staging row as a reused view (re-made after memory grows: length 0).
    let row = this.inputRow;
    if (row === null || row.length === 0) {
      const start = arena.at(DENSE_INPUT);
      row = this.inputRow = arena.f64.subarray(start, start + this.inputSize);
    }
    this.readRow(row, input);
    if (this.scaling?.inputs) standardize(row, 1, this.scaling.inputs);
    this.impl.kernels.forwardDense(arena, 1);
    const result = this.unscaled(this.outputView(1), 1);
    // A loop, not set(): for one row a call of the built-in costs more than the copy.
    for (let i = 0; i < result.length; i++) out[i] = result[i]!;
    return out;
  }

  /**
   * Reads `input` once, element by element, straight into the staging `row`. A getter on it may run any
   * Code: meanwhile live() refuses this network's methods, and a dispose() frees its memory only afterwards.
   */
  private readRow(row: Float64Array, input: unknown): void {
    const n = row.length;
    let length = -1;
    let bad = -1;
    this.reading = true;
    try {
      length = lengthOf(input);
      if (length === n) bad = copyFinite(row, 0, input as ArrayLike<unknown>, n);
    } finally {
      this.reading = false;
      if (this.disposed) untrack(this, this.arena);
    }
    if (length !== n) throw lengthError(input, length, 'input', n);
    if (bad >= 0) throw elementError('input', bad);
    this.live();
    // Memory that grew meanwhile detached the row (and `out`, if it is a view of it): what was read is lost.
    if (row.length === 0) throw new StateError('WebAssembly memory grew while input was read (a getter on it allocated): nothing was computed');
  }

  /**
   * Outputs for `count` inputs given row-major (`count × inputSize` numbers), as a new row-major
   * `count × outputSize` Float64Array. A batch larger than one kernel call's memory runs in chunks of rows.
   */
  predictBatch(inputs: ArrayLike<number>, count: number): Float64Array {
    this.live();
    integer(count, 'count');
    const rows = asFloat64(inputs, lengthOf(inputs), count * this.inputSize, 'inputs');
    let out: Float64Array;
    try {
      out = new Float64Array(count * this.outputSize);
    } catch (error) {
      throw new MemoryError(`cannot allocate the ${count * this.outputSize} outputs of ${count} rows: ${String(error)}`);
    }
    return this.runBatch(out, rows, count, rows !== inputs);
  }

  /**
   * Writes the outputs for `count` row-major inputs into `out` (a Float64Array of `count × outputSize`
   * Numbers) and returns `out`; see {@link predictBatch}. Allocates nothing when the batch fits one kernel call.
   */
  predictBatchInto(out: Float64Array, inputs: ArrayLike<number>, count: number): Float64Array {
    this.live();
    integer(count, 'count');
    const rows = asFloat64(inputs, lengthOf(inputs), count * this.inputSize, 'inputs');
    if (!isOutput(out, count * this.outputSize)) throw outputError(out, count * this.outputSize);
    return this.runBatch(out, rows, count, rows !== inputs);
  }

  // Runs `count` rows of `inputs` (already checked when `checked`) in chunks, writing each chunk's outputs into `out`.
  private runBatch(out: Float64Array, inputs: Float64Array, count: number, checked: boolean): Float64Array {
    this.live();
    const nIn = this.inputSize;
    const nOut = this.outputSize;
    const chunk = Math.min(count, Math.max(this.capacity, this.batchChunk()));
    // `out` is written chunk by chunk: every input is checked before the first write.
    if (!checked && chunk < count) {
      for (let i = 0; i < count * nIn; i++) {
        const v = inputs[i]!;
        if (v - v !== 0) throw nonFinite('inputs', i, v);
      }
    }
    if (chunk > this.capacity && isViewOf(out, this.arena.heap.buffer)) {
      throw new InvalidArgumentError('out is a view of WebAssembly memory, which this batch has to grow: pass a Float64Array of your own', 'out');
    }
    const arena = this.reserve(chunk, inputs);
    const source = this.staged ?? inputs;
    this.staged = null;
    for (let start = 0; start < count; start += chunk) {
      const rows = Math.min(chunk, count - start);
      arena.f64.set(rows === count ? source : rowsOf(source, start, start + rows, nIn), arena.at(DENSE_INPUT));
      if (!checked && rows === count) this.checkStaged(DENSE_INPUT, rows * nIn, 'inputs');
      if (this.scaling?.inputs) standardize(arena.view(DENSE_INPUT, rows * nIn), rows, this.scaling.inputs);
      this.impl.kernels.forwardDense(arena, rows);
      setInto(out, this.unscaled(this.outputView(rows), rows), start * nOut);
    }
    return out;
  }

  // Rows per predictBatch kernel call: as many as BATCH_CHUNK_BYTES of per-row buffers hold.
  private batchChunk(): number {
    if (this.rowBytes === 0) this.rowBytes = layoutOf(this.config, 2, 0, 0).bytes - layoutOf(this.config, 1, 0, 0).bytes;
    return Math.max(1, Math.floor(BATCH_CHUNK_BYTES / this.rowBytes));
  }

  /** Outputs of `count` rows in the targets' units: the forward pass gives them standardized when the network has figures. */
  private unscaled(outputs: Float64Array, count: number): Float64Array {
    if (this.scaling?.targets) unstandardize(outputs, count, this.scaling.targets);
    return outputs;
  }

  /** Reads trainStep's arguments once, checks them and stages its rows; returns the row count. */
  stageStep(inputs: ArrayLike<number>, targets: ArrayLike<number>, count: number | undefined): number {
    this.notTraining('trainStep');
    const length = lengthOf(inputs);
    // Without a count, the rows come from the length: check that inputs is an array at all first.
    if (count === undefined && length < 1) throw lengthError(inputs, length, 'inputs');
    const rows = count === undefined ? length / this.inputSize : integer(count, 'count');
    if (!Number.isInteger(rows) || rows < 1) {
      throw new ShapeError(`inputs must hold a whole number of rows of ${this.inputSize} numbers, got length ${length}`, 'inputs');
    }
    const nIn = rows * this.inputSize;
    const nOut = rows * this.outputSize;
    const xs = asFloat64(inputs, length, nIn, 'inputs');
    const ys = asFloat64(targets, lengthOf(targets), nOut, 'targets');
    // Reading the arguments may have run a caller's getter: reserve() checks the network again.
    const arena = this.reserve(rows, xs, ys);
    arena.f64.set(this.staged ?? xs, arena.at(DENSE_INPUT));
    arena.f64.set(this.stagedTargets ?? ys, arena.at(DENSE_TARGET));
    this.staged = this.stagedTargets = null;
    if (xs === inputs) this.checkStaged(DENSE_INPUT, nIn, 'inputs');
    if (ys === targets) this.checkStaged(DENSE_TARGET, nOut, 'targets');
    this.prepareStaged(arena, rows);
    return rows;
  }

  // Staged rows as training sees them: targets in the loss's domain, standardized when the network has figures.
  private prepareStaged(arena: Arena, rows: number): void {
    checkTargets(this.loss, arena.f64, this.outputSize, 'targets', rows, arena.at(DENSE_TARGET));
    // trainStep measures nothing: a network first trained by trainStep has no figures.
    this.scaling ??= null;
    if (this.scaling?.inputs) standardize(arena.view(DENSE_INPUT, rows * this.inputSize), rows, this.scaling.inputs);
    if (this.scaling?.targets) standardize(arena.view(DENSE_TARGET, rows * this.outputSize), rows, this.scaling.targets);
  }

  /** Throws vector()'s NonFiniteError for the first non-finite number among `n` staged at header word `index` (staging is scratch: nothing else changed). */
  private checkStaged(index: number, n: number, argument: string): void {
    const bad = this.impl.kernels.findNonFinite(this.arena, index, n);
    if (bad >= 0) throw nonFinite(argument, bad, this.arena.f64[this.arena.at(index) + bad]!);
  }

  /** One step on rows already staged; returns its loss (see diverged()). */
  stepStaged(rows: number): number {
    const arena = this.arena;
    arena.i32[(arena.base >> 2) + DENSE_STATUS] = 0;
    return this.impl.kernels.trainDense(arena, rows);
  }

  /** Stages rows [start, start + count) of `data` (in `order` when given) for the next step. */
  stageRows(data: Rows, order: Int32Array | null, start: number, count: number): void {
    const arena = this.reserve(count);
    const f = arena.f64;
    const nIn = this.inputSize;
    const nOut = this.outputSize;
    const input = arena.at(DENSE_INPUT);
    const target = arena.at(DENSE_TARGET);
    for (let b = 0; b < count; b++) {
      const r = order ? order[start + b]! : start + b;
      f.set(data.inputs.subarray(r * nIn, (r + 1) * nIn), input + b * nIn);
      f.set(data.targets.subarray(r * nOut, (r + 1) * nOut), target + b * nOut);
    }
  }

  /** Copies a data set into the arena for trainEpochs (order 0..rows-1). */
  stageData(data: Rows, batchSize: number): void {
    const arena = this.grow(batchSize, data.rows, EPOCHS_PER_CALL);
    arena.f64.set(data.inputs, arena.at(DENSE_DATA_INPUTS));
    arena.f64.set(data.targets, arena.at(DENSE_DATA_TARGETS));
    const order = this.stagedOrder(data.rows);
    for (let r = 0; r < data.rows; r++) order[r] = r;
  }

  /** The staged visiting order, as a live view. */
  stagedOrder(rows: number): Int32Array {
    const start = (this.arena.base + this.arena.word(DENSE_DATA_ORDER)) >> 2;
    return this.arena.i32.subarray(start, start + rows);
  }

  /**
   * Up to `epochs` (≤ EPOCHS_PER_CALL) epochs over the staged data in one call.
   * Returns per-epoch [loss, accuracy] pairs (a view into the arena: read before anything can grow memory) and,
   * When a step diverged, where.
   */
  trainEpochs(rows: number, batchSize: number, epochs: number, threshold: number): { stats: Float64Array; failed?: { epoch: number; batch: number } } {
    const arena = this.arena;
    arena.i32[(arena.base >> 2) + DENSE_STATUS] = 0;
    const done = this.impl.kernels.trainEpochsDense(arena, rows, batchSize, Math.min(epochs, EPOCHS_PER_CALL), threshold);
    // A view, not a copy (an ArrayBuffer per call is costly): valid until wasm memory grows, so read it first.
    const stats = arena.view(DENSE_DATA_LOSSES, 2 * done);
    if (arena.word(DENSE_STATUS) !== 0) return { stats, failed: { epoch: arena.word(DENSE_FAILED_EPOCH), batch: arena.word(DENSE_FAILED_BATCH) } };
    return { stats };
  }

  /** Mean loss and accuracy over rows, in chunks of at most 1024 rows. */
  evaluateRows(data: Rows): { loss: number; accuracy: number } {
    const chunk = Math.min(data.rows, 1024);
    this.reserve(chunk);
    let total = 0;
    let correct = 0;
    for (let start = 0; start < data.rows; start += chunk) {
      const count = Math.min(chunk, data.rows - start);
      this.stageRows(data, null, start, count);
      total += this.impl.kernels.evaluateDense(this.arena, count) * count;
      correct += this.lastCorrect();
    }
    return { loss: total / data.rows, accuracy: correct / data.rows };
  }
}
