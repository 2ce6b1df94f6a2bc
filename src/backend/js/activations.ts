// JS twin of assembly/activations.ts: the same exp and activations, bit for bit.
import { ACT_IDENTITY, ACT_SIGMOID, ACT_TANH, ACT_RELU, ACT_LEAKY_RELU, ACT_ELU, ACT_SOFTMAX } from '../../header.js';

export const LN2_HI = 6.93147180369123816490e-01;
export const LN2_LO = 1.90821492927058770002e-10;
export const N_OVER_LN2 = 92.33248261689366;
export const SHIFTER = 6755399441055744.0;
const TWO_M1000 = 9.33263618503218878990e-302;

// 2^(j/64) for j = 0..63: the same correctly rounded constants as assembly/activations.ts.
const EXP2_TABLE = Float64Array.of(
  1.0, 1.0108892860517005, 1.0218971486541166, 1.0330248790212284,
  1.0442737824274138, 1.0556451783605572, 1.0671404006768237, 1.0787607977571199,
  1.0905077326652577, 1.102382583307841, 1.1143867425958924, 1.1265216186082418,
  1.1387886347566916, 1.1511892299529827, 1.1637248587775775, 1.1763969916502812,
  1.189207115002721, 1.202156731452703, 1.215247359980469, 1.22848053610687,
  1.241857812073484, 1.255380757024691, 1.2690509571917332, 1.2828700160787783,
  1.2968395546510096, 1.3109612115247644, 1.3252366431597413, 1.339667524053303,
  1.3542555469368927, 1.3690024229745905, 1.383909881963832, 1.3989796725383112,
  1.4142135623730951, 1.42961333839197, 1.4451808069770467, 1.460917794180647,
  1.4768261459394993, 1.4929077282912648, 1.5091644275934228, 1.5255981507445384,
  1.5422108254079407, 1.559004400237837, 1.5759808451078865, 1.593142151342267,
  1.6104903319492543, 1.6280274218573478, 1.645755478153965, 1.6636765803267364,
  1.681792830507429, 1.7001063537185235, 1.718619298122478, 1.7373338352737062,
  1.7562521603732995, 1.7753764925265212, 1.7947090750031072, 1.8142521755003989,
  1.8340080864093424, 1.8539791250833855, 1.8741676341103, 1.8945759815869656,
  1.9152065613971474, 1.9360617934922943, 1.9571441241754002, 1.978456026387951,
);

// 2^k for k in [-1074, 1023], built by exact doubling and halving (the wasm side sets exponent bits).
const POW2_OFFSET = 1074;
const POW2 = new Float64Array(1074 + 1024);
POW2[POW2_OFFSET] = 1;
for (let k = 1; k <= 1023; k++) POW2[POW2_OFFSET + k] = POW2[POW2_OFFSET + k - 1]! * 2;
for (let k = -1; k >= -1074; k--) POW2[POW2_OFFSET + k] = POW2[POW2_OFFSET + k + 1]! / 2;

/** e^x, see assembly/activations.ts `exp` (table + polynomial, error <= 2 ulp of Math.exp). */
export function exp(x: number): number {
  if (x !== x) return x;
  if (x > 709.782712893383973096) return Infinity;
  if (x < -745.13321910194110842) return 0.0;
  const kf = (x * N_OVER_LN2 + SHIFTER) - SHIFTER;
  const k = kf | 0;
  const r = (x - kf * (LN2_HI / 64.0)) - kf * (LN2_LO / 64.0);
  const r2 = r * r;
  const p = 1.0 + (r + r2 * ((0.5 + r * (1.0 / 6.0)) + r2 * (1.0 / 24.0 + r * (1.0 / 120.0))));
  const y = EXP2_TABLE[k & 63]! * p;
  const m = k >> 6;
  if (m >= -1021) return m === 1024 ? y * 2.0 * POW2[POW2_OFFSET + 1023]! : y * POW2[POW2_OFFSET + m]!;
  return y * POW2[POW2_OFFSET + m + 1000]! * TWO_M1000;
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
  const end = row + n;
  if (kind === ACT_SIGMOID) {
    for (let i = row; i < end; i++) {
      const z = f[i]!;
      const e = exp(-Math.abs(z));
      f[i] = (z >= 0.0 ? 1.0 : e) / (1.0 + e);
    }
  } else if (kind === ACT_TANH) {
    for (let i = row; i < end; i++) {
      const z = f[i]!;
      const e = exp(-2.0 * Math.abs(z));
      const t = (1.0 - e) / (1.0 + e);
      f[i] = z < 0.0 ? -t : t;
    }
  } else if (kind === ACT_RELU) {
    for (let i = row; i < end; i++) {
      const z = f[i]!;
      f[i] = z > 0.0 ? z : 0.0;
    }
  } else if (kind === ACT_LEAKY_RELU) {
    for (let i = row; i < end; i++) {
      const z = f[i]!;
      f[i] = z > 0.0 ? z : leakyAlpha * z;
    }
  } else {
    for (let i = row; i < end; i++) {
      const z = f[i]!;
      f[i] = z > 0.0 ? z : eluAlpha * (exp(z) - 1.0);
    }
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
