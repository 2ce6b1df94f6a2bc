// The public shapes of DenseNetwork's options, data and saved models.
import type { BackendName } from '../backend/index.js';

/** Activation functions; `softmax` only on the output layer. */
export type Activation = 'identity' | 'sigmoid' | 'tanh' | 'relu' | 'leakyRelu' | 'elu' | 'softmax';
/** Every activation name, in the order errors list them. */
export const ACTIVATIONS: readonly Activation[] = ['identity', 'sigmoid', 'tanh', 'relu', 'leakyRelu', 'elu', 'softmax'];

/** Loss functions. `crossEntropy` needs a softmax output, `binaryCrossEntropy` a sigmoid output. */
export type Loss = 'mse' | 'binaryCrossEntropy' | 'crossEntropy';
/** Every loss name, in the order errors list them. */
export const LOSSES: readonly Loss[] = ['mse', 'binaryCrossEntropy', 'crossEntropy'];

/** Optimizer names. */
export type OptimizerName = 'sgd' | 'momentum' | 'adam';
/** Every optimizer name, in the order errors list them. */
export const OPTIMIZERS: readonly OptimizerName[] = ['sgd', 'momentum', 'adam'];

/** Weight initializations: Xavier/Glorot uniform, He/Kaiming uniform. */
export type Init = 'xavier' | 'he';
/** Every initialization name, in the order errors list them. */
export const INITS: readonly Init[] = ['xavier', 'he'];

/** An optimizer and its settings. Defaults: learningRate 0.01 (sgd, momentum) or 0.001 (adam), momentum 0.9, beta1 0.9, beta2 0.999, epsilon 1e-8. */
export interface OptimizerOptions {
  /** Which optimizer. */
  type: OptimizerName;
  /** Step size. */
  learningRate?: number;
  /** momentum only: velocity decay. */
  momentum?: number;
  /** momentum only: Nesterov's look-ahead form. */
  nesterov?: boolean;
  /** adam only: decay of the first moment. */
  beta1?: number;
  /** adam only: decay of the second moment. */
  beta2?: number;
  /** adam only: added to the root of the second moment. */
  epsilon?: number;
  /** L2 penalty added to every weight's gradient (not biases): `grad += weightDecay * w`. */
  weightDecay?: number;
  /** When set (> 0; 0 means off), the whole gradient is scaled down so that its L2 norm is at most this. */
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

/** Options of `fit` and `fitAsync`. */
export interface FitOptions {
  /** Passes over the training rows. */
  epochs?: number;
  /** Rows per optimizer step. */
  batchSize?: number;
  /** Shuffle the rows before each epoch, from the network's seeded stream. */
  shuffle?: boolean;
  /** Fraction of the rows (taken from the end) held out for validation. */
  validationSplit?: number;
  /** Rows to validate on after each epoch, instead of `validationSplit`. */
  validationData?: DenseData;
  /** Stop when the validation loss (else the training loss) stops improving, and restore the best weights. */
  earlyStopping?: {
    /** Epochs without improvement before stopping. */
    patience?: number;
    /** Smallest decrease of the loss that counts as an improvement. */
    minDelta?: number;
  };
  /** Stop once the epoch's training loss is at or below this. */
  errorThreshold?: number;
  /** Called after every epoch; returning `false` stops training. */
  onEpoch?: (stats: EpochStats) => void | boolean;
    /**
   * What to do when a step gives a non-finite loss or gradient (that step is not applied): 'throw'
   * (default) a DivergenceError; 'stop' and return the history; 'reduceLearningRate': go back to the
   * weights and optimizer state the epoch started with, halve the rate and redo the epoch (10 times at most).
   */
  onDivergence?: 'throw' | 'stop' | 'reduceLearningRate';
  /** `fitAsync` only: aborting it rejects with `AbortError`, keeping the last completed step. */
  signal?: AbortSignal;
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
}
