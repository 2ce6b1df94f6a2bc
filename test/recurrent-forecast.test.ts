// forecast(sequence, steps) against a plain loop of public calls: predict the sequence, append the last step's
// output as the next input, predict again. Standardized inputs and targets (values in the hundreds) make the
// feedback's scale and shift matter; the loop goes through predict's own unscaling and rescaling, so it agrees to
// rounding, not to the bit.
import { describe, expect, test } from 'vitest';
import { RecurrentNetwork } from '../src/recurrent/network.js';

const series = (count: number, steps: number) => Array.from({ length: count }, (_, s) => Array.from({ length: steps }, (_, t) => 300 + 80 * Math.sin(0.3 * s + 0.45 * t)));

describe.each(['js', 'wasm'] as const)('forecast on %s', (backend) => {
  test.each(['lstm', 'gru', 'rnn'] as const)('%s: each step is the prediction of the sequence extended by the steps before it', (type) => {
    const net = new RecurrentNetwork({ inputSize: 1, layers: [{ type, size: 6 }, { type: 'dense', size: 1 }], seed: 3, backend });
    net.fit(series(12, 10), { epochs: 4, batchSize: 4 });
    const prime = series(1, 8)[0]!;
    const forecast = net.forecast(prime, 5);
    const extended = prime.slice();
    for (let k = 0; k < 5; k++) {
      const outputs = net.predict(extended);
      const next = outputs[outputs.length - 1]!;
      expect(Math.abs(forecast[k]! - next), `step ${k}: ${forecast[k]} vs ${next}`).toBeLessThanOrEqual(1e-9 * Math.abs(next));
      extended.push(next);
    }
    // The forecast moves: a feedback that dropped the output's scale would not land within the bound above.
    expect(new Set(Array.from(forecast)).size).toBe(5);
  });
});
