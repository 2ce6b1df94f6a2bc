// neurite's public API. This file only re-exports; each module's header says what it holds.
export { setBackend, getBackend, ready, wasmSimd, type BackendName } from './backend/index.js';
export { setThreads, threadInfo, MAX_THREADS, type ThreadReport } from './threads/pool.js';
export {
  NeuriteError, ShapeError, NonFiniteError, OutOfRangeError, InvalidArgumentError, ConfigurationError,
  ZeroWeightError, DivergenceError, AbortError, MemoryError, FormatError, BackendError, StateError,
} from './errors.js';
export { Neuron } from './seed/neuron.js';
export { Layer, InputLayer } from './seed/layer.js';
export { Network } from './seed/network.js';
export { LayerConfiguration, type LayerSpec } from './seed/configuration.js';
export { normalize, denormalize } from './seed/normalize.js';
export { trainNeuron, trainLayer, trainNetwork, type Sample } from './seed/train.js';
export type { SeedOptions } from './seed/options.js';
export { DenseNetwork } from './dense/network.js';
export { LEAKY_RELU_ALPHA, ELU_ALPHA } from './spec/activations.js';
export { DenseLayer } from './dense/layer.js';
export { Float32Predictor, type PredictorOptions } from './predictor/predictor.js';
export { ACTIVATIONS, LOSSES, OPTIMIZERS, INITS } from './dense/types.js';
export type {
  Activation, Loss, OptimizerName, Init, OptimizerOptions, DenseLayerSpec, DenseNetworkOptions, DenseData,
  EpochStats, FitOptions, FitHistory, DenseModelJSON, DenseSample, DenseBatch, DenseStream, DenseSource,
  ScalingJSON, StandardizationJSON, StandardizeJSON, TrainingJSON, FitStateJSON,
} from './dense/types.js';
export type { OptimizerSettings } from './spec/optimizers.js';
export { parseDenseModel, parseSeedModel, type SeedModelJSON } from './io/json.js';
export { toFunction, toFunctionSource } from './io/function.js';
export { toONNX, type ONNXOptions } from './io/onnx.js';
export { brainToDenseModel } from './io/brain.js';
export { parseCSV, parseNumber, type CSVTable } from './io/csv.js';
export { RecurrentNetwork } from './recurrent/network.js';
export { parseRecurrentModel } from './recurrent/json.js';
export { RECURRENT_CELLS, RECURRENT_OUTPUTS } from './recurrent/types.js';
export type {
  RecurrentCell, RecurrentOutput, RecurrentLayerSpec, RecurrentHeadSpec, RecurrentNetworkOptions, Sequence, SequencePair,
  RecurrentData, RecurrentFitOptions, RecurrentLayerJSON, RecurrentModelJSON,
} from './recurrent/types.js';
export { brainToRecurrentModel } from './io/brain-recurrent.js';
export { recurrentToONNX } from './io/onnx-recurrent.js';
