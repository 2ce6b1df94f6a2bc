// new DenseNetwork's option arrays and objects: holes refused by index, every caller-owned value read once.
import { describe, expect, it } from 'vitest';
import type { DenseModel } from '../src/dense/model.js';
import { ConfigurationError, DenseNetwork, InvalidArgumentError } from '../src/index.js';

function thrown(run: () => unknown): unknown {
  try {
    run();
  } catch (error) {
    return error;
  }
  throw new Error('did not throw');
}

describe('options.layers', () => {
  it('refuses a hole (a sparse array) with an InvalidArgumentError naming the slot', () => {
    const layers = [2, , 1] as unknown as number[]; // index 1 is an empty slot
    const error = thrown(() => new DenseNetwork({ layers, backend: 'js' }));
    expect(error).toBeInstanceOf(InvalidArgumentError);
    expect((error as InvalidArgumentError).argument).toBe('options.layers[1]');
    expect((error as Error).message).toContain('empty slot');
  });

  it('refuses a hole at the end of an array grown by length', () => {
    const layers = [3, 4];
    layers.length = 3;
    const error = thrown(() => new DenseNetwork({ layers, backend: 'js' }));
    expect((error as InvalidArgumentError).argument).toBe('options.layers[2]');
  });

  it('an explicit undefined entry is named too (not a hole, still not a layer)', () => {
    const error = thrown(() => new DenseNetwork({ layers: [2, undefined as unknown as number, 1], backend: 'js' }));
    expect(error).toBeInstanceOf(InvalidArgumentError);
    expect((error as InvalidArgumentError).argument).toBe('options.layers[1]');
  });

  it('reads the length and each entry once: a getter that changes its answer cannot change the network', () => {
    let reads = 0;
    const layers: unknown[] = [2, 3, 1];
    Object.defineProperty(layers, 1, { get: () => (++reads === 1 ? 3 : 50), enumerable: true });
    const net = new DenseNetwork({ layers: layers as number[], backend: 'js', seed: 1 });
    expect(reads).toBe(1);
    expect(net.sizes).toEqual([2, 3, 1]);
    expect(net.getParameters().length).toBe(2 * 3 + 3 + 3 * 1 + 1);
    net.dispose();
  });

  it('an array whose last entry pushes more layers while read builds the layers it had', () => {
    const layers: unknown[] = [2, 3];
    Object.defineProperty(layers, 2, { get: () => { layers.push(7, 7, 7); return 1; }, enumerable: true, configurable: true });
    const net = new DenseNetwork({ layers: layers as number[], backend: 'js', seed: 1 });
    expect(net.sizes).toEqual([2, 3, 1]);
    net.dispose();
  });

  it('still refuses too few layers with a ConfigurationError', () => {
    expect(thrown(() => new DenseNetwork({ layers: [2], backend: 'js' }))).toBeInstanceOf(ConfigurationError);
  });
});

describe('option objects are read once', () => {
  it('standardize: a getter read twice would flip the switch', () => {
    let reads = 0;
    const standardize = { get inputs() { return ++reads === 1; } };
    const net = new DenseNetwork({ layers: [2, 3, 1], standardize, backend: 'js', seed: 1 });
    expect(reads).toBe(1);
    expect((net as unknown as { model: DenseModel }).model.standardization.inputs).toBe(true);
    net.dispose();
  });

  it('a layer spec { size, activation } is read once', () => {
    let reads = 0;
    const spec = { get size() { return ++reads === 1 ? 4 : 1e9; }, activation: 'relu' as const };
    const net = new DenseNetwork({ layers: [2, spec, 1], backend: 'js', seed: 1 });
    expect(reads).toBe(1);
    expect(net.sizes).toEqual([2, 4, 1]);
    net.dispose();
  });

  it('fit options.earlyStopping is read once', () => {
    let reads = 0;
    const earlyStopping = { get patience() { return ++reads === 1 ? 2 : -1; } };
    const net = new DenseNetwork({ layers: [2, 3, 1], backend: 'js', seed: 1 });
    net.fit({ inputs: [0, 0, 1, 1, 0, 1, 1, 0], targets: [0, 0, 1, 1] }, { epochs: 3, earlyStopping });
    expect(reads).toBe(1);
    net.dispose();
  });
});
