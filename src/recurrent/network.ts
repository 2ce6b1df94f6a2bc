// RecurrentNetwork: LSTM, GRU and simple recurrent layers with a dense head, as a facade over a RecurrentModel (src/recurrent/model.ts).
import type { BackendName } from '../backend/index.js';
import { checkpointFromJSON, checkpointToJSON } from '../checkpoint.js';
import { ConfigurationError } from '../errors.js';
import { brainToRecurrentModel } from '../io/brain-recurrent.js';
import { recurrentToONNX } from '../io/onnx-recurrent.js';
import { NetworkBase } from '../network-base.js';
import { integer, isOutput, outputError } from '../validate.js';
import { fitSequences, fitSequencesAsync } from './fit.js';
import { layersToJSON, parametersFromJSON, parseRecurrentModel } from './json.js';
import { RecurrentModel } from './model.js';
import { resolveRecurrent } from './options.js';
import type {
  FitHistory, RecurrentData, RecurrentFitOptions, RecurrentLayerJSON, RecurrentModelJSON, RecurrentNetworkOptions, RecurrentOutput, Sequence,
} from './types.js';

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
export class RecurrentNetwork extends NetworkBase {
  /** Features per time step. */
  readonly inputSize: number;
  /** Outputs of the dense head. */
  readonly outputSize: number;
  /** An output at every step ('sequence') or from the final state ('last'). */
  readonly output: RecurrentOutput;
  /** Free-form data saved with the model by toJSON. */
  meta: Record<string, unknown> | undefined;
  /** @internal */
  protected declare readonly model: RecurrentModel;

  /** Builds and initializes a network; see {@link RecurrentNetworkOptions}. Throws a NeuriteError naming any bad option. */
  constructor(options: RecurrentNetworkOptions) {
    super(new RecurrentModel(resolveRecurrent(options)));
    this.inputSize = this.model.inputSize;
    this.outputSize = this.model.outputSize;
    this.output = this.model.output;
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
    net.setParameters(parametersFromJSON(model, net.model.parameterCount));
    net.meta = model.meta;
    checkpointFromJSON(net.model, model);
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

  /**
   * Every weight and bias, copied, in the arena's order: per recurrent layer its gate rows over [input | previous
   * state] (row g·size + u holds that row's input weights, then its recurrent weights), then its biases; the head's
   * weights (row-major [out][in]) and biases last.
   */
  override getParameters(): Float64Array {
    return this.model.getParameters();
  }

  /** The gradient of the loss computed by the last training step (before clipping and the step), arranged like {@link getParameters}; copied. */
  lastGradients(): Float64Array {
    return this.model.lastGradients();
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
    const model = this.model;
    model.checkLive();
    const sequences = model.scaled(model.sequencesOf(data, 'data'));
    // Reading `data` may have run a caller's getter.
    model.checkLive();
    return model.evaluateSequences(sequences);
  }

  /**
   * The network's outputs for one sequence (steps × inputSize, or a list of numbers when inputSize is 1; a flat list
   * is read row-major), as a new Float64Array: steps × outputs with output 'sequence', the outputs with 'last'.
   */
  predict(sequence: Sequence): Float64Array {
    const { values, steps } = this.model.readInput(sequence);
    return this.model.run(new Float64Array(this.model.outputLength(steps)), values, steps);
  }

  /** Writes {@link predict}'s outputs into `out` (a Float64Array of exactly that length) and returns `out`. */
  predictInto(out: Float64Array, sequence: Sequence): Float64Array {
    const { values, steps } = this.model.readInput(sequence);
    const length = this.model.outputLength(steps);
    if (!isOutput(out, length)) throw outputError(out, length);
    return this.model.run(out, values, steps);
  }

  /**
   * The `steps` steps after `sequence`, as a new Float64Array of steps × outputs: the network reads the sequence, then
   * each prediction is fed back as the next step's input. Needs output 'sequence' and as many outputs as inputs.
   */
  forecast(sequence: Sequence, steps: number): Float64Array {
    this.model.checkLive();
    integer(steps, 'steps', 1);
    if (this.output !== 'sequence') throw new ConfigurationError("forecast needs a network with output 'sequence' (a prediction at every step to feed back)", 'steps');
    if (this.outputSize !== this.inputSize) {
      throw new ConfigurationError(`forecast feeds each output back as the next input, so the head needs inputSize (${this.inputSize}) outputs, not ${this.outputSize}`, 'steps');
    }
    return this.model.forecast(sequence, steps);
  }

  /**
   * Trains on `data`; see {@link RecurrentFitOptions} for the options and their defaults. Returns the per-epoch history.
   * Data: number[][] (univariate series), number[][][] (multivariate series; both learn the next step at every
   * step) or [{ input, output }] pairs, whose sequences may differ in length (shorter ones are masked).
   */
  fit(data: RecurrentData, options: RecurrentFitOptions = {}): FitHistory {
    return this.model.exclusive('fit', () => fitSequences(this.model, data, options));
  }

  /** Like {@link fit}, yielding to the event loop between batches every few milliseconds; rejects with AbortError when `options.signal` aborts. */
  async fitAsync(data: RecurrentData, options: RecurrentFitOptions = {}): Promise<FitHistory> {
    // async: a disposed or busy network rejects too, rather than throwing before the promise exists.
    return this.model.exclusive('fitAsync', () => fitSequencesAsync(this.model, data, options));
  }

  /**
   * The network as plain JSON (see {@link RecurrentModelJSON}): exact float64 weights, standardization figures (before
   * the first fit, the choice that fit measures them by). With `{ training: true }`, a checkpoint: also the optimizer's
   * moments, the shuffling stream, the epoch and early stopping's state. Saved from `onEpoch` (or after `fit`), loaded
   * with {@link fromJSON} on either backend and trained on with `fit` and the same data and options, it resumes at the
   * saved epoch and ends bit for bit where an uninterrupted run ends.
   * @throws StateError for a checkpoint in the middle of an epoch (during fitAsync), where none would be exact
   */
  toJSON(options: { training?: boolean } = {}): RecurrentModelJSON {
    const model = this.model;
    const json: RecurrentModelJSON = {
      format: 'neurite-recurrent',
      version: 1,
      inputSize: this.inputSize,
      output: this.output,
      layers: layersToJSON(model.config, model.getParameters()),
      loss: this.loss,
      optimizer: model.optimizer,
      seed: this.seed,
    };
    if (this.meta !== undefined) json.meta = this.meta;
    return { ...json, ...checkpointToJSON(model, options) };
  }

  /** `using net = new RecurrentNetwork(...)` disposes it at the end of the block. */
  [Symbol.dispose](): void {
    this.dispose();
  }

  /** Input size, layers, output mode, loss, optimizer and backend on one line. */
  override toString(): string {
    const { layers, head, optimizer: o } = this.model.config;
    const cells = layers.map((l) => `${l.cell}(${l.size}${l.memory === 'hidden' ? ', memory=hidden' : ''})`).join('-');
    return `RecurrentNetwork(${this.inputSize}-${cells}-dense(${this.outputSize}, ${head.activation}), output=${this.output}, loss=${this.loss}, optimizer=${o.type}(lr=${o.learningRate}), backend=${this.backend}, seed=${this.seed})`;
  }
}
