// The public shapes of DenseNetwork's options, data and saved models.
import type { BackendName } from '../backend/index.js';
import * as activationSpecs from '../spec/activations.js';
import * as lossSpecs from '../spec/losses.js';
import * as optimizerSpecs from '../spec/optimizers.js';

/** Activation functions (src/spec/activations.ts); `softmax` only on the output layer. */
export type Activation = activationSpecs.ActivationName;
/** Every activation name, in the order errors list them. */
export const ACTIVATIONS: readonly Activation[] = activationSpecs.ACTIVATION_SPECS.map((spec) => spec.name);

/** Loss functions (src/spec/losses.ts). `crossEntropy` needs a softmax output, `binaryCrossEntropy` a sigmoid output. */
export type Loss = lossSpecs.LossName;
/** Every loss name, in the order errors list them. */
export const LOSSES: readonly Loss[] = lossSpecs.LOSS_SPECS.map((spec) => spec.name);

/** Optimizer names (src/spec/optimizers.ts). */
export type OptimizerName = optimizerSpecs.OptimizerName;
/** Every optimizer name, in the order errors list them. */
export const OPTIMIZERS: readonly OptimizerName[] = optimizerSpecs.OPTIMIZER_SPECS.map((spec) => spec.name);

/** Weight initializations: Xavier/Glorot uniform, He/Kaiming uniform. */
export type Init = 'xavier' | 'he';
/** Every initialization name, in the order errors list them. */
export const INITS: readonly Init[] = ['xavier', 'he'];

/** An optimizer and its settings (its own ones: {@link OptimizerSettings}). */
export interface OptimizerOptions extends optimizerSpecs.OptimizerSettings {
  /** Which optimizer. */
  type: OptimizerName;
  /** The step size. @default 0.01 */
  learningRate?: number;
  /** L2 penalty added to every weight's gradient (not biases): `grad += weightDecay * w`. @default 0 */
  weightDecay?: number;
  /** When > 0, the whole gradient is scaled down so that its L2 norm is at most this; 0 means off. @default 0 */
  clipNorm?: number;
}

/** One layer: its size and (for every layer but the input) its activation. */
export interface DenseLayerSpec {
  /** Number of units. */
  size: number;
  /** Activation of this layer's outputs (ignored on the input layer). */
  activation?: Activation;
}

/** Options of `new DenseNetwork(...)`. */
export interface DenseNetworkOptions {
  /** Input first: `[{ size: 784 }, { size: 128, activation: 'relu' }, { size: 10, activation: 'softmax' }]` or `[2, 3, 1]`. */
  layers: readonly (number | DenseLayerSpec)[];
  /** Activation of hidden layers given as numbers. @default 'tanh' */
  activation?: Activation;
  /** Activation of the output layer when given as a number. @default `activation` when that is given, else 'sigmoid' */
  outputActivation?: Activation;
  /** The loss training minimizes. @default 'crossEntropy' after a softmax output, else 'mse' */
  loss?: Loss;
  /** The optimizer, by name or with settings (see {@link OptimizerOptions}). @default 'adam' (learning rate 0.01) */
  optimizer?: OptimizerName | OptimizerOptions;
  /** Seeds initialization and shuffling (an integer in [0, 2^32)): the same seed gives bit-identical runs. @default a random seed, kept in `network.seed` and in `toJSON()` */
  seed?: number;
  /** Weight initialization. @default 'he' for relu-family layers, else 'xavier' */
  init?: Init;
  /**
   * Standardization inside the model: the first `fit` measures each column's mean and standard deviation on its
   * training rows; from then on inputs (and targets) are standardized before training and evaluation and
   * predictions are given back in the targets' units. The figures are saved by `toJSON` and applied by `toFunction`
   * and `toONNX`. Losses (in `fit`'s history and `evaluate`) are measured on the standardized targets.
   * `true` or `false` sets both.
   * @default { inputs: false, targets: true } with an identity output, else neither
   */
  standardize?: boolean | {
    /** Standardize the input columns. */
    inputs?: boolean;
    /** Standardize the target columns (and give predictions back in their units). */
    targets?: boolean;
  };
  /** Run on 'wasm' or 'js'. @default getBackend() */
  backend?: BackendName;
}

/** Training data: a list of pairs, or row-major typed arrays. */
export type DenseData =
  | readonly {
      /** One row of inputs. */
      input: ArrayLike<number>;
      /** Its targets. */
      output: ArrayLike<number>;
    }[]
  | {
      /** Every row's inputs, row after row. */
      inputs: Float64Array | readonly number[];
      /** Every row's targets, row after row. */
      targets: Float64Array | readonly number[];
    };

/** What `onEpoch` receives and `fit` returns per epoch (`epoch` counts from 0). `valLoss`/`valAccuracy` only with validation data. */
export interface EpochStats {
  /** The epoch's index, from 0. */
  epoch: number;
  /** Mean training loss of the epoch. */
  loss: number;
  /** Training accuracy of the epoch, in [0, 1]. */
  accuracy: number;
  /** Mean loss on the validation rows. */
  valLoss?: number;
  /** Accuracy on the validation rows, in [0, 1]. */
  valAccuracy?: number;
}

/** One example of a stream: an input row and its target row. */
export interface DenseSample {
  /** The input row. */
  input: ArrayLike<number>;
  /** The target row. */
  output: ArrayLike<number>;
}

/** Several examples of a stream at once, row-major. */
export interface DenseBatch {
  /** Input rows, row-major. */
  inputs: Float64Array | readonly number[];
  /** Target rows, row-major, as many as the inputs. */
  targets: Float64Array | readonly number[];
}

/** A stream of samples or batches, e.g. rows read from disk; `fitAsync` never holds more of it than its shuffle buffer. */
export type DenseStream = Iterable<DenseSample | DenseBatch> | AsyncIterable<DenseSample | DenseBatch>;

/**
 * What `fitAsync` trains on: data in memory, a stream (read once: one epoch), or a function returning a fresh
 * stream, called once per epoch (and once more before the first when the network's standardization figures
 * must be measured).
 */
export type DenseSource = DenseData | DenseStream | (() => DenseStream);

/**
 * Options of `fit` and `fitAsync`. Without `epochs`, training decides when to stop: on data of at least 50 rows a
 * fifth is held out (`validationSplit` 0.2) and early stopping (patience 20) ends training and restores the best
 * epoch's weights; smaller data trains for 10,000 steps. With `epochs`, exactly those epochs run, with the
 * hold-out and early stopping only when asked for.
 */
export interface FitOptions {
  /**
   * The epoch to train up to (as Keras's `epochs`: with `initialEpoch`, epochs `initialEpoch … epochs − 1` run).
   * @default automatic: enough epochs for 10,000 steps, at least 100, ended earlier by early stopping; on a stream,
   * 100 (from a function) or 1 (an iterable, read once)
   */
  epochs?: number;
  /**
   * The epoch to start from, for resuming (Keras's `initial_epoch`): history and `onEpoch` count from it.
   * @default the epoch saved in the checkpoint the network was loaded from (see `toJSON({ training: true })`), else 0
   */
  initialEpoch?: number;
  /** Rows per optimizer step. @default 32 */
  batchSize?: number;
  /** Visit the rows in a new seeded order each epoch. @default true */
  shuffle?: boolean;
  /** Hold out this share of the rows (the last ones, before shuffling) to validate on. @default 0.2 when `epochs` is omitted and the data has at least 50 rows, else none */
  validationSplit?: number;
  /** Rows to validate on after each epoch (instead of `validationSplit`). */
  validationData?: DenseData;
  /**
   * Stop when the validation loss (or, without validation rows, the training loss) has not improved by more than
   * `minDelta` for `patience` epochs, and restore the best epoch's weights; `false` turns it off.
   * @default `{ patience: 20, minDelta: 0 }` when `epochs` is omitted and there are validation rows, else off
   */
  earlyStopping?: false | {
    /** Epochs without improvement before stopping. @default 20 */
    patience?: number;
    /** Smallest decrease of the loss that counts as an improvement. @default 0 */
    minDelta?: number;
  };
  /** Stop once an epoch's training loss is below this. @default none */
  errorThreshold?: number;
  /**
   * Called after each epoch; returning `false` stops training. It may call `evaluate`, `predict` and
   * `toJSON({ training: true })` (a checkpoint); `fit`, `fitAsync` and `trainStep` on the same network throw
   * StateError while it trains, and so does any call after `dispose()`.
   */
  onEpoch?: (stats: EpochStats) => void | boolean;
  /**
   * What to do when a step gives a non-finite loss or gradient (that step is not applied): 'throw' a
   * DivergenceError; 'stop' and return the history; 'reduceLearningRate': go back to the weights and optimizer
   * state the epoch started with, halve the rate and redo the epoch (10 times at most; when it gives up, the
   * learning rate from before the call is restored and DivergenceError thrown).
   * @default 'throw'
   */
  onDivergence?: 'throw' | 'stop' | 'reduceLearningRate';
  /** Aborts training (fitAsync rejects with AbortError, fit throws it between epochs). */
  signal?: AbortSignal;
  /** fitAsync on a stream: rows held and drawn from at random (seeded); 0 or 1 keeps the stream's order. @default 1024 */
  shuffleBuffer?: number;
}

/** The figures of a `fit` run. */
export interface FitHistory {
  /** One record per epoch run. */
  epochs: EpochStats[];
  /** Why training ended: all epochs ran, errorThreshold met, early stopping, divergence ('stop'), or the callback returned false. */
  stopReason: 'epochs' | 'errorThreshold' | 'earlyStopping' | 'divergence' | 'callback';
}

/** `toJSON()` output: exact float64 values, readable by `DenseNetwork.fromJSON`. */
export interface DenseModelJSON {
  /** Marks the text as a dense model. */
  format: 'neurite-dense';
  /** Version of this format. */
  version: 1;
  /** Every layer, the input layer first. */
  layers: {
    /** Number of units. */
    size: number;
    /** Activation (absent on the input layer). */
    activation?: Activation;
  }[];
  /** The loss trained on. */
  loss: Loss;
  /** The optimizer and its settings. */
  optimizer: OptimizerOptions;
  /** The seed the network was built with. */
  seed: number;
  /** Per layer after the input: row-major [out][in]. */
  weights: number[][];
  /** Per layer after the input: one bias per unit. */
  biases: number[][];
  /** Free-form extra data kept on round trips (the CLI stores normalization stats here). */
  meta?: Record<string, unknown>;
  /** The standardization figures, when the network has them (see {@link DenseNetworkOptions.standardize}). */
  scaling?: ScalingJSON;
  /**
   * Saved before the first fit: which figures that fit measures (the network's `standardize` option). A model
   * with neither `scaling` nor `standardize` trains without figures.
   */
  standardize?: StandardizeJSON;
  /** The training state, in checkpoints written by `toJSON({ training: true })`. */
  training?: TrainingJSON;
}

/** The standardization a network saved before its first fit will measure figures for. */
export interface StandardizeJSON {
  /** Standardize the inputs. */
  inputs: boolean;
  /** Standardize the targets. */
  targets: boolean;
}

/** Per column of inputs or targets: the mean and standard deviation that standardize them. */
export interface StandardizationJSON {
  /** Each column's mean on the training rows. */
  mean: number[];
  /** Each column's population standard deviation (1 for a constant column). */
  std: number[];
}

/** A model's standardization figures. */
export interface ScalingJSON {
  /** The input columns' figures, when inputs are standardized. */
  inputs?: StandardizationJSON;
  /** The target columns' figures, when targets are standardized. */
  targets?: StandardizationJSON;
}

/** Everything beyond the weights that makes a resumed run bit-identical to one that never stopped. */
export interface TrainingJSON {
  /** Adam's first moment or momentum's velocity, arranged like the parameters. */
  moment1: number[];
  /** Adam's second moment, arranged like the parameters. */
  moment2: number[];
  /** beta1^steps (Adam's first bias correction). */
  beta1Power: number;
  /** beta2^steps (Adam's second bias correction). */
  beta2Power: number;
  /** The state of the seeded stream that shuffles. */
  random: number;
  /** The fit in progress (or the last one): where the next `fit` resumes. */
  fit?: FitStateJSON;
}

/** A fit's progress, saved in checkpoints. */
export interface FitStateJSON {
  /** Epochs completed. */
  epoch: number;
  /** The visiting order of the training rows after the last shuffle (in-memory data). */
  order?: number[];
  /** Early stopping: the best loss so far. */
  best?: number;
  /** Early stopping: epochs since the best one. */
  waited: number;
  /** Early stopping: the best epoch's parameters. */
  bestParameters?: number[];
  /** Learning-rate halvings so far ('reduceLearningRate'). */
  reductions: number;
  /** The learning rate before the first halving. */
  initialLearningRate: number;
  /** Set when the epoch just completed ended the run (so a resumed fit ends too). */
  stopReason?: FitHistory['stopReason'];
}
