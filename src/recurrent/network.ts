// RecurrentNetwork: LSTM, GRU and simple recurrent layers with a dense head, as a facade over one recurrent arena.
import { type Arena, type Backend, type BackendName, resolveBackend, track, untrack } from '../backend/index.js';
import { ColumnStats, type Scaling, scalingFromJSON, scalingToJSON, standardize, unstandardize } from '../dense/scaling.js';
import { checkTargets } from '../dense/targets.js';
import { writeSettings } from '../dense/model.js';
import type { FitStateJSON, Loss, OptimizerOptions } from '../dense/types.js';
import { ConfigurationError, StateError } from '../errors.js';
import {
  DENSE_CAPACITY, DENSE_INPUT, DENSE_OUTPUT, DENSE_PARAMS, DENSE_PARAM_COUNT, DENSE_SETTINGS, DENSE_STATUS, DENSE_TARGET, CELL_GRU, CELL_LSTM,
  CELL_RNN, MEMORY_CELL, MEMORY_HIDDEN, OUTPUT_LAST, OUTPUT_SEQUENCE, RNN_FEED, RNN_LENGTHS, RNN_STEPS, RNN_WINDOW, denseEntry, recurrentWord,
} from '../header.js';
import { trainingFromJSON, trainingToJSON } from '../fit-run.js';
import { brainToRecurrentModel } from '../io/brain-recurrent.js';
import { recurrentToONNX } from '../io/onnx-recurrent.js';
import { gateCount, type Layout, recurrentLayout, recurrentParameterCount, type RecurrentShape, writeHeader } from '../layout.js';
import { Random } from '../random.js';
import { ACTIVATION_SPECS } from '../spec/activations.js';
import { LOSS_SPECS } from '../spec/losses.js';
import { OPTIMIZER_SPECS } from '../spec/optimizers.js';
import { integer, isOutput, outputError, positive, setInto, vector } from '../validate.js';
import {
  correctIn, divergedIn, gradientNormOf, gradientsOf, optimizerStateOf, parametersOf, restoreOptimizerStateOf, restoreTrainingStateOf, setParametersOf,
  trainingStateOf, writeLearningRate,
} from '../training-arena.js';
import { readSequence, type Sequences, toSequences } from './data.js';
import { fitSequences, fitSequencesAsync } from './fit.js';
import { parseRecurrentModel } from './json.js';
import { resolveRecurrent, type ResolvedRecurrent } from './options.js';
import type {
  FitHistory, RecurrentData, RecurrentFitOptions, RecurrentLayerJSON, RecurrentModelJSON, RecurrentNetworkOptions, RecurrentOutput, Sequence,
} from './types.js';

const codeOf = (specs: readonly { readonly name: string; readonly code: number }[], name: string): number => specs.find((s) => s.name === name)!.code;
const CELL_CODES = { lstm: CELL_LSTM, gru: CELL_GRU, rnn: CELL_RNN } as const;
const MEMORY_CODES = { cell: MEMORY_CELL, hidden: MEMORY_HIDDEN } as const;
/** Sequences per kernel call when evaluating, at most; and the most bytes of per-step buffers such a call may use. */
const EVALUATION_CHUNK = 256;
const EVALUATION_BYTES = 32 * 2 ** 20;

/**
 * A recurrent network: stacked LSTM, GRU or simple recurrent layers and a dense head, trained by backpropagation
 * through time. Every weight, state, gate and gradient lives in one arena (wasm memory or an ArrayBuffer); the
 * forward pass over a batch of sequences is one kernel call, and so are backpropagation through time and the
 * optimizer step. Weights start Glorot-uniform, biases at 0 except an LSTM's forget gate, at 1 (it starts by
 * remembering); gradients are clipped to norm 1 unless the optimizer options say otherwise.
 *
 * ```ts
 * const net = new RecurrentNetwork({ inputSize: 1, layers: [{ type: 'lstm', size: 20 }, { type: 'dense', size: 1 }], seed: 1 });
 * net.fit(series, { epochs: 100 }); // number[][]: each series learns its next value at every step
 * net.forecast(series[0], 20);      // Float64Array of the 20 steps after it
 * ```
 */
export class RecurrentNetwork {
  /** Features per time step. */
  readonly inputSize: number;
  /** Outputs of the dense head. */
  readonly outputSize: number;
  /** An output at every step ('sequence') or from the final state ('last'). */
  readonly output: RecurrentOutput;
  /** The loss minimized by training. */
  readonly loss: Loss;
  /** The seed of initialization and shuffling. */
  readonly seed: number;
  /** Free-form data saved with the model by toJSON. */
  meta: Record<string, unknown> | undefined;
  /** @internal standardization figures: undefined until the first fit decides them, null for none. */
  scaling: Scaling | null | undefined;
  /** @internal the stream that shuffles; continues from initialization. */
  readonly random: Random;
  /** @internal the fit in progress, whose state a checkpoint saves. */
  currentRun: { state(): FitStateJSON | undefined } | undefined;
  /** @internal the state of the last fit, or of the fit a checkpoint was saved in. */
  savedFit: FitStateJSON | undefined;
  /** @internal whether the next fit resumes savedFit without being told (a network loaded from a checkpoint). */
  resumeByDefault = false;
  private readonly config: ResolvedRecurrent;
  private readonly impl: Backend;
  private arena: Arena;
  private layout: Layout;
  private capacity = 1;
  private steps = 1;
  private disposed = false;
  private training = false;
  // Bytes one sequence's step takes in the arena (0 until the first evaluation needs it).
  private stepBytes = 0;

  /** Builds and initializes a network; see {@link RecurrentNetworkOptions}. Throws a NeuriteError naming any bad option. */
  constructor(options: RecurrentNetworkOptions) {
    this.config = resolveRecurrent(options);
    this.impl = resolveBackend(this.config.backend);
    this.inputSize = this.config.inputSize;
    this.outputSize = this.config.head.size;
    this.output = this.config.output;
    this.loss = this.config.loss;
    this.seed = this.config.seed;
    this.random = new Random(this.seed);
    this.layout = recurrentLayout(this.shape(), 1, 1);
    this.arena = this.impl.allocate(this.layout.bytes);
    writeHeader(this.arena, this.layout);
    this.writeSettings();
    this.initialize();
    track(this, this.arena);
  }

  /**
   * Rebuilds a network saved by {@link toJSON} (an object or its JSON text), bit for bit. Malformed, truncated,
   * wrong-version or hostile input throws FormatError before anything is allocated.
   */
  static fromJSON(json: unknown, options: { backend?: BackendName } = {}): RecurrentNetwork {
    const model = parseRecurrentModel(json);
    const head = model.layers[model.layers.length - 1] as Extract<RecurrentLayerJSON, { type: 'dense' }>;
    const net = new RecurrentNetwork({
      ...options,
      inputSize: model.inputSize,
      output: model.output,
      layers: model.layers.map((layer) => (layer.type === 'rnn' ? { type: 'rnn', size: layer.size, activation: layer.activation }
        : layer.type === 'dense' ? { type: 'dense', size: layer.size, activation: head.activation }
          : layer.type === 'lstm' && layer.memory !== undefined ? { type: 'lstm', size: layer.size, memory: layer.memory }
            : { type: layer.type, size: layer.size })),
      loss: model.loss,
      optimizer: model.optimizer,
      seed: model.seed,
    });
    const parameters = new Float64Array(recurrentParameterCount(net.shape()));
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
    net.setParameters(parameters);
    net.meta = model.meta;
    if (model.scaling !== undefined) {
      const scaling = scalingFromJSON(model.scaling);
      net.scaling = scaling.inputs || scaling.targets ? scaling : null;
    }
    if (model.training) {
      restoreOptimizerStateOf(net.arena, model.training);
      trainingFromJSON(net, model.training);
    }
    return net;
  }

  /**
   * Builds a network from a brain.js 1.x `LSTMTimeStep`, `GRUTimeStep` or `RNNTimeStep` `toJSON()` output (an object
   * or its JSON text) whose predict and forecast give brain's `run` and `forecast` results to float32 precision (see
   * brainToRecurrentModel). An LSTMTimeStep's layers become lstm layers with `memory: 'hidden'` (brain's cell).
   * @throws FormatError naming the field at fault
   */
  static fromBrainJSON(json: unknown, options: { backend?: BackendName } = {}): RecurrentNetwork {
    return RecurrentNetwork.fromJSON(brainToRecurrentModel(json), options);
  }

  /** The network as an ONNX model (see recurrentToONNX): input [N, T, inputSize], output [N, T, outputs] or [N, outputs], float32. */
  toONNX(): Uint8Array {
    return recurrentToONNX(this.toJSON());
  }

  /** @internal the shape and kernel codes the arena is laid out for. */
  shape(): RecurrentShape {
    const o = this.config.optimizer;
    return {
      inputSize: this.inputSize,
      layers: this.config.layers.map((layer) => ({
        cell: CELL_CODES[layer.cell], size: layer.size, activation: codeOf(ACTIVATION_SPECS, layer.activation), memory: MEMORY_CODES[layer.memory],
      })),
      headSize: this.outputSize,
      headActivation: codeOf(ACTIVATION_SPECS, this.config.head.activation),
      output: this.output === 'sequence' ? OUTPUT_SEQUENCE : OUTPUT_LAST,
      loss: codeOf(LOSS_SPECS, this.loss),
      optimizer: codeOf(OPTIMIZER_SPECS, o.type),
      nesterov: o.nesterov,
    };
  }

  /** The backend this network runs on. */
  get backend(): 'wasm' | 'js' {
    return this.impl.name;
  }

  /** The optimizer's settings (a copy). */
  get optimizer(): Required<OptimizerOptions> {
    return { ...this.config.optimizer };
  }

  /** The optimizer's step size; settable (e.g. for schedules). */
  get learningRate(): number {
    return this.config.optimizer.learningRate;
  }
  /** Changes the learning rate for the following steps (> 0). */
  set learningRate(value: number) {
    const arena = this.live();
    this.config.optimizer.learningRate = positive(value, 'learningRate');
    writeLearningRate(arena, value);
  }

  private live(): Arena {
    if (this.disposed) throw new StateError('this RecurrentNetwork was disposed');
    return this.arena;
  }

  /** @internal throws StateError once the network is disposed (fit checks after each callback). */
  checkLive(): void {
    this.live();
  }

  private writeSettings(): void {
    writeSettings(this.arena.f64, this.arena.at(DENSE_SETTINGS), this.config.optimizer);
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
   * Every weight and bias, copied, in the arena's order: per recurrent layer its gate rows over [input | previous
   * state] (row g·size + u holds that row's input weights, then its recurrent weights), then its biases; the head's
   * weights (row-major [out][in]) and biases last.
   */
  getParameters(): Float64Array {
    return parametersOf(this.live());
  }

  /** Replaces every weight and bias (same arrangement as {@link getParameters}). */
  setParameters(values: ArrayLike<number>): void {
    const copy = vector(values, 'values', this.live().word(DENSE_PARAM_COUNT));
    setParametersOf(this.live(), copy);
  }

  /** The gradient of the loss computed by the last training step (before clipping and the step), arranged like {@link getParameters}; copied. */
  lastGradients(): Float64Array {
    return gradientsOf(this.live());
  }

  /** ‖gradient‖₂ of the last training step, before clipping (NaN or Infinity when that step diverged). */
  get lastGradientNorm(): number {
    return gradientNormOf(this.live());
  }

  /**
   * Makes room for `capacity` sequences of `steps` steps per kernel call. A bigger arena is allocated and the fixed
   * part copied before the old one is freed, so a MemoryError leaves the network as it was.
   */
  private reserve(capacity: number, steps: number): Arena {
    const arena = this.live();
    if (capacity <= this.capacity && steps <= this.steps) return arena;
    const layout = recurrentLayout(this.shape(), Math.max(capacity, this.capacity), Math.max(steps, this.steps));
    const bigger = this.impl.allocate(layout.bytes);
    writeHeader(bigger, layout);
    const from = arena.at(DENSE_SETTINGS);
    bigger.f64.set(arena.f64.subarray(from, (arena.base + this.layout.fixedBytes) >> 3), bigger.at(DENSE_SETTINGS));
    untrack(this, arena);
    this.arena = bigger;
    this.layout = layout;
    this.capacity = bigger.word(DENSE_CAPACITY);
    this.steps = bigger.word(recurrentWord(this.layerCount, RNN_STEPS));
    track(this, bigger);
    return bigger;
  }

  /** Parameter layers: the recurrent ones and the head. */
  private get layerCount(): number {
    return this.config.layers.length + 1;
  }

  /** @internal stages sequences [start, start + count) of `data` (in `order` when given); returns the longest one's steps. */
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

  /** @internal one training step on `count` staged sequences of up to `steps` steps; returns its loss (see diverged()). */
  trainStaged(count: number, steps: number, window: number): number {
    const arena = this.arena;
    arena.i32[(arena.base >> 2) + DENSE_STATUS] = 0;
    arena.i32[(arena.base >> 2) + recurrentWord(this.layerCount, RNN_WINDOW)] = window;
    return this.impl.kernels.trainRecurrent(arena, count, steps);
  }

  /**
   * @internal a copy of the fixed part of the arena from the settings on (settings, weights, optimizer state): the
   * same at any capacity, so {@link restoreTrainingState} works across growth.
   */
  trainingState(): Float64Array {
    return trainingStateOf(this.live(), this.layout.fixedBytes);
  }

  /** @internal puts back a {@link trainingState} copy. */
  restoreTrainingState(state: Float64Array): void {
    restoreTrainingStateOf(this.live(), state);
  }

  /** @internal whether the last step diverged (and so was not applied). */
  diverged(): boolean {
    return divergedIn(this.arena);
  }

  /** @internal steps (output 'sequence') or sequences (output 'last') counted right by the last step or evaluation. */
  lastCorrect(): number {
    return correctIn(this.arena);
  }

  /** @internal what the loss of sequences [start, start + count) averages over: their steps ('sequence') or the sequences. */
  weight(data: Sequences, order: Int32Array | null, start: number, count: number): number {
    if (this.output === 'last') return count;
    let steps = 0;
    for (let b = 0; b < count; b++) steps += data.lengths[order ? order[start + b]! : start + b]!;
    return steps;
  }

  /** @internal checked sequences of `data` for this network, unscaled. */
  sequencesOf(data: unknown, argument: string): Sequences {
    const sequences = toSequences(data, this.inputSize, this.outputSize, this.output, argument);
    checkTargets(this.loss, sequences.targets, this.outputSize, `${argument} targets`);
    return sequences;
  }

  /** @internal measures the standardization figures on training sequences, once (null when none is wanted). */
  decideScaling(data: Sequences): void {
    if (this.scaling !== undefined) return;
    const wanted = this.config.standardize;
    if (!wanted.inputs && !wanted.targets) {
      this.scaling = null;
      return;
    }
    const block = (values: Float64Array, width: number) => {
      const stats = new ColumnStats(width);
      stats.add(values, values.length / width);
      return stats.finish();
    };
    this.scaling = {
      ...(wanted.inputs ? { inputs: block(data.inputs, this.inputSize) } : {}),
      ...(wanted.targets ? { targets: block(data.targets, this.outputSize) } : {}),
    };
  }

  /** @internal `data` as the network trains on it: standardized copies where it has figures. */
  scaled(data: Sequences): Sequences {
    const s = this.scaling;
    if (!s) return data;
    const inputs = data.inputs.slice();
    const targets = data.targets.slice();
    if (s.inputs) standardize(inputs, inputs.length / this.inputSize, s.inputs);
    if (s.targets) standardize(targets, targets.length / this.outputSize, s.targets);
    return { ...data, inputs, targets };
  }

  /** @internal mean loss and accuracy over sequences already scaled, in chunks. */
  evaluateSequences(data: Sequences): { loss: number; accuracy: number } {
    if (this.stepBytes === 0) this.stepBytes = recurrentLayout(this.shape(), 1, 2).bytes - recurrentLayout(this.shape(), 1, 1).bytes;
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

  /**
   * Mean loss and accuracy on `data` (as {@link fit} takes it) without training. The loss averages over every step
   * (output 'sequence') or sequence ('last'); accuracy counts those whose largest output is at the target's largest
   * entry (one output: both on the same side of 0.5).
   */
  evaluate(data: RecurrentData): {
    /** Mean loss. */
    loss: number;
    /** Fraction classified right, in [0, 1]. */
    accuracy: number;
  } {
    this.live();
    const sequences = this.scaled(this.sequencesOf(data, 'data'));
    this.live();
    return this.evaluateSequences(sequences);
  }

  /** Reads one sequence once, checks it, standardizes the copy. */
  private readInput(sequence: Sequence): { values: Float64Array; steps: number } {
    this.live();
    const read = readSequence(sequence, this.inputSize, 'sequence');
    this.live();
    if (this.scaling?.inputs) standardize(read.values, read.steps, this.scaling.inputs);
    return read;
  }

  /** Runs the staged single sequence of `steps` steps; its outputs, in the targets' units, into `out`. */
  private run(out: Float64Array, values: Float64Array, steps: number): Float64Array {
    const arena = this.reserve(1, steps);
    arena.f64.set(values, arena.at(DENSE_INPUT));
    arena.i32[(arena.base + arena.word(recurrentWord(this.layerCount, RNN_LENGTHS))) >> 2] = steps;
    this.impl.kernels.forwardRecurrent(arena, 1, steps);
    setInto(out, arena.view(denseEntry(this.layerCount, DENSE_OUTPUT), out.length));
    if (this.scaling?.targets) unstandardize(out, out.length / this.outputSize, this.scaling.targets);
    return out;
  }

  /**
   * The network's outputs for one sequence (steps × inputSize, or a list of numbers when inputSize is 1; a flat list
   * is read row-major), as a new Float64Array: steps × outputs with output 'sequence', the outputs with 'last'.
   */
  predict(sequence: Sequence): Float64Array {
    const { values, steps } = this.readInput(sequence);
    return this.run(new Float64Array(this.output === 'sequence' ? steps * this.outputSize : this.outputSize), values, steps);
  }

  /** Writes {@link predict}'s outputs into `out` (a Float64Array of exactly that length) and returns `out`. */
  predictInto(out: Float64Array, sequence: Sequence): Float64Array {
    const { values, steps } = this.readInput(sequence);
    const length = this.output === 'sequence' ? steps * this.outputSize : this.outputSize;
    if (!isOutput(out, length)) throw outputError(out, length);
    return this.run(out, values, steps);
  }

  /**
   * The `steps` steps after `sequence`, as a new Float64Array of steps × outputs: the network reads the sequence, then
   * each prediction is fed back as the next step's input. Needs output 'sequence' and as many outputs as inputs.
   */
  forecast(sequence: Sequence, steps: number): Float64Array {
    this.live();
    integer(steps, 'steps', 1);
    if (this.output !== 'sequence') throw new ConfigurationError("forecast needs a network with output 'sequence' (a prediction at every step to feed back)", 'steps');
    if (this.outputSize !== this.inputSize) {
      throw new ConfigurationError(`forecast feeds each output back as the next input, so the head needs inputSize (${this.inputSize}) outputs, not ${this.outputSize}`, 'steps');
    }
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

  /** Refuses a training call while fit runs (from onEpoch, or during fitAsync). */
  private notTraining(call: string): void {
    this.live();
    if (this.training) throw new StateError(`${call} was called while this network is training (from onEpoch, or during fitAsync)`, call);
  }

  /** Marks the end of fit or fitAsync, keeping where it ended for checkpoints. */
  private endTraining(): void {
    this.training = false;
    // A fit refused before it started (bad options or data) leaves the saved progress as it was.
    if (this.currentRun === undefined) return;
    this.savedFit = this.currentRun.state();
    this.currentRun = undefined;
  }

  /**
   * Trains on `data`; see {@link RecurrentFitOptions} for the options and their defaults. Returns the per-epoch history.
   * Data: number[][] (univariate series), number[][][] (multivariate series; both learn the next step at every
   * step) or [{ input, output }] pairs, whose sequences may differ in length (shorter ones are masked).
   */
  fit(data: RecurrentData, options: RecurrentFitOptions = {}): FitHistory {
    this.notTraining('fit');
    this.training = true;
    try {
      return fitSequences(this, data, options);
    } finally {
      this.endTraining();
    }
  }

  /** Like {@link fit}, yielding to the event loop between batches every few milliseconds; rejects with AbortError when `options.signal` aborts. */
  async fitAsync(data: RecurrentData, options: RecurrentFitOptions = {}): Promise<FitHistory> {
    this.notTraining('fitAsync');
    this.training = true;
    try {
      return await fitSequencesAsync(this, data, options);
    } finally {
      this.endTraining();
    }
  }

  /**
   * The network as plain JSON (see {@link RecurrentModelJSON}): exact float64 weights, standardization figures. With
   * `{ training: true }`, a checkpoint: also the optimizer's moments, the shuffling stream, the epoch and early
   * stopping's state. Saved from `onEpoch` (or after `fit`), loaded with {@link fromJSON} on either backend and
   * trained on with `fit` and the same data and options, it resumes at the saved epoch and ends bit for bit where an
   * uninterrupted run ends.
   * @throws StateError for a checkpoint in the middle of an epoch (during fitAsync), where none would be exact
   */
  toJSON(options: { training?: boolean } = {}): RecurrentModelJSON {
    const arena = this.live();
    const p = this.getParameters();
    let at = 0;
    let width = this.inputSize;
    const layers = this.config.layers.map((layer): RecurrentLayerJSON => {
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
    const head = this.config.head;
    layers.push({
      type: 'dense', size: head.size, activation: head.activation,
      weights: Array.from(p.subarray(at, at + head.size * width)),
      biases: Array.from(p.subarray(at + head.size * width, at + head.size * width + head.size)),
    });
    const json: RecurrentModelJSON = {
      format: 'neurite-recurrent',
      version: 1,
      inputSize: this.inputSize,
      output: this.output,
      layers,
      loss: this.loss,
      optimizer: { ...this.config.optimizer },
      seed: this.seed,
    };
    if (this.meta !== undefined) json.meta = this.meta;
    // Written once decided, even as {} for none: a missing field means the first fit still measures them.
    if (this.scaling !== undefined) json.scaling = this.scaling ? scalingToJSON(this.scaling) : {};
    // JSON.stringify passes a key (a string) to toJSON: only an options object asks for a checkpoint.
    if (options !== null && typeof options === 'object' && options.training === true) {
      json.training = trainingToJSON(this, optimizerStateOf(arena));
    }
    return json;
  }

  /** Frees the network's wasm memory now. Any later call throws StateError. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    untrack(this, this.arena);
  }

  /** `using net = new RecurrentNetwork(...)` disposes it at the end of the block. */
  [Symbol.dispose](): void {
    this.dispose();
  }

  /** Input size, layers, output mode, loss, optimizer and backend on one line. */
  toString(): string {
    const o = this.config.optimizer;
    const layers = this.config.layers.map((l) => `${l.cell}(${l.size}${l.memory === 'hidden' ? ', memory=hidden' : ''})`).join('-');
    return `RecurrentNetwork(${this.inputSize}-${layers}-dense(${this.outputSize}, ${this.config.head.activation}), output=${this.output}, loss=${this.loss}, optimizer=${o.type}(lr=${o.learningRate}), backend=${this.backend}, seed=${this.seed})`;
  }
}
