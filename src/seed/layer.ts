// Layer and InputLayer: a row of seed neurons sharing one arena.
import { SEED_HOPED } from '../header.js';
import { finite, integer, positive, vector } from '../validate.js';
import { SeedModel } from './model.js';
import { Neuron } from './neuron.js';
import { seedBackend, type SeedOptions } from './options.js';

/**
 * `size` seed neurons that all read the whole input (the article's Layer).
 * Built with `new`, a layer owns its arena; `Network.layers` are views onto the network's.
 */
export class Layer {
  /** @internal */ readonly model: SeedModel;
  /** @internal index of this layer in its model */ readonly index: number;
  private cachedNeurons: readonly Neuron[] | undefined;
  /** True when this layer owns its arena (built with `new`), false for a network's view. */
  private readonly standalone: boolean;

  /** A standalone layer of `size` neurons, each with `weight` and `bias`. */
  constructor(weight: number, bias: number, size: number, options?: SeedOptions);
  /** @internal a view onto layer `index` of `model`. */
  constructor(model: SeedModel, index: number);
  constructor(a: number | SeedModel, b: number, size?: number, options?: SeedOptions) {
    if (a instanceof SeedModel) {
      this.model = a;
      this.index = b;
      this.standalone = false;
      return;
    }
    finite(a, 'weight');
    finite(b, 'bias');
    integer(size, 'size');
    const shape = { size: size!, isInput: this.isInputLayer() };
    this.model = new SeedModel(seedBackend(options), [shape], [{ ...shape, weight: a, bias: b }]);
    this.index = 0;
    this.standalone = true;
  }

  /** Whether neuron i reads only input i (InputLayer) rather than all inputs. */
  protected isInputLayer(): boolean {
    return false;
  }

  /** Number of neurons. */
  get size(): number {
    return this.model.shapes[this.index]!.size;
  }

  /** Views onto this layer's neurons: reading or writing them reads or writes the layer's arena. */
  get neurons(): readonly Neuron[] {
    this.cachedNeurons ??= Object.freeze(Array.from({ length: this.size }, (_, i) => new Neuron(this.model, this.index, i)));
    return this.cachedNeurons;
  }

  /** Each neuron's result from the last `process`, copied. */
  get results(): Float64Array {
    return this.model.results(this.index);
  }

  /** Gives `data` to every neuron (an InputLayer gives input i to neuron i); returns the results, copied. */
  process(data: ArrayLike<number>): Float64Array {
    const copy = vector(data, 'data', this.isInputLayer() ? this.size : undefined);
    this.model.forward(this.index, this.index + 1, copy);
    return this.results;
  }

  /**
   * Updates neuron i towards `expected[i]` by the seed rule and returns the hoped inputs (a new array).
   * Throws ZeroWeightError (nothing changed) when a weight would become 0.
   */
  update(expected: ArrayLike<number>, learningRate: number): Float64Array {
    const copy = vector(expected, 'expected', this.size);
    positive(learningRate, 'learningRate');
    this.model.update(this.index, this.index + 1, copy, learningRate);
    return this.model.copy(this.index, SEED_HOPED);
  }

  /** Frees a standalone layer's wasm memory now (a network's layers ignore this). */
  dispose(): void {
    if (this.standalone) this.model.dispose();
  }

  /** The layer's kind and size, then one line per neuron. */
  toString(): string {
    return `${this.isInputLayer() ? 'InputLayer' : 'Layer'}(size=${this.size})\n${this.neurons.map((n) => `  ${n}`).join('\n')}`;
  }
}

/** The first layer of a network: neuron i processes only input i (`input.length` must equal `size`). */
export class InputLayer extends Layer {
  protected override isInputLayer(): boolean {
    return true;
  }
}
