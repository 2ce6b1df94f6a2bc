// Trains the series page's LSTM off the main thread: the drawn curve is one sequence whose every step learns the
// next value; after each round of epochs the network forecasts the curve's continuation, each value fed back.
import { RecurrentNetwork, ready, wasmSimd } from 'neurite';
import { FORECAST_STEPS, type CurveMessage, type FromSeriesWorker } from './series-protocol';

// Epochs (one optimizer step each: the curve is one sequence) between two reports to the page.
const EPOCHS_PER_TICK = 10;

const scope = self as unknown as { postMessage(message: FromSeriesWorker, transfer?: Transferable[]): void; onmessage: ((event: MessageEvent<CurveMessage>) => void) | null };

let network: RecurrentNetwork | null = null;
let curve: number[] = [];
let epoch = 0;
let generation = 0;
let started = false;

/** A fresh network for a fresh curve: its standardization is measured on the curve it learns. */
function newNetwork(): RecurrentNetwork {
  return new RecurrentNetwork({
    inputSize: 1,
    layers: [{ type: 'lstm', size: 24 }, { type: 'dense', size: 1 }],
    seed: 1,
    backend: 'wasm',
  });
}

scope.onmessage = ({ data }) => {
  curve = Array.from(data.values);
  generation = data.generation;
  network?.dispose();
  network = started ? newNetwork() : null;
  epoch = 0;
};

function tick(): void {
  if (network && curve.length > 1) {
    const history = network.fit([curve], { epochs: EPOCHS_PER_TICK });
    epoch += EPOCHS_PER_TICK;
    const forecast = network.forecast(curve, FORECAST_STEPS);
    scope.postMessage({ type: 'progress', generation, epoch, loss: history.epochs[history.epochs.length - 1]!.loss, forecast }, [forecast.buffer]);
  }
  setTimeout(tick, 16);
}

async function start(): Promise<void> {
  await ready();
  started = true;
  network ??= newNetwork();
  scope.postMessage({ type: 'ready', backend: network.backend, simd: wasmSimd() });
  tick();
}

start().catch((error: unknown) => scope.postMessage({ type: 'failure', message: String(error) }));
