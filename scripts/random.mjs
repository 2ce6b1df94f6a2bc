// The seeded generator of the long-running scripts: every case is reproducible from (seed, case number).

/** xorshift-style generator of numbers in [0, 1); the same as test/helpers/data.ts `rng`. */
export function rng(s) {
  s >>>= 0;
  return () => {
    s = (Math.imul(s ^ (s >>> 15), 2246822507) + 0x9e3779b9) >>> 0;
    s = (s ^ (s >>> 13)) >>> 0;
    return s / 4294967296;
  };
}
