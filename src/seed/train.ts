// The article's training loops: process then update, sample by sample, epoch after epoch.
import { DivergenceError, InvalidArgumentError } from '../errors.js';
import { finite, integer, lengthOf, positive, record, vector } from '../validate.js';
import { InputLayer, type Layer } from './layer.js';
import type { SeedModel } from './model.js';
import type { Network } from './network.js';
import type { Neuron } from './neuron.js';

/** One training example; `expected` is a number for a neuron, an array for a layer or network. */
export interface Sample<E> {
  /** The values fed to `process`. */
  readonly input: ArrayLike<number>;
  /** The target passed to `update`. */
  readonly expected: E;
}

// Reads every sample once into a checked copy (`read` copies its input and expected value).
function readSamples<E>(samples: unknown, read: (sample: Sample<unknown>, argument: string) => Sample<E>): Sample<E>[] {
  const count = lengthOf(samples);
  if (!Array.isArray(samples) || count < 0) throw new InvalidArgumentError('samples must be an array of { input, expected }', 'samples');
  return Array.from({ length: count }, (_, i) => read(record(samples, i, 'samples', '{ input, expected }') as Sample<unknown>, `samples[${i}]`));
}

// Runs `epochs` passes; if any step throws, the arena is put back as it was before the first.
function run<E>(model: SeedModel, samples: readonly Sample<E>[], epochs: number, step: (sample: Sample<E>) => void): void {
  const before = model.snapshot();
  const processed = model.processed;
  let epoch = 0;
  let index = 0;
  try {
    for (epoch = 0; epoch < epochs; epoch++) for (index = 0; index < samples.length; index++) step(samples[index]!);
  } catch (error) {
    model.restore(before);
    model.processed = processed;
    if (error instanceof DivergenceError) {
      throw new DivergenceError(`${error.message}; at epoch ${epoch}, sample ${index}; the weights are back to where training started`, epoch, index);
    }
    throw error;
  }
}

/** Trains one neuron for `epochs` passes over `samples` (`expected` is a number). */
export function trainNeuron(neuron: Neuron, samples: readonly Sample<number>[], learningRate: number, epochs: number): void {
  positive(learningRate, 'learningRate');
  integer(epochs, 'epochs', 0);
  const copies = readSamples(samples, (s, arg) => ({ input: vector(s.input, `${arg}.input`), expected: finite(s.expected, `${arg}.expected`) }));
  run(neuron.model, copies, epochs, (s) => {
    neuron.process(s.input);
    neuron.update(s.expected, learningRate);
  });
}

/** Trains one layer for `epochs` passes over `samples` (`expected` has one number per neuron). */
export function trainLayer(layer: Layer, samples: readonly Sample<ArrayLike<number>>[], learningRate: number, epochs: number): void {
  positive(learningRate, 'learningRate');
  integer(epochs, 'epochs', 0);
  // An InputLayer takes exactly one input per neuron: checked here so that nothing trains on a bad sample.
  const inputLength = layer instanceof InputLayer ? layer.size : undefined;
  const copies = readSamples(samples, (s, arg) => ({ input: vector(s.input, `${arg}.input`, inputLength), expected: vector(s.expected, `${arg}.expected`, layer.size) }));
  run(layer.model, copies, epochs, (s) => {
    layer.process(s.input);
    layer.update(s.expected, learningRate);
  });
}

/** Trains a network for `epochs` passes over `samples` at its own learning rate. */
export function trainNetwork(network: Network, samples: readonly Sample<ArrayLike<number>>[], epochs: number): void {
  integer(epochs, 'epochs', 0);
  const layers = network.layers;
  const copies = readSamples(samples, (s, arg) => ({
    input: vector(s.input, `${arg}.input`, layers[0]!.size),
    expected: vector(s.expected, `${arg}.expected`, layers[layers.length - 1]!.size),
  }));
  run(network.model, copies, epochs, (s) => {
    network.process(s.input);
    network.update(s.expected);
  });
}
