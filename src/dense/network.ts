// DenseNetwork: a multilayer perceptron trained by backpropagation, as a facade over a DenseModel (src/dense/model.ts).
import type { BackendName } from '../backend/index.js';
import { DivergenceError } from '../errors.js';
import { brainToDenseModel } from '../io/brain.js';
import { toFunction } from '../io/function.js';
import { parseDenseModel } from '../io/json.js';
import { type ONNXOptions, toONNX } from '../io/onnx.js';
import { checkpointFromJSON, checkpointToJSON } from '../checkpoint.js';
import { NetworkBase } from '../network-base.js';
import { Float32Predictor, type PredictorOptions } from '../predictor/predictor.js';
import { fitRows, trainingRows } from './fit.js';
import { DenseLayer } from './layer.js';
import { DenseModel } from './model.js';
import { resolveDense } from './options.js';
import { scaleRows } from './scaling.js';
import { fitSource } from './stream.js';
import type { DenseData, DenseModelJSON, DenseNetworkOptions, DenseSource, FitHistory, FitOptions } from './types.js';

/**
 * A dense network: one weight per connection, a bias per unit, trained by
 * backpropagation. All numbers live in one arena (wasm memory or an ArrayBuffer);
 * `predict`, `trainStep` and each epoch of `fit` are single kernel calls.
 *
 * Results belong to the caller: `predict` and `predictBatch` return new arrays, and
 * `predictInto(out, input)` and `predictBatchInto(out, inputs, count)` write into a
 * Float64Array you pass, allocating nothing. Every method reads an array argument
 * once, into a copy (or, for a Float64Array, straight into the arena), and checks
 * what it read.
 *
 * ```ts
 * const net = new DenseNetwork({ layers: [2, 4, 1], activation: 'tanh', outputActivation: 'sigmoid', seed: 7 });
 * net.fit([{ input: [0, 1], output: [1] }, ...], { epochs: 500 });
 * net.predict([0, 1]); // Float64Array [≈1]
 * ```
 */
export class DenseNetwork extends NetworkBase {
  /** Layer sizes, input first. */
  readonly sizes: readonly number[];
  /** Layers, input first; each a view onto this network's parameters. */
  readonly layers: readonly DenseLayer[];
  /** Free-form data saved with the model by toJSON (the CLI keeps normalization stats here). */
  meta: Record<string, unknown> | undefined;
  /** @internal */
  protected declare readonly model: DenseModel;

  /** Builds and initializes a network; see {@link DenseNetworkOptions}. Throws a NeuriteError naming any bad option. */
  constructor(options: DenseNetworkOptions) {
    super(new DenseModel(resolveDense(options)));
    const model = this.model;
    this.sizes = model.sizes;
    this.layers = Object.freeze(this.sizes.map((size, l) =>
      new DenseLayer(model, l, size, l === 0 ? 0 : this.sizes[l - 1]!, model.config.activations[l]!)));
  }

  /**
   * Rebuilds a network saved by {@link toJSON} (an object or its JSON text), bit for bit.
   * Malformed, truncated, wrong-version or hostile input throws FormatError before anything is allocated.
   */
  static fromJSON(json: unknown, options: { backend?: BackendName } = {}): DenseNetwork {
    const model = parseDenseModel(json);
    const net = new DenseNetwork({ ...options, layers: model.layers, loss: model.loss, optimizer: model.optimizer, seed: model.seed });
    const parameters = new Float64Array(net.getParameters().length);
    let at = 0;
    model.weights.forEach((w, l) => {
      parameters.set(w, at);
      parameters.set(model.biases[l]!, at + w.length);
      at += w.length + model.biases[l]!.length;
    });
    net.setParameters(parameters);
    net.meta = model.meta;
    checkpointFromJSON(net.model, model);
    return net;
  }

  /** Imports a trained brain.js `NeuralNetwork` from its `toJSON()` output; `predict` then matches brain's `run`. */
  static fromBrainJSON(json: unknown, options: { backend?: BackendName } = {}): DenseNetwork {
    return DenseNetwork.fromJSON(brainToDenseModel(json), options);
  }

  /** Number of inputs. */
  get inputSize(): number {
    return this.model.inputSize;
  }

  /** Number of outputs. */
  get outputSize(): number {
    return this.model.outputSize;
  }

  /** Every weight and bias, [W1 b1 W2 b2 ...] with W row-major [out][in], copied. */
  override getParameters(): Float64Array {
    return this.model.getParameters();
  }

  /** The gradient of the loss computed by the last training step (before it was applied), arranged like {@link getParameters}; copied. */
  lastGradients(): Float64Array {
    return this.model.lastGradients();
  }

  /** The network's output for one input, as a new Float64Array of {@link outputSize} numbers. */
  predict(input: ArrayLike<number>): Float64Array {
    return this.model.predictInto(new Float64Array(this.outputSize), input);
  }

  /**
   * Writes the network's output for one input into `out` (a Float64Array of {@link outputSize}
   * numbers) and returns `out`. Allocates nothing: the form for hot loops.
   */
  predictInto(out: Float64Array, input: ArrayLike<number>): Float64Array {
    return this.model.predictInto(out, input);
  }

  /**
   * Outputs for `count` inputs given row-major (`count × inputSize` numbers), as a new row-major
   * `count × outputSize` Float64Array. A batch larger than one kernel call's memory runs in chunks of rows.
   */
  predictBatch(inputs: ArrayLike<number>, count: number): Float64Array {
    return this.model.predictBatch(inputs, count);
  }

  /**
   * Writes the outputs for `count` row-major inputs into `out` (a Float64Array of `count × outputSize`
   * numbers) and returns `out`; see {@link predictBatch}. Allocates nothing when the batch fits one kernel call.
   */
  predictBatchInto(out: Float64Array, inputs: ArrayLike<number>, count: number): Float64Array {
    return this.model.predictBatchInto(out, inputs, count);
  }

  /**
   * One optimizer step on a minibatch of `count` rows (row-major inputs and targets).
   * Returns the batch's mean loss, measured before the step. Throws DivergenceError,
   * with nothing changed, when the loss or a gradient is not finite.
   */
  trainStep(inputs: ArrayLike<number>, targets: ArrayLike<number>, count?: number): number {
    // Kept small so that V8 inlines it into callers: a returned double is then not boxed (16 bytes a call).
    const model = this.model;
    const loss = model.stepStaged(model.stageStep(inputs, targets, count));
    if (model.diverged()) throw new DivergenceError('trainStep diverged: the loss or a gradient is not finite; the step was not applied', -1, 0);
    return loss;
  }

  /**
   * Mean loss and accuracy on `data` without training. Accuracy counts rows whose
   * largest output is at the target's largest entry (one output: both on the same side of 0.5).
   */
  evaluate(data: DenseData): {
    /** Mean loss over the rows. */
    loss: number;
    /** Fraction of rows classified right, in [0, 1]. */
    accuracy: number;
  } {
    const model = this.model;
    model.checkLive();
    const rows = scaleRows(trainingRows(model, data, 'data'), model.scaling);
    // Reading `data` may have run a caller's getter.
    model.checkLive();
    return model.evaluateRows(rows);
  }

  /**
   * Trains on `data`; see {@link FitOptions} for the options and their defaults. Returns the per-epoch history.
   * A network loaded from a checkpoint (`toJSON({ training: true })`) continues the run it was saved in.
   */
  fit(data: DenseData, options: FitOptions = {}): FitHistory {
    return this.model.exclusive('fit', () => fitRows(this.model, data, options));
  }

  /**
   * Like {@link fit}, yielding to the event loop between batches; rejects with AbortError when `options.signal`
   * aborts. Also trains on a stream of samples or batches, or on a function that returns a fresh stream for each
   * epoch (see {@link DenseSource}), never holding more than `options.shuffleBuffer` rows of it.
   */
  async fitAsync(data: DenseSource, options: FitOptions = {}): Promise<FitHistory> {
    // async: a disposed or busy network rejects too, rather than throwing before the promise exists.
    return this.model.exclusive('fitAsync', () => fitSource(this.model, data, options));
  }

  /**
   * The network as plain JSON: shape, loss, optimizer, seed, exact float64 parameters and standardization figures
   * (before the first fit, the choice that fit measures them by).
   * With `{ training: true }`, a checkpoint: also the optimizer's moments, the shuffling stream and the fit's
   * progress (epoch, visiting order, early stopping's best weights and patience), so that a network loaded from it
   * (`fromJSON`, on either backend) and trained on with the same data and options ends bit-identical to one that
   * never stopped. Exact between epochs: save it from `onEpoch`, or after `fit`.
   */
  toJSON(options: { training?: boolean } = {}): DenseModelJSON {
    const layers = this.sizes.map((size, l) => (l === 0 ? { size } : { size, activation: this.model.config.activations[l]! }));
    return {
      format: 'neurite-dense',
      version: 1,
      layers,
      loss: this.loss,
      optimizer: this.model.optimizer,
      seed: this.seed,
      weights: this.layers.slice(1).map((layer) => Array.from(layer.weights)),
      biases: this.layers.slice(1).map((layer) => Array.from(layer.biases)),
      ...(this.meta === undefined ? {} : { meta: this.meta }),
      ...checkpointToJSON(this.model, options),
    };
  }

  /** A standalone JS function computing {@link predict} (no dependency; see io/function.ts). */
  toFunction(): (input: ArrayLike<number>) => Float64Array {
    return toFunction(this.toJSON());
  }

  /** The network as an ONNX model (Gemm + activation per layer), ready for onnxruntime. */
  toONNX(options?: ONNXOptions): Uint8Array {
    return toONNX(this.toJSON(), options);
  }

  /**
   * A frozen float32 snapshot of this network for serving, on this network's backend; see {@link Float32Predictor}
   * for its error against {@link predict}. Later training does not change it; dispose of it on its own.
   */
  toPredictor(options?: PredictorOptions): Float32Predictor {
    this.model.checkLive();
    return new Float32Predictor(
      { sizes: this.sizes, layers: this.layers, scaling: this.model.scaling, getParameters: () => this.model.getParameters(), backend: this.backend },
      options,
    );
  }

  /** `using net = new DenseNetwork(...)` disposes it at the end of the block. */
  [Symbol.dispose](): void {
    this.dispose();
  }

  /** Shape, loss, optimizer and backend, then one line per layer. */
  override toString(): string {
    const o = this.model.config.optimizer;
    return `DenseNetwork(${this.sizes.join('-')}, loss=${this.loss}, optimizer=${o.type}(lr=${o.learningRate}), backend=${this.backend}, seed=${this.seed})\n`
      + this.layers.map((l) => `  ${l}`).join('\n');
  }
}
