// Prints the size users ship: dist/index.js (wasm bytes inlined) minified by esbuild, then gzipped.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

// esbuild comes with tsup; resolving it from there avoids a dev dependency of its own.
const { build } = createRequire(createRequire(import.meta.url).resolve('tsup'))('esbuild');

const entry = fileURLToPath(new URL('../dist/index.js', import.meta.url));

/** Bytes of dist/index.js as built, minified, and minified + gzipped (level 9). */
export async function measureSize() {
  const result = await build({ entryPoints: [entry], bundle: true, minify: true, format: 'esm', platform: 'neutral', write: false, logLevel: 'silent' });
  const minified = result.outputFiles[0].contents;
  return { raw: readFileSync(entry).length, minified: minified.length, gzipped: gzipSync(minified, { level: 9 }).length };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { raw, minified, gzipped } = await measureSize();
  const kb = (bytes) => `${(bytes / 1024).toFixed(1)} KB`;
  console.log(`dist/index.js: ${kb(raw)} raw, ${kb(minified)} min, ${kb(gzipped)} min+gzip (wasm inlined)`);
}
