// Steady-state predictInto, predictBatchInto and trainStep allocate nothing; they and the fresh-result predict and
// predictBatch grow neither the JS heap nor wasm memory.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('..', import.meta.url));
const CALLS = 20000;
const ALLOCATION_FREE = ['predictInto', 'predictBatchInto', 'trainStep'];

function measure(backend: string): Record<string, { bytesPerCall: number; retained: number; wasmGrowth: number }> {
  const out = execFileSync(process.execPath, ['--expose-gc', '--max-semi-space-size=64', 'test/workers/steady-state.mjs', backend, String(CALLS)], { cwd: root, encoding: 'utf8' });
  return JSON.parse(out);
}

beforeAll(() => {
  if (!existsSync(`${root}/dist/index.js`)) execFileSync('npm', ['run', 'build'], { cwd: root, stdio: 'ignore' });
}, 120_000);

describe('steady state', () => {
  it('wasm: predictInto, predictBatchInto and trainStep allocate (almost) nothing per call; every call keeps memory flat', () => {
    let result = measure('wasm');
    // trainStep returns a double, which V8 boxes (16 bytes) when it did not inline the call: a choice made
    // once per process, and rarely (about 1 run in 40 here). A second process settles whether the bytes are
    // that choice or an allocation of neurite's own, which would show in both.
    if (ALLOCATION_FREE.some((name) => result[name]!.bytesPerCall >= 2)) {
      const again = measure('wasm');
      result = Object.fromEntries(Object.entries(result).map(([name, r]) => [name, { ...r, bytesPerCall: Math.min(r.bytesPerCall, again[name]!.bytesPerCall) }]));
    }
    for (const [name, r] of Object.entries(result)) {
      // One allocation of the smallest JS object per call would be >= 16 bytes (predict and predictBatch return a new array).
      if (ALLOCATION_FREE.includes(name)) expect(r.bytesPerCall, `${name} bytes per call`).toBeLessThan(2);
      expect(r.retained, `${name} retained heap`).toBeLessThan(64 * 1024);
      expect(r.wasmGrowth, `${name} wasm memory growth`).toBe(0);
    }
  });

  it('js: repeated calls leave the heap as it was after garbage collection', () => {
    const result = measure('js');
    for (const [name, r] of Object.entries(result)) expect(r.retained, `${name} retained heap`).toBeLessThan(64 * 1024);
  });
});
