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

// 2^m = POW2_HIGH[(m >> 5) + 33] · POW2_LOW[m & 31] for m in [-1056, 1023], exactly: a product of powers of two is exact
// when it is representable. Literals, not a table built when the module starts: a worker's instance of the module over
// the same memory runs no start-up code.
const POW2_HIGH: StaticArray<f64> = [
  1.295163e-318, 5.562684646268003e-309, 2.3891548633682403e-299, 1.0261342003245941e-289, 4.407212831701244e-280,
  1.8928834978668395e-270, 8.129872718476162e-261, 3.491753744649773e-251, 1.499696813895631e-241,
  6.441148769597133e-232, 2.7664523314090327e-222, 1.188182228934475e-212, 5.103203814961955e-203,
  2.191809349008403e-193, 9.413749473058141e-184, 4.043174611952195e-174, 1.7365302730352168e-164,
  7.458340731200207e-155, 3.2033329522929615e-145, 1.3758210268297398e-135, 5.909106315382871e-126,
  2.5379418373156492e-116, 1.0900377190420866e-106, 4.6816763546921983e-97, 2.010764683385949e-87,
  8.636168555094445e-78, 3.7092061506874214e-68, 1.5930919111324523e-58, 6.842277657836021e-49,
  2.938735877055719e-39, 1.262177448353619e-29, 5.421010862427522e-20, 2.3283064365386963e-10, 1e+0, 4.294967296e+9,
  1.8446744073709552e+19, 7.922816251426434e+28, 3.402823669209385e+38, 1.461501637330903e+48, 6.277101735386681e+57,
  2.695994666715064e+67, 1.157920892373162e+77, 4.9732323640978664e+86, 2.13598703592091e+96, 9.173994463960286e+105,
  3.940200619639448e+115, 1.6923032801030364e+125, 7.268387242956069e+134, 3.1217485503159922e+144,
  1.3407807929942597e+154, 5.758609657015292e+163, 2.4733040147310453e+173, 1.0622759856335342e+183,
  4.562440617622195e+192, 1.959553324262937e+202, 8.416217442477398e+211, 3.6147378671465184e+221,
  1.552518092300709e+231, 6.668014432879854e+240, 2.863890391847496e+250, 1.2300315572313621e+260,
  5.282945311356653e+269, 2.269007733883336e+279, 9.7453140114e+288, 4.185580496821357e+298,
];
const POW2_LOW: StaticArray<f64> = [
  1.0, 2.0, 4.0, 8.0, 16.0, 32.0, 64.0, 128.0, 256.0, 512.0, 1024.0, 2048.0, 4096.0, 8192.0, 16384.0, 32768.0,
  65536.0, 131072.0, 262144.0, 524288.0, 1048576.0, 2097152.0, 4194304.0, 8388608.0, 16777216.0, 33554432.0,
  67108864.0, 134217728.0, 268435456.0, 536870912.0, 1073741824.0, 2147483648.0,
];

/** 2^m for m in [-1056, 1023]. */
function pow2(m: i32): f64 {
  return POW2_HIGH[(m >> 5) + 33] * POW2_LOW[m & 31];
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
  // At |x| = 700 exactly both paths give the same value: the bound only has to keep NaN and |x| > 700 out.
  if (!(Math.abs(x) <= EXP_TABLE_LIMIT)) return expOutsideTable(x);
  const kf = expIndex(x);
  const k = <i32>kf;
  return expMantissa(x, kf, k) * pow2(k >> 6);
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
  // For m = -1021 both forms are exact (y·2^-1021 is normal), so the bound may sit one lower or higher.
  if (m >= -1021) return m == 1024 ? y * 2.0 * pow2(1023) : y * pow2(m);
  return y * pow2(m + 1000) * TWO_M1000;
}
