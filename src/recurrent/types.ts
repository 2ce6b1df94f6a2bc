// The public shapes of RecurrentNetwork's options, data and saved models.
import type { BackendName } from '../backend/index.js';
import type {
  Activation, EpochStats, FitHistory, FitOptions, Loss, OptimizerName, OptimizerOptions, ScalingJSON, StandardizeJSON, TrainingJSON,
} from '../dense/types.js';

/** Recurrent cell kinds: long short-term memory, gated recurrent unit, simple (Elman) recurrent layer. */
export type RecurrentCell = 'lstm' | 'gru' | 'rnn';
/** Every cell name, in the order errors list them. */
export const RECURRENT_CELLS: readonly RecurrentCell[] = ['lstm', 'gru', 'rnn'];

/** What an lstm layer's forget gate multiplies (see {@link RecurrentLayerSpec.memory}): every value, the default first. */
export const LSTM_MEMORIES: readonly ('cell' | 'hidden')[] = ['cell', 'hidden'];

/** What a recurrent network outputs: at every step (`'sequence'`), or once from the final state (`'last'`). */
export type RecurrentOutput = 'sequence' | 'last';
/** Every output mode. */
export const RECURRENT_OUTPUTS: readonly RecurrentOutput[] = ['sequence', 'last'];

/** A recurrent layer of {@link RecurrentNetworkOptions.layers}. */
export interface RecurrentLayerSpec {
  /** The cell. */
  type: RecurrentCell;
  /** Number of units (the size of its state h). */
  size: number;
  /** A simple `'rnn'` layer's activation (lstm and gru use sigmoid gates and tanh). @default 'tanh' */
  activation?: 'tanh' | 'relu';
  /**
   * An `'lstm'` layer's memory: what its forget gate multiplies. `'cell'` is the standard LSTM, c = f ⊙ c′ + i ⊙ g
   * with a cell state carried from step to step; `'hidden'` is brain.js's LSTM, c = f ⊙ h′ + i ⊙ g, which carries
   * only h (models imported from brain.js's LSTMTimeStep use it; ONNX's LSTM operator cannot express it).
   * In both, h = o ⊙ tanh(c). Only lstm layers take this option.
   * @default 'cell'
   */
  memory?: 'cell' | 'hidden';
}

/** The dense head, last in {@link RecurrentNetworkOptions.layers}: applied to the top recurrent state. */
export interface RecurrentHeadSpec {
  /** Marks the head. */
  type: 'dense';
  /** Number of outputs. */
  size: number;
  /** Its activation. @default 'softmax' with loss 'crossEntropy', 'sigmoid' with 'binaryCrossEntropy', else 'identity' */
  activation?: Activation;
}

/** Options of `new RecurrentNetwork(...)`. */
export interface RecurrentNetworkOptions {
  /** Features per time step. */
  inputSize: number;
  /** One or more recurrent layers, stacked, then exactly one dense head, last. */
  layers: readonly (RecurrentLayerSpec | RecurrentHeadSpec)[];
  /** An output at every step, or one from the final state (sequence classification). @default 'sequence' */
  output?: RecurrentOutput;
  /** The loss training minimizes. @default 'crossEntropy' after a softmax head, 'binaryCrossEntropy' after a sigmoid head, else 'mse' */
  loss?: Loss;
  /**
   * The optimizer, by name or with settings (see OptimizerOptions). Gradient clipping is on for recurrent networks:
   * `clipNorm` defaults to 1 (pass `clipNorm: 0` to turn it off).
   * @default { type: 'adam', learningRate: 0.01, clipNorm: 1 }
   */
  optimizer?: OptimizerName | OptimizerOptions;
  /** Seeds initialization and shuffling (an integer in [0, 2^32)). @default a random seed, kept in `network.seed` and in `toJSON()` */
  seed?: number;
  /**
   * Standardization inside the model: the first `fit` measures each input feature's and each output's mean and
   * standard deviation over its training steps; inputs (and targets) are then standardized before training, and
   * predictions and forecasts come back in the targets' units. Saved by `toJSON` (`scaling`). `true`/`false` sets both.
   * @default { inputs: true, targets: true } with an identity head, else { inputs: true, targets: false }
   */
  standardize?: boolean | {
    /** Standardize the input features. */
    inputs?: boolean;
    /** Standardize the targets (and give predictions back in their units). */
    targets?: boolean;
  };
  /** Run on 'wasm' or 'js'. @default getBackend() */
  backend?: BackendName;
}

/** One sequence, as steps × features (`number[][]`), or a plain list of numbers for one feature per step. */
export type Sequence = readonly ArrayLike<number>[] | ArrayLike<number>;

/** An explicit training pair: an input sequence and its targets. Sequences of one data set may differ in length. */
export interface SequencePair {
  /** The input sequence: steps × inputSize, or a list of numbers when inputSize is 1. */
  input: Sequence;
  /**
   * With output 'sequence': a target per step (steps × outputs, or a list of numbers with one output);
   * with output 'last': the outputs for the whole sequence.
   */
  output: Sequence;
}

/**
 * Training data: a list of univariate series (`number[][]`, each trained to predict its next value at every step),
 * of multivariate series (`number[][][]`, steps × inputSize, predicting the next step), or of explicit
 * {@link SequencePair}s.
 */
export type RecurrentData = readonly (readonly number[])[] | readonly (readonly (readonly number[])[])[] | readonly SequencePair[];

/** Options of `RecurrentNetwork.fit` and `fitAsync`: DenseNetwork's, with truncated backpropagation through time. */
export interface RecurrentFitOptions extends Omit<FitOptions, 'shuffleBuffer' | 'validationData' | 'onDivergence' | 'batchSize' | 'epochs'> {
  /**
   * The epoch to train up to (as Keras's `epochs`: with `initialEpoch`, epochs `initialEpoch … epochs − 1` run).
   * @default automatic: enough epochs for 3,000 steps, at least 100; on 50 sequences or more a fifth is held out and
   * early stopping (patience 20) ends training on the best epoch's weights
   */
  epochs?: number;
  /** Sequences per optimizer step. @default 8 */
  batchSize?: number;
  /** Sequences to validate on after each epoch (instead of `validationSplit`). */
  validationData?: RecurrentData;
  /**
   * Truncated backpropagation through time: gradients flow back at most within windows of this many steps
   * (steps 0…w−1, w…2w−1, …); the state still flows forward across windows. 0 means the whole sequence.
   * @default 0
   */
  bpttWindow?: number;
  /**
   * What to do when a step gives a non-finite loss or gradient (that step is not applied): 'throw' a
   * DivergenceError; 'stop' and return the history; 'reduceLearningRate': go back to the weights and optimizer
   * state the epoch started with, halve the rate and redo the epoch (10 times at most; when it gives up, the
   * learning rate from before the call is restored and DivergenceError thrown). The history records each epoch
   * once, as it finally ran; `learningRate` keeps the halved rate.
   * @default 'throw'
   */
  onDivergence?: 'throw' | 'stop' | 'reduceLearningRate';
}

export type { EpochStats, FitHistory };

/** A recurrent layer as saved: gate rows (lstm [i, f, g, o], gru [z, r, n]), each row-major by output row. */
export type RecurrentLayerJSON =
  | {
      /** Long short-term memory. */
      type: 'lstm';
      /** Units. */
      size: number;
      /** What the forget gate multiplies (see RecurrentLayerSpec.memory); written only when 'hidden'. @default 'cell' */
      memory?: 'cell' | 'hidden';
      /** (4·size) × width input weights. */
      input: number[];
      /** (4·size) × size recurrent weights. */
      recurrent: number[];
      /** 4·size biases. */
      bias: number[];
    }
  | {
      /** Gated recurrent unit (reset applied before the recurrent product). */
      type: 'gru';
      /** Units. */
      size: number;
      /** (3·size) × width input weights. */
      input: number[];
      /** (3·size) × size recurrent weights. */
      recurrent: number[];
      /** 3·size biases. */
      bias: number[];
    }
  | {
      /** Simple recurrent layer. */
      type: 'rnn';
      /** Units. */
      size: number;
      /** Its activation. */
      activation: 'tanh' | 'relu';
      /** size × width input weights. */
      input: number[];
      /** size × size recurrent weights. */
      recurrent: number[];
      /** size biases. */
      bias: number[];
    }
  | {
      /** The dense head. */
      type: 'dense';
      /** Outputs. */
      size: number;
      /** Its activation. */
      activation: Activation;
      /** size × (last recurrent size) weights. */
      weights: number[];
      /** size biases. */
      biases: number[];
    };

/** `RecurrentNetwork.toJSON()` output: exact float64 values, readable by `RecurrentNetwork.fromJSON`. */
export interface RecurrentModelJSON {
  /** Marks the text as a recurrent model. */
  format: 'neurite-recurrent';
  /** Version of this format. */
  version: 1;
  /** Features per time step. */
  inputSize: number;
  /** Output at every step, or from the final state. */
  output: RecurrentOutput;
  /** The recurrent layers, then the dense head. */
  layers: RecurrentLayerJSON[];
  /** The loss trained on. */
  loss: Loss;
  /** The optimizer and its settings. */
  optimizer: OptimizerOptions;
  /** The seed the network was built with. */
  seed: number;
  /** Free-form extra data kept on round trips. */
  meta?: Record<string, unknown>;
  /** The standardization figures: `inputs` per input feature, `targets` per output. */
  scaling?: ScalingJSON;
  /**
   * Saved before the first fit: which figures that fit measures (the network's `standardize` option). A model
   * with neither `scaling` nor `standardize` trains without figures.
   */
  standardize?: StandardizeJSON;
  /** The optimizer's moments, the shuffling stream and the fit's progress, in checkpoints written by `toJSON({ training: true })`. */
  training?: TrainingJSON;
}
