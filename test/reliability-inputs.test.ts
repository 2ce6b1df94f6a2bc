// Hostile inputs: arrays that grow or change while they are read, sparse arrays, shadowed lengths, huge names,
// held results after garbage collection, targets outside a loss's domain and batches larger than memory.
// Each entry point reads a caller's array once, into a copy, and validates the copy.
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import {
  type BackendName, DenseNetwork, type DenseNetworkOptions, InvalidArgumentError, Layer, LayerConfiguration, Network, NeuriteError,
  Neuron, OutOfRangeError, ShapeError, StateError, denormalize, normalize, trainLayer, trainNetwork, trainNeuron,
} from '../src/index.js';
import { rng } from './helpers/data.js';
import { expectError, thrownBy } from './helpers/errors.js';
import { expectSameBits } from './helpers/bits.js';
import { wasmModule } from '../src/backend/wasm.js';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

const backends: BackendName[] = ['js', 'wasm'];
// A message quotes at most ~80 characters of the caller's text, plus the words around it.
const MESSAGE_LIMIT = 400;

const randomArray = (random: () => number, n: number) => Float64Array.from({ length: n }, () => 2 * random() - 1);

/** `values` as an Array whose last element's getter appends 4,000 more `filler`s: the array is longer after one read. */
function growing<T = number>(values: ArrayLike<T>, filler: T = 0.25 as T): T[] {
  const array = Array.from(values);
  const last = array.length - 1;
  const value = array[last]!;
  Object.defineProperty(array, last, {
    get() {
      for (let i = 0; i < 4000; i++) array.push(filler);
      return value;
    },
    enumerable: true,
    configurable: true,
  });
  return array;
}

/** `values` as an Array whose first element reads as itself once, then NaN. */
function flaky(values: ArrayLike<number>): number[] {
  const array = Array.from(values);
  const value = array[0]!;
  let reads = 0;
  Object.defineProperty(array, 0, { get: () => (reads++ === 0 ? value : NaN), enumerable: true, configurable: true });
  return array;
}

/** A Float64Array of `actual` numbers whose own `length` property claims `claimed`. */
function lying(actual: number, claimed: number): Float64Array {
  const array = new Float64Array(actual).fill(0.5);
  Object.defineProperty(array, 'length', { value: claimed });
  return array;
}

/** Other networks around the one under attack: their parameters must not change, and new ones must still be creatable. */
function neighbours(backend: BackendName) {
  const nets = Array.from({ length: 6 }, (_, i) => new DenseNetwork({ layers: [3, 4, 2], seed: 100 + i, backend }));
  const before = nets.map((n) => n.getParameters());
  return {
    check(what: string) {
      nets.forEach((n, i) => expectSameBits(n.getParameters(), before[i]!, `${what}: neighbour ${i}`));
      const fresh = new DenseNetwork({ layers: [3, 4, 2], seed: 100, backend });
      expectSameBits(fresh.getParameters(), before[0]!, `${what}: a network created afterwards`);
      fresh.dispose();
    },
  };
}

describe.each(backends)('arrays that change while they are read, on the %s backend', (backend) => {
  const options: DenseNetworkOptions = { layers: [3, 4, 2], activation: 'tanh', optimizer: 'adam', seed: 1, backend };
  const random = rng(1);
  const x = randomArray(random, 3);
  const xs = randomArray(random, 3 * 5);
  const ys = randomArray(random, 2 * 5);

  it('setParameters stores what it read once, and nothing past the parameters', () => {
    const around = neighbours(backend);
    const net = new DenseNetwork(options);
    const twin = new DenseNetwork(options);
    const values = randomArray(random, net.getParameters().length);
    net.setParameters(growing(values));
    twin.setParameters(values);
    expectSameBits(net.getParameters(), values, 'parameters');
    // Gradients and Adam moments untouched: the next steps match a twin's.
    for (let s = 0; s < 3; s++) expect(net.trainStep(xs, ys, 5)).toBe(twin.trainStep(xs, ys, 5));
    expectSameBits(net.getParameters(), twin.getParameters(), 'parameters after training');
    around.check('setParameters');
  });

  it('setParameters never stores a number that read as finite once and NaN later', () => {
    const net = new DenseNetwork(options);
    const values = randomArray(random, net.getParameters().length);
    net.setParameters(flaky(values));
    expectSameBits(net.getParameters(), values, 'parameters');
  });

  it('predict, predictInto, predictBatch and predictBatchInto use the numbers as first read', () => {
    const around = neighbours(backend);
    const net = new DenseNetwork(options);
    const expected = net.predictBatch(xs, 5);
    expectSameBits(net.predict(growing(x)), net.predict(x), 'predict');
    expectSameBits(net.predict(flaky(x)), net.predict(x), 'predict (flaky)');
    expectSameBits(net.predictInto(new Float64Array(2), growing(x)), net.predict(x), 'predictInto');
    expectSameBits(net.predictBatch(growing(xs), 5), expected, 'predictBatch');
    expectSameBits(net.predictBatch(flaky(xs), 5), expected, 'predictBatch (flaky)');
    expectSameBits(net.predictBatchInto(new Float64Array(10), growing(xs), 5), expected, 'predictBatchInto');
    around.check('predict');
  });

  it('trainStep trains on the numbers as first read, with and without a count', () => {
    const around = neighbours(backend);
    const net = new DenseNetwork(options);
    const twin = new DenseNetwork(options);
    expect(net.trainStep(growing(xs), growing(ys), 5)).toBe(twin.trainStep(xs, ys, 5));
    expect(net.trainStep(growing(xs), growing(ys))).toBe(twin.trainStep(xs, ys));
    expect(net.trainStep(flaky(xs), flaky(ys))).toBe(twin.trainStep(xs, ys));
    expectSameBits(net.getParameters(), twin.getParameters(), 'parameters');
    around.check('trainStep');
  });

  it('evaluate and fit copy their data once', () => {
    const around = neighbours(backend);
    const net = new DenseNetwork(options);
    const twin = new DenseNetwork(options);
    const pairs = Array.from({ length: 5 }, (_, r) => ({ input: xs.slice(r * 3, r * 3 + 3), output: ys.slice(r * 2, r * 2 + 2) }));
    // Each call gets hostile arrays of its own: a growing array is longer once read.
    const hostilePairs = (): { input: ArrayLike<number>; output: ArrayLike<number> }[] => pairs.map((p) => ({ input: growing(p.input), output: flaky(p.output) }));
    expect(net.evaluate({ inputs: growing(xs), targets: flaky(ys) })).toEqual(twin.evaluate({ inputs: xs, targets: ys }));
    expect(net.evaluate(hostilePairs())).toEqual(twin.evaluate(pairs));
    const fitOptions = { epochs: 2, batchSize: 2 };
    expect(net.fit({ inputs: growing(xs), targets: growing(ys) }, fitOptions)).toEqual(twin.fit({ inputs: xs, targets: ys }, fitOptions));
    expect(net.fit(growing(hostilePairs(), pairs[0]!), { ...fitOptions, validationData: growing(hostilePairs(), pairs[1]!) }))
      .toEqual(twin.fit(pairs, { ...fitOptions, validationData: pairs }));
    expectSameBits(net.getParameters(), twin.getParameters(), 'parameters');
    around.check('evaluate and fit');
  });

  it('a Float64Array whose own length property lies is refused with ShapeError, nothing written', () => {
    const around = neighbours(backend);
    const net = new DenseNetwork(options);
    const before = net.getParameters();
    expectError(() => net.predictBatch(lying(6000, 15), 5), ShapeError, 'inputs');
    expectError(() => net.predictBatchInto(new Float64Array(10), lying(6000, 15), 5), ShapeError, 'inputs');
    expectError(() => net.trainStep(lying(6000, 15), ys, 5), ShapeError, 'inputs');
    expectError(() => net.trainStep(xs, lying(6000, 10), 5), ShapeError, 'targets');
    expectError(() => net.setParameters(lying(6000, before.length)), ShapeError, 'values');
    expectError(() => net.predictInto(lying(6000, 2), x), ShapeError, 'out');
    expectSameBits(net.getParameters(), before, 'parameters');
    around.check('lying length');
  });

  it('length-changing inputs never throw a plain RangeError', () => {
    const net = new DenseNetwork(options);
    const shrinking = () => {
      const array = Array.from(xs);
      Object.defineProperty(array, 0, { get: () => { array.length = 2; return 0.5; }, configurable: true });
      return array;
    };
    const proxy = new Proxy(Array.from(xs), { get: (target, key) => (key === 'length' ? 15 + 4000 * (Math.random() < 0.5 ? 1 : 0) : Reflect.get(target, key)) });
    const acts = [
      () => net.predictBatch(growing(xs), 5), () => net.trainStep(growing(xs), ys, 5), () => net.trainStep(xs, growing(ys), 5),
      () => net.setParameters(growing(net.getParameters())),
      () => net.predictBatch(shrinking(), 5), () => net.trainStep(shrinking(), ys, 5),
      () => net.predictBatch(proxy, 5), () => net.trainStep(proxy, ys), () => net.setParameters(proxy),
    ];
    for (const act of acts) {
      try {
        act();
      } catch (error) {
        expect(error).toBeInstanceOf(NeuriteError);
      }
    }
  });

  it('a getter on an input that uses or disposes the network gets StateError; a network it creates is untouched', () => {
    const around = neighbours(backend);
    const net = new DenseNetwork(options);
    const twin = new DenseNetwork(options);
    const withGetter = (get: () => void, values: ArrayLike<number> = x) => {
      const array = Array.from(values);
      Object.defineProperty(array, 1, { get: () => { get(); return values[1]; }, enumerable: true });
      return array;
    };
    expectError(() => net.predict(withGetter(() => net.predict(x))), StateError, undefined, /reading an input/);
    expectError(() => net.predictInto(new Float64Array(2), withGetter(() => net.trainStep(xs, ys, 5))), StateError, undefined);
    expectSameBits(net.predict(x), twin.predict(x), 'the network after refused calls');
    expectSameBits(net.getParameters(), twin.getParameters(), 'parameters after refused calls');
    // Array inputs of the batch methods are copied before the network is used: a getter may use it.
    expectSameBits(net.predictBatch(withGetter(() => net.predict(x), xs), 5), twin.predictBatch(xs, 5), 'predictBatch');
    let successor: DenseNetwork | undefined;
    const disposing = withGetter(() => {
      net.dispose();
      // Same shape: the freed block would be the natural place for it.
      successor = new DenseNetwork({ ...options, seed: 9 });
    });
    expectError(() => net.predict(disposing), StateError, undefined, /disposed/);
    const successorTwin = new DenseNetwork({ ...options, seed: 9 });
    expectSameBits(successor!.getParameters(), successorTwin.getParameters(), 'a network created in the getter');
    expectSameBits(successor!.predict(x), successorTwin.predict(x), 'its predictions');
    const other = new DenseNetwork(options);
    expectError(() => other.trainStep(withGetter(() => other.dispose(), xs), ys, 5), StateError, undefined, /disposed/);
    around.check('getters');
  });

  if (backend === 'wasm') {
    it('an input whose getter grows WebAssembly memory gets StateError (unshared memory) or its prediction (shared), and the network keeps working', () => {
      const net = new DenseNetwork(options);
      const twin = new DenseNetwork(options);
      const big: DenseNetwork[] = [];
      const array = Array.from(x);
      // 2000 × 2000 weights, gradients and moments: 128 MB, more than the memory holds free.
      Object.defineProperty(array, 1, { get: () => { big.push(new DenseNetwork({ layers: [2000, 2000], backend: 'wasm' })); return x[1]; } });
      // A shared memory's staging row stays valid when the memory grows, so the prediction stands.
      if (wasmModule()!.shared) expectSameBits(net.predict(array), twin.predict(x), 'predict through the getter');
      else expectError(() => net.predict(array), StateError, undefined, /grew/);
      expect(big.length, 'the getter allocated').toBe(1);
      expectSameBits(net.predict(x), twin.predict(x), 'predict afterwards');
      big.forEach((n) => n.dispose());
    });
  }

  it('seed Network, Layer and Neuron, normalize and the train functions use the numbers as first read', () => {
    const around = neighbours(backend);
    const configuration = new LayerConfiguration(0.5, 0.1, 3).plus(new LayerConfiguration(0.4, 0.2, 2).times(2));
    const net = new Network(configuration, 0.01, { backend });
    const twin = new Network(configuration, 0.01, { backend });
    const input = [0.2, 0.4, 0.6];
    const expected = [0.3, 0.7];
    expectSameBits(net.process(growing(input)), twin.process(input), 'Network.process');
    net.update(growing(expected));
    twin.update(expected);
    expectSameBits(net.process(flaky(input)), twin.process(input), 'Network.process after update');
    net.update(flaky(expected));
    twin.update(expected);
    trainNetwork(net, [{ input: growing(input), expected: flaky(expected) }], 2);
    trainNetwork(twin, [{ input, expected }], 2);
    expect(net.toJSON()).toEqual(twin.toJSON());

    const layer = new Layer(0.5, 0.1, 2, { backend });
    const layerTwin = new Layer(0.5, 0.1, 2, { backend });
    expectSameBits(layer.process(growing(input)), layerTwin.process(input), 'Layer.process');
    expectSameBits(layer.update(growing(expected), 0.1), layerTwin.update(expected, 0.1), 'Layer.update');
    trainLayer(layer, [{ input: flaky(input), expected: growing(expected) }], 0.1, 2);
    trainLayer(layerTwin, [{ input, expected }], 0.1, 2);
    expectSameBits(layer.results, layerTwin.results, 'trained layer');

    const neuron = new Neuron(0.5, 0.1, { backend });
    const neuronTwin = new Neuron(0.5, 0.1, { backend });
    expect(neuron.process(growing(input))).toBe(neuronTwin.process(input));
    trainNeuron(neuron, [{ input: flaky(input), expected: 0.5 }], 0.1, 2);
    trainNeuron(neuronTwin, [{ input, expected: 0.5 }], 0.1, 2);
    expect(neuron.toString()).toBe(neuronTwin.toString());

    expect(normalize(flaky([1, 2, 3]))).toEqual([0, 0.5, 1]);
    expect(normalize(growing([1, 2, 3]))).toEqual([0, 0.5, 1]);
    expect(denormalize(growing([0, 0.5, 1]), 1, 3)).toEqual([1, 2, 3]);
    around.check('seed');
  });

  it('seed constructors read their configuration once', () => {
    const specs = [{ weight: 0.5, bias: 0.1, size: 2 }, { weight: 0.4, bias: 0.2, size: 1 }];
    const hostile = Array.from(specs);
    Object.defineProperty(hostile, 1, {
      get() {
        for (let i = 0; i < 4000; i++) hostile.push({ weight: 1, bias: 1, size: 1 });
        return specs[1];
      },
      enumerable: true,
      configurable: true,
    });
    const net = new Network(hostile, 0.1, { backend });
    expect(net.layers.length).toBe(2);
    expect(net.toJSON()).toEqual(new Network(specs, 0.1, { backend }).toJSON());
  });
});

describe.each(backends)('sparse arrays on the %s backend', (backend) => {
  const row = { input: [0.1, 0.2], output: [1] };
  const make = () => new DenseNetwork({ layers: [2, 3, 1], outputActivation: 'sigmoid', seed: 1, backend });

  it('fit, evaluate and validationData refuse holes, naming the argument and the row', () => {
    const net = make();
    const before = net.getParameters();
    expectError(() => net.fit([, row] as never), InvalidArgumentError, 'data[0]', /empty/);
    expectError(() => net.evaluate(new Array(3)), InvalidArgumentError, 'data[0]', /empty/);
    expectError(() => net.fit([row, row], { validationData: [row, , row] as never }), InvalidArgumentError, 'options.validationData[1]', /empty/);
    expectError(() => net.evaluate({ inputs: [0.1, , 0.3, 0.4] as never, targets: [1, 0] }), InvalidArgumentError, 'data.inputs', /row 0, column 1/);
    expectError(() => net.evaluate([{ input: [0.1, ,] as never, output: [1] }]), InvalidArgumentError, 'data[0].input');
    expectError(() => net.setParameters(new Array(before.length)), InvalidArgumentError, 'values');
    expectError(() => net.predictBatch(new Array(4), 2), InvalidArgumentError, 'inputs');
    expectSameBits(net.getParameters(), before, 'parameters');
  });

  it('the seed train functions and constructors refuse holes with a typed error naming the sample or layer', () => {
    const net = new Network([{ weight: 0.5, bias: 0.1, size: 2 }, { weight: 0.5, bias: 0.1, size: 1 }], 0.1, { backend });
    const sample = { input: [0.1, 0.2], expected: [0.5] };
    expectError(() => trainNetwork(net, [, sample] as never, 1), InvalidArgumentError, 'samples[0]', /empty/);
    expectError(() => trainLayer(new Layer(0.5, 0.1, 1, { backend }), [sample, ,] as never, 0.1, 1), InvalidArgumentError, 'samples[1]', /empty/);
    expectError(() => trainNeuron(new Neuron(0.5, 0.1, { backend }), new Array(2), 0.1, 1), InvalidArgumentError, 'samples[0]', /empty/);
    expectError(() => new Network([, { weight: 0.5, bias: 0.1, size: 2 }] as never, 0.1, { backend }), InvalidArgumentError, 'configuration[0]', /empty/);
  });
});

describe('error text is bounded', () => {
  const huge = 'k'.repeat(5_000_000);
  const bounded = (error: NeuriteError) => {
    expect(error.message.length).toBeLessThan(MESSAGE_LIMIT);
    expect((error.argument ?? '').length).toBeLessThan(120);
  };

  it.each(backends)('%s: keys, strings, bigints and typed-array class names are cut in messages', (backend) => {
    const net = new DenseNetwork({ layers: [2, 1], seed: 1, backend });
    const Named = { [huge]: class extends Float64Array {} }[huge]!;
    const acts: (() => unknown)[] = [
      () => new DenseNetwork({ layers: [2, 1], backend, [huge]: 1 } as never),
      () => new DenseNetwork({ layers: [2, { size: 1, [huge]: 1 }], backend } as never),
      () => new DenseNetwork({ layers: [2, 1], backend, optimizer: { type: 'adam', [huge]: 1 } } as never),
      () => new DenseNetwork({ layers: [2, 1], backend: huge as never }),
      () => new DenseNetwork({ layers: [2, 1], activation: huge as never, backend }),
      () => net.fit([{ input: [1, 2], output: [1] }], { [huge]: 1 } as never),
      () => net.fit([{ input: [1, 2], output: [1] }], { earlyStopping: { [huge]: 1 } } as never),
      () => new Neuron(0.5, 0.1, { [huge]: 1 } as never),
      () => net.predict(new Named(3)),
      () => net.predict([huge as never, 1]),
      () => net.predict([10n ** 1_000_000n as never, 1]),
      () => net.setParameters([huge as never]),
    ];
    for (const act of acts) {
      const caught = thrownBy(act);
      expect(caught).toBeInstanceOf(NeuriteError);
      bounded(caught as NeuriteError);
    }
  });
});

describe.each(backends)('learningRate on a disposed network, on the %s backend', (backend) => {
  it('throws StateError and keeps the old value', () => {
    const net = new DenseNetwork({ layers: [2, 1], optimizer: { type: 'sgd', learningRate: 0.1 }, backend });
    net.dispose();
    expectError(() => { net.learningRate = 0.5; }, StateError, undefined);
    expect(net.learningRate).toBe(0.1);
    expect(net.optimizer.learningRate).toBe(0.1);
  });
});

describe.each(backends)('targets outside the loss\'s domain, on the %s backend', (backend) => {
  it('crossEntropy refuses negative targets and binaryCrossEntropy targets outside [0, 1], with OutOfRangeError naming them', () => {
    const softmax = new DenseNetwork({ layers: [2, 3], outputActivation: 'softmax', seed: 1, backend });
    const sigmoid = new DenseNetwork({ layers: [2, 1], outputActivation: 'sigmoid', loss: 'binaryCrossEntropy', seed: 1, backend });
    const mse = new DenseNetwork({ layers: [2, 1], outputActivation: 'sigmoid', seed: 1, backend });
    const before = [softmax.getParameters(), sigmoid.getParameters()];
    expectError(() => softmax.evaluate([{ input: [1, 2], output: [1, 0, 0] }, { input: [1, 2], output: [1, -1, 1] }]), OutOfRangeError, 'data[1].output', /crossEntropy/);
    expectError(() => softmax.evaluate({ inputs: [1, 2, 3, 4], targets: [0, 1, 0, 0, -0.5, 1.5] }), OutOfRangeError, 'data.targets', /row 1, column 1/);
    expectError(() => softmax.trainStep([1, 2], [1, -1, 1]), OutOfRangeError, 'targets', /crossEntropy/);
    expectError(() => softmax.trainStep(new Float64Array([1, 2]), new Float64Array([1, -1, 1])), OutOfRangeError, 'targets');
    expectError(() => sigmoid.evaluate([{ input: [1, 2], output: [1.5] }]), OutOfRangeError, 'data[0].output', /binaryCrossEntropy/);
    expectError(() => sigmoid.trainStep([1, 2], [-0.1]), OutOfRangeError, 'targets', /\[0, 1\]/);
    expectError(() => sigmoid.trainStep(new Float64Array([1, 2]), new Float64Array([2])), OutOfRangeError, 'targets');
    expectSameBits(softmax.getParameters(), before[0]!, 'softmax parameters');
    expectSameBits(sigmoid.getParameters(), before[1]!, 'sigmoid parameters');
    // The edges are in, and mse takes any target.
    expect(Number.isFinite(sigmoid.trainStep([1, 2], [1]))).toBe(true);
    expect(Number.isFinite(sigmoid.trainStep([1, 2], [0]))).toBe(true);
    expect(Number.isFinite(mse.trainStep([1, 2], [-7]))).toBe(true);
  });
});

describe('results held after the network is garbage-collected (wasm)', () => {
  const settle = async () => {
    for (let i = 0; i < 4; i++) {
      gc();
      await new Promise((resolve) => setTimeout(resolve, 0));
    }
  };
  const shape = { layers: [8, 16, 4], seed: 1, backend: 'wasm' as const };
  const churn = () => {
    // Same-shaped networks take the freed block and write their own outputs and weights there.
    const random = rng(3);
    for (let i = 0; i < 40; i++) {
      const other = new DenseNetwork({ ...shape, seed: 50 + i });
      other.predictBatch(randomArray(random, 8 * 3), 3);
      other.predict(randomArray(random, 8));
      if (i % 2) other.dispose();
    }
  };

  it('a predict result of a forgotten network keeps its numbers', async () => {
    const json = new DenseNetwork(shape).toJSON();
    const x = randomArray(rng(2), 8);
    const y = (() => DenseNetwork.fromJSON(json, { backend: 'wasm' }).predict(x))();
    const batch = (() => DenseNetwork.fromJSON(json, { backend: 'wasm' }).predictBatch(x, 1))();
    const copy = y.slice();
    await settle();
    churn();
    expectSameBits(y, copy, 'predict result');
    expectSameBits(batch, copy, 'predictBatch result');
  });

  it('a layer\'s live weights view keeps its network alive', async () => {
    const json = new DenseNetwork(shape).toJSON();
    const weights = (() => DenseNetwork.fromJSON(json, { backend: 'wasm' }).layers[1]!.weights)();
    const copy = weights.slice();
    await settle();
    churn();
    expect(weights.length, 'the view is not detached').toBe(copy.length);
    expectSameBits(weights, copy, 'weights view');
  });
});

describe.each(backends)('results a caller may keep, on the %s backend', (backend) => {
  const net = new DenseNetwork({ layers: [2, 3, 2], activation: 'tanh', outputActivation: 'sigmoid', seed: 4, backend });

  /** Plain-loop forward pass from getParameters: [W1 b1 W2 b2], W row-major [out][in]. */
  function reference(input: readonly number[]): number[] {
    const p = net.getParameters();
    let a = input.slice();
    let at = 0;
    for (let l = 1; l < net.sizes.length; l++) {
      const [nIn, nOut] = [net.sizes[l - 1]!, net.sizes[l]!];
      const z = Array.from({ length: nOut }, (_, o) => {
        let s = p[at + nIn * nOut + o]!;
        for (let i = 0; i < nIn; i++) s += p[at + o * nIn + i]! * a[i]!;
        return s;
      });
      at += nIn * nOut + nOut;
      a = z.map((v) => (l === net.sizes.length - 1 ? 1 / (1 + Math.exp(-v)) : Math.tanh(v)));
    }
    return a;
  }

  it('xs.map(predict) gives a separate, correct array per input', () => {
    const xs = [[0, 0], [0, 1], [1, 0], [1, 1]];
    const ys = xs.map((x) => net.predict(x));
    ys.forEach((y, i) => {
      expect(y).toBeInstanceOf(Float64Array);
      reference(xs[i]!).forEach((v, k) => expect(y[k]).toBeCloseTo(v, 12));
    });
    expect(new Set(ys.map((y) => y.buffer)).size).toBe(4);
  });

  it('predictBatch returns a fresh array that later calls leave alone', () => {
    const first = net.predictBatch([0, 0, 1, 1], 2);
    reference([0, 0]).concat(reference([1, 1])).forEach((v, k) => expect(first[k]).toBeCloseTo(v, 12));
    const kept = first.slice();
    const second = net.predictBatch([1, 0, 0, 1], 2);
    expect(second).not.toBe(first);
    expectSameBits(first, kept, 'first batch');
    net.predict([0.3, 0.3]);
    net.trainStep([0, 1], [1, 0]);
    expectSameBits(first, kept, 'first batch after predict and trainStep');
  });

  it('predictBatchInto refuses an out that is a view of WebAssembly memory when the batch must grow it', () => {
    const holder = new DenseNetwork({ layers: [1, 400], seed: 1, backend });
    const wide = new DenseNetwork({ layers: [2, 3, 2], activation: 'tanh', seed: 4, backend });
    const out = holder.layers[1]!.weights;
    const inputs = new Float64Array(400);
    if (backend === 'wasm') expectError(() => wide.predictBatchInto(out, inputs, 200), InvalidArgumentError, 'out', /WebAssembly memory/);
    else expectSameBits(wide.predictBatchInto(out, inputs, 200), wide.predictBatch(inputs, 200), 'into a view of another arena');
  });

  it('predictInto and predictBatchInto write into out and return it; a bad out is refused, nothing changed', () => {
    const out = new Float64Array(2);
    expect(net.predictInto(out, [0.5, -0.5])).toBe(out);
    expectSameBits(out, net.predict([0.5, -0.5]), 'predictInto');
    const batchOut = new Float64Array(6);
    expect(net.predictBatchInto(batchOut, [0, 0, 0, 1, 1, 1], 3)).toBe(batchOut);
    expectSameBits(batchOut, net.predictBatch([0, 0, 0, 1, 1, 1], 3), 'predictBatchInto');
    const before = net.getParameters();
    expectError(() => net.predictInto(new Float64Array(3), [0, 0]), ShapeError, 'out', /2 numbers/);
    expectError(() => net.predictInto(new Float32Array(2) as never, [0, 0]), InvalidArgumentError, 'out', /Float64Array/);
    expectError(() => net.predictInto([0, 0] as never, [0, 0]), InvalidArgumentError, 'out');
    expectError(() => net.predictInto(undefined as never, [0, 0]), InvalidArgumentError, 'out');
    expectError(() => net.predictBatchInto(new Float64Array(5), [0, 0, 0, 1, 1, 1], 3), ShapeError, 'out', /6 numbers/);
    expectError(() => net.predictBatchInto(new Float64Array(6), [0, 0, 0, 1, 1], 3), ShapeError, 'inputs');
    expectSameBits(net.getParameters(), before, 'parameters');
  });

  it('the seed API returns fresh arrays too', () => {
    const seed = new Network([{ weight: 0.5, bias: 0.1, size: 2 }, { weight: 0.4, bias: 0.2, size: 2 }], 0.1, { backend });
    const a = seed.process([0.1, 0.2]);
    const kept = a.slice();
    const b = seed.process([0.9, 0.8]);
    expect(b).not.toBe(a);
    expectSameBits(a, kept, 'Network.process');
    const layer = seed.layers[1]!;
    const results = layer.results;
    seed.update([0.5, 0.5]);
    seed.process([0.3, 0.3]);
    expect(layer.results).not.toBe(results);
    expectSameBits(results, b, 'Layer.results');
  });
});

describe.each(backends)('batches larger than one kernel call, on the %s backend', (backend) => {
  it('predictBatch of a count whose arena would pass 2 GiB runs in chunks and matches predict row by row', () => {
    // 600,000 rows × 4 KB of per-row buffers is 2.4 GB: more than an arena may hold.
    const net = new DenseNetwork({ layers: [1, 256, 1], activation: 'relu', seed: 5, backend });
    const rows = 600_000;
    const inputs = Float64Array.from({ length: rows }, (_, i) => Math.sin(i));
    const outputs = net.predictBatch(inputs, rows);
    expect(outputs.length).toBe(rows);
    for (const r of [0, 1, 8191, 8192, 12345, 299_999, 300_000, rows - 1]) {
      expect(Object.is(outputs[r], net.predict([inputs[r]!])[0]), `row ${r}`).toBe(true);
    }
    // 20,000 rows are several kernel calls too (a call holds about 8,000 rows of this network).
    expectSameBits(net.predictBatchInto(new Float64Array(20_000), inputs.subarray(0, 20_000), 20_000), outputs.subarray(0, 20_000), 'predictBatchInto');
    // A plain array of rows, too.
    const plain = Array.from(inputs.subarray(0, 3000));
    expectSameBits(net.predictBatch(plain, 3000), outputs.subarray(0, 3000), 'from a plain array');
  }, 60_000);
});
