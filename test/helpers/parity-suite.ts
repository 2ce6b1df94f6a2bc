// The parity suite, run once per wasm build (test/dense-parity*.test.ts): the js and wasm backends give
// the same bits, every weight after 100 training steps, every prediction.
import { describe, expect, it } from 'vitest';
import { type Activation, DenseNetwork, type DenseNetworkOptions, wasmSimd } from '../../src/index.js';
import { exp as jsExp } from '../../src/math/exp.js';
import { wasmModule } from '../../src/backend/wasm.js';
import { randomArray, rng } from './data.js';

// Odd and even widths exercise the SIMD tails; each optimizer and option runs at least once.
const CONFIGS: DenseNetworkOptions[] = [
  { layers: [7, 13, 5], activation: 'tanh', outputActivation: 'softmax', optimizer: 'adam' },
  { layers: [16, 32, 32, 4], activation: 'relu', outputActivation: 'identity', optimizer: { type: 'sgd', learningRate: 0.05 } },
  { layers: [3, 9, 1], activation: 'sigmoid', loss: 'binaryCrossEntropy', optimizer: { type: 'momentum', nesterov: true, weightDecay: 1e-3 } },
  { layers: [10, 11, 6, 3], activation: 'elu', outputActivation: 'softmax', loss: 'mse', optimizer: { type: 'adam', clipNorm: 0.5, weightDecay: 1e-4 } },
  { layers: [5, 8, 2], activation: 'leakyRelu', outputActivation: 'tanh', optimizer: { type: 'momentum', momentum: 0.5 } },
];

function targetsFor(options: DenseNetworkOptions, random: () => number, rows: number, width: number): Float64Array {
  const out = new Float64Array(rows * width);
  const last = options.outputActivation ?? (options.layers.at(-1) as { activation?: Activation }).activation;
  for (let r = 0; r < rows; r++) {
    if (last === 'softmax') out[r * width + Math.floor(random() * width)] = 1;
    else for (let i = 0; i < width; i++) out[r * width + i] = random() < 0.5 ? 0 : 1;
  }
  return out;
}

/** The whole suite, against the wasm build the loader chose, which must be `build`. */
export function parityTests(build: 'SIMD' | 'plain'): void {
  describe(`js/wasm parity, ${build} wasm build`, () => {
    it(`runs on the ${build} wasm build`, () => {
      expect(wasmModule()).not.toBeNull();
      expect(wasmSimd()).toBe(build === 'SIMD');
    });

    CONFIGS.forEach((options, c) => {
      it(`config ${c} (${options.layers.join('-')}): 100 minibatch steps leave bit-identical weights and predictions`, () => {
        const nets = (['js', 'wasm'] as const).map((backend) => new DenseNetwork({ ...options, seed: 100 + c, backend }));
        const nIn = nets[0]!.inputSize;
        const nOut = nets[0]!.outputSize;
        const random = rng(c);
        for (let step = 0; step < 100; step++) {
          const rows = 1 + Math.floor(random() * 9);
          const inputs = randomArray(random, rows * nIn, 2);
          const targets = targetsFor(options, random, rows, nOut);
          const losses = nets.map((n) => n.trainStep(inputs, targets, rows));
          expect(Math.abs(losses[0]! - losses[1]!)).toBeLessThanOrEqual(1e-12 * Math.abs(losses[0]!));
        }
        const [a, b] = nets.map((n) => n.getParameters());
        expect(a).toEqual(b);
        for (let k = 0; k < a!.length; k++) if (!Object.is(a![k], b![k])) throw new Error(`parameter ${k}: ${a![k]} vs ${b![k]}`);
        const probe = randomArray(random, 20 * nIn, 3);
        expect(Array.from(nets[0]!.predictBatch(probe, 20))).toEqual(Array.from(nets[1]!.predictBatch(probe, 20)));
      });
    });

    it('fit with shuffling and a validation split gives the same history and weights on both backends', () => {
      const random = rng(42);
      const data = { inputs: randomArray(random, 200 * 4), targets: Float64Array.from({ length: 200 }, () => (random() < 0.5 ? 0 : 1)) };
      const runs = (['js', 'wasm'] as const).map((backend) => {
        const net = new DenseNetwork({ layers: [4, 6, 1], outputActivation: 'sigmoid', loss: 'binaryCrossEntropy', seed: 5, backend });
        return { history: net.fit(data, { epochs: 5, batchSize: 16, validationSplit: 0.25 }), parameters: net.getParameters() };
      });
      expect(runs[0]!.parameters).toEqual(runs[1]!.parameters);
      const strip = (h: typeof runs[0]['history']) => h.epochs.map((e) => [e.epoch, e.accuracy, e.valAccuracy]);
      expect(strip(runs[0]!.history)).toEqual(strip(runs[1]!.history));
      runs[0]!.history.epochs.forEach((e, i) => expect(e.loss).toBeCloseTo(runs[1]!.history.epochs[i]!.loss, 12));
    });

    it('fit one row at a time under SGD (each row\'s gradient and step fused, all epochs in one kernel call) gives the same history and weights', () => {
      const xor = { inputs: Float64Array.of(0, 0, 0, 1, 1, 0, 1, 1), targets: Float64Array.of(0, 1, 1, 0) };
      for (const weightDecay of [0, 1e-3]) {
        const runs = (['js', 'wasm'] as const).map((backend) => {
          const net = new DenseNetwork({ layers: [2, 3, 1], activation: 'sigmoid', loss: 'mse', optimizer: { type: 'sgd', learningRate: 0.5, weightDecay }, seed: 7, backend });
          return { history: net.fit(xor, { epochs: 300, batchSize: 1, shuffle: false }), parameters: net.getParameters(), norm: net.lastGradientNorm };
        });
        expect(runs[0]!.parameters, `weightDecay ${weightDecay}`).toEqual(runs[1]!.parameters);
        expect(runs[0]!.norm).toBe(runs[1]!.norm);
        expect(runs[0]!.history.epochs.map((e) => [e.loss, e.accuracy])).toEqual(runs[1]!.history.epochs.map((e) => [e.loss, e.accuracy]));
      }
    });
  });

  describe('exp, the one transcendental in the kernels', () => {
    it('is the same function in js and wasm, bit for bit, and within 3 ulp of Math.exp', () => {
      const wasmExp = (wasmModule()!.exports as unknown as { exp(x: number): number }).exp;
      const random = rng(9);
      const xs = [0, -0, 1, -1, 1e-300, -1e-300, 709.78, 709.79, -745.1, -745.2, -708.4, -720, 88.7, NaN, Infinity, -Infinity];
      for (let i = 0; i < 20000; i++) xs.push((2 * random() - 1) * (i % 2 ? 50 : 740));
      // One unit in the last place; subnormals have a fixed spacing of Number.MIN_VALUE.
      const ulp = (x: number) => Math.max(Math.abs(x) * Number.EPSILON, Number.MIN_VALUE);
      for (const x of xs) {
        const js = jsExp(x);
        expect(Object.is(js, wasmExp(x)), `exp(${x})`).toBe(true);
        const reference = Math.exp(x);
        if (Number.isFinite(reference)) expect(Math.abs(js - reference), `exp(${x})`).toBeLessThanOrEqual(3 * ulp(reference));
        else expect(js).toBe(reference);
      }
    });

    it('keeps a NaN a NaN in the SIMD activations, whatever its payload (written straight into a parameter view)', () => {
      // Payloads with bits in 6..17 set would become a finite number if the table path scaled them.
      for (const activation of ['sigmoid', 'tanh', 'elu'] as const) {
        for (const payload of [0x8000000000000n, 0x8000000000040n, 0x800000003ffc0n, 0xfffffffffffffn]) {
          const outputs = (['js', 'wasm'] as const).map((backend) => {
            const net = new DenseNetwork({ layers: [2, 4, 1], activation, seed: 3, backend });
            const weights = net.layers[1]!.weights;
            new BigUint64Array(weights.buffer, weights.byteOffset, weights.length)[0] = 0x7ff0000000000000n | payload;
            return net.predict([0.5, -0.25])[0]!;
          });
          expect(outputs.map(Number.isNaN), `${activation}, payload ${payload.toString(16)}`).toEqual([true, true]);
        }
      }
    });
  });
}
