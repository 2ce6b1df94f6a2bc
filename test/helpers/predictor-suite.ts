// The float32 predictor's parity suite, run against the SIMD build and the plain build (test/predictor-parity*.test.ts):
// every output of the wasm predictor, bit for bit, against the js predictor and against a plain-loop reference
// written here from the definition (each output's float32 products summed from input 0 up, then the bias; the
// activation by the network's float64 formula, rounded to float32).
import { describe, expect, it } from 'vitest';
import { DenseNetwork, type Activation } from '../../src/index.js';
import { wasmSimd } from '../../src/backend/index.js';
import { activation as activationFormula } from '../../src/math/activations.js';
import { exp } from '../../src/math/exp.js';
import { ACTIVATION_SPECS, ELU_ALPHA, LEAKY_RELU_ALPHA } from '../../src/spec/activations.js';
import { expectSameBits } from './bits.js';
import { randomArray, rng } from './data.js';

const fround = Math.fround;

/** The float32 predictor's outputs for `count` rows, computed from the network's float64 parameters with plain loops. */
export function referencePredict32(net: DenseNetwork, inputs: ArrayLike<number>, count: number): Float32Array {
  const sizes = net.sizes;
  const params = net.getParameters();
  const out = new Float32Array(count * net.outputSize);
  for (let b = 0; b < count; b++) {
    let x = Array.from({ length: sizes[0]! }, (_, k) => fround(inputs[b * sizes[0]! + k]!));
    let at = 0;
    for (let l = 1; l < sizes.length; l++) {
      const nIn = sizes[l - 1]!, nOut = sizes[l]!;
      const kind = net.layers[l]!.activation;
      const z = new Array<number>(nOut);
      for (let o = 0; o < nOut; o++) {
        let s = 0;
        for (let k = 0; k < nIn; k++) s = fround(s + fround(x[k]! * fround(params[at + o * nIn + k]!)));
        z[o] = fround(s + fround(params[at + nIn * nOut + o]!));
      }
      at += nIn * nOut + nOut;
      if (kind === 'softmax') {
        const max = Math.max(...z);
        const e = z.map((v) => exp(v - max));
        let sum = 0;
        for (const v of e) sum += v;
        x = e.map((v) => fround(v / sum));
      } else {
        const code = ACTIVATION_SPECS.find((spec) => spec.name === kind)!.code;
        x = z.map((v) => fround(activationFormula(v, code, LEAKY_RELU_ALPHA, ELU_ALPHA)));
      }
    }
    out.set(x, b * net.outputSize);
  }
  return out;
}

/** Networks whose shapes cover every code path: panels of 8 and 4, row blocks of 4 and single rows, every activation. */
const SHAPES: { sizes: number[]; hidden: Activation; output: Activation; loss?: 'mse' | 'crossEntropy' | 'binaryCrossEntropy' }[] = [
  { sizes: [784, 128, 10], hidden: 'relu', output: 'softmax', loss: 'crossEntropy' },
  { sizes: [16, 32, 32, 4], hidden: 'sigmoid', output: 'sigmoid', loss: 'binaryCrossEntropy' },
  { sizes: [5, 7, 3], hidden: 'tanh', output: 'identity' },
  { sizes: [3, 13, 9, 2], hidden: 'leakyRelu', output: 'softmax', loss: 'crossEntropy' },
  { sizes: [9, 20, 1], hidden: 'elu', output: 'identity' },
  { sizes: [1, 24, 17, 5], hidden: 'softplus', output: 'tanh' },
  { sizes: [2, 16, 12], hidden: 'identity', output: 'relu' },
];

/** The suite, named after the wasm build it runs on. */
export function predictorParityTests(build: 'simd' | 'plain'): void {
  describe(`float32 predictor: wasm (${build} build) = js = the plain-loop reference, bit for bit`, () => {
    it(`runs the ${build} build`, () => {
      expect(wasmSimd()).toBe(build === 'simd');
    });

    for (const shape of SHAPES) {
      it(`${shape.sizes.join('-')} ${shape.hidden}/${shape.output}`, () => {
        const options = { layers: shape.sizes, activation: shape.hidden, outputActivation: shape.output, loss: shape.loss ?? 'mse', seed: 5 } as const;
        const wasm = new DenseNetwork({ ...options, backend: 'wasm' });
        // Larger weights than initialization gives, so that activations reach their tails (and softplus's log1p branch).
        const random = rng(11);
        const params = randomArray(random, wasm.getParameters().length, shape.sizes[0]! > 100 ? 0.2 : 1.5);
        wasm.setParameters(params);
        const js = new DenseNetwork({ ...options, backend: 'js' });
        js.setParameters(params);
        const p = wasm.toPredictor(), q = js.toPredictor();
        expect(p.backend).toBe('wasm');
        expect(q.backend).toBe('js');
        for (const count of [1, 2, 3, 4, 5, 8, 11]) {
          const inputs = randomArray(random, count * shape.sizes[0]!, 3);
          const expected = referencePredict32(wasm, inputs, count);
          const fromWasm = p.predictBatch(inputs, count);
          expectSameBits(fromWasm, expected, `wasm batch of ${count}`);
          expectSameBits(q.predictBatch(inputs, count), expected, `js batch of ${count}`);
          for (let b = 0; b < count; b++) {
            const row = inputs.subarray(b * shape.sizes[0]!, (b + 1) * shape.sizes[0]!);
            const one = expected.subarray(b * wasm.outputSize, (b + 1) * wasm.outputSize);
            expectSameBits(p.predict(Array.from(row)), one, `wasm predict of row ${b}`);
            expectSameBits(q.predict(row), one, `js predict of row ${b}`);
          }
        }
        p.dispose(); q.dispose(); wasm.dispose(); js.dispose();
      });
    }
  });
}
