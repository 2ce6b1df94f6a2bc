// Every bad input to the seed API throws a typed NeuriteError naming the argument, and leaves the object bit-identical.
import { describe, expect, it } from 'vitest';
import {
  ConfigurationError, DivergenceError, InvalidArgumentError, InputLayer, Layer, LayerConfiguration, Network, NeuriteError,
  Neuron, NonFiniteError, OutOfRangeError, ShapeError, StateError, ZeroWeightError, denormalize, normalize,
  trainLayer, trainNetwork, trainNeuron, type BackendName,
} from '../src/index.js';
import { refLayer, refLayerProcess, refLayerUpdate, refNetwork, refProcess, refState, refUpdate } from './helpers/seed-reference.js';
import { expectError } from './helpers/errors.js';

const backends: BackendName[] = ['js', 'wasm'];
type ErrorClass = new (...args: any[]) => NeuriteError;

interface NeuronLike { readonly weight: number; readonly bias: number; readonly result: number }

/** Every neuron's (weight, bias, result) of a neuron, layer or network. */
function state(target: Neuron | Layer | Network): number[] {
  const neurons: NeuronLike[] = target instanceof Neuron ? [target]
    : target instanceof Network ? target.layers.flatMap((l) => [...l.neurons]) : [...target.neurons];
  return neurons.flatMap((n) => [n.weight, n.bias, n.result]);
}

/** Asserts two states are equal number for number with Object.is (bit-identical, signed zeros included). */
function expectSame(after: number[], before: number[]): void {
  expect(after.length).toBe(before.length);
  after.forEach((v, i) => expect(Object.is(v, before[i]), `number ${i}: ${v} vs ${before[i]}`).toBe(true));
}

/** `act` must throw as in expectError and leave `target` bit-identical. */
function rejects(target: Neuron | Layer | Network, act: () => unknown, kind: ErrorClass, argument: string | undefined, message?: RegExp): NeuriteError {
  const before = state(target);
  const error = expectError(act, kind, argument, message);
  expectSame(state(target), before);
  return error;
}

// Non-numbers, non-finite numbers and numbers that are not positive integers, with the class each must get.
const BAD_SIZES: [unknown, ErrorClass][] = [
  [0, OutOfRangeError], [-1, OutOfRangeError], [1.5, OutOfRangeError], [2 ** 40, OutOfRangeError],
  [NaN, NonFiniteError], [Infinity, NonFiniteError], ['3', InvalidArgumentError], [undefined, InvalidArgumentError], [null, InvalidArgumentError],
];
const BAD_RATES: [unknown, ErrorClass][] = [
  [0, OutOfRangeError], [-0, OutOfRangeError], [-0.1, OutOfRangeError], [NaN, NonFiniteError], [Infinity, NonFiniteError],
  [-Infinity, NonFiniteError], ['0.1', InvalidArgumentError], [undefined, InvalidArgumentError],
];
const BAD_NUMBERS: [unknown, ErrorClass][] = [[NaN, NonFiniteError], [Infinity, NonFiniteError], [-Infinity, NonFiniteError], ['1', InvalidArgumentError]];

describe.each(backends)('seed bad input on the %s backend', (backend) => {
  const opts = { backend };

  describe('Neuron', () => {
    it('rejects a non-finite or non-numeric weight or bias at construction', () => {
      for (const [bad, kind] of BAD_NUMBERS) {
        expectError(() => new Neuron(bad as number, 0, opts), kind, 'weight');
        expectError(() => new Neuron(0.5, bad as number, opts), kind, 'bias');
      }
    });

    it('rejects empty, non-finite or non-array data in process, unchanged', () => {
      const neuron = new Neuron(0.5, 0.25, opts);
      neuron.process([1, 2]);
      rejects(neuron, () => neuron.process([]), ShapeError, 'data', /at least 1 number/);
      rejects(neuron, () => neuron.process([1, NaN]), NonFiniteError, 'data', /data\[1\]/);
      rejects(neuron, () => neuron.process(new Float64Array([Infinity])), NonFiniteError, 'data');
      rejects(neuron, () => neuron.process([1, -Infinity, 3]), NonFiniteError, 'data');
      rejects(neuron, () => neuron.process('12' as never), InvalidArgumentError, 'data');
      rejects(neuron, () => neuron.process([1, '2'] as never), InvalidArgumentError, 'data');
      rejects(neuron, () => neuron.process(new BigInt64Array([1n, 2n]) as never), InvalidArgumentError, 'data', /bigint/);
      rejects(neuron, () => neuron.process([1, 2n] as never), InvalidArgumentError, 'data');
    });

    it('rejects a bad expected value or learning rate in update, unchanged', () => {
      const neuron = new Neuron(0.5, 0.25, opts);
      neuron.process([1, 2]);
      for (const [bad, kind] of BAD_NUMBERS) rejects(neuron, () => neuron.update(bad as number, 0.1), kind, 'expected');
      for (const [bad, kind] of BAD_RATES) rejects(neuron, () => neuron.update(1, bad as number), kind, 'learningRate');
    });

    it('update before any process throws StateError', () => {
      const neuron = new Neuron(0.5, 0.25, opts);
      rejects(neuron, () => neuron.update(1, 0.1), StateError, undefined, /process\(\)/);
    });

    it('an update that makes the weight exactly 0 throws ZeroWeightError and changes nothing', () => {
      // w = 0.5, b = 0, input [1]: result = 0.5 * 1 / 1 + 0 = 0.5; expected 0, rate 1: w + (0 - 0.5) * 1 = 0 exactly.
      const [w, b, x, e, lr] = [0.5, 0, 1, 0, 1];
      const r = (0 + w * x) / 1 + b;
      expect(w + (e - r) * lr).toBe(0);
      const neuron = new Neuron(w, b, opts);
      expect(neuron.process([x])).toBe(r);
      const error = rejects(neuron, () => neuron.update(e, lr), ZeroWeightError, 'expected', /exactly 0/) as ZeroWeightError;
      expect([error.layer, error.neuron]).toEqual([0, 0]);
      // Still usable: a harmless update afterwards applies the seed rule to the untouched state.
      expect(neuron.update(0.75, lr)).toBe((b + 0.25 - 0.75) / (w + 0.25));
    });

    it('an update whose weight overflows to Infinity throws DivergenceError and changes nothing', () => {
      // w = 1.7e308, input [0]: result = b = 0; expected 1e308: w + 1e308 overflows while b and the hoped input stay finite.
      const neuron = new Neuron(1.7e308, 0, opts);
      neuron.process([0]);
      expect(1.7e308 + 1e308).toBe(Infinity);
      rejects(neuron, () => neuron.update(1e308, 1), DivergenceError, undefined, /not finite/);
    });

    it('rejects unknown options and backends', () => {
      expectError(() => new Neuron(1, 0, { backnd: 'js' } as never), InvalidArgumentError, 'options.backnd', /valid options: backend/);
      expectError(() => new Neuron(1, 0, { backend: 'gpu' } as never), InvalidArgumentError, 'options.backend', /'wasm', 'js'/);
      expectError(() => new Neuron(1, 0, 'js' as never), InvalidArgumentError, 'options');
    });
  });

  describe('Layer and InputLayer', () => {
    it('rejects sizes that are not positive integers, and bad weights or biases', () => {
      for (const [bad, kind] of BAD_SIZES) {
        expectError(() => new Layer(1, 0, bad as number, opts), kind, 'size', /integer >= 1/);
        expectError(() => new InputLayer(1, 0, bad as number, opts), kind, 'size');
      }
      for (const [bad, kind] of BAD_NUMBERS) {
        expectError(() => new Layer(bad as number, 0, 2, opts), kind, 'weight');
        expectError(() => new Layer(1, bad as number, 2, opts), kind, 'bias');
      }
    });

    it('rejects bad data and expected vectors and learning rates, unchanged', () => {
      const layer = new Layer(0.5, 0.25, 3, opts);
      layer.process([1, 2]);
      rejects(layer, () => layer.process([]), ShapeError, 'data');
      rejects(layer, () => layer.process([NaN]), NonFiniteError, 'data');
      rejects(layer, () => layer.update([1, 2], 0.1), ShapeError, 'expected', /3 numbers, got an array of length 2/);
      rejects(layer, () => layer.update([1, 2, 3, 4], 0.1), ShapeError, 'expected');
      rejects(layer, () => layer.update([1, Infinity, 3], 0.1), NonFiniteError, 'expected', /expected\[1\]/);
      rejects(layer, () => layer.update(null as never, 0.1), InvalidArgumentError, 'expected');
      for (const [bad, kind] of BAD_RATES) rejects(layer, () => layer.update([1, 2, 3], bad as number), kind, 'learningRate');
      const input = new InputLayer(0.5, 0.25, 3, opts);
      input.process([1, 2, 3]);
      rejects(input, () => input.process([1, 2]), ShapeError, 'data', /3 numbers/);
      rejects(input, () => input.process([1, 2, 3, 4]), ShapeError, 'data');
    });

    it('update before any process throws StateError, also through a neuron view', () => {
      const layer = new Layer(0.5, 0.25, 3, opts);
      rejects(layer, () => layer.update([1, 2, 3], 0.1), StateError, undefined);
      rejects(layer, () => layer.neurons[1]!.update(1, 0.1), StateError, undefined);
    });

    it('a weight reaching 0 in one neuron leaves every neuron of the layer unchanged', () => {
      // Three neurons w = 0.5, b = 0 on input [1, 1]: results 0.5; expected [1, 0, 1] at rate 1 zeroes neuron 1 only.
      const layer = new Layer(0.5, 0, 3, opts);
      layer.process([1, 1]);
      expect(0.5 + (0 - 0.5) * 1).toBe(0);
      const error = rejects(layer, () => layer.update([1, 0, 1], 1), ZeroWeightError, 'expected') as ZeroWeightError;
      expect([error.layer, error.neuron]).toEqual([0, 1]);
      expect(error.message).toMatch(/neuron 1/);
      // The same through a neuron view of the layer.
      const view = layer.neurons[2]!;
      rejects(layer, () => view.update(0, 1), ZeroWeightError, 'expected', /neuron 2/);
    });

    it('a neuron view whose weight would overflow throws DivergenceError with the whole layer unchanged', () => {
      const layer = new Layer(1.7e308, 0, 2, opts);
      layer.process([0, 0]);
      rejects(layer, () => layer.neurons[0]!.update(1e308, 1), DivergenceError, undefined);
    });
  });

  describe('Network and LayerConfiguration', () => {
    const conf = () => new LayerConfiguration(0.5, 0.1, 2).plus(new LayerConfiguration(0.3, -0.2, 3).times(2)).plus(new LayerConfiguration(0.7, 0, 1));

    it('rejects an empty configuration, bad layer specs and bad learning rates', () => {
      expectError(() => new Network([], 0.1, opts), ConfigurationError, 'configuration', /at least one layer/);
      expectError(() => new Network('layers' as never, 0.1, opts), InvalidArgumentError, 'configuration');
      for (const [bad, kind] of BAD_SIZES) {
        expectError(() => new Network([{ weight: 1, bias: 0, size: 2 }, { weight: 1, bias: 0, size: bad as number }], 0.1, opts), kind, 'configuration[1].size');
        expectError(() => new LayerConfiguration(1, 0, bad as number), kind, 'LayerConfiguration.size');
      }
      for (const [bad, kind] of BAD_NUMBERS) {
        expectError(() => new Network([{ weight: bad as number, bias: 0, size: 2 }], 0.1, opts), kind, 'configuration[0].weight');
        expectError(() => new Network([{ weight: 1, bias: bad as number, size: 2 }], 0.1, opts), kind, 'configuration[0].bias');
        expectError(() => new LayerConfiguration(bad as number, 0, 2), kind, 'LayerConfiguration.weight');
        expectError(() => new LayerConfiguration(1, bad as number, 2), kind, 'LayerConfiguration.bias');
      }
      expectError(() => new Network([{ weight: 1, bias: 0, size: 2 }, null as never], 0.1, opts), InvalidArgumentError, 'configuration[1]');
      for (const [bad, kind] of BAD_RATES) expectError(() => new Network(conf(), bad as number, opts), kind, 'learningRate');
      for (const [bad, kind] of BAD_SIZES) expectError(() => conf().times(bad as number), kind, 'n');
      expectError(() => conf().plus([] as never), InvalidArgumentError, 'other');
    });

    it('caps a configuration at the 4096 layers a saved network may hold, without building a huge list first', () => {
      const one = new LayerConfiguration(1, 0, 1);
      expectError(() => one.times(2 ** 31 - 1), OutOfRangeError, 'n', /4096/);
      expectError(() => conf().times(1025), OutOfRangeError, 'n', /4 layers times 1025/);
      expectError(() => one.times(4096).plus(one), OutOfRangeError, 'other', /4096/);
      expectError(() => new Network(Array(4097).fill({ weight: 1, bias: 0, size: 1 }), 0.1, opts), OutOfRangeError, 'configuration', /4096/);
      const deepest = new Network(one.times(4096), 0.1, opts);
      expect(deepest.layers.length).toBe(4096);
      const copy = Network.fromJSON(JSON.stringify(deepest), opts);
      expect(copy.layers.length).toBe(4096);
      deepest.dispose();
      copy.dispose();
    });

    it('neuron views refuse non-finite weights and biases, unchanged', () => {
      const network = new Network(conf(), 0.1, opts);
      network.process([0.2, 0.9]);
      const n = network.layers[1]!.neurons[2]!;
      for (const [bad, kind] of BAD_NUMBERS) {
        rejects(network, () => { n.weight = bad as number; }, kind, 'weight');
        rejects(network, () => { n.bias = bad as number; }, kind, 'bias');
      }
    });

    it('rejects bad inputs and expected vectors, unchanged', () => {
      const network = new Network(conf(), 0.1, opts);
      network.process([0.2, 0.9]);
      rejects(network, () => network.process([0.2]), ShapeError, 'input', /2 numbers, got an array of length 1/);
      rejects(network, () => network.process([0.2, 0.9, 1]), ShapeError, 'input');
      rejects(network, () => network.process([0.2, NaN]), NonFiniteError, 'input', /input\[1\]/);
      rejects(network, () => network.process([Infinity, 0]), NonFiniteError, 'input');
      rejects(network, () => network.process({ length: 2 } as never), InvalidArgumentError, 'input');
      rejects(network, () => network.update([]), ShapeError, 'expected', /1 numbers/);
      rejects(network, () => network.update([1, 2]), ShapeError, 'expected');
      rejects(network, () => network.update([NaN]), NonFiniteError, 'expected');
      rejects(network, () => network.update([-Infinity]), NonFiniteError, 'expected');
      // The views check their own sizes too.
      rejects(network, () => network.layers[0]!.process([1]), ShapeError, 'data');
      rejects(network, () => network.layers[2]!.update([1, 2], 0.1), ShapeError, 'expected');
    });

    it('update before any process throws StateError', () => {
      const network = new Network(conf(), 0.1, opts);
      rejects(network, () => network.update([1]), StateError, undefined, /process\(\)/);
      rejects(network, () => network.layers[1]!.update([1, 2, 3], 0.1), StateError, undefined);
      rejects(network, () => network.layers[1]!.neurons[0]!.update(1, 0.1), StateError, undefined);
    });

    it('a weight reaching 0 in the input layer, after later layers were computed, leaves every neuron unchanged', () => {
      // Input layer (w 1, b 0, size 2), output layer (w 1, b 0, size 2), rate 1, input [2, 0]:
      // input results [2, 0], output results (2 + 0) / 2 = 1 each. Expected [-1, 3]:
      // output neuron 0: w = 1 + (-1 - 1) = -1, b = -2, hoped (-2 - -1) / -1 = 1;
      // output neuron 1: w = 3, b = 2, hoped -1/3; input neuron 0: w = 1 + (1 - 2) = 0.
      const ref = refNetwork([{ weight: 1, bias: 0, size: 2 }, { weight: 1, bias: 0, size: 2 }]);
      refProcess(ref, [2, 0]);
      expect(() => refUpdate(ref, [-1, 3], 1)).toThrow('zero weight at layer 0, neuron 0');
      const network = new Network([{ weight: 1, bias: 0, size: 2 }, { weight: 1, bias: 0, size: 2 }], 1, opts);
      expect(Array.from(network.process([2, 0]))).toEqual([1, 1]);
      const error = rejects(network, () => network.update([-1, 3]), ZeroWeightError, 'expected') as ZeroWeightError;
      expect([error.layer, error.neuron]).toEqual([0, 0]);
      // Nothing half-applied: a good update now gives exactly the reference's figures from the untouched state.
      const good = refNetwork([{ weight: 1, bias: 0, size: 2 }, { weight: 1, bias: 0, size: 2 }]);
      refProcess(good, [2, 0]);
      refUpdate(good, [0.5, 0.25], 1);
      network.update([0.5, 0.25]);
      expectSame(state(network), refState(good));
    });
  });

  describe('trainNeuron, trainLayer, trainNetwork', () => {
    it('reject bad samples, epochs and learning rates before training, unchanged', () => {
      const neuron = new Neuron(0.5, 0.25, opts);
      const layer = new Layer(0.5, 0.25, 2, opts);
      const network = new Network([{ weight: 0.5, bias: 0, size: 2 }, { weight: 0.4, bias: 0.1, size: 1 }], 0.1, opts);
      const good = { input: [0.1, 0.2], expected: 0.5 };
      rejects(neuron, () => trainNeuron(neuron, [good, { input: [0.1, NaN], expected: 0.5 }], 0.1, 3), NonFiniteError, 'samples[1].input');
      rejects(neuron, () => trainNeuron(neuron, [good, { input: [0.1], expected: Infinity }], 0.1, 3), NonFiniteError, 'samples[1].expected');
      rejects(neuron, () => trainNeuron(neuron, [good, { input: [], expected: 1 }], 0.1, 3), ShapeError, 'samples[1].input');
      rejects(neuron, () => trainNeuron(neuron, 'samples' as never, 0.1, 3), InvalidArgumentError, 'samples');
      rejects(neuron, () => trainNeuron(neuron, [good, null as never], 0.1, 3), InvalidArgumentError, 'samples[1]');
      rejects(neuron, () => trainNeuron(neuron, [good, { input: [1], expected: [1] as never }], 0.1, 3), InvalidArgumentError, 'samples[1].expected', /must be a finite number, got an array/);
      for (const [bad, kind] of BAD_RATES) rejects(neuron, () => trainNeuron(neuron, [good], bad as number, 3), kind, 'learningRate');
      const badEpochs: [unknown, ErrorClass][] = [[-1, OutOfRangeError], [1.5, OutOfRangeError], [NaN, NonFiniteError], ['2', InvalidArgumentError]];
      for (const [bad, kind] of badEpochs) rejects(neuron, () => trainNeuron(neuron, [good], 0.1, bad as number), kind, 'epochs');
      rejects(layer, () => trainLayer(layer, [{ input: [1], expected: [1, 2, 3] }], 0.1, 1), ShapeError, 'samples[0].expected');
      rejects(layer, () => trainLayer(layer, [{ input: [1], expected: [1, NaN] }], 0.1, 1), NonFiniteError, 'samples[0].expected');
      for (const [bad, kind] of BAD_RATES) rejects(layer, () => trainLayer(layer, [{ input: [1], expected: [1, 2] }], bad as number, 1), kind, 'learningRate');
      rejects(network, () => trainNetwork(network, [{ input: [1, 2], expected: [1] }, { input: [1], expected: [1] }], 2), ShapeError, 'samples[1].input');
      // A network's InputLayer view takes one input per neuron: a longer sample is refused before any training.
      const inputLayer = network.layers[0]!;
      network.process([0.3, 0.4]);
      rejects(network, () => trainLayer(inputLayer, [{ input: [1, 2], expected: [1, 2] }, { input: [1, 2, 3], expected: [1, 2] }], 0.1, 2), ShapeError, 'samples[1].input', /2 numbers/);
      rejects(network, () => trainNetwork(network, [{ input: [1, 2], expected: [1, 2] }], 2), ShapeError, 'samples[0].expected');
      rejects(network, () => trainNetwork(network, [{ input: [1, 2], expected: [1] }], -1), OutOfRangeError, 'epochs');
    });

    it('a weight reaching 0 in the middle of training puts every number back as it was before training', () => {
      // w 0.5, b 0, rate 1. Sample 0 (input [1], expected 0.75): result 0.5, loss 0.25 → w 0.75, b 0.25.
      // Sample 1 (input [1], expected 0.25): result 0.75 + 0.25 = 1, loss -0.75 → w = 0.75 - 0.75 = 0.
      let [w, b] = [0.5, 0];
      let r = (0 + w * 1) / 1 + b;
      [w, b] = [w + (0.75 - r), b + (0.75 - r)];
      r = (0 + w * 1) / 1 + b;
      expect(w + (0.25 - r)).toBe(0);
      const neuron = new Neuron(0.5, 0, opts);
      neuron.process([3]);
      rejects(neuron, () => trainNeuron(neuron, [{ input: [1], expected: 0.75 }, { input: [1], expected: 0.25 }], 1, 1), ZeroWeightError, 'expected');
    });

    it('a layer whose input grows during a failed training run is rolled back and still works', () => {
      const layer = new Layer(0.5, 0, 1, opts);
      layer.process([1]);
      const samples = [{ input: [1, 1, 1, 1, 1, 1, 1, 1, 1], expected: [0.75] }, { input: [1], expected: [0.25] }];
      rejects(layer, () => trainLayer(layer, samples, 1, 1), ZeroWeightError, 'expected');
      const ref = refLayer({ weight: 0.5, bias: 0, size: 1 });
      refLayerProcess(ref, Array(20).fill(0.5));
      refLayerUpdate(ref, [0.1], 0.5);
      layer.process(Array(20).fill(0.5));
      layer.update([0.1], 0.5);
      expectSame(state(layer), refState([ref]));
    });
  });

  describe('dispose', () => {
    const conf = [{ weight: 0.5, bias: 0.1, size: 3 }, { weight: -0.25, bias: 0.2, size: 3 }];

    it('every use of a disposed network, layer or neuron throws StateError and touches no other object\'s memory', () => {
      const a = new Network(conf, 0.1, opts);
      a.process([0.1, 0.2, 0.3]);
      const neuron = a.layers[1]!.neurons[2]!;
      a.dispose();
      // On wasm, b most likely gets a's freed block: a stale a must not write into it.
      const b = new Network(conf, 0.1, opts);
      b.process([0.9, 0.8, 0.7]);
      const before = state(b);
      for (const act of [() => a.process([1, 2, 3]), () => a.update([1, 2, 3]), () => a.toJSON(), () => a.toString(), () => a.layers[1]!.results,
        () => a.layers[1]!.process([1]), () => neuron.weight, () => { neuron.bias = 3; }, () => neuron.process([1]), () => neuron.update(1, 0.1),
        () => trainNetwork(a, [{ input: [1, 2, 3], expected: [1, 2, 3] }], 1)]) {
        expectError(act, StateError, undefined, /disposed/);
      }
      expectSame(state(b), before);
      const layer = new Layer(1, 0, 2, opts);
      layer.dispose();
      expectError(() => layer.process([1]), StateError, undefined, /disposed/);
      const single = new Neuron(1, 0, opts);
      single.dispose();
      expectError(() => single.process([1]), StateError, undefined, /disposed/);
      expectError(() => single.weight, StateError, undefined, /disposed/);
    });

    it('disposing twice frees once: later objects never share memory', () => {
      const a = new Network(conf, 0.1, opts);
      a.dispose();
      a.dispose();
      new Layer(1, 0, 3, opts).dispose();
      const c = new Network(conf, 0.1, opts);
      const d = new Network(conf, 0.1, opts);
      c.process([1, 1, 1]);
      d.process([2, 2, 2]);
      const dBefore = state(d);
      c.layers[1]!.neurons[0]!.weight = 42;
      c.process([3, 3, 3]);
      expectSame(state(d), dBefore);
    });
  });

  describe('normalize and denormalize', () => {
    it('reject empty, non-finite and constant input', () => {
      expectError(() => normalize([]), ShapeError, 'values');
      expectError(() => normalize([1, NaN]), NonFiniteError, 'values');
      expectError(() => denormalize([Infinity]), NonFiniteError, 'values');
      expectError(() => normalize([2, 2, 2]), OutOfRangeError, 'high', /both are 2/);
      expectError(() => denormalize([0.5], 3, 3), OutOfRangeError, 'high');
      expectError(() => normalize([1, 2], NaN, 3), NonFiniteError, 'low');
      expectError(() => normalize([1, 2], 0, Infinity), NonFiniteError, 'high');
      expectError(() => normalize([1, 2], '0' as never, 3), InvalidArgumentError, 'low');
      // A width that overflows would scale every value to 0.
      expectError(() => normalize([-1e308, 1e308]), OutOfRangeError, 'high', /finite/);
      expectError(() => denormalize([0.5], -1.5e308, 1.5e308), OutOfRangeError, 'high');
    });
  });
});
