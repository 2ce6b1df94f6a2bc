// The arena behind every seed object: a stack of seed layers and the two kernels that run them.
import { type Arena, type Backend, track, untrack } from '../backend/index.js';
import { DivergenceError, StateError, ZeroWeightError } from '../errors.js';
import { SEED_BIAS, SEED_EXPECTED, SEED_FAILED_LAYER, SEED_FAILED_NEURON, SEED_INPUT, SEED_INPUT_CAPACITY, SEED_RESULT, SEED_WEIGHT } from '../header.js';
import { type Layout, type SeedLayerShape, seedEntry, seedLayout, writeHeader } from '../layout.js';

/** A seed layer's shape and starting values (every neuron gets the same weight and bias). */
export interface SeedLayerInit extends SeedLayerShape {
  readonly weight: number;
  readonly bias: number;
}

/**
 * Owns one seed arena. `Neuron` and `Layer` objects are views that keep a
 * reference to their model and a layer (and neuron) index; they read and write
 * the arena through it, so they never go stale when the arena grows.
 */
export class SeedModel {
  arena: Arena;
  private layout: Layout;
  /** Whether `forward` has run at least once (update needs results). */
  processed = false;
  /** Set by dispose(): the arena is freed (wasm memory may already hold another network). */
  private disposed = false;

  constructor(readonly backend: Backend, readonly shapes: readonly SeedLayerShape[], init: readonly SeedLayerInit[]) {
    this.layout = seedLayout(shapes, Math.max(1, shapes[0]!.size));
    this.arena = backend.allocate(this.layout.bytes);
    writeHeader(this.arena, this.layout);
    const f = this.arena.f64;
    init.forEach((layer, l) => {
      f.fill(layer.weight, this.index(l, SEED_WEIGHT), this.index(l, SEED_WEIGHT) + layer.size);
      f.fill(layer.bias, this.index(l, SEED_BIAS), this.index(l, SEED_BIAS) + layer.size);
    });
    track(this, this.arena);
  }

  /** float64 index of buffer `field` (SEED_WEIGHT, SEED_BIAS, SEED_RESULT, ...) of layer `layer`. */
  index(layer: number, field: number): number {
    this.live();
    return this.arena.at(seedEntry(layer, field));
  }

  /** Throws StateError once disposed: every read and write goes through here or `index`. */
  private live(): void {
    if (this.disposed) throw new StateError('this seed object was disposed: its memory is freed and it can no longer be used');
  }

  /** Runs layers [first, end) on `input` (a checked copy: see vector()). */
  forward(first: number, end: number, input: Float64Array): void {
    this.live();
    this.reserveInput(input.length);
    this.arena.f64.set(input, this.arena.at(SEED_INPUT));
    this.backend.kernels.forwardSeed(this.arena, first, end, input.length);
    this.processed = true;
  }

  /** Updates layers [first, end) towards `expected` (a checked copy); throws ZeroWeightError with nothing changed. */
  update(first: number, end: number, expected: Float64Array, learningRate: number): void {
    this.live();
    if (!this.processed) throw new StateError('update() needs results: call process() first');
    this.arena.f64.set(expected, this.arena.at(SEED_EXPECTED));
    const failure = this.backend.kernels.updateSeed(this.arena, first, end, learningRate);
    if (failure === 0) return;
    const layer = this.arena.word(SEED_FAILED_LAYER);
    const neuron = this.arena.word(SEED_FAILED_NEURON);
    if (failure === 2) {
      throw new DivergenceError(`update diverged: the weight, bias or hoped input of layer ${layer}, neuron ${neuron} is not finite; nothing was changed (lower the learning rate or normalize the data)`, -1, -1);
    }
    throw new ZeroWeightError(
      `update would make the weight of layer ${layer}, neuron ${neuron} exactly 0, where the hoped input (bias - expected) / weight is undefined; nothing was changed`,
      layer, neuron,
    );
  }

  /** A copy of `count` numbers of buffer `field` of layer `layer`. */
  copy(layer: number, field: number, count = this.shapes[layer]!.size): Float64Array {
    const start = this.index(layer, field);
    return this.arena.f64.slice(start, start + count);
  }

  /** The results of layer `layer`, copied. */
  results(layer: number): Float64Array {
    return this.copy(layer, SEED_RESULT);
  }

  /** A copy of the whole arena, to put back with `restore` when a multi-step operation fails. */
  snapshot(): Float64Array {
    this.live();
    return this.arena.f64.slice(this.arena.base >> 3, (this.arena.base + this.arena.bytes) >> 3);
  }

  /** Puts back a `snapshot()` taken from this arena (same size). */
  restore(snapshot: Float64Array): void {
    this.arena.f64.set(snapshot, this.arena.base >> 3);
  }

  /** Frees the arena now (wasm); the model is unusable afterwards. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    untrack(this, this.arena);
  }

  // The input slot sits last in the arena: growing it is the old bytes plus room.
  private reserveInput(count: number): void {
    if (count <= this.arena.word(SEED_INPUT_CAPACITY)) return;
    const layout = seedLayout(this.shapes, count);
    const bigger = this.backend.allocate(layout.bytes);
    bigger.f64.set(this.arena.f64.subarray(this.arena.base >> 3, (this.arena.base + this.layout.bytes) >> 3), bigger.base >> 3);
    writeHeader(bigger, layout);
    untrack(this, this.arena);
    this.arena = bigger;
    this.layout = layout;
    track(this, bigger);
  }
}
