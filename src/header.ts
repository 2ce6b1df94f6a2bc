/**
 * Word indices of the arena header: the i32 table at the start of every arena
 * that tells the kernels where each buffer lives. Written by `layout.ts`, read
 * by `assembly/*.ts` and `backend/js/*.ts`; this file is valid AssemblyScript
 * and TypeScript so both sides share the same numbers.
 */

/** Seed network header: one entry for the network, then one per layer. */
export const SEED_LAYER_COUNT = 0;
export const SEED_INPUT_CAPACITY = 1;
export const SEED_INPUT = 2;
export const SEED_EXPECTED = 3;
export const SEED_FAILED_LAYER = 4;
export const SEED_FAILED_NEURON = 5;
export const SEED_HEADER_WORDS = 8;

/** Per seed layer, at `SEED_HEADER_WORDS + layer * SEED_LAYER_WORDS`. */
export const SEED_SIZE = 0;
export const SEED_IS_INPUT = 1;
export const SEED_WEIGHT = 2;
export const SEED_BIAS = 3;
export const SEED_RESULT = 4;
export const SEED_HOPED = 5;
export const SEED_PENDING_WEIGHT = 6;
export const SEED_PENDING_BIAS = 7;
export const SEED_LAYER_WORDS = 8;

/** Dense network header. Offsets are bytes from the arena's start. */
export const DENSE_LAYER_COUNT = 0;
export const DENSE_CAPACITY = 1;
export const DENSE_LOSS_KIND = 2;
export const DENSE_OPTIMIZER = 3;
export const DENSE_NESTEROV = 4;
export const DENSE_PARAM_COUNT = 5;
export const DENSE_SETTINGS = 6;
export const DENSE_PARAMS = 7;
export const DENSE_GRADS = 8;
export const DENSE_MOMENT1 = 9;
export const DENSE_MOMENT2 = 10;
export const DENSE_INPUT = 11;
export const DENSE_TARGET = 12;
export const DENSE_DATA_ROWS = 13;
export const DENSE_DATA_INPUTS = 14;
export const DENSE_DATA_TARGETS = 15;
export const DENSE_DATA_ORDER = 16;
export const DENSE_DATA_LOSSES = 17;
export const DENSE_LOSS_CHUNK = 18;
export const DENSE_STATUS = 19;
export const DENSE_FAILED_EPOCH = 20;
export const DENSE_FAILED_BATCH = 21;
/**
 * Per-slice partials of a step on more than SLICE rows (SLICE_WORDS float64s per slice: the loss sum, the rows
 * matched, the gradient bound), then one ‖row‖² per weight row (layers in order). Empty below SLICE + 1 rows.
 */
export const DENSE_SLICE_STATS = 22;
export const DENSE_HEADER_WORDS = 24;

/**
 * Rows per slice of a training batch: a batch of more rows is cut into slices of SLICE rows (the last one
 * shorter), each slice's gradient is computed alone and the slices' gradients are summed in slice order, so
 * that the bits do not depend on how many threads run the slices. A batch of SLICE rows or fewer is one slice.
 */
export const SLICE = 16;
/** float64s per slice in DENSE_SLICE_STATS. */
export const SLICE_WORDS = 4;
export const SLICE_LOSS = 0;
export const SLICE_CORRECT = 1;
export const SLICE_BOUND = 2;

// Parallel phases (`task` in assembly/tasks.ts) and what part `part` of `parts` does in each.
/** Slices part, part + parts, ... of a training step: forward pass, loss, deltas. */
export const TASK_SLICES = 0;
/** A range of weight rows: each slice's gradient row, their sum in slice order, ‖row‖². */
export const TASK_GRADIENTS = 1;
/** TASK_GRADIENTS, then the prepared optimizer step of each row (terms from S_STEP_*). */
export const TASK_GRADIENTS_STEP = 2;
/** A range of rows of a dense forward pass. */
export const TASK_FORWARD = 3;
/** A range of P32_BLOCK-row blocks of a float32 predictor's forward pass. */
export const TASK_PREDICT32 = 4;

/** Per dense layer l >= 1, at `DENSE_HEADER_WORDS + (l - 1) * DENSE_LAYER_WORDS`. */
export const DENSE_IN = 0;
export const DENSE_OUT = 1;
export const DENSE_ACTIVATION = 2;
export const DENSE_WEIGHT = 3;
export const DENSE_BIAS = 4;
export const DENSE_OUTPUT = 5;
export const DENSE_DELTA = 6;
export const DENSE_LAYER_WORDS = 8;

/** float64 slots of the settings block (DENSE_SETTINGS). */
export const S_LEARNING_RATE = 0;
export const S_MOMENTUM = 1;
export const S_BETA1 = 2;
/** The second moment's decay: Adam's β2, RMSprop's ρ. */
export const S_BETA2 = 3;
export const S_EPSILON = 4;
export const S_WEIGHT_DECAY = 5;
export const S_CLIP_NORM = 6;
export const S_LEAKY_ALPHA = 7;
export const S_ELU_ALPHA = 8;
export const S_BETA1_POWER = 9;
export const S_BETA2_POWER = 10;
export const S_GRAD_NORM = 12;
/** Rows of the last step or evaluation whose prediction matched the target (argmax, or >= 0.5 for one output). */
export const S_CORRECT = 13;
/** Largest |parameter|, |first moment|, |second moment| after the last step (Infinity: unknown), to bound the next one. */
export const S_PEAK_PARAM = 14;
export const S_PEAK_M = 15;
export const S_PEAK_V = 16;
/** The prepared step's gradient scale and Adam's bias corrections 1 - β^t, for the parts that step rows. */
export const S_STEP_SCALE = 17;
export const S_STEP_C1 = 18;
export const S_STEP_C2 = 19;
export const SETTINGS_COUNT = 24;

/** Activation codes (DENSE_ACTIVATION). */
export const ACT_IDENTITY = 0, ACT_SIGMOID = 1, ACT_TANH = 2, ACT_RELU = 3, ACT_LEAKY_RELU = 4, ACT_ELU = 5, ACT_SOFTMAX = 6, ACT_SOFTPLUS = 7;

/** Loss codes (DENSE_LOSS_KIND). */
export const LOSS_MSE = 0, LOSS_BINARY_CROSS_ENTROPY = 1, LOSS_CROSS_ENTROPY = 2;

/** Optimizer codes (DENSE_OPTIMIZER). */
export const OPT_SGD = 0, OPT_MOMENTUM = 1, OPT_ADAM = 2, OPT_RMSPROP = 3;

/** Header word of `field` for seed layer `layer`. */
export function seedEntry(layer: i32, field: i32): i32 {
  return SEED_HEADER_WORDS + layer * SEED_LAYER_WORDS + field;
}

/** Header word of `field` for dense layer `layer` (1-based: layer 0 is the input). */
export function denseEntry(layer: i32, field: i32): i32 {
  return DENSE_HEADER_WORDS + (layer - 1) * DENSE_LAYER_WORDS + field;
}

/**
 * Recurrent network header. A recurrent arena starts with a dense header (the words above, same meanings), so
 * the optimizer of assembly/optimizers.ts steps it unchanged: DENSE_LAYER_COUNT counts the recurrent layers and
 * the dense head, and each layer's dense entry describes its [weights | biases] block (a recurrent layer's weights
 * are its gate rows over [input | previous state], DENSE_IN = width + size, DENSE_OUT = gates × size).
 * DENSE_INPUT holds the staged inputs, time-major [step][row][feature], DENSE_TARGET the staged targets.
 * Per recurrent layer DENSE_OUTPUT holds its states h [step][row][unit] and DENSE_DELTA dLoss/dh from above;
 * on the head they hold its outputs and deltas. The recurrent words follow the dense layer table.
 */
export const RNN_STEPS = 0;
export const RNN_OUTPUT_MODE = 1;
export const RNN_WINDOW = 2;
export const RNN_LENGTHS = 3;
export const RNN_FEED = 4;
export const RNN_HEAD_INPUT = 5;
export const RNN_GLOBAL_WORDS = 8;

/** Per recurrent layer, at {@link recurrentEntry}. */
export const RNN_CELL = 0;
export const RNN_SIZE = 1;
export const RNN_WIDTH = 2;
/** [step][row][width + size]: each step's input and previous state, side by side. */
export const RNN_XH = 3;
/** [step][row][gates × size]: each step's gate activations. */
export const RNN_GATES = 4;
/** lstm: the cell states c and tanh(c) [step][row][c | tanh c]; gru: [step][row][width + size], the input beside r ⊙ h'. */
export const RNN_EXTRA = 5;
/** Scratch of one step, per row: pre-activation deltas, and dLoss/d[x | h'] (gru: a second one for [x | r ⊙ h']). */
export const RNN_DGATES = 6;
export const RNN_DXH = 7;
export const RNN_DXR = 8;
/** Per row: dLoss/dh and (lstm) dLoss/dc carried from the next step back. */
export const RNN_CARRY_H = 9;
export const RNN_CARRY_C = 10;
/** lstm: what the forget gate multiplies, MEMORY_CELL (c', the standard cell) or MEMORY_HIDDEN (h', brain.js's form). */
export const RNN_MEMORY = 11;
export const RNN_LAYER_WORDS = 12;

/** Cell codes (RNN_CELL), memory codes (RNN_MEMORY) and the output modes (RNN_OUTPUT_MODE). */
export const CELL_LSTM = 0, CELL_GRU = 1, CELL_RNN = 2, MEMORY_CELL = 0, MEMORY_HIDDEN = 1, OUTPUT_SEQUENCE = 0, OUTPUT_LAST = 1;

/** Header word of recurrent global `field` in an arena of `layers` parameter layers (recurrent ones and the head). */
export function recurrentWord(layers: i32, field: i32): i32 {
  return DENSE_HEADER_WORDS + layers * DENSE_LAYER_WORDS + field;
}

/** Header word of `field` for recurrent layer `layer` (1-based) in an arena of `layers` parameter layers. */
export function recurrentEntry(layers: i32, layer: i32, field: i32): i32 {
  return DENSE_HEADER_WORDS + layers * DENSE_LAYER_WORDS + RNN_GLOBAL_WORDS + (layer - 1) * RNN_LAYER_WORDS + field;
}

/** Gate rows per unit of cell code `cell`: lstm 4 (i, f, g, o), gru 3 (z, r, n), rnn 1; 0 for a code that is no cell. */
export function cellGates(cell: i32): i32 {
  if (cell == CELL_LSTM) return 4;
  if (cell == CELL_GRU) return 3;
  if (cell == CELL_RNN) return 1;
  return 0;
}
