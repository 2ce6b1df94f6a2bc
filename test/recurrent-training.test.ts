// Gradient clipping (on by default for recurrent networks) and the refusal of a diverging step.
import { describe, expect, test } from 'vitest';
import { DivergenceError } from '../src/errors.js';
import { RecurrentNetwork } from '../src/recurrent/network.js';
import { expectSameBits } from './helpers/bits.js';
import { engineGradient, raggedPairs } from './helpers/recurrent.js';

describe.each(['js', 'wasm'] as const)('training safeguards on %s', (backend) => {
  test('clipping is on by default (clipNorm 1); clipNorm 0 turns it off', () => {
    const layers = [{ type: 'gru', size: 3 }, { type: 'dense', size: 1 }] as const;
    expect(new RecurrentNetwork({ inputSize: 1, layers: [...layers], backend }).optimizer.clipNorm).toBe(1);
    expect(new RecurrentNetwork({ inputSize: 1, layers: [...layers], optimizer: { type: 'sgd', clipNorm: 0 }, backend }).optimizer.clipNorm).toBe(0);
    expect(new RecurrentNetwork({ inputSize: 1, layers: [...layers], optimizer: { type: 'adam', clipNorm: 5 }, backend }).optimizer.clipNorm).toBe(5);
  });

  test('a clipped SGD step moves the weights by −lr · g · clipNorm / ‖g‖', () => {
    const net = new RecurrentNetwork({
      inputSize: 2, layers: [{ type: 'lstm', size: 3 }, { type: 'dense', size: 2 }], optimizer: { type: 'sgd', learningRate: 0.5, clipNorm: 0.01 },
      standardize: false, seed: 2, backend,
    });
    const data = raggedPairs(5, 4, [5, 3, 4, 2], 2, 2, false);
    const before = net.getParameters();
    const gradient = engineGradient(net, data);
    const norm = Math.sqrt(gradient.reduce((sum, g) => sum + g * g, 0));
    expect(norm).toBeGreaterThan(0.01);
    net.fit(data, { epochs: 1, batchSize: 4, shuffle: false });
    const after = net.getParameters();
    for (let i = 0; i < after.length; i++) expect(after[i]).toBeCloseTo(before[i]! - 0.5 * gradient[i]! * (0.01 / norm), 14);
  });

  test('a diverging step is refused: DivergenceError, and that step changes no weight', () => {
    const net = new RecurrentNetwork({ inputSize: 1, layers: [{ type: 'rnn', size: 3 }, { type: 'dense', size: 1 }], standardize: false, seed: 3, backend });
    const parameters = net.getParameters();
    // Head weights near the float64 limit: the outputs overflow, so the loss is not finite.
    parameters.fill(1e308, parameters.length - 4, parameters.length - 1);
    net.setParameters(parameters);
    const data = [[1, 2, 3, 4], [2, 3, 4, 5]];
    let error: unknown;
    try {
      net.fit(data, { epochs: 1 });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(DivergenceError);
    expect((error as DivergenceError).epoch).toBe(0);
    expectSameBits(net.getParameters(), parameters, 'weights after the refused step');
    expect(net.fit(data, { epochs: 1, onDivergence: 'stop' }).stopReason).toBe('divergence');
    expectSameBits(net.getParameters(), parameters, 'weights after the refused step');
  });
});
