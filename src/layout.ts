/**
 * The one description of where every number lives in an arena. Each layout
 * is an i32 header (word indices in header.ts) followed by float64 buffers at
 * 16-byte aligned byte offsets; both kernel sets read only the header.
 */
import {
  SEED_LAYER_COUNT, SEED_INPUT_CAPACITY, SEED_INPUT, SEED_EXPECTED, SEED_HEADER_WORDS,
  SEED_LAYER_WORDS, SEED_SIZE, SEED_IS_INPUT, SEED_WEIGHT, SEED_BIAS, SEED_RESULT, SEED_HOPED,
  SEED_PENDING_WEIGHT, SEED_PENDING_BIAS,
} from './header.js';
import type { Arena } from './backend/arena.js';
import { MemoryError } from './errors.js';

/** A computed layout: the header words and the total size in bytes. */
export interface Layout {
  readonly header: Int32Array;
  readonly bytes: number;
}

/** Hands out 16-byte aligned float64 buffers after a header of `words` i32 words. */
export class LayoutBuilder {
  readonly header: Int32Array;
  private end: number;
  constructor(words: number) {
    this.header = new Int32Array(words);
    this.end = align(words * 4);
  }

  /** Reserves `count` float64s and stores their byte offset in header word `word`. */
  buffer(word: number, count: number): number {
    const offset = this.end;
    this.end = align(offset + count * 8);
    // Offsets are i32 in the header: an arena is at most 2 GiB.
    if (this.end > 2 ** 31 - 1) throw new MemoryError(`the network needs more than 2 GiB (${count} numbers in one buffer); arenas are limited to 2 GiB`);
    this.header[word] = offset;
    return offset;
  }

  /** Stores a plain integer in header word `word`. */
  set(word: number, value: number): void {
    this.header[word] = value;
  }

  /** Total bytes so far. */
  get bytes(): number {
    return this.end;
  }

  done(): Layout {
    return { header: this.header, bytes: this.end };
  }
}

function align(bytes: number): number {
  return Math.ceil(bytes / 16) * 16;
}

/** Copies a layout's header into the start of an arena. */
export function writeHeader(arena: Arena, layout: Layout): void {
  arena.i32.set(layout.header, arena.base >> 2);
}

/** One seed layer: its size and whether it is an input layer (neuron i reads input i). */
export interface SeedLayerShape {
  readonly size: number;
  readonly isInput: boolean;
}

/** Header word of `field` for seed layer `layer`. */
export function seedEntry(layer: number, field: number): number {
  return SEED_HEADER_WORDS + layer * SEED_LAYER_WORDS + field;
}

/**
 * Seed arena: per layer weight, bias, result, hoped and pending (weight, bias)
 * buffers, then the staging slots for one input (`inputCapacity` numbers) and
 * one expected vector. The staging slots come last so that growing the input
 * capacity keeps every other offset: a bigger arena is the old bytes plus room.
 */
export function seedLayout(layers: readonly SeedLayerShape[], inputCapacity: number): Layout {
  const b = new LayoutBuilder(SEED_HEADER_WORDS + layers.length * SEED_LAYER_WORDS);
  b.set(SEED_LAYER_COUNT, layers.length);
  b.set(SEED_INPUT_CAPACITY, inputCapacity);
  let widest = 1;
  layers.forEach((layer, l) => {
    b.set(seedEntry(l, SEED_SIZE), layer.size);
    b.set(seedEntry(l, SEED_IS_INPUT), layer.isInput ? 1 : 0);
    for (const field of [SEED_WEIGHT, SEED_BIAS, SEED_RESULT, SEED_HOPED, SEED_PENDING_WEIGHT, SEED_PENDING_BIAS]) {
      b.buffer(seedEntry(l, field), layer.size);
    }
    widest = Math.max(widest, layer.size);
  });
  b.buffer(SEED_EXPECTED, widest);
  b.buffer(SEED_INPUT, inputCapacity);
  return b.done();
}
