// The lstm workloads' runners: neurite (dist/), brain.js LSTMTimeStep, synaptic Architect.LSTM and TensorFlow.js layers.
// Each library object is shaped like the others in bench/ ({ name, backends, prepare, workloads }); the batch sizes
// that differ get rows of their own ('neurite batch 16', 'tfjs batch 16').
import brain from 'brain.js';
import synaptic from 'synaptic';
import * as tf from '@tensorflow/tfjs';
import * as neurite from '../dist/index.js';
import { tfjsLibrary } from './lib-tfjs.mjs';

const { RecurrentNetwork, ready } = neurite;

/** The last `from` values of a series, the input of one forecast. */
const forecastInput = (w) => w.series[0].slice(0, w.forecastFrom);

// ---- neurite

/** A RecurrentNetwork of the task on `backend`, adam at the task's rate. */
export function neuriteLstm(w, backend) {
  if (typeof RecurrentNetwork !== 'function') throw new Error('RecurrentNetwork is not exported by dist/index.js yet');
  return new RecurrentNetwork({
    inputSize: 1,
    layers: [{ type: 'lstm', size: w.hidden }, { type: 'dense', size: 1, activation: 'identity' }],
    output: 'sequence', loss: 'mse', optimizer: { type: 'adam', learningRate: w.learningRate }, seed: 1, backend,
  });
}

/** Epochs per timed training call of neurite and brain.js: one call trains many epochs, as users call them. */
const EPOCHS_PER_CALL = 5;

function neuriteTraining(batchSize) {
  return (w, data, quick, backend) => {
    const net = neuriteLstm(w, backend);
    const fitOnce = () => net.fit(data.series, { epochs: EPOCHS_PER_CALL, batchSize, shuffle: false });
    fitOnce();
    return {
      perIteration: EPOCHS_PER_CALL * w.sequences * w.steps,
      run: fitOnce,
      note: `fit() of ${EPOCHS_PER_CALL} epochs, batch ${batchSize}, adam 0.01`,
      dispose: () => net.dispose(),
    };
  };
}

/** neurite at batch 1 (brain.js's and synaptic's per-sequence steps, tfjs's batch 1). */
export const neuriteLstmLibrary = {
  name: 'neurite',
  backends: ['wasm', 'js'],
  async prepare() {
    await ready();
  },
  workloads: {
    lstm: neuriteTraining(1),
    'lstm-forecast'(w, data, quick, backend) {
      const net = neuriteLstm(w, backend);
      net.fit(data.series, { epochs: 1, batchSize: 16 });
      const input = forecastInput(data);
      return { perIteration: 100, run: () => { for (let k = 0; k < 100; k++) net.forecast(input, 1); }, note: 'forecast(series, 1)', dispose: () => net.dispose() };
    },
  },
};

/** neurite at batch 16 (tfjs's batch 16). */
export const neuriteLstmBatchLibrary = { ...neuriteLstmLibrary, name: 'neurite batch 16', workloads: { lstm: neuriteTraining(16) } };

// ---- brain.js

function brainLstm(w) {
  return new brain.recurrent.LSTMTimeStep({ inputSize: 1, hiddenLayers: [w.hidden], outputSize: 1 });
}

// errorThresh 0 would never stop training either, but brain.js only trains while error > errorThresh: a tiny value keeps every iteration.
const NEVER_MET = 1e-12;

/** brain.js 1.6.1 LSTMTimeStep: per-sequence training with its RMSProp-like rule (learning rate 0.01, its default). */
export const brainLstmLibrary = {
  name: 'brain.js',
  backends: ['js'],
  async prepare() {},
  workloads: {
    lstm(w, data) {
      const net = brainLstm(w);
      const epochs = () => net.train(data.series, { iterations: EPOCHS_PER_CALL, errorThresh: NEVER_MET, learningRate: w.learningRate });
      epochs();
      return { perIteration: EPOCHS_PER_CALL * w.sequences * w.steps, run: epochs, note: `train() of ${EPOCHS_PER_CALL} iterations, one sequence per step, learning rate 0.01` };
    },
    'lstm-forecast'(w, data) {
      const net = brainLstm(w);
      net.train(data.series, { iterations: 1, errorThresh: NEVER_MET, learningRate: w.learningRate });
      const input = forecastInput(data);
      return { perIteration: 100, run: () => { for (let k = 0; k < 100; k++) net.forecast(input, 1); }, note: 'forecast(series, 1)' };
    },
  },
};

// ---- synaptic

/** synaptic 1.1.4 Architect.LSTM(1, 20, 1): online training, activate + propagate per timestep. */
export const synapticLstmLibrary = {
  name: 'synaptic',
  backends: ['js'],
  async prepare() {},
  workloads: {
    lstm(w, data, quick) {
      const net = new synaptic.Architect.LSTM(1, w.hidden, 1);
      // One of its timesteps takes about a millisecond: a few sequences per timed iteration.
      const series = data.series.slice(0, quick ? 1 : 4);
      const epoch = () => {
        for (const values of series) {
          net.clear();
          for (let t = 0; t < w.steps; t++) {
            net.activate([values[t]]);
            net.propagate(w.learningRate, [values[t + 1]]);
          }
        }
      };
      return {
        perIteration: series.length * w.steps,
        run: epoch,
        note: `${series.length} of the 64 sequences per timing; its LSTM has peepholes and sigmoid output, SGD 0.01`,
      };
    },
    'lstm-forecast'(w, data) {
      const net = new synaptic.Architect.LSTM(1, w.hidden, 1);
      const input = forecastInput(data);
      return {
        perIteration: 10,
        run: () => {
          for (let k = 0; k < 10; k++) {
            net.clear();
            for (const value of input) net.activate([value]);
          }
        },
        note: 'clear() + activate() per step',
      };
    },
  },
};

// ---- TensorFlow.js

/** A tfjs layers model of the task: lstm (glorotUniform recurrent weights; the default, orthogonal, runs a QR decomposition per build), then a dense unit per step. */
export function tfjsLstm(w) {
  const m = tf.sequential();
  m.add(tf.layers.lstm({ units: w.hidden, returnSequences: true, inputShape: [null, 1], recurrentInitializer: 'glorotUniform' }));
  m.add(tf.layers.dense({ units: 1 }));
  m.compile({ optimizer: tf.train.adam(w.learningRate), loss: 'meanSquaredError' });
  return m;
}

/** The series as tfjs inputs and targets, [count, steps, 1]. */
export function tfjsTensors(w, series) {
  const inputs = series.flatMap((values) => values.slice(0, w.steps));
  const targets = series.flatMap((values) => values.slice(1, w.steps + 1));
  return { x: tf.tensor3d(inputs, [series.length, w.steps, 1]), y: tf.tensor3d(targets, [series.length, w.steps, 1]) };
}

function tfjsTraining(batchSize, count) {
  return async (w, data, quick) => {
    const m = tfjsLstm(w);
    // Batch 1 trains about 250 timesteps/s: a slice of the sequences per timing.
    const series = data.series.slice(0, quick ? batchSize : count);
    const { x, y } = tfjsTensors(w, series);
    const epoch = async () => await m.fit(x, y, { epochs: 1, batchSize, shuffle: false, verbose: 0 });
    await epoch();
    return {
      perIteration: series.length * w.steps,
      run: epoch,
      note: `fit(), batch ${batchSize}, adam 0.01${series.length < w.sequences ? `; ${series.length} of the 64 sequences per timing` : ''}`,
      dispose: () => { m.dispose(); x.dispose(); y.dispose(); },
    };
  };
}

/** TensorFlow.js layers at batch 1, and its forecast. */
export const tfjsLstmLibrary = {
  name: 'tfjs',
  backends: ['wasm'],
  prepare: tfjsLibrary.prepare,
  workloads: {
    lstm: tfjsTraining(1, 8),
    'lstm-forecast'(w, data) {
      const m = tfjsLstm(w);
      const input = forecastInput(data);
      return {
        perIteration: 10,
        run: () => {
          for (let k = 0; k < 10; k++) {
            const out = tf.tidy(() => m.predict(tf.tensor3d(input, [1, input.length, 1])));
            out.dataSync();
            out.dispose();
          }
        },
        note: 'tensor3d + predict + dataSync per call (the whole sequence of outputs)',
        dispose: () => m.dispose(),
      };
    },
  },
};

/** TensorFlow.js layers at batch 16. */
export const tfjsLstmBatchLibrary = { ...tfjsLstmLibrary, name: 'tfjs batch 16', workloads: { lstm: tfjsTraining(16, 64) } };

// ---- the loss curve

/** Mean squared error, in the series' units, of `predictSteps(values)` (the predictions of steps 1…24 of a series) over `series`. */
function seriesMse(w, series, predictSteps) {
  let sum = 0;
  for (const values of series) {
    const predicted = predictSteps(values);
    for (let t = 0; t < w.steps; t++) sum += (predicted[t] - values[t + 1]) ** 2;
  }
  return sum / (series.length * w.steps);
}

/**
 * The training MSE (on the 64 series, in their units) after each of `checkpoints` epochs, with the seconds spent
 * training, for neurite wasm (batch 1 and 16), brain.js and tfjs wasm (batch 16); also the MSE of repeating the
 * current value, for scale. Returns { checkpoints, baseline, curves: [{ label, mse: [], seconds: [] }] }.
 */
export async function lstmLossCurve(w, series, quick) {
  const checkpoints = quick ? [1, 2] : [1, 2, 5, 10, 20, 50];
  const baseline = seriesMse(w, series, (values) => values.slice(0, w.steps));
  const curves = [];
  const follow = async (label, trainEpochs, predictSteps, dispose) => {
    const curve = { label, mse: [], seconds: [] };
    let done = 0;
    let seconds = 0;
    try {
      for (const epoch of checkpoints) {
        const started = performance.now();
        await trainEpochs(epoch - done);
        seconds += (performance.now() - started) / 1000;
        done = epoch;
        curve.mse.push(seriesMse(w, series, predictSteps));
        curve.seconds.push(seconds);
      }
    } catch (error) {
      curve.error = `${error?.name ?? 'Error'}: ${error?.message ?? error}`.split('\n')[0];
    } finally {
      dispose?.();
    }
    curves.push(curve);
  };

  for (const batchSize of [1, 16]) {
    await ready();
    let net;
    await follow(
      `neurite wasm, batch ${batchSize}`,
      (epochs) => { net ??= neuriteLstm(w, 'wasm'); net.fit(series, { epochs, batchSize }); },
      (values) => net.predict(values.slice(0, w.steps)),
      () => net?.dispose(),
    );
  }
  const brainNet = brainLstm(w);
  await follow(
    'brain.js',
    (epochs) => brainNet.train(series, { iterations: epochs, errorThresh: NEVER_MET, learningRate: w.learningRate }),
    // brain's run gives the output after the last step only: one run per prefix.
    (values) => Array.from({ length: w.steps }, (_, t) => brainNet.run(values.slice(0, t + 1))),
  );
  await tfjsLibrary.prepare('wasm');
  const m = tfjsLstm(w);
  const { x, y } = tfjsTensors(w, series);
  await follow(
    'tfjs wasm, batch 16',
    async (epochs) => await m.fit(x, y, { epochs, batchSize: 16, shuffle: true, verbose: 0 }),
    (values) => tf.tidy(() => m.predict(tf.tensor3d(values.slice(0, w.steps), [1, w.steps, 1])).dataSync()),
    () => { m.dispose(); x.dispose(); y.dispose(); },
  );
  return { checkpoints, baseline, curves };
}
