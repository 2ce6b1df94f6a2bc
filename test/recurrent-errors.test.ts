// Bad input gets a typed NeuriteError naming the argument, and leaves the network as it was (weights, optimizer
// state, shuffling stream and standardization figures compared bit for bit before and after).
import { describe, expect, test } from 'vitest';
import {
  ConfigurationError, FormatError, InvalidArgumentError, NeuriteError, NonFiniteError, OutOfRangeError, ShapeError, StateError,
} from '../src/errors.js';
import { RecurrentNetwork } from '../src/recurrent/network.js';
import { thrownBy } from './helpers/errors.js';

const series = (count: number, steps: number) => Array.from({ length: count }, (_, s) => Array.from({ length: steps }, (_, t) => Math.sin(0.4 * s + 0.5 * t)));

function trained(backend: 'js' | 'wasm', options: Partial<ConstructorParameters<typeof RecurrentNetwork>[0]> = {}): RecurrentNetwork {
  const net = new RecurrentNetwork({ inputSize: 1, layers: [{ type: 'gru', size: 4 }, { type: 'dense', size: 1 }], seed: 1, backend, ...options });
  const data = options.output === 'last' ? series(6, 8).map((input) => ({ input, output: [input[0]!] })) : series(6, 8);
  net.fit(data, { epochs: 2, batchSize: 3 });
  return net;
}

/** Runs `call`, expects `kind` naming `argument`, and that the network's whole state is unchanged. */
function expectRefused(net: RecurrentNetwork, call: () => unknown, kind: typeof NeuriteError, argument?: string): void {
  const before = JSON.stringify(net.toJSON({ training: true }));
  const error = thrownBy(() => call());
  expect(error).toBeInstanceOf(kind);
  if (argument !== undefined) expect((error as NeuriteError).argument).toBe(argument);
  expect(JSON.stringify(net.toJSON({ training: true }))).toBe(before);
}

describe.each(['js', 'wasm'] as const)('bad input on %s', (backend) => {
  test('a step of the wrong width', () => {
    const net = trained(backend);
    expectRefused(net, () => net.predict([[1, 2], [3, 4]]), ShapeError, 'sequence[0]');
    expectRefused(net, () => net.fit([{ input: [[1], [2, 3]], output: [[1], [2]] }]), ShapeError, 'data[0].input[1]');
    const wide = trained(backend, { inputSize: 2, layers: [{ type: 'lstm', size: 3 }, { type: 'dense', size: 2 }] });
    expectRefused(wide, () => wide.fit([[[1, 2], [3]]]), ShapeError, 'data[0][1]');
    expectRefused(wide, () => wide.predict([1, 2, 3]), ShapeError, 'sequence');
  });

  test('empty data and empty sequences', () => {
    const net = trained(backend);
    expectRefused(net, () => net.predict([]), ShapeError, 'sequence');
    expectRefused(net, () => net.forecast([], 3), ShapeError, 'sequence');
    expectRefused(net, () => net.fit([]), ShapeError, 'data');
    expectRefused(net, () => net.fit([[1, 2, 3], []]), ShapeError, 'data[1]');
    expectRefused(net, () => net.fit([[1, 2, 3], [4]]), ShapeError, 'data[1]');
    expectRefused(net, () => net.fit([{ input: [], output: [] }]), ShapeError, 'data[0].input');
  });

  test('NaN, Infinity and values that are not numbers', () => {
    const net = trained(backend);
    expectRefused(net, () => net.predict([0.5, NaN]), NonFiniteError, 'sequence');
    expectRefused(net, () => net.forecast([0.5, Infinity], 2), NonFiniteError, 'sequence');
    expectRefused(net, () => net.fit([...series(3, 5), [1, 2, NaN, 4]]), NonFiniteError, 'data[3]');
    expectRefused(net, () => net.fit([{ input: [1, 2], output: [1, '2' as unknown as number] }]), InvalidArgumentError, 'data[0].output');
    expectRefused(net, () => net.evaluate([{ input: [[1], [NaN]], output: [[1], [2]] }]), NonFiniteError, 'data[0].input[1]');
  });

  test('ragged data: targets that do not match their inputs', () => {
    const net = trained(backend);
    expectRefused(net, () => net.fit([{ input: [1, 2, 3], output: [1, 2] }]), ShapeError, 'data[0].output');
    expectRefused(net, () => net.fit([{ input: [1, 2, 3], output: [1, 2, 3] }, [1, 2, 3] as never]), InvalidArgumentError, 'data[1]');
    const last = trained(backend, { output: 'last' });
    expectRefused(last, () => last.fit([{ input: [1, 2], output: [1, 2] }]), ShapeError, 'data[0].output');
    expectRefused(last, () => last.fit(series(3, 4)), ShapeError, 'data');
  });

  test('negative, fractional and non-numeric forecast steps; forecasting a network that cannot', () => {
    const net = trained(backend);
    expectRefused(net, () => net.forecast([1, 2], -1), OutOfRangeError, 'steps');
    expectRefused(net, () => net.forecast([1, 2], 0), OutOfRangeError, 'steps');
    expectRefused(net, () => net.forecast([1, 2], 2.5), OutOfRangeError, 'steps');
    expectRefused(net, () => net.forecast([1, 2], NaN), NonFiniteError, 'steps');
    expectRefused(net, () => net.forecast([1, 2], '3' as unknown as number), InvalidArgumentError, 'steps');
    const last = trained(backend, { output: 'last' });
    expect(() => last.forecast([1, 2], 2)).toThrow(ConfigurationError);
  });

  test('bad fit options', () => {
    const net = trained(backend);
    expectRefused(net, () => net.fit(series(4, 5), { bpttWindow: -2 }), OutOfRangeError, 'options.bpttWindow');
    expectRefused(net, () => net.fit(series(4, 5), { batchSize: 0 }), OutOfRangeError, 'options.batchSize');
    expectRefused(net, () => net.fit(series(4, 5), { validationSplit: 0.1 }), OutOfRangeError, 'options.validationSplit');
    expectRefused(net, () => net.fit(series(4, 5), { onDivergence: 'retry' as never }), InvalidArgumentError, 'options.onDivergence');
    expectRefused(net, () => net.fit(series(4, 5), { initialEpoch: -1 }), OutOfRangeError, 'options.initialEpoch');
    expectRefused(net, () => net.fit(series(4, 5), { initialEpoch: 1.5 }), OutOfRangeError, 'options.initialEpoch');
    expectRefused(net, () => net.fit(series(4, 5), { shuffleBuffer: 4 } as never), InvalidArgumentError, 'options.shuffleBuffer');
  });

  test('a predictInto output of the wrong length or type', () => {
    const net = trained(backend);
    expectRefused(net, () => net.predictInto(new Float64Array(2), [1, 2, 3]), ShapeError, 'out');
    expectRefused(net, () => net.predictInto([0, 0, 0] as unknown as Float64Array, [1, 2, 3]), InvalidArgumentError, 'out');
  });

  test('fit from onEpoch, and any call after dispose', () => {
    const net = trained(backend);
    expect(() => net.fit(series(4, 5), { epochs: 1, onEpoch: () => void net.fit(series(4, 5)) })).toThrow(StateError);
    net.dispose();
    expect(() => net.predict([1, 2])).toThrow(StateError);
  });
});

describe('bad options', () => {
  test.each([
    [{ inputSize: 0, layers: [{ type: 'lstm', size: 2 }, { type: 'dense', size: 1 }] }, OutOfRangeError, 'options.inputSize'],
    [{ inputSize: 1, layers: [{ type: 'dense', size: 1 }] }, ConfigurationError, 'options.layers'],
    [{ inputSize: 1, layers: [{ type: 'lstm', size: 2 }, { type: 'lstm', size: 1 }] }, ConfigurationError, 'options.layers[1].type'],
    [{ inputSize: 1, layers: [{ type: 'dense', size: 2 }, { type: 'dense', size: 1 }] }, ConfigurationError, 'options.layers[0].type'],
    [{ inputSize: 1, layers: [{ type: 'conv', size: 2 }, { type: 'dense', size: 1 }] }, InvalidArgumentError, 'options.layers[0].type'],
    [{ inputSize: 1, layers: [{ type: 'lstm', size: 2, activation: 'relu' }, { type: 'dense', size: 1 }] }, ConfigurationError, 'options.layers[0].activation'],
    [{ inputSize: 1, layers: [{ type: 'rnn', size: 2 }, { type: 'dense', size: 1, activation: 'softmax' }] }, ConfigurationError, 'options.layers[1].activation'],
    [{ inputSize: 1, loss: 'crossEntropy', layers: [{ type: 'rnn', size: 2 }, { type: 'dense', size: 2, activation: 'sigmoid' }] }, ConfigurationError, 'options.loss'],
    [{ inputSize: 1, output: 'first', layers: [{ type: 'rnn', size: 2 }, { type: 'dense', size: 1 }] }, InvalidArgumentError, 'options.output'],
    [{ inputSize: 1, layers: [{ type: 'lstm', size: 2, memory: 'forget' }, { type: 'dense', size: 1 }] }, InvalidArgumentError, 'options.layers[0].memory'],
    [{ inputSize: 1, layers: [{ type: 'lstm', size: 2 }, { type: 'lstm', size: 2, memory: null }, { type: 'dense', size: 1 }] }, InvalidArgumentError, 'options.layers[1].memory'],
    [{ inputSize: 1, layers: [{ type: 'gru', size: 2, memory: 'hidden' }, { type: 'dense', size: 1 }] }, ConfigurationError, 'options.layers[0].memory'],
    [{ inputSize: 1, layers: [{ type: 'rnn', size: 2, memory: 'cell' }, { type: 'dense', size: 1 }] }, ConfigurationError, 'options.layers[0].memory'],
    [{ inputSize: 1, layers: [{ type: 'lstm', size: 2 }, { type: 'dense', size: 1, memory: 'hidden' }] }, ConfigurationError, 'options.layers[1].memory'],
  ])('%j', (options, kind, argument) => {
    const error = thrownBy(() => new RecurrentNetwork(options as never));
    expect(error).toBeInstanceOf(kind);
    expect((error as NeuriteError).argument).toBe(argument);
  });
});

describe('hostile or broken model JSON', () => {
  const good = () => {
    const net = new RecurrentNetwork({ inputSize: 2, layers: [{ type: 'lstm', size: 3 }, { type: 'rnn', size: 2, activation: 'relu' }, { type: 'dense', size: 2 }], seed: 4 });
    return JSON.parse(JSON.stringify(net.toJSON({ training: true }))) as Record<string, any>;
  };
  test.each<[string, (json: Record<string, any>) => unknown, string]>([
    ['not JSON text', () => '{"format": "neurite-recurrent", ', 'json'],
    ['another format', (j) => ({ ...j, format: 'neurite-dense' }), 'json.format'],
    ['another version', (j) => ({ ...j, version: 2 }), 'json.version'],
    ['a prototype-polluting key', (j) => JSON.parse(JSON.stringify(j).replace('"seed"', '"__proto__":{"polluted":1},"seed"')), 'json.__proto__'],
    ['an unknown field', (j) => ({ ...j, extra: 1 }), 'json.extra'],
    ['a weight count that does not match', (j) => { j.layers[0].input.pop(); return j; }, 'json.layers[0].input'],
    ['a NaN weight (as null)', (j) => { j.layers[1].recurrent[0] = null; return j; }, 'json.layers[1].recurrent'],
    ['an unknown cell', (j) => { j.layers[0].type = 'transformer'; return j; }, 'json.layers[0].type'],
    ['a head that is not last', (j) => { j.layers.reverse(); return j; }, 'json.layers[0].type'],
    ['a simple rnn without its activation', (j) => { delete j.layers[1].activation; return j; }, 'json.layers[1].activation'],
    ['a gigantic layer', (j) => { j.layers[0].size = 2 ** 20; return j; }, 'json.layers'],
    ['a negative standardization', (j) => ({ ...j, scaling: { inputs: { mean: [0, 0], std: [1, -1] } } }), 'json.scaling.inputs.std'],
    ['moments of the wrong length', (j) => { j.training.moment1.pop(); return j; }, 'json.training.moment1'],
    ['an output mode that does not exist', (j) => ({ ...j, output: 'middle' }), 'json.output'],
    ['an lstm memory that does not exist', (j) => { j.layers[0].memory = 'forget'; return j; }, 'json.layers[0].memory'],
    ['a memory on a simple rnn', (j) => { j.layers[1].memory = 'hidden'; return j; }, 'json.layers[1].memory'],
    ['a memory on the head', (j) => { j.layers[2].memory = 'cell'; return j; }, 'json.layers[2].memory'],
  ])('%s', (_, corrupt, argument) => {
    const error = thrownBy(() => RecurrentNetwork.fromJSON(corrupt(good())));
    expect(error).toBeInstanceOf(FormatError);
    expect((error as NeuriteError).argument).toBe(argument);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});
