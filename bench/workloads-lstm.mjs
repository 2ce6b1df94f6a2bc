// The recurrent workloads (issue 15): 64 sine sequences of 24 steps, an LSTM of 20 units, next value at every step.
import { prng } from './data.mjs';

/** The task every library runs. */
export const LSTM_TASK = { sequences: 64, steps: 24, hidden: 20, learningRate: 0.01, forecastFrom: 23 };

/**
 * `count` series of `length` values 0.5 + 0.4·sin(φ + ω·t), φ in [0, 2π) and ω in [0.25, 0.5) drawn per series
 * from a fixed seed: step t is the input and step t + 1 the target, so a series of 25 values gives 24 timesteps.
 */
export function sineSeries(count, length, seed = 15) {
  const random = prng(seed);
  return Array.from({ length: count }, () => {
    const phase = random() * 2 * Math.PI;
    const frequency = 0.25 + random() * 0.25;
    return Array.from({ length }, (_, t) => 0.5 + 0.4 * Math.sin(phase + frequency * t));
  });
}

const data = () => ({ series: sineSeries(LSTM_TASK.sequences, LSTM_TASK.steps + 1), ...LSTM_TASK });

/** Training throughput, and the latency of one forecast. */
export const LSTM_WORKLOADS = [
  {
    id: 'lstm',
    title: 'lstm: 64 sine sequences of 24 steps, LSTM of 20 units + dense 1 (identity), MSE, next value at every step; training',
    unit: 'training timesteps/s', better: 'higher', ...LSTM_TASK, data,
    figure: (ms, perIteration) => perIteration / (ms / 1000),
  },
  {
    id: 'lstm-forecast',
    title: 'lstm-forecast: the same trained network, one forecast of the next value from 23 steps (input given as a plain array)',
    unit: 'µs per forecast', better: 'lower', ...LSTM_TASK, data,
    figure: (ms, perIteration) => (ms * 1000) / perIteration,
  },
];
