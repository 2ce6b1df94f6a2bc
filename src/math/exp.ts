/**
 * e^x with + - * / only, valid AssemblyScript and TypeScript: WebAssembly has no exp instruction and
 * Math.exp differs across engines, so both kernel sets call this one definition and get the same bits.
 * assembly/activations.ts adds the SIMD form, which reads the same table and constants.
 */

/** ln 2 = LN2_HI + LN2_LO; LN2_HI·k is exact for |k| < 2^21. */
export const LN2_HI: f64 = 6.93147180369123816490e-01;
/** The low part of ln 2 (see LN2_HI). */
export const LN2_LO: f64 = 1.90821492927058770002e-10;
/** 64 / ln 2: x·N_OVER_LN2 is k = 64m + j, the table index j and the power of two m. */
export const N_OVER_LN2: f64 = 92.33248261689366;
/** 1.5·2^52: adding it rounds to an integer (ties to even), kept in the low bits. */
export const SHIFTER: f64 = 6755399441055744.0;
/** Up to this |x|, 2^m stays normal: exp's short path, which the SIMD exp and the generated kernel inline. */
export const EXP_TABLE_LIMIT: f64 = 700.0;
const EXP_OVERFLOW: f64 = 709.782712893383973096;
const EXP_UNDERFLOW: f64 = -745.13321910194110842;
const TWO_M1000: f64 = 9.33263618503218878990e-302; // 2^-1000

/** 2^(j/64) for j = 0..63, correctly rounded (made with Python's decimal at 60 digits). */
export const EXP2_TABLE: StaticArray<f64> = [
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
];

// 2^k for k in [-1074, 1023] at POW2[k + POW2_OFFSET], built by exact doubling and halving.
const POW2_OFFSET: i32 = 1074;
const POW2: Float64Array = pow2Table();

function pow2Table(): Float64Array {
  const table = new Float64Array(POW2_OFFSET + 1024);
  table[POW2_OFFSET] = 1.0;
  for (let k = 1; k <= 1023; k++) table[POW2_OFFSET + k] = table[POW2_OFFSET + k - 1] * 2.0;
  for (let k = 1; k <= POW2_OFFSET; k++) table[POW2_OFFSET - k] = table[POW2_OFFSET - k + 1] / 2.0;
  return table;
}

/** k = 64m + j nearest to x·64/ln2, as a float: adding SHIFTER rounds it to an integer (ties to even). */
export function expIndex(x: f64): f64 {
  return (x * N_OVER_LN2 + SHIFTER) - SHIFTER;
}

/** The degree-5 Taylor polynomial of e^r, as 1 + (r + r²·((1/2 + r/6) + r²·(1/24 + r/120))): a short dependency chain, one rounding near 1. */
export function expPolynomial(r: f64): f64 {
  const r2 = r * r;
  return 1.0 + (r + r2 * ((0.5 + r * (1.0 / 6.0)) + r2 * (1.0 / 24.0 + r * (1.0 / 120.0))));
}

/** 2^(j/64)·e^r for k = 64m + j (kf as a float, k as an integer), with r = x - k·ln2/64 in two exact parts (|r| <= ln2/128). */
function expMantissa(x: f64, kf: f64, k: i32): f64 {
  return EXP2_TABLE[k & 63] * expPolynomial((x - kf * (LN2_HI / 64.0)) - kf * (LN2_LO / 64.0));
}

/**
 * e^x: x = (64m + j)·ln2/64 + r with |r| <= ln2/128, so e^x = 2^m · 2^(j/64) · e^r, with 2^(j/64) from the
 * table and e^r from expPolynomial (remainder < 4e-17). Error <= 2 ulp of Math.exp over |x| <= 700; no
 * division, so it pipelines. Beyond |x| <= 700 (2^m normal), and for NaN, expOutsideTable.
 */
export function exp(x: f64): f64 {
  if (!(Math.abs(x) <= EXP_TABLE_LIMIT)) return expOutsideTable(x);
  const kf = expIndex(x);
  const k = <i32>kf;
  return expMantissa(x, kf, k) * POW2[POW2_OFFSET + (k >> 6)];
}

/** exp for NaN and |x| > 700: the same formula, with overflow, underflow and subnormal results handled. */
function expOutsideTable(x: f64): f64 {
  if (x != x) return x;
  if (x > EXP_OVERFLOW) return Infinity;
  if (x < EXP_UNDERFLOW) return 0.0;
  const kf = expIndex(x);
  const k = <i32>kf;
  const y = expMantissa(x, kf, k);
  const m = k >> 6;
  if (m >= -1021) return m == 1024 ? y * 2.0 * POW2[POW2_OFFSET + 1023] : y * POW2[POW2_OFFSET + m];
  return y * POW2[POW2_OFFSET + m + 1000] * TWO_M1000;
}
