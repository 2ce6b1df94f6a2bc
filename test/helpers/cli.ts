// Runs the built `neurite` command (dist/cli.js) as a user would, for the CLI test files.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { expect } from 'vitest';

/** The repository's root. */
export const root = resolve(import.meta.dirname, '..', '..');
/** The built CLI. */
export const cli = join(root, 'dist', 'cli.js');

/** What one run of the CLI gave. */
export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `node dist/cli.js ...args` in `cwd` and waits for it. */
export function runCli(cwd: string, args: readonly string[], timeout = 120_000): CliResult {
  const result = spawnSync(process.execPath, [cli, ...args], { cwd, encoding: 'utf8', timeout });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** A run the CLI refused: exit code 2, `message` (a substring or a pattern) in stderr and, when given, `flag` on its first line. */
export function expectRefused(run: CliResult, message: string | RegExp, flag?: string): void {
  expect(run.code, run.stderr).toBe(2);
  if (typeof message === 'string') expect(run.stderr).toContain(message);
  else expect(run.stderr).toMatch(message);
  if (flag !== undefined) expect(run.stderr.split('\n')[0]).toContain(flag);
}

/** Starts `node dist/cli.js ...args` in `cwd`, sends it Ctrl-C once `file` exists there, and waits for it to exit. */
export async function interruptOnceWritten(cwd: string, args: readonly string[], file: string): Promise<{ code: number | null; stderr: string }> {
  const child = spawn(process.execPath, [cli, ...args], { cwd });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<number | null>((done) => child.on('exit', (code) => done(code)));
  while (!existsSync(join(cwd, file)) && child.exitCode === null) await new Promise((wait) => setTimeout(wait, 5));
  child.kill('SIGINT');
  return { code: await exited, stderr };
}
