// Training data in either accepted form, read once into row-major Float64Arrays and checked there.
import { InvalidArgumentError, ShapeError } from '../errors.js';
import { copyFinite, copyFiniteFloat64, describe, elementError, isFloat64Array, lengthOf, readInto, record } from '../validate.js';
import type { DenseData } from './types.js';

/** Row-major inputs and targets of `rows` examples. */
export interface Rows {
  inputs: Float64Array;
  targets: Float64Array;
  rows: number;
}

// A Float64Array or number[] of whole rows of `width` finite numbers, read once into a copy.
function flat(values: unknown, argument: string, width: number): Float64Array {
  const n = lengthOf(values);
  if (n < 0 || !(Array.isArray(values) || isFloat64Array(values))) {
    throw new InvalidArgumentError(`${argument} must be a Float64Array or number[] of rows × ${width}, got ${describe(values)}`, argument);
  }
  if (n === 0 || n % width !== 0) {
    throw new ShapeError(`${argument} must hold a whole number of rows of ${width} numbers, got length ${n}`, argument);
  }
  const copy = new Float64Array(n);
  const bad = isFloat64Array(values) ? copyFiniteFloat64(copy, values) : copyFinite(copy, 0, values, n);
  if (bad >= 0) throw elementError(argument, bad, width);
  return copy;
}

/**
 * Reads `data` once into row-major copies and checks them against the network's input and output sizes
 * (checkTargets in targets.ts checks the targets against the loss's domain).
 */
export function toRows(data: DenseData, inputSize: number, outputSize: number, argument = 'data'): Rows {
  if (Array.isArray(data)) {
    const rows = lengthOf(data);
    if (rows < 0) throw new InvalidArgumentError(`${argument} must be an array of { input, output }, got a Proxy whose length is not one`, argument);
    if (rows === 0) throw new ShapeError(`${argument} must hold at least one { input, output } pair, got none`, argument);
    const inputs = new Float64Array(rows * inputSize);
    const targets = new Float64Array(rows * outputSize);
    for (let r = 0; r < rows; r++) {
      const pair = record(data, r, argument, '{ input, output }') as { input?: unknown; output?: unknown };
      readInto(inputs, r * inputSize, pair.input, inputSize, `${argument}[${r}].input`);
      readInto(targets, r * outputSize, pair.output, outputSize, `${argument}[${r}].output`);
    }
    return { inputs, targets, rows };
  }
  if (data === null || typeof data !== 'object' || !('inputs' in data) || !('targets' in data)) {
    throw new InvalidArgumentError(`${argument} must be an array of { input, output } or { inputs, targets }, got ${describe(data)}`, argument);
  }
  const inputs = flat(data.inputs, `${argument}.inputs`, inputSize);
  const targets = flat(data.targets, `${argument}.targets`, outputSize);
  const rows = inputs.length / inputSize;
  if (targets.length / outputSize !== rows) {
    throw new ShapeError(`${argument}.inputs holds ${rows} rows but ${argument}.targets holds ${targets.length / outputSize}`, `${argument}.targets`);
  }
  return { inputs, targets, rows };
}

/** Rows [start, end) of `data`, as views. */
export function sliceRows(data: Rows, start: number, end: number): Rows {
  const inWidth = data.inputs.length / data.rows;
  const outWidth = data.targets.length / data.rows;
  return {
    inputs: data.inputs.subarray(start * inWidth, end * inWidth),
    targets: data.targets.subarray(start * outWidth, end * outWidth),
    rows: end - start,
  };
}
