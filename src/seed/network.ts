// Network: the article's stack of seed layers, processed and updated by one kernel call each.
import { ConfigurationError, InvalidArgumentError, OutOfRangeError } from '../errors.js';
import { lengthOf, positive, record, vector } from '../validate.js';
import { checkLayerSpec, LayerConfiguration, type LayerSpec } from './configuration.js';
import { InputLayer, Layer } from './layer.js';
import { SeedModel } from './model.js';
import { repr, seedBackend, type SeedOptions } from './options.js';
import { parseSeedModel, type SeedModelJSON } from '../io/json.js';
import { MAX_LAYERS } from '../layout.js';
import { SEED_BIAS, SEED_WEIGHT } from '../header.js';

/**
 * An InputLayer followed by Layers, trained by the seed rule. `process` runs
 * every layer in one kernel call, `update` walks them back in one more.
 */
export class Network {
  /** The step size of every update. */
  readonly learningRate: number;
  /** @internal */ readonly model: SeedModel;
  /** Views onto the network's layers (the first is an InputLayer). */
  readonly layers: readonly Layer[];

  /**
   * @param configuration a LayerConfiguration or a plain `{ weight, bias, size }[]` (first = input layer)
   * @param learningRate a finite number > 0
   */
  constructor(configuration: LayerConfiguration | readonly LayerSpec[], learningRate: number, options?: SeedOptions) {
    const items = configuration instanceof LayerConfiguration ? configuration.items : configuration;
    const count = lengthOf(items);
    if (!Array.isArray(items) || count < 0) throw new InvalidArgumentError('configuration must be a LayerConfiguration or an array of { weight, bias, size }', 'configuration');
    if (count === 0) throw new ConfigurationError('configuration must hold at least one layer, got none', 'configuration');
    // The limit of saved models, so that whatever toJSON writes, fromJSON reads.
    if (count > MAX_LAYERS) throw new OutOfRangeError(`configuration may hold at most ${MAX_LAYERS} layers, got ${count}`, 'configuration');
    const specs = Array.from({ length: count }, (_, l) => checkLayerSpec(record(items, l, 'configuration', '{ weight, bias, size }'), `configuration[${l}]`));
    this.learningRate = positive(learningRate, 'learningRate');
    const layers = specs.map((spec, l) => ({ ...spec, isInput: l === 0 }));
    this.model = new SeedModel(seedBackend(options), layers, layers);
    this.layers = Object.freeze(specs.map((_, l) => (l === 0 ? new InputLayer(this.model, 0) : new Layer(this.model, l))));
  }

  /** Feeds `input` (one number per input neuron) through every layer; returns the output layer's results, copied. */
  process(input: ArrayLike<number>): Float64Array {
    const copy = vector(input, 'input', this.layers[0]!.size);
    this.model.forward(0, this.layers.length, copy);
    return this.model.results(this.layers.length - 1);
  }

  /**
   * Seed update of every layer from the output back to the input, towards `expected`
   * (one number per output neuron). Throws ZeroWeightError with nothing changed.
   */
  update(expected: ArrayLike<number>): void {
    const copy = vector(expected, 'expected', this.layers[this.layers.length - 1]!.size);
    this.model.update(0, this.layers.length, copy, this.learningRate);
  }

  /** The network as plain JSON: learning rate and every neuron's weight and bias, exact. */
  toJSON(): SeedModelJSON {
    return {
      format: 'neurite-seed',
      version: 1,
      learningRate: this.learningRate,
      layers: this.layers.map((layer, l) => ({
        size: layer.size,
        weights: Array.from(this.model.copy(l, SEED_WEIGHT)),
        biases: Array.from(this.model.copy(l, SEED_BIAS)),
      })),
    };
  }

  /** Rebuilds a network saved by {@link toJSON} (object or JSON text); bad input throws FormatError. */
  static fromJSON(json: unknown, options?: SeedOptions): Network {
    const model = parseSeedModel(json);
    const network = new Network(model.layers.map((l) => ({ weight: 0, bias: 0, size: l.size })), model.learningRate, options);
    const f = network.model.arena.f64;
    model.layers.forEach((layer, l) => {
      f.set(layer.weights, network.model.index(l, SEED_WEIGHT));
      f.set(layer.biases, network.model.index(l, SEED_BIAS));
    });
    return network;
  }

  /** Frees the network's wasm memory now; the network and its views are unusable afterwards. */
  dispose(): void {
    this.model.dispose();
  }

  /** Learning rate, then each layer with its neurons. */
  toString(): string {
    const body = this.layers.map((layer, l) => `layer ${l}: ${layer.toString().replace(/\n/g, '\n  ')}`).join('\n');
    return `Network(learningRate=${repr(this.learningRate)}, layers=${this.layers.length}, backend=${this.model.backend.name})\n${body}`;
  }
}
