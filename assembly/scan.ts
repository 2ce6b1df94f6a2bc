// The input check of bulk calls, as one SIMD pass over the staged numbers instead of a JS loop.
import { at } from "./layout";

type float = f64;

/** Index of the first non-finite number among the `n` numbers of the buffer at header word `index`, or -1. */
export function findNonFinite(arena: usize, index: i32, n: i32): i32 {
  const x = at(arena, index);
  let k = 0;
  if (ASC_FEATURE_SIMD) {
    // v - v is 0 for a finite v and NaN for NaN and ±Infinity; NaN != 0. Four numbers per test.
    const zero = f64x2.splat(0.0);
    for (; k + 4 <= n; k += 4) {
      const a = v128.load(x + (<usize>k << 3)), b = v128.load(x + (<usize>k << 3) + 16);
      if (v128.any_true(v128.or(f64x2.ne(f64x2.sub(a, a), zero), f64x2.ne(f64x2.sub(b, b), zero)))) break;
    }
  }
  for (; k < n; k++) {
    const v = load<float>(x + (<usize>k << 3));
    if (v - v != 0.0) return k;
  }
  return -1;
}
