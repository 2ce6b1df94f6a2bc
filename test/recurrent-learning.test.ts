// Tasks a peer's user would try, learned with the defaults: a periodic series forecast many steps ahead, sequence
// classification, and the adding problem at 50 steps (memory across the sequence), where a simple RNN fails and
// an LSTM or GRU learns. Checked against the true values, never against the code's own output.
import { describe, expect, test } from 'vitest';
import { RecurrentNetwork } from '../src/recurrent/network.js';
import { Random } from '../src/random.js';

/** 100 + 60·sin(ω t + phase) with a period of 12.5 steps: values in the hundreds, as a raw series would be. */
const wave = (phase: number, from: number, steps: number) => Array.from({ length: steps }, (_, t) => 100 + 60 * Math.sin(0.5027 * (from + t) + phase));

describe('learning with the defaults', () => {
  test.each([[1, 'cell'], [2, 'cell'], [1, 'hidden']] as const)('an LSTM forecasts a periodic series of values in the hundreds 48 steps ahead (untuned: automatic epochs; seed %i, memory %s)', (seed, memory) => {
    const series = Array.from({ length: 64 }, (_, s) => wave(0.37 * s, 0, 25));
    const net = new RecurrentNetwork({ inputSize: 1, layers: [{ type: 'lstm', size: 20, memory }, { type: 'dense', size: 1 }], seed });
    const history = net.fit(series);
    expect(history.stopReason).not.toBe('divergence');
    for (const phase of [0.1, 2.9]) {
      const forecast = net.forecast(wave(phase, 0, 24), 48);
      const truth = wave(phase, 24, 48);
      const mean = truth.reduce((sum, v, k) => sum + Math.abs(forecast[k]! - v), 0) / truth.length;
      // A flat forecast (the mean, 100) is off by 38 on average (the mean of |60 sin|).
      expect(mean, `mean absolute error over 48 steps, phase ${phase}`).toBeLessThan(8);
    }
  });

  test('an LSTM learns multivariate series (number[][][]) and forecasts both features', () => {
    const step = (phase: number, t: number) => [Math.sin(0.45 * t + phase), 0.5 * Math.cos(0.45 * t + phase)];
    const data = Array.from({ length: 32 }, (_, s) => Array.from({ length: 20 }, (_, t) => step(0.2 * s, t)));
    const net = new RecurrentNetwork({ inputSize: 2, layers: [{ type: 'lstm', size: 12 }, { type: 'dense', size: 2 }], seed: 4 });
    net.fit(data, { epochs: 60 });
    const forecast = net.forecast(Array.from({ length: 16 }, (_, t) => step(1.3, t)), 12);
    expect(forecast.length).toBe(24);
    let error = 0;
    for (let k = 0; k < 12; k++) {
      const [a, b] = step(1.3, 16 + k);
      error += Math.abs(forecast[2 * k]! - a!) + Math.abs(forecast[2 * k + 1]! - b!);
    }
    // A flat forecast (the means, 0) is off by about 0.95 per step summed over the two features.
    expect(error / 12).toBeLessThan(0.15);
  });

  test("a GRU classifies sequences by their frequency ('last', softmax head, cross-entropy)", () => {
    const random = new Random(5);
    const make = (count: number) => Array.from({ length: count }, () => {
      const label = Math.floor(random.next() * 3);
      const phase = 6.3 * random.next();
      const steps = 12 + Math.floor(random.next() * 10);
      const input = Array.from({ length: steps }, (_, t) => [Math.sin((0.4 + 0.5 * label) * t + phase) + 0.3 * (random.next() - 0.5)]);
      const output = [0, 0, 0];
      output[label] = 1;
      return { input, output };
    });
    const net = new RecurrentNetwork({ inputSize: 1, output: 'last', loss: 'crossEntropy', layers: [{ type: 'gru', size: 12 }, { type: 'dense', size: 3 }], seed: 2 });
    net.fit(make(240), { epochs: 30 });
    expect(net.evaluate(make(150)).accuracy).toBeGreaterThan(0.9);
  });
});

/** The adding problem: two features per step, a value in [0, 1) and a marker; the target is the sum of the two marked values. */
function adding(seed: number, count: number, steps: number) {
  const random = new Random(seed);
  return Array.from({ length: count }, () => {
    const a = Math.floor(random.next() * (steps / 2));
    const b = steps / 2 + Math.floor(random.next() * (steps / 2));
    const input = Array.from({ length: steps }, (_, t) => [random.next(), t === a || t === b ? 1 : 0]);
    return { input, output: [input[a]![0]! + input[b]![0]!] };
  });
}

describe('the adding problem at 50 steps', () => {
  const train = adding(1, 512, 50);
  const validation = adding(2, 100, 50);
  const heldOut = adding(3, 200, 50);
  // The sum of two uniform values has variance 1/6: predicting its mean scores that mean squared error.
  const baseline = 1 / 6;
  const meanSquaredError = (net: RecurrentNetwork) => {
    let total = 0;
    for (const { input, output } of heldOut) total += (net.predict(input)[0]! - output[0]!) ** 2;
    return total / heldOut.length;
  };
  const trained = (type: 'lstm' | 'gru' | 'rnn') => {
    const net = new RecurrentNetwork({ inputSize: 2, output: 'last', layers: [{ type, size: 12 }, { type: 'dense', size: 1 }], seed: 3 });
    net.fit(train, { epochs: 40, batchSize: 16, validationData: validation, earlyStopping: { patience: 40 } });
    return net;
  };

  test.each(['lstm', 'gru'] as const)('%s learns it', (type) => {
    expect(meanSquaredError(trained(type))).toBeLessThan(0.1 * baseline);
  });

  test('a simple rnn does not, with the same budget', () => {
    expect(meanSquaredError(trained('rnn'))).toBeGreaterThan(0.3 * baseline);
  });
});
