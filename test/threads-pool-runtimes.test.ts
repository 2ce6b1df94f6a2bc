// The pool under Bun and Deno (dev dependencies), through worker_threads and through Web Workers from a Blob URL:
// each way starts, runs parts on its workers and rethrows a worker's abort as BackendError; worker_threads'
// workers let the process exit.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundle } from './helpers/bundle.js';
import { root } from './helpers/cli.js';

const ENTRY = `
export { setThreads, poolRunner, threadRuns } from ${JSON.stringify(join(root, 'src/threads/pool.ts'))};
export { DenseNetwork } from ${JSON.stringify(join(root, 'src/index.ts'))};
`;
// argv 'web' hides worker_threads, so the pool falls back to Web Workers.
const SCRIPT = `
import * as m from './bundle.js';
const args = globalThis.Deno?.args ?? process.argv.slice(2);
if (args.includes('web')) globalThis.process.getBuiltinModule = undefined;
const report = await m.setThreads(3);
// A predictBatch large enough to split over the pool (784-128-10 × 256 rows), against the js twin's bits.
const options = { layers: [784, 128, 10], activation: 'relu', outputActivation: 'softmax', seed: 2 };
const rows = 256, inputs = Float64Array.from({ length: rows * 784 }, (_, i) => ((i * 7919) % 1000) / 1000);
const a = new m.DenseNetwork({ ...options, backend: 'wasm' }).predictBatch(inputs, rows);
const b = new m.DenseNetwork({ ...options, backend: 'js' }).predictBatch(inputs, rows);
const same = a.every((v, i) => Object.is(v, b[i]));
let error = null;
try { m.poolRunner()(12345, 0, 8, 3); } catch (e) { error = e.name + ' ' + e.constructor.name; }
console.log(JSON.stringify({ report, same, ran: m.threadRuns().map((n) => n > 0), error }));
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
    await bundle(ENTRY, join(dir, 'bundle.js'));
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
        expect(result).toEqual({ report: { threads: 3, requested: 3 }, same: true, ran: [true, true, true], error: 'BackendError BackendError' });
      }, 60_000);
    }
  }
});
