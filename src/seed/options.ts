// The optional last argument of every seed constructor.
import { type Backend, type BackendName, resolveBackend } from '../backend/index.js';
import { options } from '../validate.js';

/** Options every seed object accepts as its last argument. */
export interface SeedOptions {
  /** Run this object on `'wasm'` or `'js'`; defaults to {@link getBackend}(). */
  backend?: BackendName;
}

/** Validates seed options and returns the backend they name. */
export function seedBackend(value: SeedOptions | undefined): Backend {
  return resolveBackend(options(value, 'options', ['backend']).backend);
}

/** Formats a float64 so that it reads back exactly (like Python's repr). */
export function repr(value: number): string {
  if (Object.is(value, -0)) return '-0.0';
  return Number.isInteger(value) && Math.abs(value) < 1e21 ? value.toFixed(1) : String(value);
}
