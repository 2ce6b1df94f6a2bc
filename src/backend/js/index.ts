// The JS backend's kernel table: plain loops over the arena, twins of assembly/.
import type { Kernels } from '../kernels.js';
import type { Arena } from '../arena.js';
import { forwardSeed, updateSeed } from './seed.js';
import { forwardDense, trainDense, evaluateDense, trainEpochsDense } from './dense.js';
import { perSampleCovers, perSampleEpochs } from './per-sample.js';
import { findNonFinite } from './scan.js';
import { predict32 } from './predict32.js';
import { forwardRecurrent, trainRecurrent, evaluateRecurrent, forecastRecurrent } from './recurrent.js';

/** Kernels of the pure-JS path. */
export const jsKernels: Kernels = {
  forwardSeed, updateSeed, forwardDense, trainDense, evaluateDense, findNonFinite, predict32,
  forwardRecurrent, trainRecurrent, evaluateRecurrent, forecastRecurrent,
  // Per-sample training takes a path without the generic kernel's per-step fixed cost (per-sample.ts); the same bits.
  trainEpochsDense: (arena: Arena, rows: number, batchSize: number, epochs: number, threshold: number) =>
    (perSampleCovers(arena, rows, batchSize, epochs) ? perSampleEpochs(arena, rows, epochs, threshold) : trainEpochsDense(arena, rows, batchSize, epochs, threshold)),
};
