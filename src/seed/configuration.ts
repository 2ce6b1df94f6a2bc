// LayerConfiguration: the article's `input + hidden * 2 + output`, as plus() and times().
import { InvalidArgumentError, OutOfRangeError } from '../errors.js';
import { MAX_LAYERS } from '../layout.js';
import { describe, finite, integer } from '../validate.js';

/** One layer's settings: every neuron starts with `weight` and `bias`. */
export interface LayerSpec {
  /** Initial weight of every neuron. */
  readonly weight: number;
  /** Initial bias of every neuron. */
  readonly bias: number;
  /** Number of neurons. */
  readonly size: number;
}

/**
 * An ordered list of layer settings. `input.plus(hidden.times(2)).plus(output)`
 * reads like the article's `input + hidden * 2 + output`; each call returns a new configuration.
 */
export class LayerConfiguration {
  /** The layers, first (input) to last (output). */
  readonly items: readonly LayerSpec[];

  /** One layer of `size` neurons with `weight` and `bias`. */
  constructor(weight: number, bias: number, size: number) {
    this.items = Object.freeze([checkLayerSpec({ weight, bias, size }, 'LayerConfiguration')]);
  }

  private static of(items: readonly LayerSpec[]): LayerConfiguration {
    const out = Object.create(LayerConfiguration.prototype) as { items: readonly LayerSpec[] };
    out.items = Object.freeze(items.slice());
    return out as LayerConfiguration;
  }

  /** These layers followed by `other`'s (the article's `+`). */
  plus(other: LayerConfiguration): LayerConfiguration {
    if (!(other instanceof LayerConfiguration)) throw new InvalidArgumentError(`other must be a LayerConfiguration, got ${describe(other)}`, 'other');
    if (this.items.length + other.items.length > MAX_LAYERS) {
      throw new OutOfRangeError(`other: ${this.items.length} + ${other.items.length} layers is more than the ${MAX_LAYERS} layers a network may hold`, 'other');
    }
    return LayerConfiguration.of([...this.items, ...other.items]);
  }

  /** These layers repeated `n` times (the article's `*`). */
  times(n: number): LayerConfiguration {
    integer(n, 'n');
    if (this.items.length * n > MAX_LAYERS) {
      throw new OutOfRangeError(`n: ${this.items.length} layers times ${n} is more than the ${MAX_LAYERS} layers a network may hold`, 'n');
    }
    return LayerConfiguration.of(Array.from({ length: n }, () => this.items).flat());
  }

  /** `weight/bias/size` of each layer joined by ` + `. */
  toString(): string {
    return this.items.map((l) => `(${l.weight}, ${l.bias}, ${l.size})`).join(' + ');
  }
}

/** Checks one `{ weight, bias, size }` entry; `argument` names it in errors. */
export function checkLayerSpec(spec: unknown, argument: string): LayerSpec {
  if (spec === null || typeof spec !== 'object') throw new InvalidArgumentError(`${argument} must be { weight, bias, size }`, argument);
  const { weight, bias, size } = spec as LayerSpec;
  finite(weight, `${argument}.weight`);
  finite(bias, `${argument}.bias`);
  integer(size, `${argument}.size`);
  return { weight, bias, size };
}
