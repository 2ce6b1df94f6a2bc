// Training data in either accepted form, checked and flattened to row-major Float64Arrays.
import { InvalidArgumentError, NonFiniteError, ShapeError } from '../errors.js';
import { describe, vector } from '../validate.js';
import type { DenseData } from './types.js';

/** Row-major inputs and targets of `rows` examples. */
export interface Rows {
  inputs: Float64Array;
  targets: Float64Array;
  rows: number;
}

function finiteRows(values: ArrayLike<number>, argument: string, width: number): void {
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (typeof v !== 'number' || !Number.isFinite(v)) {
      const kind = typeof v === 'number' ? NonFiniteError : InvalidArgumentError;
      throw new kind(`${argument}[${i}] (row ${Math.floor(i / width)}, column ${i % width}) must be a finite number, got ${describe(v)}`, argument);
    }
  }
}

/**
 * Checks `data` against the network's input and output sizes and returns it as
 * row-major arrays (a Float64Array that spans its whole buffer is used as is, not copied).
 */
export function toRows(data: DenseData, inputSize: number, outputSize: number, argument = 'data'): Rows {
  if (Array.isArray(data)) {
    if (data.length === 0) throw new ShapeError(`${argument} must hold at least one { input, output } pair, got none`, argument);
    const inputs = new Float64Array(data.length * inputSize);
    const targets = new Float64Array(data.length * outputSize);
    data.forEach((pair, r) => {
      if (pair === null || typeof pair !== 'object') throw new InvalidArgumentError(`${argument}[${r}] must be { input, output }, got ${describe(pair)}`, `${argument}[${r}]`);
      inputs.set(vector(pair.input, `${argument}[${r}].input`, inputSize), r * inputSize);
      targets.set(vector(pair.output, `${argument}[${r}].output`, outputSize), r * outputSize);
    });
    return { inputs, targets, rows: data.length };
  }
  if (data === null || typeof data !== 'object' || !('inputs' in data) || !('targets' in data)) {
    throw new InvalidArgumentError(`${argument} must be an array of { input, output } or { inputs, targets }, got ${describe(data)}`, argument);
  }
  const flat = (values: unknown, name: string, width: number): Float64Array => {
    const arg = `${argument}.${name}`;
    if (!(values instanceof Float64Array) && !Array.isArray(values)) {
      throw new InvalidArgumentError(`${arg} must be a Float64Array or number[] of rows × ${width}, got ${describe(values)}`, arg);
    }
    if (values.length === 0 || values.length % width !== 0) {
      throw new ShapeError(`${arg} must hold a whole number of rows of ${width} numbers, got length ${values.length}`, arg);
    }
    finiteRows(values, arg, width);
    if (!(values instanceof Float64Array)) return Float64Array.from(values);
    // A view into a larger buffer is copied: WebAssembly memory in particular (another network's predictBatch
    // output, a layer's weights) is detached when it grows during training, and may be overwritten by it.
    return values.byteLength === values.buffer.byteLength ? values : values.slice();
  };
  const inputs = flat(data.inputs, 'inputs', inputSize);
  const targets = flat(data.targets, 'targets', outputSize);
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
