/**
 * The loss formulas, one definition each, valid AssemblyScript and TypeScript (both kernel sets call them).
 * `perOutput` is 1/n over the n outputs, `perRow` 1/count over the rows of a batch.
 * mse: mean over outputs of (a - y)²; binaryCrossEntropy (sigmoid output): mean over outputs of
 * -(y ln a + (1-y) ln(1-a)), delta (a - y)/n; crossEntropy (softmax output): -Σ y ln a, delta a - y.
 * The fused deltas assume that output, which the facade enforces. ln is only in a loss value, never in a gradient.
 */

/** Clamps probabilities for the loss value only, so a saturated output reports a large finite loss. */
export const PROBABILITY_FLOOR: f64 = 1e-15;

/** Gradients at most this large square and sum to a finite norm over any arena (< 2^27 parameters). */
export const SAFE_GRADIENT: f64 = 1e140;

/** mse's dL/da of one output with error e = a - y: 2e/n. */
export function mseGradient(error: f64, perOutput: f64): f64 {
  return 2.0 * error * perOutput;
}

/** mse's delta through a softmax output: its Jacobian applied to g, a·(g - Σ g_j a_j). */
export function softmaxDelta(a: f64, g: f64, weighted: f64): f64 {
  return a * (g - weighted);
}

/** binaryCrossEntropy's loss term of one output, with a clamped to [floor, 1 - floor]. */
export function binaryCrossEntropyTerm(a: f64, y: f64): f64 {
  const clamped = Math.min(Math.max(a, PROBABILITY_FLOOR), 1.0 - PROBABILITY_FLOOR);
  return y * Math.log(clamped) + (1.0 - y) * Math.log(1.0 - clamped);
}

/** binaryCrossEntropy's delta dL/dz through a sigmoid output: (a - y)/n, per row. */
export function binaryCrossEntropyDelta(a: f64, y: f64, perOutput: f64, perRow: f64): f64 {
  return (a - y) * perOutput * perRow;
}

/** crossEntropy's loss term of one output: y·ln a (a floored), 0 where y is 0 (so 0·ln 0 is not NaN). */
export function crossEntropyTerm(a: f64, y: f64): f64 {
  return y != 0.0 ? y * Math.log(Math.max(a, PROBABILITY_FLOOR)) : 0.0;
}

/** crossEntropy's delta dL/dz through a softmax output: a - y, per row. */
export function crossEntropyDelta(a: f64, y: f64, perRow: f64): f64 {
  return (a - y) * perRow;
}
