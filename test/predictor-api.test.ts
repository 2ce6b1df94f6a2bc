// The float32 predictor's contract: fresh Float32Array results and the Into forms, frozen, a snapshot, inputs read
// once, typed errors naming the argument with nothing written, standardized networks, chunked batches, dispose.
import { describe, expect, it } from 'vitest';
import {
  DenseNetwork, Float32Predictor, InvalidArgumentError, NonFiniteError, OutOfRangeError, ShapeError, StateError, type BackendName,
} from '../src/index.js';
import { expectSameBits } from './helpers/bits.js';
import { expectError } from './helpers/errors.js';
import { referencePredict32 } from './helpers/predictor-suite.js';
import { randomArray, rng } from './helpers/data.js';

const backends: BackendName[] = ['wasm', 'js'];
const BAD_COUNTS: [unknown, new (...args: any[]) => Error][] = [
  [0, OutOfRangeError], [-1, OutOfRangeError], [1.5, OutOfRangeError], [NaN, NonFiniteError], ['2', InvalidArgumentError],
];

describe.each(backends)('Float32Predictor on the %s backend', (backend) => {
  const make = () => new DenseNetwork({ layers: [3, 5, 2], activation: 'tanh', outputActivation: 'sigmoid', seed: 3, backend });

  it('returns a fresh Float32Array per call, and the Into forms write into and return `out`', () => {
    const net = make();
    const p = net.toPredictor();
    expect(p).toBeInstanceOf(Float32Predictor);
    expect([p.inputSize, p.outputSize, p.precision, p.backend]).toEqual([3, 2, 'float32', backend]);
    const x = [0.1, -0.4, 0.9];
    const a = p.predict(x), b = p.predict(x);
    expect(a).toBeInstanceOf(Float32Array);
    expect(a).not.toBe(b);
    expectSameBits(a, referencePredict32(net, x, 1), 'predict');
    a[0] = 7;
    expectSameBits(p.predict(x), b, 'predict after the caller changed an earlier result');
    const out = new Float32Array(2);
    expect(p.predictInto(out, new Float64Array(x))).toBe(out);
    expectSameBits(out, b, 'predictInto');
    const rows = [0.1, -0.4, 0.9, 1, 2, 3];
    const batch = p.predictBatch(rows, 2);
    expectSameBits(batch, referencePredict32(net, rows, 2), 'predictBatch');
    const outs = new Float32Array(4);
    expect(p.predictBatchInto(outs, Float32Array.from(rows), 2)).toBe(outs);
    expectSameBits(outs, batch, 'predictBatchInto');
    p.dispose();
    net.dispose();
  });

  it('is frozen, and a snapshot: training the network or disposing of it does not change it', () => {
    const net = make();
    const p = net.toPredictor();
    expect(Object.isFrozen(p)).toBe(true);
    expect(() => { (p as { inputSize: number }).inputSize = 4; }).toThrow(TypeError);
    const x = [0.3, 0.2, -0.1];
    const before = p.predict(x);
    net.trainStep(x, [1, 0]);
    net.setParameters(new Float64Array(net.getParameters().length));
    net.dispose();
    expectSameBits(p.predict(x), before, 'after training and disposing of the network');
    p.dispose();
  });

  it('refuses bad inputs with a typed error naming the argument, writing nothing', () => {
    const net = make();
    const p = net.toPredictor();
    const out = new Float32Array([5, 6]);
    expectError(() => p.predictInto(out, [1, 2]), ShapeError, 'input');
    expectError(() => p.predictInto(out, 'abc' as never), InvalidArgumentError, 'input');
    expectError(() => p.predictInto(out, [1, NaN, 2]), NonFiniteError, 'input', /input\[1\]/);
    expectError(() => p.predictInto(out, new Float64Array([1, 2, Infinity])), NonFiniteError, 'input', /input\[2\]/);
    // Finite in float64, beyond float32's range.
    expectError(() => p.predictInto(out, [1, 2, 1e39]), NonFiniteError, 'input', /float32's range/);
    expectError(() => p.predictInto(out, new Float64Array([-1e39, 2, 3])), NonFiniteError, 'input', /input\[0\]/);
    expectError(() => p.predictInto(out, [1, '2', 3] as never), InvalidArgumentError, 'input');
    expectError(() => p.predictInto(new Float64Array(2) as never, [1, 2, 3]), InvalidArgumentError, 'out', /Float32Array/);
    expectError(() => p.predictInto(new Float32Array(3), [1, 2, 3]), ShapeError, 'out');
    expectSameBits(out, [5, 6], 'out after refused calls');
    const outs = new Float32Array(4).fill(9);
    expectError(() => p.predictBatchInto(outs, [1, 2, 3, 4, 5], 2), ShapeError, 'inputs');
    expectError(() => p.predictBatchInto(outs, [1, 2, 3, 4, 5, 1e40], 2), NonFiniteError, 'inputs', /inputs\[5\]/);
    expectError(() => p.predictBatchInto(outs, new Float32Array([1, 2, 3, 4, NaN, 6]), 2), NonFiniteError, 'inputs', /inputs\[4\]/);
    expectError(() => p.predictBatchInto(outs, [1, 2, 3, 4, null, 6] as never, 2), InvalidArgumentError, 'inputs', /row 1, column 1/);
    expectError(() => p.predictBatchInto(new Float32Array(3), [1, 2, 3, 4, 5, 6], 2), ShapeError, 'out');
    for (const [bad, kind] of BAD_COUNTS) expectError(() => p.predictBatch([1, 2, 3], bad as never), kind as never, 'count');
    expectSameBits(outs, [9, 9, 9, 9], 'out after refused batches');
    p.dispose();
    net.dispose();
  });

  it('names the first non-finite input of a batch wherever it lies (4-row blocks, their last inputs, the rows after)', () => {
    const net = new DenseNetwork({ layers: [6, 5, 2], activation: 'relu', seed: 3, backend });
    const p = net.toPredictor();
    const count = 9;
    const clean = randomArray(rng(4), count * 6, 1);
    const out = new Float32Array(count * 2).fill(3);
    for (const at of [0, 13, 5 * 6 + 4, 7 * 6 + 5, 8 * 6, 53]) {
      for (const [bad, second] of [[NaN, false], [Infinity, false], [-1e39, false], [NaN, true]] as const) {
        const inputs = clean.slice();
        inputs[at] = bad;
        // A second bad value further on: the first one is named.
        if (second && at < 53) inputs[53] = NaN;
        expectError(() => p.predictBatchInto(out, inputs, count), NonFiniteError, 'inputs', new RegExp(`inputs\\[${at}\\]`));
        expectError(() => p.predictBatchInto(out, Float32Array.from(inputs), count), NonFiniteError, 'inputs', new RegExp(`inputs\\[${at}\\]`));
      }
    }
    expect(out.every((v) => v === 3)).toBe(true);
    expectSameBits(p.predictBatch(clean, count), referencePredict32(net, clean, count), 'after the refused batches');
    p.dispose();
    net.dispose();
  });

  it('refuses bad options, float64, weights beyond float32 and a disposed network', () => {
    const net = make();
    expectError(() => net.toPredictor({ precision: 'float64' } as never), InvalidArgumentError, 'options.precision', /predictInto/);
    expectError(() => net.toPredictor({ precision: 'half' } as never), InvalidArgumentError, 'options.precision');
    expectError(() => net.toPredictor({ threads: 2 } as never), InvalidArgumentError, 'options.threads');
    const params = net.getParameters();
    params[4] = 1e300;
    net.setParameters(params);
    expectError(() => net.toPredictor(), OutOfRangeError, 'options.precision', /parameter 4/);
    net.dispose();
    expectError(() => net.toPredictor(), StateError, undefined);
  });

  it('reads each element of an input once, even through a getter or a Proxy', () => {
    const net = make();
    const p = net.toPredictor();
    const reads = [0, 0, 0];
    const values = [0.5, -1, 2];
    const input = new Proxy(values, { get: (target, key) => { if (typeof key === 'string' && /^\d+$/.test(key)) reads[Number(key)]!++; return Reflect.get(target, key); } });
    const expected = referencePredict32(net, values, 1);
    expectSameBits(p.predict(input), expected, 'predict through a Proxy');
    expect(reads).toEqual([1, 1, 1]);
    expectSameBits(p.predictBatch(input, 1), expected, 'predictBatch through a Proxy');
    expect(reads).toEqual([2, 2, 2]);
    p.dispose();
    net.dispose();
  });

  it('refuses its own use from an input\'s getter, and a dispose() from a getter frees after the read', () => {
    const net = make();
    const p = net.toPredictor();
    const reentrant = [1, 2, 3];
    Object.defineProperty(reentrant, 1, { get: () => p.predict([1, 2, 3])[0] });
    expectError(() => p.predict(reentrant), StateError, undefined, /reading an input/);
    const disposing = [1, 2, 3];
    Object.defineProperty(disposing, 1, { get: () => { p.dispose(); return 2; } });
    expectError(() => p.predict(disposing), StateError, undefined, /disposed/);
    expectError(() => p.predict([1, 2, 3]), StateError, undefined, /disposed/);
    p.dispose();
    net.dispose();
  });

  it('unscales a standardized network\'s outputs and standardizes its inputs, as predict does', () => {
    const random = rng(5);
    const inputs = randomArray(random, 200 * 3, 50).map((v) => v + 1000);
    const targets = Float64Array.from({ length: 200 }, (_, r) => 3 * inputs[3 * r]! - inputs[3 * r + 2]! + 400);
    const net = new DenseNetwork({ layers: [3, 8, 1], activation: 'tanh', seed: 2, backend, standardize: { inputs: true, targets: true } });
    net.fit({ inputs, targets }, { epochs: 30 });
    const p = net.toPredictor();
    const exact = net.predictBatch(inputs, 200);
    const single = p.predictBatch(inputs, 200);
    for (let r = 0; r < 200; r++) {
      // Outputs in the thousands: float32 holds them to about 1e-4, and the scale is several hundred.
      expect(Math.abs(single[r]! - exact[r]!)).toBeLessThanOrEqual(1e-6 * Math.abs(exact[r]!) + 1e-3);
      expect(p.predict(inputs.subarray(3 * r, 3 * r + 3))[0]).toBe(single[r]);
    }
    // The outputs are in the targets' units, not standardized ones.
    expect(Math.abs(single[0]! - targets[0]!)).toBeLessThan(0.2 * Math.abs(targets[0]!));
    p.dispose();
    net.dispose();
  });

  it('runs a batch larger than one kernel call in chunks, and checks every row before writing any', () => {
    // Rows of 3,000 inputs and 8 outputs (two layers padded to 4): 2,788 rows a kernel call.
    const net = new DenseNetwork({ layers: [3000, 4, 3], activation: 'relu', outputActivation: 'identity', seed: 1, backend });
    const p = net.toPredictor();
    const count = 2900;
    const inputs = randomArray(rng(9), count * 3000, 1);
    const rows = Float32Array.from(inputs);
    const all = p.predictBatch(rows, count);
    for (const r of [0, 2787, 2788, 2899]) {
      expectSameBits(all.subarray(3 * r, 3 * r + 3), p.predict(inputs.subarray(3000 * r, 3000 * (r + 1))), `row ${r}`);
    }
    const out = new Float32Array(3 * count).fill(4);
    rows[2850 * 3000 + 17] = NaN;
    expectError(() => p.predictBatchInto(out, rows, count), NonFiniteError, 'inputs', new RegExp(`inputs\\[${2850 * 3000 + 17}\\]`));
    expect(out.every((v) => v === 4)).toBe(true);
    p.dispose();
    net.dispose();
  });

  it('dispose() frees it, is idempotent, and later calls throw StateError', () => {
    const net = make();
    const p = net.toPredictor();
    p.dispose();
    p.dispose();
    expectError(() => p.predict([1, 2, 3]), StateError, undefined);
    expectError(() => p.predictBatch([1, 2, 3], 1), StateError, undefined);
    {
      using q = net.toPredictor();
      expect(q.predict([1, 2, 3]).length).toBe(2);
    }
    net.dispose();
  });
});
