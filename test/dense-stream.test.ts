// fitAsync on streams: samples or batches from a (async) iterable or a factory read once per epoch, through a
// seeded shuffle buffer; never holding the whole stream.
import { describe, expect, it } from 'vitest';
import { ConfigurationError, DenseNetwork, type DenseSample, OutOfRangeError, StateError } from '../src/index.js';
import { Random } from '../src/random.js';
import { friedman, moons } from './helpers/problems.js';
import { expectSameBits } from './helpers/bits.js';

const BACKENDS = ['wasm', 'js'] as const;
const ROWS = 5000;
const data = moons(3, ROWS).train;

/** The rows of `data` as a generator of samples, counting the rows it hands out. */
function* samples(counter: { read: number }, from = data): Generator<DenseSample> {
  const rows = from.targets.length;
  const width = from.inputs.length / rows;
  for (let r = 0; r < rows; r++) {
    counter.read++;
    yield { input: Array.from(from.inputs.subarray(r * width, (r + 1) * width)), output: [from.targets[r]!] };
  }
}

describe.each(BACKENDS)('fitAsync on a stream, %s backend', (backend) => {
  const options = { layers: [2, 8, 1], seed: 12, backend } as const;

  it('without a shuffle buffer, equals fit on the same rows in memory, bit for bit, reading the stream once per epoch', async () => {
    const memory = new DenseNetwork(options);
    const expected = memory.fit(data, { epochs: 3, batchSize: 32, shuffle: false });
    const counter = { read: 0 };
    const streamed = new DenseNetwork(options);
    const history = await streamed.fitAsync(() => samples(counter), { epochs: 3, batchSize: 32, shuffleBuffer: 0 });
    expect(history).toEqual(expected);
    expect(counter.read).toBe(3 * ROWS);
    expectSameBits(streamed.getParameters(), memory.getParameters(), 'parameters');
  });

  it('batches and async iterables give the same run as samples', async () => {
    async function* batches() {
      for (let start = 0; start < ROWS; start += 700) {
        const end = Math.min(ROWS, start + 700);
        yield { inputs: data.inputs.slice(2 * start, 2 * end), targets: Array.from(data.targets.subarray(start, end)) };
      }
    }
    const a = new DenseNetwork(options);
    const b = new DenseNetwork(options);
    const ha = await a.fitAsync(() => samples({ read: 0 }), { epochs: 2, shuffleBuffer: 100 });
    const hb = await b.fitAsync(batches, { epochs: 2, shuffleBuffer: 100 });
    expect(hb).toEqual(ha);
    expectSameBits(b.getParameters(), a.getParameters(), 'parameters');
  });

  it('a shuffle buffer is seeded: the same seed gives the same run, and it is not the stream order', async () => {
    const run = async (seed: number) => {
      const net = new DenseNetwork({ ...options, seed });
      const history = await net.fitAsync(() => samples({ read: 0 }), { epochs: 2, shuffleBuffer: 256 });
      return { history, parameters: net.getParameters() };
    };
    const [a, b] = [await run(5), await run(5)];
    expect(b.history).toEqual(a.history);
    expectSameBits(b.parameters, a.parameters, 'parameters');
    const ordered = new DenseNetwork({ ...options, seed: 5 });
    await ordered.fitAsync(() => samples({ read: 0 }), { epochs: 2, shuffleBuffer: 0 });
    expect(ordered.getParameters()).not.toEqual(a.parameters);
  });
});

describe('the shuffle buffer', () => {
  it('draws rows as a plain-loop reference of the algorithm does: a full buffer swaps a random held row out, the end drains it at random', async () => {
    const rows = 300;
    const capacity = 64;
    const batchSize = 16;
    const options = { layers: [2, 5, 1], seed: 77, backend: 'js' } as const;
    // The reference order: the network's stream continues after one draw per initial weight (2×5 + 5×1).
    const random = new Random(77);
    for (let k = 0; k < 15; k++) random.next();
    const pool: number[] = [];
    const order: number[] = [];
    for (let r = 0; r < rows; r++) {
      if (pool.length < capacity) pool.push(r);
      else {
        const j = Math.floor(random.next() * capacity);
        order.push(pool[j]!);
        pool[j] = r;
      }
    }
    while (pool.length > 0) {
      const j = Math.floor(random.next() * pool.length);
      order.push(pool[j]!);
      pool[j] = pool[pool.length - 1]!;
      pool.pop();
    }
    expect([...order].sort((a, b) => a - b)).toEqual(Array.from({ length: rows }, (_, r) => r));
    const twin = new DenseNetwork(options);
    for (let start = 0; start < rows; start += batchSize) {
      const picked = order.slice(start, start + batchSize);
      twin.trainStep(picked.flatMap((r) => [data.inputs[2 * r]!, data.inputs[2 * r + 1]!]), picked.map((r) => data.targets[r]!), picked.length);
    }
    const net = new DenseNetwork(options);
    await net.fitAsync(samples({ read: 0 }, { inputs: data.inputs.subarray(0, 2 * rows), targets: data.targets.subarray(0, rows) }), { epochs: 1, batchSize, shuffleBuffer: capacity });
    expectSameBits(net.getParameters(), twin.getParameters(), 'parameters');
  });
});

describe('streams stay streams', () => {
  it('trains while the stream is still being read (the stream is never gathered first)', async () => {
    const net = new DenseNetwork({ layers: [2, 8, 1], seed: 1 });
    const initial = net.getParameters();
    let changedBy = -1;
    const counter = { read: 0 };
    function* watched() {
      for (const sample of samples(counter)) {
        if (changedBy < 0 && counter.read % 100 === 0 && net.getParameters().some((v, i) => v !== initial[i])) changedBy = counter.read;
        yield sample;
      }
    }
    await net.fitAsync(watched(), { shuffleBuffer: 512, batchSize: 32 });
    // The first step needs the buffer full (512) plus a batch (32) of rows.
    expect(changedBy).toBeGreaterThan(0);
    expect(changedBy).toBeLessThanOrEqual(600);
  });

  it('standardized targets are measured in a first pass over a factory (same figures as in memory)', async () => {
    const problem = friedman(2, 300);
    const options = { layers: [10, 6, 1], outputActivation: 'identity', seed: 3 } as const;
    const memory = new DenseNetwork(options);
    memory.fit(problem.train, { epochs: 2, shuffle: false });
    const streamed = new DenseNetwork(options);
    const counter = { read: 0 };
    await streamed.fitAsync(() => samples(counter, problem.train), { epochs: 2, shuffleBuffer: 0 });
    expect(counter.read).toBe(3 * 300);
    expect(streamed.toJSON().scaling).toEqual(memory.toJSON().scaling);
    expectSameBits(streamed.getParameters(), memory.getParameters(), 'parameters');
  });

  it('a factory trains 100 epochs without options', async () => {
    const history = await new DenseNetwork({ layers: [2, 3, 1], seed: 1 }).fitAsync(() => [{ input: [0, 1], output: [1] }, { input: [1, 0], output: [0] }]);
    expect(history.epochs.length).toBe(100);
  });

  it('a stream read once trains one epoch; more epochs, standardizing or retries need a factory', async () => {
    const net = new DenseNetwork({ layers: [2, 4, 1], seed: 1 });
    const history = await net.fitAsync(samples({ read: 0 }));
    expect(history.epochs.length).toBe(1);
    await expect(net.fitAsync(samples({ read: 0 }), { epochs: 2 })).rejects.toThrow(ConfigurationError);
    const regression = new DenseNetwork({ layers: [2, 4, 1], outputActivation: 'identity' });
    await expect(regression.fitAsync(samples({ read: 0 }))).rejects.toThrow(/standardiz/);
    await expect(net.fitAsync(samples({ read: 0 }), { validationSplit: 0.2 })).rejects.toThrow(ConfigurationError);
  });

  it('an empty epoch, a bad item and targets outside the loss\'s domain are refused', async () => {
    const net = new DenseNetwork({ layers: [2, 4, 1], loss: 'binaryCrossEntropy', seed: 1 });
    await expect(net.fitAsync(() => [], { epochs: 1 })).rejects.toThrow(StateError);
    await expect(net.fitAsync(() => [{ input: [1, 2], output: [1] }, 7 as never], { epochs: 1 })).rejects.toThrow(/data item 1/);
    await expect(net.fitAsync(() => [{ input: [1, 2], output: [2] }], { epochs: 1 })).rejects.toThrow(OutOfRangeError);
  });
});
