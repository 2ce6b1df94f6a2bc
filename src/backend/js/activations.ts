// JS twin of assembly/activations.ts: the same fdlibm exp and activations, bit for bit.
import { ACT_IDENTITY, ACT_SIGMOID, ACT_TANH, ACT_RELU, ACT_LEAKY_RELU, ACT_ELU, ACT_SOFTMAX } from '../../header.js';

const LN2_HI = 6.93147180369123816490e-01;
const LN2_LO = 1.90821492927058770002e-10;
const INV_LN2 = 1.44269504088896338700e+00;
const P1 = 1.66666666666666019037e-01;
const P2 = -2.77777777770155933842e-03;
const P3 = 6.61375632143793436117e-05;
const P4 = -1.65339022054652515390e-06;
const P5 = 4.13813679705723846039e-08;
const TWO_M1000 = 9.33263618503218878990e-302;

// 2^k for k in [-1074, 1023], built by exact doubling and halving (the wasm side sets exponent bits).
const POW2_OFFSET = 1074;
const POW2 = new Float64Array(1074 + 1024);
POW2[POW2_OFFSET] = 1;
for (let k = 1; k <= 1023; k++) POW2[POW2_OFFSET + k] = POW2[POW2_OFFSET + k - 1]! * 2;
for (let k = -1; k >= -1074; k--) POW2[POW2_OFFSET + k] = POW2[POW2_OFFSET + k + 1]! / 2;

/** e^x, see assembly/activations.ts `exp` (fdlibm, error < 1 ulp). */
export function exp(x: number): number {
  if (x !== x) return x;
  if (x > 709.782712893383973096) return Infinity;
  if (x < -745.13321910194110842) return 0.0;
  const k = (x * INV_LN2 + (x < 0.0 ? -0.5 : 0.5)) | 0;
  const hi = x - k * LN2_HI;
  const lo = k * LN2_LO;
  const r = hi - lo;
  const t = r * r;
  const c = r - t * (P1 + t * (P2 + t * (P3 + t * (P4 + t * P5))));
  const y = 1.0 - ((lo - (r * c) / (2.0 - c)) - hi);
  if (k >= -1021) return k === 1024 ? y * 2.0 * POW2[POW2_OFFSET + 1023]! : y * POW2[POW2_OFFSET + k]!;
  return y * POW2[POW2_OFFSET + k + 1000]! * TWO_M1000;
}

/** Applies activation `kind` in place to `n` pre-activations at f[row...]. */
export function activate(f: Float64Array, row: number, n: number, kind: number, leakyAlpha: number, eluAlpha: number): void {
  if (kind === ACT_IDENTITY) return;
  if (kind === ACT_SOFTMAX) {
    let max = f[row]!;
    for (let i = 1; i < n; i++) max = Math.max(max, f[row + i]!);
    let sum = 0.0;
    for (let i = 0; i < n; i++) {
      const e = exp(f[row + i]! - max);
      f[row + i] = e;
      sum += e;
    }
    for (let i = 0; i < n; i++) f[row + i] = f[row + i]! / sum;
    return;
  }
  for (let i = row; i < row + n; i++) {
    const z = f[i]!;
    let a: number;
    if (kind === ACT_SIGMOID) {
      if (z >= 0.0) a = 1.0 / (1.0 + exp(-z));
      else { const e = exp(z); a = e / (1.0 + e); }
    } else if (kind === ACT_TANH) {
      const e = exp(-2.0 * Math.abs(z));
      const t = (1.0 - e) / (1.0 + e);
      a = z < 0.0 ? -t : t;
    } else if (kind === ACT_RELU) {
      a = z > 0.0 ? z : 0.0;
    } else if (kind === ACT_LEAKY_RELU) {
      a = z > 0.0 ? z : leakyAlpha * z;
    } else {
      a = z > 0.0 ? z : eluAlpha * (exp(z) - 1.0);
    }
    f[i] = a;
  }
}

/** d activation / dz from the output `a`; see assembly/activations.ts `derivative`. */
export function derivative(a: number, kind: number, leakyAlpha: number, eluAlpha: number): number {
  if (kind === ACT_SIGMOID) return a * (1.0 - a);
  if (kind === ACT_TANH) return 1.0 - a * a;
  if (kind === ACT_RELU) return a > 0.0 ? 1.0 : 0.0;
  if (kind === ACT_LEAKY_RELU) return a > 0.0 ? 1.0 : leakyAlpha;
  if (kind === ACT_ELU) return a > 0.0 ? 1.0 : a + eluAlpha;
  return 1.0;
}
