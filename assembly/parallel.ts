// How many parts the kernels may split a parallel phase into, and the host call that runs the parts
// (src/backend/wasm.ts: in order on the calling thread, or on a pool of workers sharing this memory).

// @ts-ignore: decorator
@external("env", "parallel")
declare function hostParallel(kind: i32, arena: usize, count: i32, parts: i32): void;

// Parts per phase at most (1: never split, never call the host). Each instance has its own: only the main one splits.
let threads: i32 = 1;

// Waking a worker from Atomics.wait and hearing back took ~10 µs (Node 20 on this 2-core machine, load ~1.3; under
// 1 µs while it spins): 2^17 multiply-adds per part (~20-40 µs of f64x2 work) keep a wake-up under a third of a part.
const MIN_PART_WORK: f64 = 131072.0;

/** Lets the kernels split a phase into up to `n` parts (n < 1 counts as 1). */
export function setThreads(n: i32): void {
  threads = n < 1 ? 1 : n;
}

/**
 * Parts for a phase of `pieces` independent pieces that make `work` multiply-adds in all: at most threads and
 * pieces, and few enough that each part gets MIN_PART_WORK (1 when splitting does not pay).
 */
export function partsFor(pieces: i32, work: f64): i32 {
  if (threads <= 1) return 1;
  return max(1, min(min(threads, pieces), <i32>Math.min(work / MIN_PART_WORK, 1024.0)));
}

/** Runs parts 0..parts-1 of phase `kind` (parts > 1) through the host; returns when all are done. */
export function parallel(kind: i32, arena: usize, count: i32, parts: i32): void {
  hostParallel(kind, arena, count, parts);
}
