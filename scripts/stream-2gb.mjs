// npm run stress:stream: `neurite train --stream` on a generated CSV of at least 2 GB must keep its peak RSS under
// 400 MB and read every row exactly once per epoch. Prints the figures; exits 1 when a check fails.
// STREAM_BYTES overrides the file's size (e.g. STREAM_BYTES=50e6 for a quick try).
import { spawn } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, statSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..');
const cli = join(root, 'dist', 'cli.js');
const target = Number(process.env.STREAM_BYTES ?? 2.2e9);
const EPOCHS = 2;
const RSS_LIMIT_MB = 400;
const COLUMNS = 10;

/** Writes `bytes` or more of CSV: 10 numeric columns and a text class that depends on two of them. Returns the row count. */
function generate(file, bytes) {
  const fd = openSync(file, 'w');
  let state = 12345;
  // A 32-bit LCG: fast, and the same file every run.
  const random = () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
  let written = writeSync(fd, `${Array.from({ length: COLUMNS }, (_, c) => `x${c}`).join(',')},label\n`);
  let rows = 0;
  const lines = [];
  while (written < bytes) {
    for (let r = 0; r < 50_000; r++) {
      const values = Array.from({ length: COLUMNS }, () => random().toFixed(9));
      lines.push(`${values.join(',')},${Number(values[0]) + Number(values[1]) > 1 ? 'high' : 'low'}`);
    }
    rows += lines.length;
    written += writeSync(fd, `${lines.join('\n')}\n`);
    lines.length = 0;
  }
  closeSync(fd);
  return rows;
}

/** A field of /proc/<pid>/status or /proc/<pid>/io, or undefined once the process is gone. */
function procField(pid, file, name) {
  try {
    const match = readFileSync(`/proc/${pid}/${file}`, 'utf8').match(new RegExp(`^${name}:\\s+(\\d+)`, 'm'));
    return match ? Number(match[1]) : undefined;
  } catch {
    return undefined;
  }
}

const dir = mkdtempSync(join(tmpdir(), 'neurite-stream-'));
const data = join(dir, 'big.csv');
try {
  let started = Date.now();
  const rows = generate(data, target);
  const size = statSync(data).size;
  console.log(`generated ${(size / 1e9).toFixed(2)} GB, ${rows} rows, in ${((Date.now() - started) / 1000).toFixed(0)} s`);

  started = Date.now();
  const child = spawn(process.execPath, [cli, 'train', data, '--stream', '--epochs', String(EPOCHS), '--no-plot', '--out', join(dir, 'model.json')], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk) => (stdout += chunk));
  child.stderr.on('data', (chunk) => (stderr += chunk));
  let peakKB = 0;
  let bytesRead = 0;
  const sample = () => {
    peakKB = Math.max(peakKB, procField(child.pid, 'status', 'VmHWM') ?? 0);
    bytesRead = Math.max(bytesRead, procField(child.pid, 'io', 'rchar') ?? 0);
  };
  const timer = setInterval(sample, 100);
  const code = await new Promise((done) => child.on('exit', (status) => done(status)));
  clearInterval(timer);
  const seconds = (Date.now() - started) / 1000;
  if (code !== 0) {
    console.error(`neurite train exited with ${code}:\n${stdout}\n${stderr}`);
    process.exitCode = 1;
  } else {
    const reads = stdout.match(/read \S+ (\d+) times, (\d+) rows each time/);
    const peakMB = peakKB / 1024;
    console.log(stdout.split('\n').filter((line) => /^(training|final|read|saved)/.test(line)).join('\n'));
    console.log(`peak RSS ${peakMB.toFixed(0)} MB (limit ${RSS_LIMIT_MB} MB)`);
    console.log(`rows read: ${reads ? `${reads[2]} in each of ${reads[1]} passes (1 to plan, ${EPOCHS} epochs)` : '?'} (file: ${rows} rows)`);
    console.log(`bytes read: ${(bytesRead / size).toFixed(3)} × the file (1 planning pass + ${EPOCHS} epochs = ${EPOCHS + 1})`);
    console.log(`time ${seconds.toFixed(0)} s (${((size * (EPOCHS + 1)) / 1e6 / seconds).toFixed(0)} MB/s over ${EPOCHS + 1} passes)`);
    const failures = [];
    if (peakMB >= RSS_LIMIT_MB) failures.push(`peak RSS ${peakMB.toFixed(0)} MB is not under ${RSS_LIMIT_MB} MB`);
    if (!reads || Number(reads[1]) !== EPOCHS + 1 || Number(reads[2]) !== rows) failures.push('the rows were not read exactly once per pass');
    // Each pass reads the file once (the sampler may miss the last few reads before exit).
    if (bytesRead > (EPOCHS + 1) * size * 1.01 || bytesRead < (EPOCHS + 1) * size * 0.99) failures.push(`read ${bytesRead} bytes, not ${EPOCHS + 1} × ${size}`);
    if (failures.length > 0) {
      console.error(`FAILED: ${failures.join('; ')}`);
      process.exitCode = 1;
    } else console.log('ok');
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
