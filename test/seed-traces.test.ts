// The seed rule reproduces ../shared/seed/traces.json (made by reference.py) bit for bit, on every backend.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { Layer, LayerConfiguration, Network, Neuron, trainNeuron, trainNetwork, type BackendName } from '../src/index.js';

interface State { weight: number; bias: number; result: number }
const traces = JSON.parse(readFileSync(new URL('./fixtures/traces.json', import.meta.url), 'utf8')).scenarios as any[];
const scenario = (name: string) => traces.find((s) => s.name === name)!;
const backends: BackendName[] = ['js', 'wasm'];

// toBe is Object.is: exact float64 equality, signed zeros included.
function expectState(actual: { weight: number; bias: number; result: number }, expected: State) {
  expect(actual.weight).toBe(expected.weight);
  expect(actual.bias).toBe(expected.bias);
  expect(actual.result).toBe(expected.result);
}

describe.each(backends)('seed traces on the %s backend', (backend) => {
  it('a neuron learning y = 2x + 1 matches every epoch and the final predictions', () => {
    const s = scenario('neuron-affine');
    const neuron = new Neuron(s.init.weight, s.init.bias, { backend });
    const samples = s.samples.map((x: any) => ({ input: x.input, expected: x.expected }));
    s.afterEachEpoch.forEach((state: State) => {
      trainNeuron(neuron, samples, s.learningRate, 1);
      expectState(neuron, state);
    });
    s.predictions.input.forEach((input: number[], i: number) => {
      expect(neuron.process(input)).toBe(s.predictions.output[i]);
    });
  });

  it('a layer of three matches every epoch and every hoped vector', () => {
    const s = scenario('layer-three');
    const layer = new Layer(s.init.weight, s.init.bias, s.init.size, { backend });
    let update = 0;
    s.afterEachEpoch.forEach((states: State[]) => {
      for (const sample of s.samples) {
        layer.process(sample.input);
        expect(Array.from(layer.update(sample.expected, s.learningRate))).toEqual(s.hopedPerUpdate[update++]);
      }
      layer.neurons.forEach((n, i) => expectState(n, states[i]!));
    });
  });

  for (const name of ['network-equal-sizes', 'network-mixed-sizes']) {
    it(`${name} matches every neuron and every output after every epoch`, () => {
      const s = scenario(name);
      const conf = s.layers.map((l: any) => new LayerConfiguration(l.weight, l.bias, l.size))
        .reduce((a: LayerConfiguration, b: LayerConfiguration) => a.plus(b));
      const network = new Network(conf, s.learningRate, { backend });
      s.afterEachEpoch.forEach((layers: State[][], epoch: number) => {
        trainNetwork(network, s.samples, 1);
        layers.forEach((states, l) => network.layers[l]!.neurons.forEach((n, i) => expectState(n, states[i]!)));
        s.outputsAfterEachEpoch[epoch].forEach((output: number[], k: number) => {
          expect(Array.from(network.process(s.samples[k].input))).toEqual(output);
        });
      });
    });
  }
});

describe('the article\'s configuration arithmetic', () => {
  it('input.plus(hidden.times(2)).plus(output) lists input, hidden, hidden, output', () => {
    const s = scenario('network-equal-sizes');
    const [i, h, , o] = s.layers;
    const conf = new LayerConfiguration(i.weight, i.bias, i.size)
      .plus(new LayerConfiguration(h.weight, h.bias, h.size).times(2))
      .plus(new LayerConfiguration(o.weight, o.bias, o.size));
    expect(conf.items).toEqual(s.layers);
  });
});
