// exp and the activations, written with + - * / only so the JS twin (src/backend/js/activations.ts)
// gives the same bits: WebAssembly has no exp instruction and Math.exp differs across engines.
import {
  ACT_IDENTITY, ACT_SIGMOID, ACT_TANH, ACT_RELU, ACT_LEAKY_RELU, ACT_ELU, ACT_SOFTMAX,
} from "../src/header";

type float = f64;

const LN2_HI: float = 6.93147180369123816490e-01;
const LN2_LO: float = 1.90821492927058770002e-10;
const INV_LN2: float = 1.44269504088896338700e+00;
const P1: float = 1.66666666666666019037e-01;
const P2: float = -2.77777777770155933842e-03;
const P3: float = 6.61375632143793436117e-05;
const P4: float = -1.65339022054652515390e-06;
const P5: float = 4.13813679705723846039e-08;
const TWO_M1000: float = 9.33263618503218878990e-302; // 2^-1000

// @ts-ignore: decorator
@inline function pow2(k: i32): float {
  return reinterpret<f64>(<u64>(k + 1023) << 52);
}

/**
 * e^x by fdlibm's __ieee754_exp: x = k·ln2 + r, |r| <= ln2/2, e^r from a degree-5
 * rational approximation (error < 1 ulp), scaled by 2^k.
 */
export function exp(x: float): float {
  if (x != x) return x;
  if (x > 709.782712893383973096) return Infinity;
  if (x < -745.13321910194110842) return 0.0;
  const k = <i32>(x * INV_LN2 + (x < 0.0 ? -0.5 : 0.5));
  const hi = x - <float>k * LN2_HI;
  const lo = <float>k * LN2_LO;
  const r = hi - lo;
  const t = r * r;
  const c = r - t * (P1 + t * (P2 + t * (P3 + t * (P4 + t * P5))));
  const y = 1.0 - ((lo - (r * c) / (2.0 - c)) - hi);
  if (k >= -1021) return k == 1024 ? y * 2.0 * pow2(1023) : y * pow2(k);
  return y * pow2(k + 1000) * TWO_M1000;
}

/** Applies activation `kind` in place to `n` pre-activations at `row`. */
export function activate(row: usize, n: i32, kind: i32, leakyAlpha: float, eluAlpha: float): void {
  if (kind == ACT_IDENTITY) return;
  if (kind == ACT_SOFTMAX) {
    // e^(z - max z) / Σ: the shift keeps every exponent <= 0, so nothing overflows.
    let max = load<float>(row);
    for (let i = 1; i < n; i++) max = Math.max(max, load<float>(row + (<usize>i << 3)));
    let sum: float = 0.0;
    for (let i = 0; i < n; i++) {
      const e = exp(load<float>(row + (<usize>i << 3)) - max);
      store<float>(row + (<usize>i << 3), e);
      sum += e;
    }
    for (let i = 0; i < n; i++) store<float>(row + (<usize>i << 3), load<float>(row + (<usize>i << 3)) / sum);
    return;
  }
  for (let i = 0; i < n; i++) {
    const p = row + (<usize>i << 3);
    const z = load<float>(p);
    let a: float;
    if (kind == ACT_SIGMOID) {
      // Two branches so exp never overflows: 1/(1+e^-z) for z >= 0, e^z/(1+e^z) below.
      if (z >= 0.0) a = 1.0 / (1.0 + exp(-z));
      else { const e = exp(z); a = e / (1.0 + e); }
    } else if (kind == ACT_TANH) {
      const e = exp(-2.0 * Math.abs(z));
      const t = (1.0 - e) / (1.0 + e);
      a = z < 0.0 ? -t : t;
    } else if (kind == ACT_RELU) {
      a = z > 0.0 ? z : 0.0;
    } else if (kind == ACT_LEAKY_RELU) {
      a = z > 0.0 ? z : leakyAlpha * z;
    } else {
      a = z > 0.0 ? z : eluAlpha * (exp(z) - 1.0);
    }
    store<float>(p, a);
  }
}

/** d activation / dz, from the activation's output `a` (softmax is handled by the loss). */
// @ts-ignore: decorator
@inline export function derivative(a: float, kind: i32, leakyAlpha: float, eluAlpha: float): float {
  if (kind == ACT_SIGMOID) return a * (1.0 - a);
  if (kind == ACT_TANH) return 1.0 - a * a;
  if (kind == ACT_RELU) return a > 0.0 ? 1.0 : 0.0;
  if (kind == ACT_LEAKY_RELU) return a > 0.0 ? 1.0 : leakyAlpha;
  if (kind == ACT_ELU) return a > 0.0 ? 1.0 : a + eluAlpha;
  return 1.0;
}
