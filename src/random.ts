// The one seeded generator behind initialization and shuffling (mulberry32: 32-bit state, period 2^32).

/** A seeded stream of numbers in [0, 1). Same seed, same stream, on every backend and platform. */
export class Random {
  private state: number;
  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  /** The next number in [0, 1), with 32 random bits. */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** Shuffles `order[0..length)` in place (Fisher–Yates). */
  shuffle(order: Int32Array, start: number, length: number): void {
    for (let i = length - 1; i > 0; i--) {
      const j = Math.floor(this.next() * (i + 1));
      const t = order[start + i]!;
      order[start + i] = order[start + j]!;
      order[start + j] = t;
    }
  }

  /** The generator's state, to save and resume a stream. */
  get seed(): number {
    return this.state;
  }

  /** Continues the stream from a state read from {@link seed}. */
  restore(state: number): void {
    this.state = state >>> 0;
  }
}
