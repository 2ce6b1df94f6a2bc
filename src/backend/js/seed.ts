// JS twin of assembly/seed.ts: same loops, same order of operations, same results bit for bit.
import type { Arena } from '../arena.js';
import {
  SEED_INPUT, SEED_EXPECTED, SEED_FAILED_LAYER, SEED_FAILED_NEURON,
  seedEntry as entry, SEED_SIZE, SEED_IS_INPUT, SEED_WEIGHT, SEED_BIAS,
  SEED_RESULT, SEED_HOPED, SEED_PENDING_WEIGHT, SEED_PENDING_BIAS,
} from '../../header.js';

/** See assembly/seed.ts `forwardSeed`. */
export function forwardSeed(arena: Arena, first: number, end: number, inputCount: number): void {
  const f = arena.f64;
  let x = arena.at(SEED_INPUT);
  let n = inputCount;
  for (let l = first; l < end; l++) {
    const size = arena.word(entry(l, SEED_SIZE));
    const isInput = arena.word(entry(l, SEED_IS_INPUT)) !== 0;
    const weight = arena.at(entry(l, SEED_WEIGHT));
    const bias = arena.at(entry(l, SEED_BIAS));
    const result = arena.at(entry(l, SEED_RESULT));
    for (let i = 0; i < size; i++) {
      const w = f[weight + i]!;
      let activated: number;
      if (isInput) {
        activated = (0.0 + w * f[x + i]!) / 1.0;
      } else {
        let sum = 0.0;
        for (let j = 0; j < n; j++) sum += w * f[x + j]!;
        activated = sum / n;
      }
      f[result + i] = activated + f[bias + i]!;
    }
    x = result;
    n = size;
  }
}

/** See assembly/seed.ts `updateSeed`. */
export function updateSeed(arena: Arena, first: number, end: number, rate: number): number {
  const f = arena.f64;
  let expected = arena.at(SEED_EXPECTED);
  let expectedCount = arena.word(entry(end - 1, SEED_SIZE));
  for (let l = end - 1; l >= first; l--) {
    const size = arena.word(entry(l, SEED_SIZE));
    const pairwise = expectedCount === size;
    let mean = 0.0;
    if (!pairwise) {
      for (let j = 0; j < expectedCount; j++) mean += f[expected + j]!;
      mean /= expectedCount;
    }
    const weight = arena.at(entry(l, SEED_WEIGHT));
    const bias = arena.at(entry(l, SEED_BIAS));
    const result = arena.at(entry(l, SEED_RESULT));
    const hoped = arena.at(entry(l, SEED_HOPED));
    const pendingWeight = arena.at(entry(l, SEED_PENDING_WEIGHT));
    const pendingBias = arena.at(entry(l, SEED_PENDING_BIAS));
    for (let i = 0; i < size; i++) {
      const e = pairwise ? f[expected + i]! : mean;
      const loss = e - f[result + i]!;
      const w = f[weight + i]! + loss * rate;
      const b = f[bias + i]! + loss * rate;
      const h = (b - e) / w;
      const failure = w === 0.0 ? 1 : Number.isFinite(w) && Number.isFinite(b) && Number.isFinite(h) ? 0 : 2;
      if (failure !== 0) {
        arena.i32[(arena.base >> 2) + SEED_FAILED_LAYER] = l;
        arena.i32[(arena.base >> 2) + SEED_FAILED_NEURON] = i;
        return failure;
      }
      f[pendingWeight + i] = w;
      f[pendingBias + i] = b;
      f[hoped + i] = h;
    }
    expected = hoped;
    expectedCount = size;
  }
  for (let l = first; l < end; l++) {
    const size = arena.word(entry(l, SEED_SIZE));
    f.copyWithin(arena.at(entry(l, SEED_WEIGHT)), arena.at(entry(l, SEED_PENDING_WEIGHT)), arena.at(entry(l, SEED_PENDING_WEIGHT)) + size);
    f.copyWithin(arena.at(entry(l, SEED_BIAS)), arena.at(entry(l, SEED_PENDING_BIAS)), arena.at(entry(l, SEED_PENDING_BIAS)) + size);
  }
  return 0;
}
