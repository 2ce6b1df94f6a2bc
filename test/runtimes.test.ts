// The packed package under Node, Bun and Deno (both installed from npm as dev dependencies): the same
// seeded training on the wasm and js backends leaves the same weights, bit for bit, in all three.
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { installPacked, root, type PackedProject } from './helpers/packed.js';

interface Run {
  runtime: string;
  simd: boolean;
  wasm: { firstLoss: number; lastLoss: number; accuracy: number; parameters: string };
  js: { firstLoss: number; lastLoss: number; accuracy: number; parameters: string };
}

const RUNTIMES: Record<string, (script: string) => [string, string[]]> = {
  node: (script) => [process.execPath, [script]],
  bun: (script) => [join(root, 'node_modules/.bin/bun'), [script]],
  deno: (script) => [join(root, 'node_modules/.bin/deno'), ['run', '--no-prompt', script]],
};

describe('the packed package on Node, Bun and Deno', () => {
  let packed: PackedProject;
  const runs: Record<string, Run> = {};

  beforeAll(() => {
    packed = installPacked();
    copyFileSync(join(root, 'examples/runtimes/same-bits.mjs'), join(packed.project, 'same-bits.mjs'));
    // Deno keeps its cache here rather than in the home folder; no runtime checks for updates.
    const env = { ...process.env, DENO_DIR: mkdtempSync(join(tmpdir(), 'neurite-deno-')), DENO_NO_UPDATE_CHECK: '1', DO_NOT_TRACK: '1' };
    for (const [name, command] of Object.entries(RUNTIMES)) {
      const [file, args] = command('same-bits.mjs');
      runs[name] = JSON.parse(execFileSync(file, args, { cwd: packed.project, env, encoding: 'utf8' }));
    }
  }, 120_000);

  afterAll(() => packed?.remove());

  it('runs the example in each runtime, which names itself', () => {
    expect(Object.values(runs).map((run) => run.runtime)).toEqual(Object.keys(RUNTIMES));
  });

  it('learns in each runtime and on each backend', () => {
    for (const run of Object.values(runs)) {
      for (const backend of [run.wasm, run.js]) {
        expect(backend.lastLoss).toBeLessThan(backend.firstLoss / 10);
        expect(backend.accuracy).toBeGreaterThanOrEqual(0.95);
      }
    }
  });

  it('leaves bit-identical weights on both backends in all three runtimes', () => {
    const hashes = Object.values(runs).flatMap((run) => [run.wasm.parameters, run.js.parameters]);
    expect(hashes[0]).toMatch(/^[0-9a-f]{64}$/);
    expect(new Set(hashes).size).toBe(1);
    const accuracies = Object.values(runs).flatMap((run) => [run.wasm.accuracy, run.js.accuracy]);
    expect(new Set(accuracies).size).toBe(1);
  });
});
