// The targets each loss is defined for: a loss outside its domain trains towards nonsense and reports negative losses.
import { OutOfRangeError } from '../errors.js';
import type { Loss } from './types.js';

// How far a crossEntropy target row may sum from 1 (rounding of soft labels written as decimals).
const SUM_TOLERANCE = 1e-6;

/**
 * Checks `count` target rows of `width` against the loss's domain: binaryCrossEntropy targets in [0, 1];
 * crossEntropy rows of non-negative targets summing to 1 (a distribution over the classes); mse takes any.
 * The rows start at `offset` (so that staged rows are checked in place, without a view).
 * @throws OutOfRangeError naming `argument` (or, for data given as pairs, `argument(row)`), the row and the value
 */
export function checkTargets(loss: Loss, targets: ArrayLike<number>, width: number, argument: string | ((row: number) => string), count = targets.length / width, offset = 0): void {
  if (loss === 'mse') return;
  for (let r = 0; r < count; r++) {
    const name = typeof argument === 'string' ? argument : argument(r);
    let sum = 0;
    for (let k = 0; k < width; k++) {
      const t = targets[offset + r * width + k]!;
      if (t < 0 || (loss === 'binaryCrossEntropy' && t > 1)) {
        const domain = loss === 'binaryCrossEntropy' ? 'in [0, 1]' : '>= 0';
        throw new OutOfRangeError(`${name}: loss '${loss}' needs targets ${domain}, got ${t} (row ${r}, column ${k}); for other targets use an identity output with loss 'mse'`, name);
      }
      sum += t;
    }
    if (loss === 'crossEntropy' && Math.abs(sum - 1) > SUM_TOLERANCE) {
      throw new OutOfRangeError(`${name}: loss 'crossEntropy' needs each target row to sum to 1 (one-hot or a distribution), row ${r} sums to ${sum}`, name);
    }
  }
}
