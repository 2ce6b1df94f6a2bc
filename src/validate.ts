// Argument checks shared by every entry point. Each throws a typed NeuriteError naming the argument.
// A caller's array is read once, into a copy, and the copy is checked: a getter or a Proxy that answers
// differently the second time cannot change what was checked.
import { excerpt, InvalidArgumentError, type NeuriteError, NonFiniteError, OutOfRangeError, QUOTE_LIMIT, ShapeError } from './errors.js';

// A typed array's own properties (length, buffer, set, constructor) can be shadowed by its owner; these
// read its internal slots. The tag getter answers undefined for anything that is not a typed array.
const typedArrayPrototype = Object.getPrototypeOf(Float64Array.prototype) as object;
const intrinsic = (key: PropertyKey) => Object.getOwnPropertyDescriptor(typedArrayPrototype, key)!;
const typedName = intrinsic(Symbol.toStringTag).get! as (this: unknown) => string | undefined;
const typedLength = intrinsic('length').get! as (this: unknown) => number;
const typedBuffer = intrinsic('buffer').get! as (this: unknown) => ArrayBufferLike;
const typedByteOffset = intrinsic('byteOffset').get! as (this: unknown) => number;
const typedSet = intrinsic('set').value as (this: Float64Array, source: ArrayLike<number>, offset?: number) => void;

/** Whether `value` is a Float64Array by its internal type (whatever its prototype or own properties say). */
export function isFloat64Array(value: unknown): value is Float64Array {
  return typedName.call(value) === 'Float64Array';
}

/**
 * The number of elements of an array or typed array, read once (for a typed array its true length,
 * whatever an own `length` property says); -1 for anything else, and for a Proxy whose length is not one.
 */
export function lengthOf(values: unknown): number {
  if (Array.isArray(values)) {
    const n: unknown = values.length;
    return typeof n === 'number' && Number.isInteger(n) && n >= 0 && n < 2 ** 32 ? n : -1;
  }
  return typedName.call(values) === undefined ? -1 : typedLength.call(values);
}

/** The name of `value`'s typed array type by its internal slot (`'Float32Array'`, …), or undefined for anything else. */
export function typedArrayName(value: unknown): string | undefined {
  return typedName.call(value);
}

/** `values` (a Float64Array or Float32Array) rows [start, end) of `width` numbers, as a view of the same type made from its internal slots. */
export function rowsOf<T extends Float64Array | Float32Array>(values: T, start: number, end: number, width: number): T {
  const Type = typedName.call(values) === 'Float32Array' ? Float32Array : Float64Array;
  return new Type(typedBuffer.call(values) as ArrayBuffer, typedByteOffset.call(values) + start * width * Type.BYTES_PER_ELEMENT, (end - start) * width) as T;
}

/** `out.set(source, offset)` by the built-in method, not by a `set` that `out`'s owner may have put on it. */
export function setInto(out: Float64Array | Float32Array, source: Float64Array | Float32Array, offset = 0): void {
  typedSet.call(out as Float64Array, source, offset);
}

/** Whether `value` is an array or a typed array (a DataView is neither): the shapes numeric arguments may take. */
export function isArrayOrTypedArray(value: unknown): value is ArrayLike<unknown> {
  return lengthOf(value) >= 0;
}

/** Whether `values` is a view of `buffer` (a WebAssembly memory's, which growth detaches). */
export function isViewOf(values: Float64Array | Float32Array, buffer: ArrayBufferLike): boolean {
  return typedBuffer.call(values) === buffer;
}

/** Describes a value for an error message: its type, and its length for arrays; quoted text is cut to 40 characters. */
export function describe(value: unknown, length?: number): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return `an array of length ${length ?? lengthOf(value)}`;
  const name = typedName.call(value);
  if (name !== undefined) return `a ${name} of length ${length ?? typedLength.call(value)}`;
  if (typeof value === 'number') return String(value);
  if (typeof value === 'string') return JSON.stringify(excerpt(value, 40));
  // A bigint of a million digits takes seconds to print: only small ones are shown.
  if (typeof value === 'bigint') return value > -(10n ** 40n) && value < 10n ** 40n ? `the bigint ${value}` : 'a bigint of more than 40 digits';
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

/** The error for element `index` of array argument `argument` being `value`, which is not finite. */
export function nonFinite(argument: string, index: number, value: number): NonFiniteError {
  return new NonFiniteError(`${argument}[${index}] must be a finite number, got ${String(value)}`, argument);
}

// The element copyFinite stopped at, kept for the error so that the element is not read again.
let rejected: unknown;

/**
 * Copies elements [0, count) of `values` (an array or typed array whose length was read as at least `count`)
 * into `target` from `offset`, reading each once. Returns -1, or the index of the first element that is not
 * a finite number (the elements before it are copied; {@link elementError} describes it).
 */
export function copyFinite(target: Float64Array, offset: number, values: ArrayLike<unknown>, count: number): number {
  for (let i = 0; i < count; i++) {
    const v = values[i];
    // v - v is 0 for every finite number, NaN for NaN and ±Infinity.
    if (typeof v !== 'number' || v - v !== 0) {
      rejected = v;
      return i;
    }
    target[offset + i] = v;
  }
  return -1;
}

/**
 * {@link copyFinite} for a whole Float64Array: one bulk copy, then the check on the copy (the source is read once).
 * For data sets, where it is several times faster than the element loop; short rows keep the loop.
 */
export function copyFiniteFloat64(target: Float64Array, values: Float64Array): number {
  target.set(values);
  for (let i = 0; i < target.length; i++) {
    const v = target[i]!;
    if (v - v !== 0) {
      rejected = v;
      return i;
    }
  }
  return -1;
}

/** The error for the element at `index` that {@link copyFinite} stopped at; with `width`, its row and column too. */
export function elementError(argument: string, index: number, width?: number): NeuriteError {
  const value = rejected;
  rejected = undefined;
  const where = width === undefined ? `${argument}[${index}]` : `${argument}[${index}] (row ${Math.floor(index / width)}, column ${index % width})`;
  if (typeof value === 'number') return new NonFiniteError(`${where} must be a finite number, got ${value}`, argument);
  return new InvalidArgumentError(`${where} must be a finite number, got ${describe(value)}`, argument);
}

/** The error for `values` of `n` elements (as read; -1 when not an array) where `length` were expected. */
export function lengthError(values: unknown, n: number, argument: string, length?: number, minLength = 1): NeuriteError {
  if (n < 0) return new InvalidArgumentError(`${argument} must be an array of ${expectedCount(length, minLength)}, got ${describe(values)}`, argument);
  return new ShapeError(`${argument} must hold ${expectedCount(length, minLength)}, got ${describe(values, n)}`, argument);
}

/** Copies `values`, an array or typed array of exactly `length` finite numbers, into `target` from `offset`, reading it once. */
export function readInto(target: Float64Array, offset: number, values: unknown, length: number, argument: string): void {
  const n = lengthOf(values);
  if (n !== length) throw lengthError(values, n, argument, length);
  const bad = copyFinite(target, offset, values as ArrayLike<unknown>, n);
  if (bad >= 0) throw elementError(argument, bad);
}

/**
 * Reads `values`, an array or typed array of `length` finite numbers (any length when `length` is
 * undefined, but at least `minLength`), once into a new Float64Array, and returns that checked copy.
 */
export function vector(values: unknown, argument: string, length?: number, minLength = 1): Float64Array {
  const n = lengthOf(values);
  if (n < 0 || (length !== undefined ? n !== length : n < minLength)) throw lengthError(values, n, argument, length, minLength);
  const copy = new Float64Array(n);
  const bad = copyFinite(copy, 0, values as ArrayLike<unknown>, n);
  if (bad >= 0) throw elementError(argument, bad);
  return copy;
}

/** Whether `out` is a Float64Array of exactly `length` numbers (by its internal slots), as a zero-allocation method's output. */
export function isOutput(out: unknown, length: number): out is Float64Array {
  return typedName.call(out) === 'Float64Array' && typedLength.call(out) === length;
}

/** The error for an `out` that {@link isOutput} refused. */
export function outputError(out: unknown, length: number, argument = 'out'): NeuriteError {
  if (!isFloat64Array(out)) return new InvalidArgumentError(`${argument} must be a Float64Array of ${length} numbers, got ${describe(out)}`, argument);
  return new ShapeError(`${argument} must hold ${length} numbers, got ${describe(out)}`, argument);
}

/**
 * Element `index` of the caller's array `values` (read once) when it is an object; otherwise throws
 * InvalidArgumentError naming `argument[index]`, saying so when it is a hole of a sparse array.
 */
export function record(values: readonly unknown[], index: number, argument: string, shape: string): object {
  const value = values[index];
  if (value !== null && typeof value === 'object') return value;
  const got = index in values ? describe(value) : 'an empty slot (a sparse array)';
  throw new InvalidArgumentError(`${argument}[${index}] must be ${shape}, got ${got}`, `${argument}[${index}]`);
}

/**
 * Checks that `options` is undefined or a plain object whose keys are all in `known`, and returns a copy
 * holding each known option read once.
 */
export function options<T extends object>(value: T | undefined, argument: string, known: readonly string[]): Partial<T> {
  if (value === undefined) return {};
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new InvalidArgumentError(`${argument} must be an object, got ${describe(value)}`, argument);
  }
  for (const key of Object.keys(value)) {
    if (!known.includes(key)) {
      const name = `${argument}.${excerpt(key, QUOTE_LIMIT)}`;
      throw new InvalidArgumentError(`${name} is not an option; valid options: ${known.join(', ')}`, name);
    }
  }
  const copy: Record<string, unknown> = {};
  for (const key of known) {
    const v = (value as Record<string, unknown>)[key];
    if (v !== undefined) copy[key] = v;
  }
  return copy as Partial<T>;
}

/** Checks that `value` is one of `names`; the error lists them. */
export function oneOf<T extends string>(value: unknown, argument: string, names: readonly T[]): T {
  if (typeof value !== 'string' || !(names as readonly string[]).includes(value)) {
    throw new InvalidArgumentError(`${argument} must be one of ${names.map((n) => `'${n}'`).join(', ')}, got ${describe(value)}`, argument);
  }
  return value as T;
}
