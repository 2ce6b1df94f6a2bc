// DenseLayer: a view onto one layer of a DenseNetwork's arena.
import type { Activation } from './types.js';

/** What a DenseLayer needs from its network: live views of its parameters. @internal */
export interface DenseLayerSource {
  parameterView(layer: number, which: 'weights' | 'biases'): Float64Array;
}

// A view handed out keeps its network reachable: the network's memory is not freed (and reused) while the view lives.
const owners = new WeakMap<Float64Array, DenseLayerSource>();

/**
 * One layer of a DenseNetwork. `weights` (row-major [size][inputSize]) and `biases`
 * are live views of the network's arena: writing them changes the network, and a held
 * view keeps its network from being garbage-collected. They are re-derived on every
 * access: read them again after the network grows its arena (a larger batch, fit) or
 * is disposed, rather than keeping them; `.slice()` one to keep its numbers.
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

  /** Weights, row-major [size][inputSize], as a live view; empty for the input layer. */
  get weights(): Float64Array {
    return this.view('weights');
  }

  /** Biases, one per unit, as a live view; empty for the input layer. */
  get biases(): Float64Array {
    return this.view('biases');
  }

  private view(which: 'weights' | 'biases'): Float64Array {
    if (this.index === 0) return new Float64Array(0);
    const view = this.source.parameterView(this.index, which);
    owners.set(view, this.source);
    return view;
  }

  /** `DenseLayer(index, inputSize → size, activation)`. */
  toString(): string {
    return this.index === 0 ? `DenseLayer(0: input, ${this.size})` : `DenseLayer(${this.index}: ${this.inputSize} → ${this.size}, ${this.activation})`;
  }
}
