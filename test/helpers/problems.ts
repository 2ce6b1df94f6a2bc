// The ordinary problems that DenseNetwork's defaults must learn untuned: XOR, two moons, a nonlinear regression
// with unscaled targets (Friedman #1, 10 inputs, targets about 0 to 30) and 2,500 MNIST digits.
import { mnist, rng, XOR } from './data.js';

/** A labelled data set with its held-out test rows. */
export interface Problem {
  train: { inputs: Float64Array; targets: Float64Array };
  test: { inputs: Float64Array; targets: Float64Array };
}

/** XOR's four rows (trained and tested on the same rows: there is nothing else). */
export function xorProblem(): Problem {
  const inputs = Float64Array.from(XOR.flatMap((d) => d.input));
  const targets = Float64Array.from(XOR.flatMap((d) => d.output));
  return { train: { inputs, targets }, test: { inputs, targets } };
}

// A normal deviate from two uniforms (Box–Muller).
function gaussian(random: () => number): number {
  return Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
}

/** Two interleaved half circles with Gaussian noise (sklearn's make_moons): `rows` training and 500 test rows. */
export function moons(seed: number, rows = 300, noise = 0.15): Problem {
  const random = rng(seed);
  const make = (count: number) => {
    const inputs = new Float64Array(count * 2);
    const targets = new Float64Array(count);
    for (let r = 0; r < count; r++) {
      const upper = r % 2 === 0;
      const t = Math.PI * random();
      inputs[2 * r] = (upper ? Math.cos(t) : 1 - Math.cos(t)) + noise * gaussian(random);
      inputs[2 * r + 1] = (upper ? Math.sin(t) : 0.5 - Math.sin(t)) + noise * gaussian(random);
      targets[r] = upper ? 0 : 1;
    }
    return { inputs, targets };
  };
  return { train: make(rows), test: make(500) };
}

/** Friedman #1: y = 10 sin(π x1 x2) + 20 (x3 − ½)² + 10 x4 + 5 x5 + noise, x uniform in [0, 1]^10 (5 inputs unused). */
export function friedman(seed: number, rows = 1000, noise = 0.5): Problem {
  const random = rng(seed);
  const make = (count: number) => {
    const inputs = new Float64Array(count * 10);
    const targets = new Float64Array(count);
    for (let r = 0; r < count; r++) {
      const x = inputs.subarray(10 * r, 10 * r + 10);
      for (let i = 0; i < 10; i++) x[i] = random();
      targets[r] = 10 * Math.sin(Math.PI * x[0]! * x[1]!) + 20 * (x[2]! - 0.5) ** 2 + 10 * x[3]! + 5 * x[4]! + noise * gaussian(random);
    }
    return { inputs, targets };
  };
  return { train: make(rows), test: make(1000) };
}

/** The first 2,500 of the 8,000 MNIST training digits (250 per class), tested on the 2,000 held-out ones. */
export function digits(): Problem {
  const { train, test } = mnist();
  return { train: { inputs: train.inputs.slice(0, 2500 * 784), targets: train.targets.slice(0, 2500 * 10) }, test };
}

/** R² of predictions against targets, one output. */
export function rSquared(predicted: ArrayLike<number>, targets: ArrayLike<number>): number {
  let mean = 0;
  for (let i = 0; i < targets.length; i++) mean += targets[i]!;
  mean /= targets.length;
  let residual = 0;
  let total = 0;
  for (let i = 0; i < targets.length; i++) {
    residual += (targets[i]! - predicted[i]!) ** 2;
    total += (targets[i]! - mean) ** 2;
  }
  return 1 - residual / total;
}

/** Share of rows whose prediction lands on the target: argmax for several outputs, the side of 0.5 for one. */
export function accuracy(predicted: ArrayLike<number>, targets: ArrayLike<number>, width: number): number {
  const rows = targets.length / width;
  let right = 0;
  for (let r = 0; r < rows; r++) {
    if (width === 1) {
      if ((predicted[r]! >= 0.5) === (targets[r]! >= 0.5)) right++;
      continue;
    }
    let best = 0;
    let want = 0;
    for (let k = 1; k < width; k++) {
      if (predicted[r * width + k]! > predicted[r * width + best]!) best = k;
      if (targets[r * width + k]! > targets[r * width + want]!) want = k;
    }
    if (best === want) right++;
  }
  return right / rows;
}
