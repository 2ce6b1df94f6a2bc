// JS twin of assembly/scan.ts.
import type { Arena } from '../arena.js';

/** See assembly/scan.ts `findNonFinite`. */
export function findNonFinite(arena: Arena, index: number, n: number): number {
  const f = arena.f64;
  const start = arena.at(index);
  for (let k = 0; k < n; k++) {
    const v = f[start + k]!;
    if (v - v !== 0) return k;
  }
  return -1;
}
