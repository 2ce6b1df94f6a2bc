// src/math/activations.ts's log1p against a 256-bit reference (BigInt fixed point, an independent series), and
// softplus against the engine's own Math functions.
import { describe, expect, it } from 'vitest';
import { log1p, softplus } from '../src/math/activations.js';
import { Random } from '../src/random.js';

/** x as m·2^-e with m an integer (x >= 0 finite). */
function exact(x: number): { m: bigint; e: bigint } {
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, x);
  const bits = view.getBigUint64(0);
  const biased = (bits >> 52n) & 0x7ffn;
  const fraction = bits & ((1n << 52n) - 1n);
  return biased === 0n ? { m: fraction, e: 1074n } : { m: fraction | (1n << 52n), e: 1075n - biased };
}

/** The error of log1p(x) in units in the last place of the result, from ln(1 + x) = 2 Σ s^(2k+1)/(2k+1), s = x/(2+x). */
function ulpError(x: number, result: number): number {
  if (x === 0) return result === 0 ? 0 : Infinity;
  const { m, e } = exact(x);
  const p = e + 256n; // fixed point at 2^-p: 256 bits below x's last bit
  const s = (m << p) / ((2n << e) + m);
  const s2 = (s * s) >> p;
  let power = s;
  let sum = 0n;
  for (let k = 1n; power > 0n; k += 2n) {
    sum += power / k;
    power = (power * s2) >> p;
  }
  const reference = 2n * sum;
  const r = exact(result);
  const got = r.m << (p - r.e);
  const ulp = 1n << (p - r.e);
  const difference = got > reference ? got - reference : reference - got;
  return Number((difference * 1000n) / ulp) / 1000;
}

describe('log1p', () => {
  const random = new Random(14);
  const args: number[] = [0, 5e-324, 2 ** -1022, 1e-300, 2 ** -60, 1e-17, 1e-9, 0.25, 0.4999999999999999, 0.5, 0.5000000000000001, 0.75, 0.9999999999999999, 1];
  for (let i = 0; i < 20_000; i++) args.push(random.next());
  for (let i = 0; i < 20_000; i++) args.push(2 ** (-60 * random.next()));
  for (let i = 0; i < 2_000; i++) args.push(2 ** (-1070 * random.next()));

  it(`is within 2 ulp of ln(1 + x) on ${args.length} arguments in [0, 1]`, () => {
    let worst = 0, at = 0;
    for (const x of args) {
      const error = ulpError(x, log1p(x));
      if (error > worst) [worst, at] = [error, x];
    }
    expect(worst, `worst at x = ${at}`).toBeLessThanOrEqual(2);
  });

  it('is exact where ln(1 + x) rounds to x', () => {
    for (const x of [5e-324, 1e-300, 2 ** -60]) expect(log1p(x)).toBe(x);
  });
});

describe('softplus', () => {
  it('matches ln(1 + e^z) from the engine within 1e-15 relative, and z itself for large z', () => {
    const random = new Random(15);
    for (let i = 0; i < 10_000; i++) {
      const z = 80 * random.next() - 40;
      const expected = Math.max(z, 0) + Math.log1p(Math.exp(-Math.abs(z)));
      expect(Math.abs(softplus(z) - expected)).toBeLessThanOrEqual(1e-15 * expected);
    }
    expect(softplus(0)).toBe(Math.LN2);
    expect(softplus(1000)).toBe(1000);
    expect(softplus(-1000)).toBe(0);
    expect(softplus(Number.NaN)).toBeNaN();
  });
});
