// The scripts' way to the built package: the repository's root, and dist/index.js loaded (or a clear exit).
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

/** The repository's root. */
export const root = join(dirname(fileURLToPath(import.meta.url)), '..');

/** Imports dist/index.js; exits with code 2 and a hint when it has not been built. */
export async function importDist() {
  const dist = join(root, 'dist', 'index.js');
  if (!existsSync(dist)) {
    console.error('dist/index.js is missing: run `npm run build` first');
    process.exit(2);
  }
  return import(pathToFileURL(dist).href);
}
