// The seed engine: views alias the arena, JS and WASM agree bit for bit with each other and with a
// plain-loop transcription of reference.py, normalize/denormalize, toString and toJSON/fromJSON.
import { describe, expect, it } from 'vitest';
import {
  DivergenceError, Layer, LayerConfiguration, Network, Neuron, ZeroWeightError, denormalize, normalize,
  trainLayer, trainNetwork, trainNeuron, type BackendName, type LayerSpec,
} from '../src/index.js';
import { rng } from './helpers/data.js';
import {
  type RefLayer, type RefNeuron, refClone, refLayer, refLayerProcess, refLayerUpdate, refNetwork, refNeuronProcess,
  refNeuronUpdate, refProcess, refState, refUpdate,
} from './helpers/seed-reference.js';

const backends: BackendName[] = ['js', 'wasm'];

function networkState(network: Network): number[] {
  return network.layers.flatMap((l) => l.neurons.flatMap((n) => [n.weight, n.bias, n.result]));
}

function layerState(layer: Layer): number[] {
  return layer.neurons.flatMap((n) => [n.weight, n.bias, n.result]);
}

/** Bit-identical (Object.is on every number). */
function expectSame(actual: ArrayLike<number>, expected: ArrayLike<number>, what = ''): void {
  expect(actual.length, what).toBe(expected.length);
  for (let i = 0; i < actual.length; i++) {
    if (!Object.is(actual[i], expected[i])) expect.fail(`${what} number ${i}: ${actual[i]} is not ${expected[i]}`);
  }
}

describe.each(backends)('views alias the arena on the %s backend', (backend) => {
  const opts = { backend };
  const conf: LayerSpec[] = [{ weight: 0.5, bias: 0.1, size: 3 }, { weight: -0.3, bias: 0.2, size: 4 }, { weight: 0.7, bias: -0.1, size: 2 }];

  it('writing network.layers[1].neurons[2].weight changes what network.process returns', () => {
    const network = new Network(conf, 0.05, opts);
    const input = [0.2, 0.7, 0.4];
    const ref = refNetwork(conf);
    expectSame(network.process(input), refProcess(ref, input), 'before');
    network.layers[1]!.neurons[2]!.weight = 1.75;
    network.layers[2]!.neurons[0]!.bias = -0.625;
    ref[1]!.neurons[2]!.weight = 1.75;
    ref[2]!.neurons[0]!.bias = -0.625;
    const after = network.process(input);
    expectSame(after, refProcess(ref, input), 'after');
    expect(after[0]).not.toBe(refProcess(refNetwork(conf), input)[0]);
    // The layer views see the same storage: results and the write itself.
    expectSame(network.layers[1]!.results, ref[1]!.neurons.map((n) => n.result), 'layer 1 results');
    expect(network.layers[1]!.neurons[2]!.result).toBe(ref[1]!.neurons[2]!.result);
    expect(network.toJSON().layers[1]!.weights[2]).toBe(1.75);
    // Training goes on from the written weight.
    network.update([0.3, 0.9]);
    refUpdate(ref, [0.3, 0.9], 0.05);
    expectSame(networkState(network), refState(ref), 'after update');
  });

  it('the neurons of a Layer read and write the layer\'s own storage', () => {
    const layer = new Layer(0.5, 0.25, 3, opts);
    const ref = refLayer({ weight: 0.5, bias: 0.25, size: 3 });
    expect(layer.neurons).toBe(layer.neurons);
    layer.neurons[1]!.weight = -2.5;
    layer.neurons[2]!.bias = 3.125;
    ref.neurons[1]!.weight = -2.5;
    ref.neurons[2]!.bias = 3.125;
    const data = [0.1, 0.6, 0.3, 0.9];
    expectSame(layer.process(data), refLayerProcess(ref, data), 'results');
    expectSame(layer.update([0.2, 0.4, 0.8], 0.1), refLayerUpdate(ref, [0.2, 0.4, 0.8], 0.1), 'hoped');
    // The views were not copies: they read the updated numbers.
    expectSame(layerState(layer), refState([ref]), 'after update');
    // A neuron view's process and update touch only that neuron.
    const before = layerState(layer);
    const n = layer.neurons[0]!;
    expect(n.process([1, 2])).toBe(refNeuronProcess(ref.neurons[0]!, [1, 2]));
    expect(n.update(0.5, 0.2)).toBe(refNeuronUpdate(ref.neurons[0]!, 0.5, 0.2));
    expectSame(layerState(layer).slice(3), before.slice(3), 'other neurons');
    expectSame(layerState(layer), refState([ref]), 'all neurons');
  });

  it('views stay valid when the arena grows for a longer input than ever before', () => {
    const layer = new Layer(0.5, 0.25, 3, opts);
    const ref = refLayer({ weight: 0.5, bias: 0.25, size: 3 });
    const views = layer.neurons;
    expectSame(layer.process([0.5]), refLayerProcess(ref, [0.5]));
    const long = Array.from({ length: 700 }, (_, i) => Math.sin(i));
    expectSame(layer.process(long), refLayerProcess(ref, long), 'long input');
    // Reuse the freed memory so that a stale view would read garbage.
    const others = Array.from({ length: 4 }, () => new Layer(9, 9, 200, opts));
    others.forEach((o) => o.process(long));
    expectSame(views.flatMap((n) => [n.weight, n.bias, n.result]), refState([ref]), 'views after growth');
    views[0]!.weight = 4.5;
    ref.neurons[0]!.weight = 4.5;
    expectSame(layer.process(long), refLayerProcess(ref, long), 'write through a view after growth');
    expectSame(layer.update([1, 2, 3], 0.01), refLayerUpdate(ref, [1, 2, 3], 0.01), 'update after growth');
    expectSame(views.flatMap((n) => [n.weight, n.bias, n.result]), refState([ref]));

    // A network's hidden Layer view given a longer input grows the network's arena; every view follows.
    const network = new Network(conf, 0.05, opts);
    const nref = refNetwork(conf);
    const neuron = network.layers[2]!.neurons[1]!;
    network.process([0.1, 0.2, 0.3]);
    refProcess(nref, [0.1, 0.2, 0.3]);
    expectSame(network.layers[1]!.process(long), refLayerProcess(nref[1]!, long), 'hidden layer on a long input');
    new Layer(7, 7, 300, opts).process(long);
    neuron.bias = 0.375;
    nref[2]!.neurons[1]!.bias = 0.375;
    expectSame(network.process([0.3, 0.2, 0.1]), refProcess(nref, [0.3, 0.2, 0.1]), 'network after growth');
    network.update([0.5, 0.5]);
    refUpdate(nref, [0.5, 0.5], 0.05);
    expectSame(networkState(network), refState(nref), 'network update after growth');
    expect(neuron.weight).toBe(nref[2]!.neurons[1]!.weight);
  });
});

// ——— random configurations, trained on both backends and by the reference ———

interface Case {
  conf: LayerSpec[];
  rate: number;
  samples: { input: number[]; expected: number[] }[];
  epochs: number;
}

/**
 * A random network, samples and rate. With `dyadic`, every number is a small multiple of 1/4 and the rate
 * 1/2 or 1, so that sums are exact and weights often land exactly on 0 (ZeroWeightError).
 */
function randomCase(seed: number, dyadic = false): Case {
  const r = rng(seed);
  const int = (lo: number, hi: number) => lo + Math.floor(r() * (hi - lo + 1));
  const value = (lo: number, hi: number) => (dyadic ? int(lo * 4, hi * 4) / 4 : lo + (hi - lo) * r());
  const nonzero = () => (r() < 0.5 ? -1 : 1) * (dyadic ? int(1, 8) / 4 : 0.05 + r());
  const layers = int(1, 5);
  const conf = Array.from({ length: layers }, () => ({ weight: nonzero(), bias: value(-1, 1), size: int(1, dyadic ? 4 : 12) }));
  const samples = Array.from({ length: int(1, 6) }, () => ({
    input: Array.from({ length: conf[0]!.size }, () => value(0, 1)),
    expected: Array.from({ length: conf[layers - 1]!.size }, () => value(0, 1)),
  }));
  const rate = dyadic ? [0.5, 1][int(0, 1)]! : [0.001, 0.01, 0.05, 0.2, 0.7][int(0, 4)]!;
  return { conf, rate, samples, epochs: int(1, 6) };
}

/** What a training run ended with: the error's class and fields, or 'ok'. */
function outcome(error: unknown): string {
  if (error === undefined) return 'ok';
  if (error instanceof ZeroWeightError) return `ZeroWeightError ${error.layer} ${error.neuron}`;
  if (error instanceof DivergenceError) return `DivergenceError ${error.epoch} ${error.batch}`;
  throw error;
}

/** refUpdate, also failing (as neurite does, neuron by neuron) when a weight, bias or hoped input is not finite. */
function refUpdateChecked(net: RefLayer[], expected: readonly number[], rate: number): void {
  let e = [...expected];
  for (let l = net.length - 1; l >= 0; l--) {
    const neurons = net[l]!.neurons;
    if (e.length !== neurons.length) {
      let sum = 0;
      for (const v of e) sum += v;
      e = Array(neurons.length).fill(sum / e.length);
    }
    e = neurons.map((n, i) => {
      const h = refNeuronUpdate(n, e[i]!, rate, ` at layer ${l}, neuron ${i}`);
      if (!Number.isFinite(n.weight) || !Number.isFinite(n.bias) || !Number.isFinite(h)) throw new Error('diverged');
      return h;
    });
  }
}

/** Runs an epoch of reference training; on failure, puts the state back and says why (neurite's contract). */
function refEpoch(ref: RefLayer[], c: Case): string {
  const before = refClone(ref);
  for (let k = 0; k < c.samples.length; k++) {
    const s = c.samples[k]!;
    refProcess(ref, s.input);
    try {
      refUpdateChecked(ref, s.expected, c.rate);
    } catch (error) {
      ref.splice(0, ref.length, ...before);
      const zero = /zero weight at layer (\d+), neuron (\d+)/.exec(String(error));
      return zero ? `ZeroWeightError ${zero[1]} ${zero[2]}` : `DivergenceError 0 ${k}`;
    }
  }
  return 'ok';
}

describe('JS and WASM run the seed rule bit for bit alike, and like the plain-loop reference', () => {
  it('networks: 60 random configurations of 1-5 layers of 1-12 neurons and 60 of exact dyadic numbers, several epochs', () => {
    const outcomes = new Set<string>();
    for (let seed = 1; seed <= 120; seed++) {
      const c = randomCase(seed, seed > 60);
      const nets = backends.map((backend) => new Network(c.conf, c.rate, { backend }));
      const ref = refNetwork(c.conf);
      for (let epoch = 0; epoch < c.epochs; epoch++) {
        const ends = nets.map((net) => {
          try {
            trainNetwork(net, c.samples, 1);
            return outcome(undefined);
          } catch (error) {
            return outcome(error);
          }
        });
        const refEnd = refEpoch(ref, c);
        outcomes.add(refEnd.split(' ')[0]!);
        expect(ends[1], `seed ${seed} epoch ${epoch}`).toBe(ends[0]);
        expect(ends[0], `seed ${seed} epoch ${epoch}`).toBe(refEnd);
        expectSame(networkState(nets[1]!), networkState(nets[0]!), `seed ${seed} epoch ${epoch} wasm vs js`);
        expectSame(networkState(nets[0]!), refState(ref), `seed ${seed} epoch ${epoch} js vs reference`);
        if (refEnd !== 'ok') break;
      }
      for (const s of c.samples) {
        const out = nets.map((net) => net.process(s.input));
        expectSame(out[1]!, out[0]!, `seed ${seed} outputs`);
        expectSame(out[0]!, refProcess(ref, s.input), `seed ${seed} outputs vs reference`);
      }
      nets.forEach((n) => n.dispose());
    }
    // Every ending was met, and met identically: normal epochs, a zero weight, a divergence.
    expect([...outcomes].sort()).toEqual(['DivergenceError', 'ZeroWeightError', 'ok']);
  });

  it('networks that hit a zero weight fail identically on both backends and are rolled back', () => {
    // The 2-2 case of seed-errors: rate 1, input [2, 0], expected [-1, 3] zeroes input neuron 0.
    const conf = [{ weight: 1, bias: 0, size: 2 }, { weight: 1, bias: 0, size: 2 }];
    const samples = [{ input: [0.5, 0.25], expected: [0.75, 0.5] }, { input: [2, 0], expected: [-1, 3] }];
    const errors = backends.map((backend) => {
      const net = new Network(conf, 1, { backend });
      const before = networkState(net);
      try {
        trainNetwork(net, samples.slice(1), 1);
      } catch (error) {
        expectSame(networkState(net), before);
        return outcome(error);
      }
      return 'ok';
    });
    expect(errors).toEqual(['ZeroWeightError 0 0', 'ZeroWeightError 0 0']);
  });

  it('standalone layers and neurons: random sizes, input lengths and rates', () => {
    for (let seed = 100; seed < 140; seed++) {
      const r = rng(seed);
      const size = 1 + Math.floor(r() * 12);
      const w = r() - 0.5;
      const b = r() - 0.5;
      const rate = 0.01 + r() * 0.3;
      const samples = Array.from({ length: 1 + Math.floor(r() * 5) }, () => ({
        input: Array.from({ length: 1 + Math.floor(r() * 20) }, () => 2 * r() - 1),
        expected: Array.from({ length: size }, () => r()),
      }));
      const layers = backends.map((backend) => new Layer(w, b, size, { backend }));
      const neurons = backends.map((backend) => new Neuron(w, b, { backend }));
      const ref = refLayer({ weight: w, bias: b, size });
      const refN: RefNeuron = { weight: w, bias: b, result: 0 };
      const epochs = 1 + Math.floor(r() * 4);
      layers.forEach((l) => trainLayer(l, samples, rate, epochs));
      neurons.forEach((n) => trainNeuron(n, samples.map((s) => ({ input: s.input, expected: s.expected[0]! })), rate, epochs));
      for (let e = 0; e < epochs; e++) {
        for (const s of samples) {
          refLayerProcess(ref, s.input);
          refLayerUpdate(ref, s.expected, rate);
          refNeuronProcess(refN, s.input);
          refNeuronUpdate(refN, s.expected[0]!, rate);
        }
      }
      expectSame(layerState(layers[1]!), layerState(layers[0]!), `seed ${seed} layer wasm vs js`);
      expectSame(layerState(layers[0]!), refState([ref]), `seed ${seed} layer vs reference`);
      expectSame([neurons[1]!.weight, neurons[1]!.bias, neurons[1]!.result], [neurons[0]!.weight, neurons[0]!.bias, neurons[0]!.result]);
      expectSame([neurons[0]!.weight, neurons[0]!.bias, neurons[0]!.result], [refN.weight, refN.bias, refN.result], `seed ${seed} neuron vs reference`);
    }
  });
});

describe('normalize and denormalize', () => {
  it('map [min, max] to [0, 1] by (v - low) / (high - low), exactly as the formula', () => {
    const values = [3, -1.5, 7.25, 0.1, 2];
    const out = normalize(values);
    expectSame(out, values.map((v) => (v - -1.5) / (7.25 - -1.5)));
    expect(Math.min(...out)).toBe(0);
    expect(Math.max(...out)).toBe(1);
    expectSame(normalize(new Float64Array(values)), out);
  });

  it('use explicit low and high, even for values outside them', () => {
    expectSame(normalize([5, 15, -5], 0, 10), [0.5, 1.5, -0.5]);
    expectSame(denormalize([0.5, 1.5, -0.5], 0, 10), [5, 15, -5]);
    expectSame(normalize([4, 4, 4], 2, 6), [0.5, 0.5, 0.5]);
    // Only one bound given: the other is the values' own.
    expectSame(normalize([2, 4], 0), [0.5, 1]);
    expectSame(normalize([2, 4], undefined, 6), [0, 0.5]);
  });

  it('round-trip through the same low and high to within an ulp or two', () => {
    const r = rng(5);
    for (let k = 0; k < 50; k++) {
      const values = Array.from({ length: 1 + Math.floor(r() * 30) }, () => (r() - 0.5) * 10 ** Math.floor(r() * 8));
      const low = Math.min(...values) - r();
      const high = Math.max(...values) + r();
      const back = denormalize(normalize(values, low, high), low, high);
      back.forEach((v, i) => expect(Math.abs(v - values[i]!)).toBeLessThanOrEqual(4 * Number.EPSILON * Math.max(Math.abs(low), Math.abs(high))));
    }
  });

  it('denormalize with bounds omitted uses its own values\' min and max', () => {
    expectSame(denormalize([1, 3]), [1 * (3 - 1) + 1, 3 * (3 - 1) + 1]);
  });
});

describe.each(backends)('toString and toJSON on the %s backend', (backend) => {
  const opts = { backend };
  const awkward = [0.1 + 0.2, -1e-300, 5e-324, 123456789.123, -0, 2, 1e21, -7.5];

  it('Neuron.toString shows weight and bias as exact numbers', () => {
    for (const w of awkward) {
      for (const b of [0.7, -0, 1 / 3]) {
        const text = new Neuron(w, b, opts).toString();
        const m = /^Neuron\(weight=(\S+), bias=(\S+)\)$/.exec(text);
        expect(m, text).not.toBeNull();
        expect(Object.is(Number(m![1]), w), `${text} weight`).toBe(true);
        expect(Object.is(Number(m![2]), b), `${text} bias`).toBe(true);
      }
    }
    expect(new Neuron(2, -1, opts).toString()).toBe('Neuron(weight=2.0, bias=-1.0)');
  });

  it('Network.toString lists the learning rate and every neuron of every layer, exactly', () => {
    const network = new Network(new LayerConfiguration(0.5, 0.1, 2).plus(new LayerConfiguration(-0.3, 0.2, 3)), 0.05, opts);
    trainNetwork(network, [{ input: [0.3, 0.8], expected: [0.1, 0.5, 0.9] }], 3);
    const text = network.toString();
    expect(text).toMatch(/^Network\(learningRate=0\.05, layers=2/);
    expect(text).toContain(`backend=${backend}`);
    expect(text).toContain('InputLayer(size=2)');
    expect(text).toContain('Layer(size=3)');
    const found = [...text.matchAll(/Neuron\(weight=(\S+), bias=(\S+)\)/g)].map((m) => [Number(m[1]), Number(m[2])]);
    const expected = network.layers.flatMap((l) => l.neurons.map((n) => [n.weight, n.bias]));
    expect(found.length).toBe(5);
    expectSame(found.flat(), expected.flat());
    // Layer.toString holds the same lines.
    expect(network.layers[1]!.toString()).toContain(network.layers[1]!.neurons[2]!.toString());
  });

  it('Network.toJSON → JSON text → fromJSON rebuilds every weight and bias bit for bit, on either backend', () => {
    const c = randomCase(7);
    const network = new Network(c.conf, c.rate, opts);
    trainNetwork(network, c.samples, 3);
    for (const target of backends) {
      const text = JSON.stringify(network);
      const copy = Network.fromJSON(JSON.parse(text), { backend: target });
      expect(copy.learningRate).toBe(network.learningRate);
      expect(copy.layers.map((l) => l.size)).toEqual(network.layers.map((l) => l.size));
      copy.layers.forEach((layer, l) => layer.neurons.forEach((n, i) => {
        const o = network.layers[l]!.neurons[i]!;
        expect(Object.is(n.weight, o.weight) && Object.is(n.bias, o.bias), `layer ${l} neuron ${i}: ${n.weight} ${o.weight} ${n.bias} ${o.bias}`).toBe(true);
      }));
      const fromText = Network.fromJSON(text, { backend: target });
      expectSame(networkState(fromText).filter((_, k) => k % 3 !== 2), networkState(copy).filter((_, k) => k % 3 !== 2));
      for (const s of c.samples) expectSame(copy.process(s.input), network.process(s.input));
      // And it keeps training exactly like the original.
      const twin = Network.fromJSON(network.toJSON(), { backend: target });
      twin.process(c.samples[0]!.input);
      network.process(c.samples[0]!.input);
      twin.update(c.samples[0]!.expected);
      network.update(c.samples[0]!.expected);
      expectSame(networkState(twin), networkState(network));
    }
  });

  it('toJSON keeps signed zeros in the object it returns', () => {
    const network = new Network([{ weight: -0, bias: -0, size: 2 }, { weight: 1, bias: 0, size: 1 }], 0.1, opts);
    const copy = Network.fromJSON(network.toJSON(), opts);
    expect(Object.is(copy.layers[0]!.neurons[1]!.weight, -0)).toBe(true);
    expect(Object.is(copy.layers[0]!.neurons[1]!.bias, -0)).toBe(true);
  });
});
