// Float32Predictor: a frozen float32 snapshot of a dense network for serving, over an arena of its own.
import { type Arena, type Backend, type BackendName, resolveBackend, track, untrack } from '../backend/index.js';
import { InvalidArgumentError, MemoryError, type NeuriteError, NonFiniteError, OutOfRangeError, ShapeError, StateError } from '../errors.js';
import type { Scaling, Standardization } from '../dense/scaling.js';
import { standardize, unstandardize } from '../dense/scaling.js';
import type { Activation } from '../dense/types.js';
import { ELU_ALPHA, LEAKY_RELU_ALPHA } from '../spec/activations.js';
import { ACTIVATION_CODES } from '../spec/codes.js';
import {
  copyFinite, describe, elementError, integer, isViewOf, lengthError, lengthOf, nonFinite, oneOf, options, rowsOf, setInto, typedArrayName,
} from '../validate.js';
import { predictor32Layout, type Predictor32Layout, predictor32RowBytes, writePredictor32Header, writePredictor32Weights } from './layout.js';

/** Options of `DenseNetwork.toPredictor`. */
export interface PredictorOptions {
  /**
   * Number type of the predictor's weights, arithmetic and outputs. Only `'float32'`: a float64 predictor would be
   * the network itself (its `predict` and `predictInto` run the float64 kernels), so `'float64'` is refused.
   * @default 'float32'
   */
  precision?: 'float32';
}

/** What a predictor is made from: a dense network's shape, parameters, standardization figures and backend. @internal */
export interface PredictorSource {
  readonly sizes: readonly number[];
  readonly layers: readonly { readonly activation: Activation }[];
  readonly backend: BackendName;
  readonly scaling: Scaling | null | undefined;
  getParameters(): Float64Array;
}

/** Bytes of per-row buffers one kernel call may use; a larger batch runs in chunks of rows. */
const BATCH_CHUNK_BYTES = 32 * 2 ** 20;
const FLOAT32_MAX = 3.4028234663852886e38;

/** The error for staged float `value` at `index` of `argument`: NaN as the network says it, else beyond float32's range (or infinite). */
function float32Error(argument: string, index: number, value: number): NeuriteError {
  if (Number.isNaN(value)) return nonFinite(argument, index, value);
  return new NonFiniteError(`${argument}[${index}] must be a finite number within float32's range (±${FLOAT32_MAX}), got ${value} once rounded to float32`, argument);
}

/** Whether `out` is a Float32Array of exactly `length` numbers (by its internal slots). */
function isOutput32(out: unknown, length: number): out is Float32Array {
  return typedArrayName(out) === 'Float32Array' && lengthOf(out) === length;
}

function output32Error(out: unknown, length: number): NeuriteError {
  if (typedArrayName(out) !== 'Float32Array') return new InvalidArgumentError(`out must be a Float32Array of ${length} numbers, got ${describe(out)}`, 'out');
  return new ShapeError(`out must hold ${length} numbers, got ${describe(out)}`, 'out');
}

const isFloatArray = (values: unknown): values is Float32Array | Float64Array => {
  const name = typedArrayName(values);
  return name === 'Float32Array' || name === 'Float64Array';
};

/** A predictor's changing part (the predictor object itself is frozen). */
interface State {
  arena: Arena;
  layout: Predictor32Layout;
  disposed: boolean;
  // Whether an input's getters are being run (they may call back into the predictor).
  reading: boolean;
  // The staging row and the last layer's first output row, as reused views (re-made after memory grows: length 0).
  inputRow: Float32Array;
  outputRow: Float32Array;
  // A float64 row for inputs read element by element and standardized, and one for outputs unstandardized.
  row64: Float64Array;
  out64: Float64Array;
}

/**
 * A frozen float32 snapshot of a dense network for serving, made by `net.toPredictor()`: its weights rounded to
 * float32 in an arena of its own (WebAssembly memory on the wasm backend), float32 arithmetic (`f32x4` SIMD where
 * available), the same bits on the wasm and js backends. Training the network afterwards does not change it.
 *
 * Inputs are read once and rounded to float32; outputs are new Float32Arrays (the `Into` forms write into a
 * Float32Array you pass): the numbers are float32, and a Float64Array would claim digits they do not have.
 * Activations are evaluated in float64 by the network's formulas and rounded to float32.
 *
 * Error against the network's float64 `predict`: each output's sum runs over float32 products in order, so a
 * layer's pre-activation is off by at most about (n + 2)·2⁻²⁴·Σ|w·x| (n inputs) plus the propagated error of
 * its inputs. Tested (test/predictor-accuracy.test.ts): within 2e-6 of the float64 outputs, relative to each row's
 * largest output, on a 784-128-10 relu/softmax MNIST model trained one epoch (measured 9.8e-7; 1.4e-6 after two epochs
 * on 4,000 digits); within 1e-6 absolute on small sigmoid and tanh networks (measured ≤ 4.7e-7).
 */
export class Float32Predictor {
  /** Number of inputs. */
  readonly inputSize: number;
  /** Number of outputs. */
  readonly outputSize: number;
  /** The number type of weights, arithmetic and outputs. */
  readonly precision = 'float32' as const;
  private readonly impl: Backend;
  private readonly activations: readonly number[];
  private readonly scaling: Scaling | null;
  private readonly state: State;

  /** @internal use `net.toPredictor()`. */
  constructor(source: PredictorSource, predictorOptions?: PredictorOptions) {
    const { precision = 'float32' } = options(predictorOptions, 'options', ['precision']);
    if ((precision as string) === 'float64') {
      throw new InvalidArgumentError("options.precision 'float64' is the network itself: use its predict and predictInto (a float64 predictor would be a copy of it)", 'options.precision');
    }
    oneOf(precision, 'options.precision', ['float32']);
    const sizes = source.sizes.slice();
    this.inputSize = sizes[0]!;
    this.outputSize = sizes[sizes.length - 1]!;
    this.activations = source.layers.map((layer, l) => (l === 0 ? 0 : ACTIVATION_CODES[layer.activation]));
    this.scaling = copyScaling(source.scaling);
    const parameters = source.getParameters();
    for (let i = 0; i < parameters.length; i++) {
      if (Math.abs(parameters[i]!) > FLOAT32_MAX) throw new OutOfRangeError(`parameter ${i} is ${parameters[i]}, beyond float32's range (±${FLOAT32_MAX}): options.precision 'float32' cannot hold this network`, 'options.precision');
    }
    this.impl = resolveBackend(source.backend);
    const layout = predictor32Layout(sizes, 1);
    const arena = this.impl.allocate(layout.bytes);
    writePredictor32Header(arena, layout, this.activations, LEAKY_RELU_ALPHA, ELU_ALPHA);
    writePredictor32Weights(arena, layout, parameters);
    this.state = {
      arena, layout, disposed: false, reading: false, inputRow: new Float32Array(0), outputRow: new Float32Array(0),
      row64: new Float64Array(this.inputSize), out64: new Float64Array(this.outputSize),
    };
    track(this, arena);
    Object.freeze(this);
  }

  /** The backend this predictor runs on (the network's). */
  get backend(): BackendName {
    return this.impl.name;
  }

  private live(): Arena {
    if (this.state.disposed) throw new StateError('this Float32Predictor was disposed');
    if (this.state.reading) throw new StateError('this Float32Predictor is reading an input: a getter on that input cannot use the predictor');
    return this.state.arena;
  }

  /** The outputs for one input, as a new Float32Array of {@link outputSize} numbers. */
  predict(input: ArrayLike<number>): Float32Array {
    return this.predictInto(new Float32Array(this.outputSize), input);
  }

  /**
   * Writes the outputs for one input into `out` (a Float32Array of {@link outputSize} numbers) and returns `out`.
   * Allocates nothing: the form for hot loops.
   */
  predictInto(out: Float32Array, input: ArrayLike<number>): Float32Array {
    const arena = this.live();
    const nOut = this.outputSize;
    if (!isOutput32(out, nOut)) throw output32Error(out, nOut);
    this.stageRow(input);
    const bad = this.impl.kernels.predict32(arena, 1);
    if (bad >= 0) throw float32Error('input', bad, this.state.inputRow[bad]!);
    const s = this.state;
    let result = s.outputRow;
    if (result.length === 0) {
      const start = (arena.base + s.layout.outputs[s.layout.sizes.length - 1]!) >> 2;
      result = s.outputRow = arena.f32.subarray(start, start + nOut);
    }
    if (this.scaling?.targets) {
      for (let i = 0; i < nOut; i++) s.out64[i] = result[i]!;
      unstandardize(s.out64, 1, this.scaling.targets);
      for (let i = 0; i < nOut; i++) out[i] = s.out64[i]!;
    } else {
      // A loop, not set(): for one row a call of the built-in costs more than the copy.
      for (let i = 0; i < nOut; i++) out[i] = result[i]!;
    }
    return out;
  }

  /** Reads `input` once into the staging row, as float32 (standardized first when the network has figures), and checks what was staged. */
  private stageRow(input: unknown): void {
    const s = this.state;
    const n = this.inputSize;
    const length = lengthOf(input);
    if (length !== n) throw lengthError(input, length, 'input', n);
    let row = s.inputRow;
    if (row.length === 0) row = s.inputRow = this.inputView(1);
    if (isFloatArray(input) && !this.scaling?.inputs) {
      // Reading a typed array runs no caller code.
      setInto(row, input);
    } else {
      let bad = -1;
      if (isFloatArray(input)) {
        setInto(s.row64, input);
      } else {
        s.reading = true;
        try {
          bad = copyFinite(s.row64, 0, input as ArrayLike<unknown>, n);
        } finally {
          s.reading = false;
          if (s.disposed) untrack(this, s.arena);
        }
      }
      if (bad >= 0) throw elementError('input', bad);
      this.live();
      if (this.scaling?.inputs) standardize(s.row64, 1, this.scaling.inputs);
      // A getter may have grown WebAssembly memory, detaching the row: re-made if so.
      if (row.length === 0) row = s.inputRow = this.inputView(1);
      for (let i = 0; i < n; i++) row[i] = s.row64[i]!;
    }
  }

  // The staged input of `rows` rows, as a view of the arena.
  private inputView(rows: number): Float32Array {
    const start = (this.state.arena.base + this.state.layout.input) >> 2;
    return this.state.arena.f32.subarray(start, start + rows * this.inputSize);
  }

  /**
   * The outputs for `count` inputs given row-major (`count × inputSize` numbers), as a new row-major
   * `count × outputSize` Float32Array. A batch larger than one kernel call's memory runs in chunks of rows.
   */
  predictBatch(inputs: ArrayLike<number>, count: number): Float32Array {
    this.live();
    integer(count, 'count');
    const rows = this.batchInputs(inputs, count);
    let out: Float32Array;
    try {
      out = new Float32Array(count * this.outputSize);
    } catch (error) {
      throw new MemoryError(`cannot allocate the ${count * this.outputSize} outputs of ${count} rows: ${String(error)}`);
    }
    return this.runBatch(out, rows, count);
  }

  /**
   * Writes the outputs for `count` row-major inputs into `out` (a Float32Array of `count × outputSize` numbers)
   * and returns `out`; see {@link predictBatch}. Allocates nothing when the batch fits one kernel call.
   */
  predictBatchInto(out: Float32Array, inputs: ArrayLike<number>, count: number): Float32Array {
    this.live();
    integer(count, 'count');
    const rows = this.batchInputs(inputs, count);
    if (!isOutput32(out, count * this.outputSize)) throw output32Error(out, count * this.outputSize);
    return this.runBatch(out, rows, count);
  }

  /** `inputs` as a Float32Array or Float64Array of `count` rows: a caller's typed array itself (checked once staged), anything else read once into a checked copy. */
  private batchInputs(inputs: unknown, count: number): Float32Array | Float64Array {
    const expected = count * this.inputSize;
    const length = lengthOf(inputs);
    if (length !== expected) throw lengthError(inputs, length, 'inputs', expected);
    if (isFloatArray(inputs)) return inputs;
    const copy = new Float64Array(expected);
    this.state.reading = true;
    let bad: number;
    try {
      bad = copyFinite(copy, 0, inputs as ArrayLike<unknown>, expected);
    } finally {
      this.state.reading = false;
      if (this.state.disposed) untrack(this, this.state.arena);
    }
    if (bad >= 0) throw elementError('inputs', bad, this.inputSize);
    this.live();
    return copy;
  }

  // Runs `count` rows of `inputs` in chunks, writing each chunk's outputs into `out`.
  private runBatch(out: Float32Array, inputs: Float32Array | Float64Array, count: number): Float32Array {
    const s = this.state;
    const nIn = this.inputSize;
    const nOut = this.outputSize;
    const chunk = Math.min(count, Math.max(s.layout.capacity, Math.max(1, Math.floor(BATCH_CHUNK_BYTES / predictor32RowBytes(s.layout)))));
    // `out` is written chunk by chunk: every input is checked, as float32, before the first write.
    if (chunk < count) {
      for (let i = 0; i < count * nIn; i++) {
        const v = Math.fround(inputs[i]!);
        if (v - v !== 0) throw float32Error('inputs', i, v);
      }
    }
    if (chunk > s.layout.capacity) {
      if (isViewOf(out, s.arena.heap.buffer)) {
        throw new InvalidArgumentError('out is a view of WebAssembly memory, which this batch has to grow: pass a Float32Array of your own', 'out');
      }
      // Inputs that are a view of WebAssembly memory would be detached by its growth.
      if (isViewOf(inputs, s.arena.heap.buffer)) inputs = inputs.slice();
      this.grow(chunk);
    }
    const arena = s.arena;
    const layout = s.layout;
    const last = layout.sizes.length - 1;
    const stride = layout.strides[last]!;
    for (let start = 0; start < count; start += chunk) {
      const rows = Math.min(chunk, count - start);
      const source = rows === count ? inputs : rowsOf(inputs, start, start + rows, nIn);
      const staged = this.inputView(rows);
      if (this.scaling?.inputs) {
        const scaled = Float64Array.from(source);
        standardize(scaled, rows, this.scaling.inputs);
        setInto(staged, scaled);
      } else {
        setInto(staged, source);
      }
      const bad = this.impl.kernels.predict32(arena, rows);
      if (bad >= 0) throw float32Error('inputs', start * nIn + bad, staged[bad]!);
      const f32 = arena.f32;
      const first = (arena.base + layout.outputs[last]!) >> 2;
      if (this.scaling?.targets) {
        const values = new Float64Array(rows * nOut);
        for (let b = 0; b < rows; b++) for (let o = 0; o < nOut; o++) values[b * nOut + o] = f32[first + b * stride + o]!;
        unstandardize(values, rows, this.scaling.targets);
        setInto(out, values, start * nOut);
      } else if (stride === nOut) {
        setInto(out, f32.subarray(first, first + rows * nOut), start * nOut);
      } else {
        for (let b = 0; b < rows; b++) {
          const from = first + b * stride;
          const to = (start + b) * nOut;
          for (let o = 0; o < nOut; o++) out[to + o] = f32[from + o]!;
        }
      }
    }
    return out;
  }

  /** Makes room for `capacity` rows per kernel call: a new arena, the fixed part copied, then the old one freed (a MemoryError leaves the predictor as it was). */
  private grow(capacity: number): void {
    const s = this.state;
    const layout = predictor32Layout(s.layout.sizes, capacity);
    const bigger = this.impl.allocate(layout.bytes);
    const old = s.arena;
    bigger.f32.set(old.f32.subarray(old.base >> 2, (old.base + layout.fixedBytes) >> 2), bigger.base >> 2);
    writePredictor32Header(bigger, layout, this.activations, LEAKY_RELU_ALPHA, ELU_ALPHA);
    untrack(this, old);
    s.arena = bigger;
    s.layout = layout;
    s.inputRow = s.outputRow = new Float32Array(0);
    track(this, bigger);
  }

  /** Frees the predictor's memory now. Any later call throws StateError. */
  dispose(): void {
    const s = this.state;
    if (s.disposed) return;
    s.disposed = true;
    // Called by a getter of an input being read: the read finishes in this memory, then frees it.
    if (!s.reading) untrack(this, s.arena);
  }

  /** `using predictor = net.toPredictor()` disposes it at the end of the block. */
  [Symbol.dispose](): void {
    this.dispose();
  }

  /** `Float32Predictor(784-128-10, backend=wasm)`. */
  toString(): string {
    return `Float32Predictor(${this.state.layout.sizes.join('-')}, backend=${this.backend})`;
  }
}

/** A copy of standardization figures, so that the snapshot keeps them whatever happens to the network. */
function copyScaling(scaling: Scaling | null | undefined): Scaling | null {
  if (!scaling) return null;
  const block = (s: Standardization | undefined) => (s ? { mean: s.mean.slice(), std: s.std.slice() } : undefined);
  const inputs = block(scaling.inputs), targets = block(scaling.targets);
  return { ...(inputs ? { inputs } : {}), ...(targets ? { targets } : {}) };
}
