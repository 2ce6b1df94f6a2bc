// The seed rule (../shared/seed/reference.py) over a seed arena.
// Sums run left to right from +0.0, exactly like Python's sum(), so results match traces.json bit for bit.
import { word, at } from "./layout";
import {
  SEED_INPUT, SEED_EXPECTED, SEED_FAILED_LAYER, SEED_FAILED_NEURON,
  seedEntry as entry, SEED_SIZE, SEED_IS_INPUT, SEED_WEIGHT, SEED_BIAS,
  SEED_RESULT, SEED_HOPED, SEED_PENDING_WEIGHT, SEED_PENDING_BIAS,
} from "../src/header";

type float = f64;

/**
 * Forward pass of layers [first, end): result[i] = (sum_j weight[i] * x[j]) / n + bias[i],
 * where an input layer's neuron i reads only x[i]. `inputCount` values are staged at SEED_INPUT.
 */
export function forwardSeed(arena: usize, first: i32, end: i32, inputCount: i32): void {
  let x = at(arena, SEED_INPUT);
  let n = inputCount;
  for (let l = first; l < end; l++) {
    const size = word(arena, entry(l, SEED_SIZE));
    const isInput = word(arena, entry(l, SEED_IS_INPUT)) != 0;
    const weight = at(arena, entry(l, SEED_WEIGHT));
    const bias = at(arena, entry(l, SEED_BIAS));
    const result = at(arena, entry(l, SEED_RESULT));
    for (let i = 0; i < size; i++) {
      const w = load<float>(weight + (<usize>i << 3));
      let activated: float;
      if (isInput) {
        activated = (0.0 + w * load<float>(x + (<usize>i << 3))) / 1.0;
      } else {
        let sum: float = 0.0;
        for (let j = 0; j < n; j++) sum += w * load<float>(x + (<usize>j << 3));
        activated = sum / <float>n;
      }
      store<float>(result + (<usize>i << 3), activated + load<float>(bias + (<usize>i << 3)));
    }
    x = result;
    n = size;
  }
}

/**
 * Seed update of layers [first, end), from the last back to the first. Each neuron: loss = e - result,
 * w += loss * rate, b += loss * rate, hoped = (b - e) / w. A layer gets the next layer's hoped
 * values pairwise when sizes match, else their mean. New weights go to the pending buffers and
 * are committed only when every weight is non-zero and every value finite; returns 0, or
 * 1 (a weight became 0) / 2 (a value overflowed) with the failing layer and neuron in the header.
 */
export function updateSeed(arena: usize, first: i32, end: i32, rate: float): i32 {
  let expected = at(arena, SEED_EXPECTED);
  let expectedCount = word(arena, entry(end - 1, SEED_SIZE));
  for (let l = end - 1; l >= first; l--) {
    const size = word(arena, entry(l, SEED_SIZE));
    const pairwise = expectedCount == size;
    let mean: float = 0.0;
    if (!pairwise) {
      for (let j = 0; j < expectedCount; j++) mean += load<float>(expected + (<usize>j << 3));
      mean /= <float>expectedCount;
    }
    const weight = at(arena, entry(l, SEED_WEIGHT));
    const bias = at(arena, entry(l, SEED_BIAS));
    const result = at(arena, entry(l, SEED_RESULT));
    const hoped = at(arena, entry(l, SEED_HOPED));
    const pendingWeight = at(arena, entry(l, SEED_PENDING_WEIGHT));
    const pendingBias = at(arena, entry(l, SEED_PENDING_BIAS));
    for (let i = 0; i < size; i++) {
      const k = <usize>i << 3;
      const e = pairwise ? load<float>(expected + k) : mean;
      const loss = e - load<float>(result + k);
      const w = load<float>(weight + k) + loss * rate;
      const b = load<float>(bias + k) + loss * rate;
      const h = (b - e) / w;
      const failure = w == 0.0 ? 1 : isFinite<float>(w) && isFinite<float>(b) && isFinite<float>(h) ? 0 : 2;
      if (failure != 0) {
        store<i32>(arena + (<usize>SEED_FAILED_LAYER << 2), l);
        store<i32>(arena + (<usize>SEED_FAILED_NEURON << 2), i);
        return failure;
      }
      store<float>(pendingWeight + k, w);
      store<float>(pendingBias + k, b);
      store<float>(hoped + k, h);
    }
    expected = hoped;
    expectedCount = size;
  }
  for (let l = first; l < end; l++) {
    const bytes = <usize>word(arena, entry(l, SEED_SIZE)) << 3;
    memory.copy(at(arena, entry(l, SEED_WEIGHT)), at(arena, entry(l, SEED_PENDING_WEIGHT)), bytes);
    memory.copy(at(arena, entry(l, SEED_BIAS)), at(arena, entry(l, SEED_PENDING_BIAS)), bytes);
  }
  return 0;
}
