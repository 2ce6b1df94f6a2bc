// The packed tarball installed into an empty project, as a user gets it from npm.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const root = new URL('../..', import.meta.url).pathname;

export interface PackedProject {
  /** The consumer project, with neurite in its node_modules. */
  project: string;
  /** Paths inside the tarball. */
  files: string[];
  /** Removes the temporary folder. */
  remove(): void;
}

export function installPacked(): PackedProject {
  if (!existsSync(join(root, 'dist/index.js'))) throw new Error('dist/ is missing: run `npm run build` first (npm test does)');
  const work = mkdtempSync(join(tmpdir(), 'neurite-package-'));
  const [pack] = JSON.parse(execFileSync('npm', ['pack', '--json', '--pack-destination', work], { cwd: root, encoding: 'utf8' }));
  const project = join(work, 'project');
  mkdirSync(project);
  writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'consumer', private: true }));
  // Zero run-time dependencies: installing the tarball needs no network.
  execFileSync('npm', ['install', join(work, pack.filename), '--offline', '--no-audit', '--no-fund'], { cwd: project, stdio: 'pipe' });
  return {
    project,
    files: pack.files.map((f: { path: string }) => f.path),
    remove: () => rmSync(work, { recursive: true, force: true }),
  };
}
