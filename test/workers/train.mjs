// Worker for reliability-workers.test.ts: imports a built neurite (workerData.module, a file URL), trains one
// network with fit and a few trainSteps, and posts back its parameters, history and predictions.
import { parentPort, workerData } from 'node:worker_threads';

const { module, options, data, fit, steps, probe } = workerData;
const { DenseNetwork, getBackend } = await import(module);
const net = new DenseNetwork(options);
const history = net.fit({ inputs: Float64Array.from(data.inputs), targets: Float64Array.from(data.targets) }, fit);
for (const step of steps) net.trainStep(step.inputs, step.targets, step.rows);
const predictions = net.predictBatch(probe, probe.length / net.inputSize).slice();
parentPort.postMessage({ backend: net.backend, defaultBackend: getBackend(), parameters: net.getParameters(), history, predictions });
net.dispose();
