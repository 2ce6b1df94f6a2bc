// Bit-for-bit comparison of number arrays, the check behind every "same bits" test.
import { expect } from 'vitest';

/** Fails unless `actual` and `expected` hold the same numbers bit for bit (Object.is: -0 and NaN count), naming the first difference. */
export function expectSameBits(actual: ArrayLike<number>, expected: ArrayLike<number>, what: string): void {
  expect(actual.length, `${what}: lengths`).toBe(expected.length);
  for (let i = 0; i < actual.length; i++) {
    if (!Object.is(actual[i], expected[i])) expect.fail(`${what} differ at ${i}: ${actual[i]} vs ${expected[i]}`);
  }
}
