// Sequences in every accepted form, read once into flat Float64Arrays and checked there.
import { InvalidArgumentError, ShapeError } from '../errors.js';
import { copyFinite, describe, elementError, isArrayOrTypedArray, lengthOf } from '../validate.js';
import type { RecurrentOutput } from './types.js';

/** `count` sequences: sequence s has `lengths[s]` steps from step `offsets[s]` of `inputs` (and of `targets` with output 'sequence'). */
export interface Sequences {
  count: number;
  lengths: Int32Array;
  offsets: Int32Array;
  /** Σ lengths × inputSize. */
  inputs: Float64Array;
  /** 'sequence': Σ lengths × outputSize; 'last': count × outputSize. */
  targets: Float64Array;
  /** The longest sequence's steps. */
  longest: number;
}

/** Each element of the caller's array `values` of `n` elements, read once. */
function elements(values: ArrayLike<unknown>, n: number): unknown[] {
  const out = new Array<unknown>(n);
  for (let i = 0; i < n; i++) out[i] = values[i];
  return out;
}

/**
 * One sequence of `width` features per step, read once: steps × width (an array of steps), or a flat list of numbers
 * read row-major (one number per step when width is 1). Returns the steps, row-major, and their count.
 */
export function readSequence(value: unknown, width: number, argument: string): { values: Float64Array; steps: number } {
  const n = lengthOf(value);
  if (n < 0) throw new InvalidArgumentError(`${argument} must be a sequence (an array of steps, or of numbers), got ${describe(value)}`, argument);
  if (n === 0) throw new ShapeError(`${argument} is an empty sequence: it needs at least one step`, argument);
  const items = elements(value as ArrayLike<unknown>, n);
  if (isArrayOrTypedArray(items[0])) {
    const values = new Float64Array(n * width);
    items.forEach((step, t) => {
      const m = lengthOf(step);
      const at = `${argument}[${t}]`;
      if (m < 0) throw new InvalidArgumentError(`${at} must be a step of ${width} numbers, got ${describe(step)}`, at);
      if (m !== width) throw new ShapeError(`${at} must hold ${width} numbers (one per feature), got ${m}`, at);
      const bad = copyFinite(values, t * width, step as ArrayLike<unknown>, width);
      if (bad >= 0) throw elementError(at, bad);
    });
    return { values, steps: n };
  }
  if (n % width !== 0) {
    throw new ShapeError(`${argument} is a flat list of ${n} numbers, not a whole number of steps of ${width} features: give it as steps × ${width}`, argument);
  }
  const values = new Float64Array(n);
  const bad = copyFinite(values, 0, items, n);
  if (bad >= 0) throw elementError(argument, bad);
  return { values, steps: n / width };
}

/** Appends sequences, growing the flat buffers as needed. */
class Builder {
  private inputs: Float64Array;
  private targets: Float64Array;
  private steps = 0;
  private targetCount = 0;
  readonly lengths: number[] = [];
  readonly offsets: number[] = [];
  constructor(private readonly inputSize: number, outputSize: number) {
    this.inputs = new Float64Array(64 * inputSize);
    this.targets = new Float64Array(64 * outputSize);
  }

  private static fit(buffer: Float64Array, needed: number): Float64Array {
    if (needed <= buffer.length) return buffer;
    const grown = new Float64Array(Math.max(needed, 2 * buffer.length));
    grown.set(buffer);
    return grown;
  }

  add(inputs: Float64Array, steps: number, targets: Float64Array): void {
    this.inputs = Builder.fit(this.inputs, (this.steps + steps) * this.inputSize);
    this.inputs.set(inputs, this.steps * this.inputSize);
    this.targets = Builder.fit(this.targets, this.targetCount + targets.length);
    this.targets.set(targets, this.targetCount);
    this.offsets.push(this.steps);
    this.lengths.push(steps);
    this.steps += steps;
    this.targetCount += targets.length;
  }

  done(): Sequences {
    return {
      count: this.lengths.length,
      lengths: Int32Array.from(this.lengths),
      offsets: Int32Array.from(this.offsets),
      inputs: this.inputs.slice(0, this.steps * this.inputSize),
      targets: this.targets.slice(0, this.targetCount),
      longest: longest(Int32Array.from(this.lengths)),
    };
  }
}

/**
 * Reads training data once (see RecurrentData) and checks it against the network's sizes and output mode.
 * Series (number[][] or number[][][]) train next-step prediction: input steps 0…n−2, targets steps 1…n−1.
 */
export function toSequences(data: unknown, inputSize: number, outputSize: number, output: RecurrentOutput, argument = 'data'): Sequences {
  const n = Array.isArray(data) ? lengthOf(data) : -1;
  if (n < 0) throw new InvalidArgumentError(`${argument} must be an array of series or of { input, output } pairs, got ${describe(data)}`, argument);
  if (n === 0) throw new ShapeError(`${argument} must hold at least one sequence, got none`, argument);
  const items = elements(data as unknown[], n);
  const builder = new Builder(inputSize, outputSize);
  const first = items[0];
  if (!isArrayOrTypedArray(first)) {
    items.forEach((item, s) => {
      const at = `${argument}[${s}]`;
      if (item === null || typeof item !== 'object' || isArrayOrTypedArray(item)) {
        throw new InvalidArgumentError(`${at} must be an { input, output } pair like ${argument}[0], got ${describe(item)}`, at);
      }
      const pair = item as { input?: unknown; output?: unknown };
      const input = pair.input;
      const target = pair.output;
      const { values, steps } = readSequence(input, inputSize, `${at}.input`);
      if (output === 'last') {
        const m = lengthOf(target);
        if (m !== outputSize) throw new ShapeError(`${at}.output must hold the ${outputSize} outputs of the whole sequence (output 'last'), got ${describe(target)}`, `${at}.output`);
        const targets = new Float64Array(outputSize);
        const bad = copyFinite(targets, 0, target as ArrayLike<unknown>, outputSize);
        if (bad >= 0) throw elementError(`${at}.output`, bad);
        builder.add(values, steps, targets);
        return;
      }
      const read = readSequence(target, outputSize, `${at}.output`);
      if (read.steps !== steps) throw new ShapeError(`${at}.output has ${read.steps} steps, its input ${steps}: output 'sequence' needs a target per step`, `${at}.output`);
      builder.add(values, steps, read.values);
    });
    return builder.done();
  }
  if (output !== 'sequence') throw new ShapeError(`${argument} is a list of series (next-step prediction), which needs output 'sequence': give { input, output } pairs for output 'last'`, argument);
  if (outputSize !== inputSize) {
    throw new ShapeError(`${argument} is a list of series, trained to predict the next step, so the head needs inputSize (${inputSize}) outputs, not ${outputSize}`, argument);
  }
  items.forEach((series, s) => {
    const at = `${argument}[${s}]`;
    if (!isArrayOrTypedArray(series)) throw new InvalidArgumentError(`${at} must be a series like ${argument}[0], got ${describe(series)}`, at);
    const { values, steps } = readSequence(series, inputSize, at);
    if (steps < 2) throw new ShapeError(`${at} has ${steps} step: next-step prediction needs at least 2`, at);
    builder.add(values.subarray(0, (steps - 1) * inputSize), steps - 1, values.subarray(inputSize));
  });
  return builder.done();
}

/** Sequences [start, end) of `data` (`inputSize` and `outputSize` wide), copied. */
export function sliceSequences(data: Sequences, start: number, end: number, inputSize: number, outputSize: number, output: RecurrentOutput): Sequences {
  const from = data.offsets[start]!;
  const to = end < data.count ? data.offsets[end]! : data.inputs.length / inputSize;
  const lengths = data.lengths.slice(start, end);
  return {
    count: end - start,
    lengths,
    offsets: data.offsets.slice(start, end).map((o) => o - from),
    inputs: data.inputs.slice(from * inputSize, to * inputSize),
    targets: output === 'sequence' ? data.targets.slice(from * outputSize, to * outputSize) : data.targets.slice(start * outputSize, end * outputSize),
    longest: longest(lengths),
  };
}

/** The largest of `lengths`. */
function longest(lengths: Int32Array): number {
  let m = 0;
  for (const v of lengths) m = Math.max(m, v);
  return m;
}
