// Trains the playground's network off the main thread: full-batch Adam steps on the current points,
// then the accuracy and the decision field go back to the page.
import { DenseNetwork, ready, wasmSimd } from 'neurite';
import { FIELD_SIZE, type FromWorker, type PointsMessage } from './protocol';

// Steps per message: enough to move visibly, few enough to answer new points within a frame or two.
const STEPS_PER_TICK = 10;

const scope = self as unknown as { postMessage(message: FromWorker, transfer?: Transferable[]): void; onmessage: ((event: MessageEvent<PointsMessage>) => void) | null };

let network: DenseNetwork | null = null;
let inputs: Float64Array = new Float64Array(0);
let targets: Float64Array = new Float64Array(0);
let labels: Uint8Array = new Uint8Array(0);
let epoch = 0;

// The grid's cell centres, row-major from the top-left; y points up as on the page.
const grid = new Float64Array(FIELD_SIZE * FIELD_SIZE * 2);
for (let row = 0; row < FIELD_SIZE; row++) {
  for (let column = 0; column < FIELD_SIZE; column++) {
    grid[(row * FIELD_SIZE + column) * 2] = ((column + 0.5) / FIELD_SIZE) * 2 - 1;
    grid[(row * FIELD_SIZE + column) * 2 + 1] = 1 - ((row + 0.5) / FIELD_SIZE) * 2;
  }
}

scope.onmessage = ({ data }) => {
  inputs = data.coordinates;
  labels = data.labels;
  targets = new Float64Array(labels.length * 2);
  labels.forEach((label, i) => (targets[i * 2 + label] = 1));
};

function accuracy(net: DenseNetwork): number {
  const probabilities = net.predictBatch(inputs, labels.length);
  let correct = 0;
  labels.forEach((label, i) => (correct += Number((probabilities[i * 2 + 1]! > probabilities[i * 2]!) === (label === 1))));
  return correct / labels.length;
}

function tick(): void {
  if (network && labels.length > 0) {
    let loss = 0;
    for (let step = 0; step < STEPS_PER_TICK; step++) loss = network.trainStep(inputs, targets, labels.length);
    epoch += STEPS_PER_TICK;
    const correct = accuracy(network);
    const probabilities = network.predictBatch(grid, FIELD_SIZE * FIELD_SIZE);
    const field = new Float64Array(FIELD_SIZE * FIELD_SIZE);
    for (let i = 0; i < field.length; i++) field[i] = probabilities[i * 2 + 1]!;
    scope.postMessage({ type: 'progress', epoch, loss, accuracy: correct, field }, [field.buffer]);
  }
  setTimeout(tick, 16);
}

async function start(): Promise<void> {
  // Workers may compile wasm synchronously, but ready() is the portable way to be sure it is loaded.
  await ready();
  network = new DenseNetwork({
    layers: [{ size: 2 }, { size: 16, activation: 'tanh' }, { size: 16, activation: 'tanh' }, { size: 2, activation: 'softmax' }],
    loss: 'crossEntropy',
    optimizer: { type: 'adam', learningRate: 0.02 },
    seed: 1,
    backend: 'wasm',
  });
  // The network's own backend, not the default: this is what the page (and its test) check.
  scope.postMessage({ type: 'ready', backend: network.backend, simd: wasmSimd() });
  tick();
}

start().catch((error: unknown) => scope.postMessage({ type: 'failure', message: String(error) }));
