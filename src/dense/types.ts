// The public shapes of DenseNetwork's options, data and saved models.
import type { BackendName } from '../backend/index.js';

/** Activation functions; `softmax` only on the output layer. */
export type Activation = 'identity' | 'sigmoid' | 'tanh' | 'relu' | 'leakyRelu' | 'elu' | 'softmax';
/** Every activation name, in the order errors list them. */
export const ACTIVATIONS: readonly Activation[] = ['identity', 'sigmoid', 'tanh', 'relu', 'leakyRelu', 'elu', 'softmax'];

/** Loss functions. `crossEntropy` needs a softmax output, `binaryCrossEntropy` a sigmoid output. */
export type Loss = 'mse' | 'binaryCrossEntropy' | 'crossEntropy';
export const LOSSES: readonly Loss[] = ['mse', 'binaryCrossEntropy', 'crossEntropy'];

/** Optimizer names. */
export type OptimizerName = 'sgd' | 'momentum' | 'adam';
export const OPTIMIZERS: readonly OptimizerName[] = ['sgd', 'momentum', 'adam'];

/** Weight initializations: Xavier/Glorot uniform, He/Kaiming uniform. */
export type Init = 'xavier' | 'he';
export const INITS: readonly Init[] = ['xavier', 'he'];

/** An optimizer and its settings. Defaults: learningRate 0.01 (sgd, momentum) or 0.001 (adam), momentum 0.9, beta1 0.9, beta2 0.999, epsilon 1e-8. */
export interface OptimizerOptions {
  type: OptimizerName;
  learningRate?: number;
  /** momentum only: velocity decay. */
  momentum?: number;
  /** momentum only: Nesterov's look-ahead form. */
  nesterov?: boolean;
  /** adam only. */
  beta1?: number;
  beta2?: number;
  epsilon?: number;
  /** L2 penalty added to every weight's gradient (not biases): `grad += weightDecay * w`. */
  weightDecay?: number;
  /** When set (> 0; 0 means off), the whole gradient is scaled down so that its L2 norm is at most this. */
  clipNorm?: number;
}

/** One layer: its size and (for every layer but the input) its activation. */
export interface DenseLayerSpec {
  size: number;
  activation?: Activation;
}

/** Options of `new DenseNetwork(...)`. */
export interface DenseNetworkOptions {
  /** Input first: `[{ size: 784 }, { size: 128, activation: 'relu' }, { size: 10, activation: 'softmax' }]` or `[2, 3, 1]`. */
  layers: readonly (number | DenseLayerSpec)[];
  /** Activation of hidden layers given as numbers (default 'sigmoid'). */
  activation?: Activation;
  /** Activation of the output layer when given as a number (default: `activation`). */
  outputActivation?: Activation;
  /** Default: 'crossEntropy' after softmax, 'binaryCrossEntropy' never implied, else 'mse'. */
  loss?: Loss;
  /** Default 'adam'. */
  optimizer?: OptimizerName | OptimizerOptions;
  /** Seeds initialization and shuffling (an integer in [0, 2^32)): the same seed gives bit-identical runs. Default: a random seed, kept in `network.seed` and in `toJSON()`. */
  seed?: number;
  /** Default 'he' for relu-family hidden layers, else 'xavier'. */
  init?: Init;
  /** Run on 'wasm' or 'js'; default getBackend(). */
  backend?: BackendName;
}

/** Training data: a list of pairs, or row-major typed arrays. */
export type DenseData =
  | readonly { input: ArrayLike<number>; output: ArrayLike<number> }[]
  | { inputs: Float64Array | readonly number[]; targets: Float64Array | readonly number[] };

/** What `onEpoch` receives and `fit` returns per epoch (`epoch` counts from 0). `valLoss`/`valAccuracy` only with validation data. */
export interface EpochStats {
  epoch: number;
  loss: number;
  accuracy: number;
  valLoss?: number;
  valAccuracy?: number;
}

/** Options of `fit` and `fitAsync`. */
export interface FitOptions {
  epochs?: number;
  batchSize?: number;
  shuffle?: boolean;
  validationSplit?: number;
  validationData?: DenseData;
  earlyStopping?: { patience?: number; minDelta?: number };
  errorThreshold?: number;
  onEpoch?: (stats: EpochStats) => void | boolean;
    /**
   * What to do when a step gives a non-finite loss or gradient (that step is not applied): 'throw'
   * (default) a DivergenceError; 'stop' and return the history; 'reduceLearningRate': go back to the
   * weights and optimizer state the epoch started with, halve the rate and redo the epoch (10 times at most).
   */
  onDivergence?: 'throw' | 'stop' | 'reduceLearningRate';
  signal?: AbortSignal;
}

/** The figures of a `fit` run. */
export interface FitHistory {
  epochs: EpochStats[];
  /** Why training ended: all epochs ran, errorThreshold met, early stopping, divergence ('stop'), or the callback returned false. */
  stopReason: 'epochs' | 'errorThreshold' | 'earlyStopping' | 'divergence' | 'callback';
}

/** `toJSON()` output: exact float64 values, readable by `DenseNetwork.fromJSON`. */
export interface DenseModelJSON {
  format: 'neurite-dense';
  version: 1;
  layers: { size: number; activation?: Activation }[];
  loss: Loss;
  optimizer: OptimizerOptions;
  seed: number;
  /** Per layer after the input: row-major [out][in]. */
  weights: number[][];
  biases: number[][];
  /** Free-form extra data kept on round trips (the CLI stores normalization stats here). */
  meta?: Record<string, unknown>;
}
