// Types of scripts/random.mjs, for the TypeScript tests that import it.

/** xorshift-style generator of numbers in [0, 1); the same as test/helpers/data.ts `rng`. */
export function rng(seed: number): () => number;

/** mulberry32, in [0, 1) (as neurite's own Random, written again so that test data and benchmark data do not depend on it). */
export function mulberry32(seed: number): () => number;
