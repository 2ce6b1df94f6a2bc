// The pool under Bun and Deno (dev dependencies), through worker_threads and through Web Workers from a Blob URL:
// each way starts, runs parts on its workers and rethrows a worker's abort as BackendError; worker_threads'
// workers let the process exit.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..');
const ENTRY = `
export { setThreads, poolRunner, threadRuns } from ${JSON.stringify(join(root, 'src/threads/pool.ts'))};
export { wasmModule } from ${JSON.stringify(join(root, 'src/backend/wasm.ts'))};
`;
// argv 'web' hides worker_threads, so the pool falls back to Web Workers.
const SCRIPT = `
import * as m from './bundle.js';
const args = globalThis.Deno?.args ?? process.argv.slice(2);
if (args.includes('web')) globalThis.process.getBuiltinModule = undefined;
const report = await m.setThreads(3);
const wasm = m.wasmModule();
const count = 3000, ptr = wasm.exports.alloc(count * 4);
wasm.exports.stubParallel(ptr, count);
const slots = new Int32Array(wasm.exports.memory.buffer, ptr, count);
let error = null;
try { m.poolRunner()(12345, 0, 8, 3); } catch (e) { error = e.name + ' ' + e.constructor.name; }
console.log(JSON.stringify({ report, first: slots[0], middle: slots[1500], last: slots[count - 1], runs: m.threadRuns(), error }));
// Web Workers keep Deno's process alive (worker_threads' are unref'd): stop them.
if (args.includes('web')) await m.setThreads(1);
`;
const RUNTIMES: Record<string, (script: string, mode: string) => [string, string[]]> = {
  bun: (script, mode) => [join(root, 'node_modules/.bin/bun'), [script, mode]],
  deno: (script, mode) => [join(root, 'node_modules/.bin/deno'), ['run', '--no-prompt', '-A', script, mode]],
};

describe('the pool on Bun and Deno', () => {
  let dir: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'neurite-threads-rt-'));
    const { build } = createRequire(createRequire(import.meta.url).resolve('tsup'))('esbuild');
    await build({ stdin: { contents: ENTRY, resolveDir: root, loader: 'ts' }, bundle: true, format: 'esm', target: 'es2022', outfile: join(dir, 'bundle.js'), loader: { '.wasm': 'binary' }, logLevel: 'error' });
    writeFileSync(join(dir, 'probe.mjs'), SCRIPT);
  }, 60_000);

  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  for (const [runtime, command] of Object.entries(RUNTIMES)) {
    for (const mode of ['worker_threads', 'web']) {
      it(`${runtime}, ${mode}`, () => {
        const [file, args] = command('probe.mjs', mode);
        const env = { ...process.env, DENO_DIR: join(dir, 'deno'), DENO_NO_UPDATE_CHECK: '1', DO_NOT_TRACK: '1' };
        const result = JSON.parse(execFileSync(file, args, { cwd: dir, env, encoding: 'utf8', timeout: 60_000 }));
        expect(result).toEqual({ report: { threads: 3, requested: 3 }, first: 1, middle: 2, last: 3, runs: [1, 1, 1], error: 'BackendError BackendError' });
      }, 60_000);
    }
  }
});
