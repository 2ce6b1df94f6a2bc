// A real series: an untuned RecurrentNetwork forecasts the last year of the airline passengers (Box & Jenkins) better
// than the seasonal-naive forecast (each month as the same month a year before).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { RecurrentNetwork } from '../src/recurrent/network.js';

const passengers = readFileSync(new URL('./data/airline-passengers.csv', import.meta.url), 'utf8')
  .trim().split('\n').slice(1).map((line) => Number(line.split(',')[1]));
const HORIZON = 12;
const history = passengers.slice(0, -HORIZON);
const heldOut = passengers.slice(-HORIZON);
const meanAbsoluteError = (forecast: readonly number[]) => heldOut.reduce((sum, value, k) => sum + Math.abs(value - forecast[k]!), 0) / HORIZON;

describe('airline passengers 1949–1960, the last 12 months held out', () => {
  it('the data are the 144 months of Series G', () => {
    expect(passengers).toHaveLength(144);
    expect(passengers.slice(0, 3)).toEqual([112, 118, 132]);
    expect(passengers.reduce((a, b) => a + b, 0)).toBe(40363);
  });

  // The series grows by a roughly constant factor, so it is learned as the month-to-month change of its logarithm
  // (Box & Jenkins model the logarithm too); the forecast changes are summed back onto the last month.
  const logs = history.map(Math.log);
  const changes = logs.slice(1).map((value, t) => value - logs[t]!);
  const seasonalNaive = meanAbsoluteError(history.slice(-12));

  it.each([1, 2, 3])('an LSTM of 20 units with every other option at its default (seed %i) beats seasonal naive', (seed) => {
    const net = new RecurrentNetwork({ inputSize: 1, layers: [{ type: 'lstm', size: 20 }, { type: 'dense', size: 1 }], seed });
    net.fit([changes]);
    let level = logs[logs.length - 1]!;
    const forecast = Array.from(net.forecast(changes, HORIZON), (change) => Math.exp((level += change)));
    net.dispose();
    const error = meanAbsoluteError(forecast);
    // Seasonal naive misses by 47.8 thousand passengers a month on average; the network by about 11 to 24.
    expect(seasonalNaive).toBeCloseTo(47.83, 2);
    expect(error).toBeLessThan(0.75 * seasonalNaive);
  }, 120_000);
});
