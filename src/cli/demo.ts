// `neurite demo` (what `npm start` runs): trains an article-style network and prints it before and after.
import { DenseNetwork, getBackend, LayerConfiguration, Network, normalize, trainNetwork, wasmSimd } from '../index.js';

/** Runs the demo, writing to `out` (stdout by default). */
export function demo(out: (line: string) => void = console.log): void {
  out(`neurite demo: the seed article's network on the ${getBackend()} backend${getBackend() === 'wasm' ? (wasmSimd() ? ' (SIMD build)' : ' (plain build)') : ''}`);
  // The article's shape: input + hidden * 2 + output, on values normalized to [0, 1].
  const configuration = new LayerConfiguration(0.5, 0.0, 3)
    .plus(new LayerConfiguration(0.4, 0.1, 3).times(2))
    .plus(new LayerConfiguration(0.6, 0.05, 3));
  const network = new Network(configuration, 0.01);
  const raw = [[1, 2, 3], [5, 4, 3], [9, 8, 7]];
  const inputs = raw.map((row) => normalize(row, 0, 10));
  const samples = inputs.map((input) => ({ input, expected: input.map((v) => Math.min(1, v + 0.1)) }));
  const report = (title: string) => {
    out(`\n${title}\n${network}`);
    let squared = 0;
    for (const s of samples) {
      const output = network.process(s.input);
      output.forEach((v, i) => (squared += (v - s.expected[i]!) ** 2));
      out(`  process([${s.input.join(', ')}]) = [${Array.from(output, (v) => v.toFixed(4)).join(', ')}]  expected [${s.expected.map((v) => v.toFixed(4)).join(', ')}]`);
    }
    out(`  mean squared error: ${(squared / (samples.length * 3)).toFixed(5)}`);
  };
  report('before training');
  // The seed rule is unstable on long runs (see README): 60 epochs is where it does best here.
  trainNetwork(network, samples, 60);
  report('after 60 epochs of the seed rule');

  // The contrast: XOR, which the seed rule cannot learn, with backpropagation.
  const xor = [[0, 0, 0], [0, 1, 1], [1, 0, 1], [1, 1, 0]].map(([a, b, y]) => ({ input: [a!, b!], output: [y!] }));
  const dense = new DenseNetwork({ layers: [2, 4, 1], activation: 'sigmoid', optimizer: { type: 'sgd', learningRate: 0.5 }, seed: 3 });
  const started = performance.now();
  const history = dense.fit(xor, { epochs: 5000, batchSize: 1, shuffle: false });
  out(`\nXOR with a DenseNetwork 2-4-1 (sigmoid, SGD, backpropagation): 5000 epochs in ${(performance.now() - started).toFixed(1)} ms, final MSE ${history.epochs.at(-1)!.loss.toExponential(2)}`);
  for (const { input } of xor) out(`  predict([${input.join(', ')}]) = ${dense.predict(input)[0]!.toFixed(4)}`);
}
