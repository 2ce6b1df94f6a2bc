// The kernel table: one name per kernel, implemented once in assembly/ and once in backend/js/.
import type { Arena } from './arena.js';

/** Every kernel, as the facade calls it. Implementations: `backend/wasm.ts`, `backend/js/index.ts`. */
export interface Kernels {
  /** Seed forward pass over layers [first, end); `inputCount` inputs are staged in the arena. */
  forwardSeed(arena: Arena, first: number, end: number, inputCount: number): void;
  /** Seed update over layers [first, end), last first; 0 on success, 1 when a weight became 0, 2 when a value overflowed (nothing committed either way). */
  updateSeed(arena: Arena, first: number, end: number, learningRate: number): number;
  /** Dense forward pass of `count` rows staged at DENSE_INPUT. */
  forwardDense(arena: Arena, count: number): void;
  /** One optimizer step on `count` staged rows; returns the mean loss (DENSE_STATUS 1 when it diverged, nothing applied). */
  trainDense(arena: Arena, count: number): number;
  /** Loss of `count` staged rows (S_CORRECT set), without training. */
  evaluateDense(arena: Arena, count: number): number;
  /** Up to `epochs` passes over the staged data set; returns the number of completed epochs. */
  trainEpochsDense(arena: Arena, rows: number, batchSize: number, epochs: number, threshold: number): number;
  /** Recurrent forward pass of `count` sequences of up to `steps` steps staged at DENSE_INPUT (time-major). */
  forwardRecurrent(arena: Arena, count: number, steps: number): void;
  /** Forward pass, backpropagation through time and one optimizer step on `count` staged sequences; returns the mean loss (DENSE_STATUS 1 when it diverged, nothing applied). */
  trainRecurrent(arena: Arena, count: number, steps: number): number;
  /** Loss of `count` staged sequences (S_CORRECT set), without training. */
  evaluateRecurrent(arena: Arena, count: number, steps: number): number;
  /** Runs one staged sequence of `prime` steps, then `horizon - 1` more, each fed the previous step's output. */
  forecastRecurrent(arena: Arena, prime: number, horizon: number): void;
  /** Index of the first non-finite number among the `n` numbers of the buffer at header word `index`, or -1. */
  findNonFinite(arena: Arena, index: number, n: number): number;
  /**
   * Float32 forward pass of `count` rows staged at P32_INPUT of a predictor arena (src/predictor/header.ts); returns
   * the index of the first non-finite staged input (the outputs are then meaningless), or -1.
   */
  predict32(arena: Arena, count: number): number;
}
