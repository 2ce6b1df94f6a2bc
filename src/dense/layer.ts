// DenseLayer: a view onto one layer of a DenseNetwork's arena.
import type { Activation } from './types.js';

/** What a DenseLayer needs from its network: live views of its parameters. @internal */
export interface DenseLayerSource {
  parameterView(layer: number, which: 'weights' | 'biases'): Float64Array;
}

/**
 * One layer of a DenseNetwork. `weights` (row-major [size][inputSize]) and `biases`
 * are live views of the network's arena: writing them changes the network. They are
 * re-derived on every access, so read them again after the network grows its arena
 * (a larger batch) rather than keeping them.
 */
export class DenseLayer {
  /** @internal */
  constructor(
    private readonly source: DenseLayerSource,
    /** Position in the network; 0 is the input layer. */
    readonly index: number,
    /** Number of units. */
    readonly size: number,
    /** Units of the layer before (0 for the input layer). */
    readonly inputSize: number,
    /** The activation ('identity' for the input layer). */
    readonly activation: Activation,
  ) {}

  /** Weights, row-major [size][inputSize]; empty for the input layer. */
  get weights(): Float64Array {
    return this.index === 0 ? new Float64Array(0) : this.source.parameterView(this.index, 'weights');
  }

  /** Biases, one per unit; empty for the input layer. */
  get biases(): Float64Array {
    return this.index === 0 ? new Float64Array(0) : this.source.parameterView(this.index, 'biases');
  }

  /** `DenseLayer(index, inputSize → size, activation)`. */
  toString(): string {
    return this.index === 0 ? `DenseLayer(0: input, ${this.size})` : `DenseLayer(${this.index}: ${this.inputSize} → ${this.size}, ${this.activation})`;
  }
}
