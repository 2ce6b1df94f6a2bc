// The seeded generators of the scripts, the benchmark's data and the test fixtures: the same seed, the same numbers.

/** xorshift-style generator of numbers in [0, 1); the same as test/helpers/data.ts `rng`. */
export function rng(s) {
  s >>>= 0;
  return () => {
    s = (Math.imul(s ^ (s >>> 15), 2246822507) + 0x9e3779b9) >>> 0;
    s = (s ^ (s >>> 13)) >>> 0;
    return s / 4294967296;
  };
}

/** mulberry32, in [0, 1) (as neurite's own Random, written again so that test data and benchmark data do not depend on it). */
export function mulberry32(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
