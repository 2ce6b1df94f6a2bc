// A dense network's whole arena, for the tests that compare two training engines byte for byte, and the rows they train on.
import type { DenseNetwork, DenseNetworkOptions } from '../../src/index.js';
import type { Arena } from '../../src/backend/arena.js';
import { DENSE_DATA_LOSSES, DENSE_LOSS_CHUNK } from '../../src/header.js';
import { randomArray, rng } from './data.js';

/** The arena behind a network (private to the facade; these tests compare it whole). */
export const arenaOf = (net: DenseNetwork): Arena => (net as unknown as { model: { arena: Arena } }).model.arena;

/**
 * A copy of the arena's bytes. With `zeroCrossEntropyLosses`, a cross-entropy network's per-epoch losses are zeroed:
 * they are computed with each engine's `log`, the one figure the backends may give differently (docs/architecture.md).
 */
export function arenaBytes(net: DenseNetwork, { zeroCrossEntropyLosses = false } = {}): Uint8Array {
  const arena = arenaOf(net);
  const bytes = new Uint8Array(arena.heap.fresh().f64.buffer, arena.base, arena.bytes).slice();
  if (zeroCrossEntropyLosses && net.loss !== 'mse') {
    const losses = new Float64Array(bytes.buffer, arena.word(DENSE_DATA_LOSSES), 2 * arena.word(DENSE_LOSS_CHUNK));
    for (let k = 0; k < losses.length; k += 2) losses[k] = 0;
  }
  return bytes;
}

/** `rows` seeded rows for a network of plain layer sizes: inputs in [-1.5, 1.5) with every third one 0, targets 0/1 (one-hot after softmax). */
export function rowsFor(options: DenseNetworkOptions, rows: number, seed: number): { inputs: Float64Array; targets: Float64Array } {
  const random = rng(seed);
  const nIn = options.layers[0] as number;
  const nOut = options.layers.at(-1) as number;
  const inputs = randomArray(random, rows * nIn, 1.5);
  // Exact zeros among the inputs, as xor has: their products are signed zeros.
  for (let k = 0; k < inputs.length; k += 3) inputs[k] = 0;
  const targets = new Float64Array(rows * nOut);
  for (let r = 0; r < rows; r++) {
    if (options.outputActivation === 'softmax') targets[r * nOut + Math.floor(random() * nOut)] = 1;
    else for (let i = 0; i < nOut; i++) targets[r * nOut + i] = random() < 0.5 ? 0 : 1;
  }
  return { inputs, targets };
}
