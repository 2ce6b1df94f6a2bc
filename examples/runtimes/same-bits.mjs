// Trains the same seeded network on the wasm and js backends and prints a SHA-256 of the weights.
// Node, Bun and Deno print the same line: the arithmetic is neurite's own, not the engine's.
import { DenseNetwork, ready, wasmSimd } from 'neurite';

await ready(); // needed on a browser's main thread; harmless elsewhere

// Points on a 15 × 15 grid over [-1, 1]², labelled by whether they lie inside a circle. Only + - × / on
// exact values: engines may differ in Math.sin and friends, but not in these.
const data = [];
for (let i = 0; i < 15; i++) {
  for (let j = 0; j < 15; j++) {
    const x = i / 7 - 1, y = j / 7 - 1;
    const inside = x * x + y * y < 0.5;
    data.push({ input: [x, y], output: inside ? [1, 0] : [0, 1] });
  }
}

async function sha256(values) {
  const digest = await crypto.subtle.digest('SHA-256', new Float64Array(values).buffer);
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, '0')).join('');
}

const runtime = typeof Deno !== 'undefined' ? 'deno' : typeof Bun !== 'undefined' ? 'bun' : 'node';
const result = { runtime, simd: wasmSimd() };
for (const backend of ['wasm', 'js']) {
  const net = new DenseNetwork({
    layers: [2, 16, 16, 2], activation: 'tanh', outputActivation: 'softmax', loss: 'crossEntropy',
    optimizer: { type: 'adam', learningRate: 0.01 }, seed: 42, backend,
  });
  const history = net.fit(data, { epochs: 200, batchSize: 8 });
  result[backend] = {
    firstLoss: history.epochs[0].loss,
    lastLoss: history.epochs.at(-1).loss,
    accuracy: net.evaluate(data).accuracy,
    parameters: await sha256(net.getParameters()),
  };
  net.dispose();
}
console.log(JSON.stringify(result));
