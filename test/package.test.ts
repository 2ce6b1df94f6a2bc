// The packed tarball, installed into a fresh project, works from import, require and npx, and stays small.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import webpack from 'webpack';
import * as source from '../src/index.js';
import { installPacked, root, type PackedProject } from './helpers/packed.js';
// @ts-expect-error: a plain .mjs script without type declarations
import { measureSize } from '../scripts/size.mjs';

// esbuild comes with tsup, as in scripts/size.mjs.
const esbuild: typeof import('esbuild') = createRequire(createRequire(import.meta.url).resolve('tsup'))('esbuild');
// 95.8 KB min+gzip with dense and recurrent networks, the float32 predictor and the thread pool (both wasm builds
// inlined; the plain one optimized for size), plus a margin: a jump past it means something heavy got bundled.
const SIZE_BUDGET_BYTES = 100 * 1024;
// Members marked @internal in src/ (the kernels' staging and training steps, the parsers' helpers).
const INTERNAL_NAMES = ['stepStaged', 'trainEpochs', 'stageRows', 'stageData', 'stagedOrder', 'evaluateRows', 'trainingState',
  'restoreTrainingState', 'parameterView', 'lastCorrect', 'DenseLayerSource', 'disableSpecialized', 'parseText', 'finiteNumber'];

// The same steps in both module systems, printing what the test compares with the source build.
const USE = `
const configuration = new m.LayerConfiguration(0.5, 0, 3)
  .plus(new m.LayerConfiguration(0.4, 0.1, 3).times(2))
  .plus(new m.LayerConfiguration(0.6, 0.05, 3));
const network = new m.Network(configuration, 0.01);
m.trainNetwork(network, [{ input: [0.1, 0.2, 0.3], expected: [0.2, 0.3, 0.4] }, { input: [0.5, 0.4, 0.3], expected: [0.6, 0.5, 0.4] }], 5);
const dense = new m.DenseNetwork({ layers: [{ size: 2 }, { size: 8, activation: 'tanh' }, { size: 2, activation: 'softmax' }], loss: 'crossEntropy', optimizer: { type: 'adam', learningRate: 0.05 }, seed: 3 });
const xor = new Float64Array([0, 0, 0, 1, 1, 0, 1, 1]);
const classes = new Float64Array([1, 0, 0, 1, 0, 1, 1, 0]);
const losses = Array.from({ length: 200 }, () => dense.trainStep(xor, classes, 4));
console.log(JSON.stringify({
  exports: Object.keys(m).sort(),
  seed: Array.from(network.process([0.9, 0.8, 0.7])),
  dense: { backend: dense.backend, losses, outputs: Array.from(dense.predictBatch(xor, 4)) },
}));
`;

// The same steps on src/ (wasm backend, as Node gives the package by default).
function expectedFromSource() {
  const m = source;
  const configuration = new m.LayerConfiguration(0.5, 0, 3)
    .plus(new m.LayerConfiguration(0.4, 0.1, 3).times(2))
    .plus(new m.LayerConfiguration(0.6, 0.05, 3));
  const network = new m.Network(configuration, 0.01, { backend: 'wasm' });
  m.trainNetwork(network, [{ input: [0.1, 0.2, 0.3], expected: [0.2, 0.3, 0.4] }, { input: [0.5, 0.4, 0.3], expected: [0.6, 0.5, 0.4] }], 5);
  const dense = new m.DenseNetwork({ layers: [{ size: 2 }, { size: 8, activation: 'tanh' }, { size: 2, activation: 'softmax' }], loss: 'crossEntropy', optimizer: { type: 'adam', learningRate: 0.05 }, seed: 3, backend: 'wasm' });
  const xor = new Float64Array([0, 0, 0, 1, 1, 0, 1, 1]);
  const classes = new Float64Array([1, 0, 0, 1, 0, 1, 1, 0]);
  const losses = Array.from({ length: 200 }, () => dense.trainStep(xor, classes, 4));
  return {
    exports: Object.keys(m).sort(),
    seed: Array.from(network.process([0.9, 0.8, 0.7])),
    dense: { backend: 'wasm', losses, outputs: Array.from(dense.predictBatch(xor, 4)) },
  };
}

describe('the packed package', () => {
  let installed: PackedProject;
  let project: string;
  let packed: string[];
  const runs = new Map<string, any>();
  const node = (file: string) => {
    if (!runs.has(file)) runs.set(file, JSON.parse(execFileSync(process.execPath, [file], { cwd: project, encoding: 'utf8' })));
    return runs.get(file);
  };

  beforeAll(() => {
    installed = installPacked();
    ({ project, files: packed } = installed);
    writeFileSync(join(project, 'use.mjs'), `import * as m from 'neurite';\n${USE}`);
    writeFileSync(join(project, 'use.cjs'), `const m = require('neurite');\n${USE}`);
  }, 120_000);

  afterAll(() => installed?.remove());

  it('ships the ESM, CJS and type builds and nothing else', () => {
    expect(packed.filter((path) => path.startsWith('dist/')).sort()).toEqual(['dist/cli.js', 'dist/index.cjs', 'dist/index.d.cts', 'dist/index.d.ts', 'dist/index.js']);
    expect(packed.filter((path) => !path.startsWith('dist/') && !/^(package\.json|README\.md|LICENSE)$/.test(path))).toEqual([]);
  });

  it('gives the source build’s exports and bit-identical numbers from import', () => {
    expect(node('use.mjs')).toEqual(expectedFromSource());
  });

  it('trains XOR with the packaged DenseNetwork', () => {
    const { dense } = node('use.mjs');
    expect(dense.losses.at(-1)).toBeLessThan(dense.losses[0] / 10);
    const predicted = [0, 1, 2, 3].map((row) => Number(dense.outputs[row * 2 + 1] > dense.outputs[row * 2]));
    expect(predicted).toEqual([0, 1, 1, 0]);
  });

  it('gives the source build’s exports and bit-identical numbers from require', () => {
    expect(node('use.cjs')).toEqual(expectedFromSource());
  });

  it('gives the same numbers from an esbuild bundle of the installed package', async () => {
    await esbuild.build({ entryPoints: [join(project, 'use.mjs')], outfile: join(project, 'bundle.mjs'), bundle: true, minify: true, format: 'esm', platform: 'neutral', logLevel: 'silent' });
    expect(node('bundle.mjs')).toEqual(node('use.mjs'));
  });

  it('gives the same numbers from a webpack bundle of the installed package', async () => {
    const stats = await new Promise<webpack.Stats>((resolve, reject) => {
      webpack({
        mode: 'production', context: project, entry: './use.mjs', target: 'node',
        output: { path: project, filename: 'webpack-bundle.js' },
      }, (error, result) => (error || !result ? reject(error) : resolve(result)));
    });
    expect(stats.hasErrors(), stats.toString('errors-only')).toBe(false);
    expect(node('webpack-bundle.js')).toEqual(node('use.mjs'));
  });

  it('runs `npx neurite demo` from the installed bin', () => {
    const out = execFileSync('npx', ['--no', '--', 'neurite', 'demo'], { cwd: project, encoding: 'utf8' });
    // The demo's wording belongs to the CLI; what matters here is that it ran, on wasm, and said something.
    expect(out.split('\n').length).toBeGreaterThan(3);
    expect(out).toContain('wasm');
  });

  it('publishes types without the members marked @internal', () => {
    for (const file of ['dist/index.d.ts', 'dist/index.d.cts']) {
      const types = readFileSync(join(project, 'node_modules/neurite', file), 'utf8');
      // The public members around them are there, so an empty or truncated file cannot pass.
      expect(types).toContain('predictBatch(');
      expect(types).toContain('getParameters(');
      expect(types).not.toContain('@internal');
      for (const name of INTERNAL_NAMES) expect(types, `${file} declares ${name}`).not.toMatch(new RegExp(`\\b${name}\\b`));
    }
  });

  it('runs the README’s quick start as pasted', () => {
    const readme = readFileSync(join(root, 'README.md'), 'utf8');
    const quickStart = /## Quick start[\s\S]*?```js\n([\s\S]*?)```/.exec(readme)?.[1];
    expect(quickStart).toContain("from 'neurite'");
    writeFileSync(join(project, 'quick-start.mjs'), quickStart!);
    const lines = execFileSync(process.execPath, ['quick-start.mjs'], { cwd: project, encoding: 'utf8' }).trim().split('\n');
    // Each "a xor b → y" line rounds to XOR's answer.
    const answers = lines.map((line) => /^(\d) xor (\d) → ([\d.]+)$/.exec(line)).filter((m) => m !== null);
    expect(answers).toHaveLength(4);
    for (const [, a, b, y] of answers) expect(Math.round(Number(y))).toBe(Number(a) ^ Number(b));
    expect(lines.at(-1)).toBe('true');
  });

  it('links from the README only to files that ship or to the repository’s own files', () => {
    const readme = readFileSync(join(root, 'README.md'), 'utf8');
    expect(readme.length).toBeLessThan(15_000);
    const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
    const repository = manifest.repository.url.replace(/^git\+/, '').replace(/\.git$/, '');
    expect(manifest.homepage.startsWith(repository)).toBe(true);
    expect(manifest.bugs.url.startsWith(repository)).toBe(true);
    const targets = [...readme.matchAll(/\]\(([^)\s]+)\)/g)].map((m) => m[1]!.split(/[#?]/)[0]!).filter((t) => t !== '');
    expect(targets.length).toBeGreaterThan(5);
    for (const target of targets) {
      if (target.startsWith(`${repository}/blob/main/`) || target.startsWith(`${repository}/tree/main/`)) {
        expect(existsSync(join(root, target.slice(repository.length + '/blob/main/'.length))), target).toBe(true);
      } else if (!/^https?:\/\//.test(target)) {
        expect(packed, `${target} is a relative link to a file that does not ship`).toContain(target.replace(/^\.\//, ''));
      } else if (!target.startsWith(repository)) {
        // Any other link leaves the project; one into a neurite repository at another address is a typo.
        expect(target, target).not.toMatch(/github\.com\/[^/]+\/neurite\//);
      }
    }
  });

  it(`keeps dist/index.js (wasm inlined) within ${SIZE_BUDGET_BYTES / 1024} KB min+gzip`, async () => {
    const { gzipped } = await measureSize();
    expect(gzipped).toBeGreaterThan(0);
    expect(gzipped).toBeLessThanOrEqual(SIZE_BUDGET_BYTES);
  });
});
