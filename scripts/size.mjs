// Prints the size users ship: dist/index.js (wasm bytes inlined) bundled and minified by esbuild, then gzipped,
// whole and as an app importing only DenseNetwork would carry it after tree-shaking.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

// esbuild comes with tsup; resolving it from there avoids a dev dependency of its own.
const { build } = createRequire(createRequire(import.meta.url).resolve('tsup'))('esbuild');

const entry = fileURLToPath(new URL('../dist/index.js', import.meta.url));

async function minified(contents) {
  const result = await build({ stdin: { contents, resolveDir: process.cwd() }, bundle: true, minify: true, format: 'esm', platform: 'neutral', write: false, logLevel: 'silent' });
  return result.outputFiles[0].contents;
}

/** Bytes of dist/index.js as built, minified, and minified + gzipped (level 9); `denseOnly` is `import { DenseNetwork }` min+gzip. */
export async function measureSize() {
  const whole = await minified(`export * from ${JSON.stringify(entry)};`);
  const dense = await minified(`export { DenseNetwork } from ${JSON.stringify(entry)};`);
  return { raw: readFileSync(entry).length, minified: whole.length, gzipped: gzipSync(whole, { level: 9 }).length, denseOnly: gzipSync(dense, { level: 9 }).length };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { raw, minified: min, gzipped, denseOnly } = await measureSize();
  const kb = (bytes) => `${(bytes / 1024).toFixed(1)} KB`;
  console.log(`dist/index.js: ${kb(raw)} raw, ${kb(min)} min, ${kb(gzipped)} min+gzip (wasm inlined); import { DenseNetwork } alone: ${kb(denseOnly)} min+gzip`);
}
