// Where a network's numbers live: one block of a heap (WebAssembly memory, or an ArrayBuffer of its own).
import type { Backend } from './index.js';

/**
 * Typed views over one memory. An unshared WebAssembly memory detaches its buffer when it
 * grows, so every access goes through `fresh()`; a shared one keeps the old, shorter buffer
 * valid, so the allocator (the only thing that grows memory) calls `grown()` after each block.
 */
export class Heap {
  f64: Float64Array;
  i32: Int32Array;
  f32: Float32Array;
  constructor(private readonly source: { readonly buffer: ArrayBufferLike }) {
    this.f64 = new Float64Array(source.buffer);
    this.i32 = new Int32Array(source.buffer);
    this.f32 = new Float32Array(source.buffer);
  }

  /** Returns this heap with views over the memory's current buffer. */
  fresh(): this {
    // A grown WebAssembly memory detaches the old buffer, which zeroes our views' length:
    // testing that is much cheaper than reading memory.buffer on every access.
    if (this.f64.length === 0) {
      this.f64 = new Float64Array(this.source.buffer);
      this.i32 = new Int32Array(this.source.buffer);
      this.f32 = new Float32Array(this.source.buffer);
    }
    return this;
  }

  /** Re-derives the views if the memory has grown since they were made (a shared memory's old buffer stays usable, at its old length). */
  grown(): void {
    if (this.f64.buffer.byteLength !== this.source.buffer.byteLength) {
      this.f64 = new Float64Array(this.source.buffer);
      this.i32 = new Int32Array(this.source.buffer);
      this.f32 = new Float32Array(this.source.buffer);
    }
  }

  /** Bytes the memory holds now. */
  get byteLength(): number {
    return this.source.buffer.byteLength;
  }

  /** The memory's current buffer (an unshared WebAssembly memory's is detached, and replaced, when it grows). */
  get buffer(): ArrayBufferLike {
    return this.source.buffer;
  }
}

/**
 * One network's block: an i32 header (see header.ts) followed by float64 buffers,
 * at byte offset `base` of `heap`. Offsets in the header are bytes from `base`.
 */
export class Arena {
  constructor(
    readonly backend: Backend,
    readonly heap: Heap,
    readonly base: number,
    readonly bytes: number,
  ) {}

  /** float64 view over the whole heap; index `(base + offset) / 8`. */
  get f64(): Float64Array {
    return this.heap.fresh().f64;
  }

  /** int32 view over the whole heap; index `(base + offset) / 4`. */
  get i32(): Int32Array {
    return this.heap.fresh().i32;
  }

  /** float32 view over the whole heap; index `(base + offset) / 4`. */
  get f32(): Float32Array {
    return this.heap.fresh().f32;
  }

  /** Header word `index`. */
  word(index: number): number {
    return this.i32[(this.base >> 2) + index]!;
  }

  /** float64 index of the buffer whose byte offset is in header word `index`. */
  at(index: number): number {
    return (this.base + this.word(index)) >> 3;
  }

  /** A Float64Array aliasing `length` numbers of the buffer at header word `index` (valid until memory grows). */
  view(index: number, length: number): Float64Array {
    const start = this.at(index);
    return this.f64.subarray(start, start + length);
  }
}
