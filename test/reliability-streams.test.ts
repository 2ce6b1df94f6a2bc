// fitAsync on streams under hostile sources: huge batch and buffer sizes, failures before the first step (the network,
// its checkpoint state included, stays as it was), the source's own errors passed through, items read once.
import { describe, expect, it } from 'vitest';
import { DenseNetwork, type DenseSample, NeuriteError, ShapeError, StateError } from '../src/index.js';
import { expectSameBits } from './helpers/bits.js';

const BACKENDS = ['wasm', 'js'] as const;
const ROWS = 40;
// Independent of the library: a fixed rule on fixed inputs.
const rows: DenseSample[] = Array.from({ length: ROWS }, (_, r) => {
  const input = [Math.sin(r), Math.cos(3 * r)];
  return { input, output: [input[0]! * input[1]! > 0 ? 1 : 0] };
});
const flat = { inputs: rows.flatMap((s) => s.input as number[]), targets: rows.flatMap((s) => s.output as number[]) };

function* stream(items: readonly unknown[]): Generator<DenseSample> {
  yield* items as DenseSample[];
}

/** A network loaded from a checkpoint saved after epoch 2 of 4 (so that its next fit resumes). */
function resumedNetwork(backend: 'js' | 'wasm'): DenseNetwork {
  const net = new DenseNetwork({ layers: [2, 5, 1], seed: 8, backend, standardize: false });
  let checkpoint = '';
  net.fit(flat, { epochs: 4, batchSize: 8, onEpoch: ({ epoch }) => { if (epoch === 1) checkpoint = JSON.stringify(net.toJSON({ training: true })); } });
  net.dispose();
  return DenseNetwork.fromJSON(checkpoint, { backend });
}

describe.each(BACKENDS)('fitAsync on a stream, %s backend', (backend) => {
  const build = () => new DenseNetwork({ layers: [2, 5, 1], seed: 8, backend, standardize: false });

  it('a batchSize or shuffleBuffer far above the rows costs only the rows held: one batch of all rows, as fit in memory', async () => {
    const memory = build();
    const expected = memory.fit(flat, { epochs: 2, batchSize: ROWS, shuffle: false });
    for (const options of [{ batchSize: 2 ** 31 - 1, shuffle: false }, { batchSize: 1e9, shuffleBuffer: 0 }]) {
      const streamed = build();
      expect(await streamed.fitAsync(() => stream(rows), { epochs: 2, ...options })).toEqual(expected);
      expectSameBits(streamed.getParameters(), memory.getParameters(), 'parameters');
      streamed.dispose();
    }
    // A buffer that never fills: every row held, then drawn out at random; trains to finite weights.
    const shuffled = build();
    await shuffled.fitAsync(() => stream(rows), { epochs: 2, batchSize: 2 ** 30, shuffleBuffer: 2 ** 31 - 1 });
    expect(Array.from(shuffled.getParameters()).every(Number.isFinite)).toBe(true);
    shuffled.dispose();
    memory.dispose();
  });

  it('a failure before any step leaves a resumed network exactly as loaded, and it then resumes as if nothing happened', async () => {
    const reference = resumedNetwork(backend);
    const expected = await reference.fitAsync(() => stream(rows), { epochs: 4, batchSize: 8, shuffle: false });
    const failures: [string, () => Iterable<unknown>, new (...args: never[]) => Error][] = [
      ['an empty first epoch', () => stream([]), StateError],
      ['a bad first item', () => stream([{ input: [1, 2, 3], output: [0] }, ...rows]), ShapeError],
      ['a bad item after a buffer of rows (shuffle stream drawn, no step)', () => stream([...rows.slice(0, 6), { input: [NaN, 0], output: [1] }]), NeuriteError],
    ];
    for (const [what, source, type] of failures) {
      const net = resumedNetwork(backend);
      const before = JSON.stringify(net.toJSON({ training: true }));
      const options = what.includes('buffer') ? { epochs: 4, batchSize: 64, shuffleBuffer: 4 } : { epochs: 4, batchSize: 8, shuffle: false };
      await expect(net.fitAsync(source as () => Iterable<DenseSample>, options), what).rejects.toBeInstanceOf(type);
      expect(JSON.stringify(net.toJSON({ training: true })), what).toBe(before);
      expect(await net.fitAsync(() => stream(rows), { epochs: 4, batchSize: 8, shuffle: false }), what).toEqual(expected);
      expectSameBits(net.getParameters(), reference.getParameters(), `parameters after ${what}`);
      net.dispose();
    }
    reference.dispose();
  });

  it("the source's own error is passed through unchanged (the same object), not wrapped", async () => {
    const failure = new Error('disk read failed');
    function* failing(): Generator<DenseSample> {
      yield rows[0]!;
      throw failure;
    }
    const net = build();
    await expect(net.fitAsync(failing(), { batchSize: 4 })).rejects.toBe(failure);
    await expect(net.fitAsync(() => { throw failure; }, { epochs: 2 })).rejects.toBe(failure);
    net.dispose();
  });

  it("reads each item's arrays once", async () => {
    let reads = 0;
    const item = { get inputs() { reads++; return flat.inputs; }, targets: flat.targets };
    const net = build();
    await net.fitAsync([item][Symbol.iterator](), { batchSize: 8, shuffle: false });
    expect(reads).toBe(1);
    net.dispose();
  });
});
