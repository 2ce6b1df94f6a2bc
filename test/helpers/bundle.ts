// One ES module file from source, for the tests that load neurite where vitest does not run (a browser, Bun, Deno).
import { createRequire } from 'node:module';
import { root } from './cli.js';

/** Bundles the module source `entry` (paths in it resolve from the repository root) into `outfile`, .wasm files as bytes. */
export async function bundle(entry: string, outfile: string): Promise<void> {
  // esbuild comes with tsup, as in scripts/size.mjs.
  const { build } = createRequire(createRequire(import.meta.url).resolve('tsup'))('esbuild');
  await build({ stdin: { contents: entry, resolveDir: root, loader: 'ts' }, bundle: true, format: 'esm', target: 'es2022', outfile, loader: { '.wasm': 'binary' }, logLevel: 'error' });
}
