// Min-max scaling, as in the article: the seed rule learns best on values in [0, 1].
import { OutOfRangeError } from '../errors.js';
import { finite, vector } from '../validate.js';

function bounds(values: Float64Array, low: number | undefined, high: number | undefined): [number, number] {
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < values.length; i++) {
    lo = Math.min(lo, values[i]!);
    hi = Math.max(hi, values[i]!);
  }
  const l = low === undefined ? lo : finite(low, 'low');
  const h = high === undefined ? hi : finite(high, 'high');
  if (l === h) throw new OutOfRangeError(`high must differ from low (both are ${l}); pass low and high explicitly for constant values`, 'high');
  // Beyond ±8.9e307 apart the width overflows to Infinity and every value would scale to 0.
  if (!Number.isFinite(h - l)) throw new OutOfRangeError(`high - low must be a finite number, got ${h} - ${l} = ${h - l}`, 'high');
  return [l, h];
}

/** Maps `values` from [low, high] to [0, 1]: `(v - low) / (high - low)`. `low`/`high` default to the values' min and max. */
export function normalize(values: ArrayLike<number>, low?: number, high?: number): number[] {
  const copy = vector(values, 'values');
  const [l, h] = bounds(copy, low, high);
  return Array.from(copy, (v) => (v - l) / (h - l));
}

/** Inverse of {@link normalize}: `v * (high - low) + low`. `low`/`high` default to the values' min and max. */
export function denormalize(values: ArrayLike<number>, low?: number, high?: number): number[] {
  const copy = vector(values, 'values');
  const [l, h] = bounds(copy, low, high);
  return Array.from(copy, (v) => v * (h - l) + l);
}
