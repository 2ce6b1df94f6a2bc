// Argument checks shared by every entry point. Each throws a typed NeuriteError naming the argument.
import { InvalidArgumentError, NonFiniteError, OutOfRangeError, ShapeError } from './errors.js';

/** Describes a value for an error message: its type, and its length for arrays. */
export function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return `an array of length ${value.length}`;
  if (ArrayBuffer.isView(value)) return `a ${value.constructor.name} of length ${(value as unknown as ArrayLike<number>).length}`;
  if (typeof value === 'number') return String(value);
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? value.slice(0, 40) + '…' : value);
  return typeof value;
}

/** Checks that `value` is a finite number. */
export function finite(value: unknown, argument: string): number {
  if (typeof value !== 'number') throw new InvalidArgumentError(`${argument} must be a finite number, got ${describe(value)}`, argument);
  if (!Number.isFinite(value)) throw new NonFiniteError(`${argument} must be a finite number, got ${value}`, argument);
  return value;
}

/** Checks that `value` is a finite number > 0. */
export function positive(value: unknown, argument: string): number {
  finite(value, argument);
  if ((value as number) <= 0) throw new OutOfRangeError(`${argument} must be a finite number > 0, got ${value}`, argument);
  return value as number;
}

/** Checks that `value` is an integer in [min, max] (InvalidArgumentError for a non-number, NonFiniteError for NaN/±Infinity, else OutOfRangeError). */
export function integer(value: unknown, argument: string, min = 1, max = 2 ** 31 - 1): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    const range = max === 2 ** 31 - 1 ? `>= ${min}` : `in [${min}, ${max}]`;
    // Same classes as finite(): wrong type, then NaN/±Infinity, then a number out of range or not whole.
    const kind = typeof value !== 'number' ? InvalidArgumentError : Number.isFinite(value) ? OutOfRangeError : NonFiniteError;
    throw new kind(`${argument} must be an integer ${range}, got ${describe(value)}`, argument);
  }
  return value;
}

// Built only on the error paths: predict and trainStep validate on every call and must not allocate.
function expectedCount(length: number | undefined, minLength: number): string {
  return length === undefined ? `at least ${minLength} numbers` : `${length} numbers`;
}

/** Whether `value` is an array or a typed array (a DataView is neither): the shapes numeric arguments may take. */
export function isArrayOrTypedArray(value: unknown): value is ArrayLike<unknown> {
  return Array.isArray(value) || (ArrayBuffer.isView(value) && !(value instanceof DataView));
}

/** The error for element `index` of array argument `argument` being `value`, which is not finite. */
export function nonFinite(argument: string, index: number, value: number): NonFiniteError {
  return new NonFiniteError(`${argument}[${index}] must be a finite number, got ${String(value)}`, argument);
}

/**
 * Checks that `values` is an array or typed array of `length` finite numbers
 * (any length when `length` is undefined, but at least `minLength`).
 */
export function vector(values: unknown, argument: string, length?: number, minLength = 1): ArrayLike<number> {
  if (!isArrayOrTypedArray(values)) {
    throw new InvalidArgumentError(`${argument} must be an array of ${expectedCount(length, minLength)}, got ${describe(values)}`, argument);
  }
  if (length !== undefined ? values.length !== length : values.length < minLength) {
    throw new ShapeError(`${argument} must hold ${expectedCount(length, minLength)}, got ${describe(values)}`, argument);
  }
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (typeof v !== 'number') {
      throw new InvalidArgumentError(`${argument}[${i}] must be a finite number, got ${typeof v === 'bigint' ? `the bigint ${v}` : describe(v)}`, argument);
    }
    if (!Number.isFinite(v)) throw nonFinite(argument, i, v);
  }
  return values as ArrayLike<number>;
}

/**
 * Copies `values` into `target` when it is an array or typed array of exactly `target.length`
 * finite numbers, and returns whether it was: the allocation-free check of hot paths, which
 * call `vector` for the error when it returns false.
 */
export function copyVector(target: Float64Array, values: unknown): boolean {
  if (!isArrayOrTypedArray(values)) return false;
  const n = target.length;
  if (values.length !== n) return false;
  for (let i = 0; i < n; i++) {
    const v = values[i];
    // v - v is 0 for every finite number, NaN for NaN and ±Infinity.
    if (typeof v !== 'number' || v - v !== 0) return false;
    target[i] = v;
  }
  return true;
}

/** Checks that `options` is undefined or a plain object whose keys are all in `known`. */
export function options<T extends object>(value: T | undefined, argument: string, known: readonly string[]): Partial<T> {
  if (value === undefined) return {};
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new InvalidArgumentError(`${argument} must be an object, got ${describe(value)}`, argument);
  }
  for (const key of Object.keys(value)) {
    if (!known.includes(key)) {
      throw new InvalidArgumentError(`${argument}.${key} is not an option; valid options: ${known.join(', ')}`, `${argument}.${key}`);
    }
  }
  return value;
}

/** Checks that `value` is one of `names`; the error lists them. */
export function oneOf<T extends string>(value: unknown, argument: string, names: readonly T[]): T {
  if (typeof value !== 'string' || !(names as readonly string[]).includes(value)) {
    throw new InvalidArgumentError(`${argument} must be one of ${names.map((n) => `'${n}'`).join(', ')}, got ${describe(value)}`, argument);
  }
  return value as T;
}
