// The JS backend's kernel table: plain loops over the arena, twins of assembly/.
import type { Kernels } from '../kernels.js';
import { forwardSeed, updateSeed } from './seed.js';
import { forwardDense, trainDense, evaluateDense, trainEpochsDense } from './dense.js';
import { findNonFinite } from './scan.js';
import { forwardRecurrent, trainRecurrent, evaluateRecurrent, forecastRecurrent } from './recurrent.js';

/** Kernels of the pure-JS path. */
export const jsKernels: Kernels = { forwardSeed, updateSeed, forwardDense, trainDense, evaluateDense, trainEpochsDense, findNonFinite,
  forwardRecurrent, trainRecurrent, evaluateRecurrent, forecastRecurrent,
};
