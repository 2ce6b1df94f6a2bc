// examples/server run as users run it (node examples/server/server.mjs model.json, on dist/), and its body
// parser's properties. The long versions are `npm run load` and `npm run fuzz`.
import fc from 'fast-check';
import { type ChildProcess, execSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_LIMITS, parsePredictBody } from '../examples/server/body.mjs';
import { randomInputs, randomModel, referencePredict } from './fixtures/dense-models.js';

const root = resolve(import.meta.dirname, '..');
const MAX_BODY = 4096;
let dir: string;
let modelPath: string;
let server: ChildProcess;
let base: string;
let log = '';

const first = randomModel([3, 5, 2], ['tanh', 'identity'], 1);
const second = randomModel([3, 5, 2], ['tanh', 'identity'], 2);
const probe = [0.5, -1.25, 2];

/** Replaces the model file as a deployment should: a temporary file renamed over it. */
function deploy(text: string): void {
  writeFileSync(`${modelPath}.tmp`, text);
  renameSync(`${modelPath}.tmp`, modelPath);
}

async function post(body: string, path = '/predict'): Promise<{ status: number; json: any }> {
  const response = await fetch(base + path, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
  return { status: response.status, json: await response.json() };
}

function expectClose(actual: number[], expected: number[]): void {
  expect(actual).toHaveLength(expected.length);
  actual.forEach((v, i) => expect(v).toBeCloseTo(expected[i]!, 12));
}

async function eventually(check: () => Promise<boolean>, what: string): Promise<void> {
  for (let tries = 0; tries < 200; tries++) {
    if (await check()) return;
    await new Promise((wait) => setTimeout(wait, 50));
  }
  throw new Error(`${what} did not happen within 10 s; server log:\n${log}`);
}

beforeAll(async () => {
  if (!existsSync(join(root, 'dist', 'index.js'))) execSync('npm run build', { cwd: root, stdio: 'ignore' });
  dir = mkdtempSync(join(tmpdir(), 'neurite-server-'));
  modelPath = join(dir, 'model.json');
  deploy(JSON.stringify(first));
  server = spawn(process.execPath, [join(root, 'examples/server/server.mjs'), modelPath, '--port', '0', '--max-body-bytes', String(MAX_BODY)]);
  server.stderr!.on('data', (chunk) => { log += chunk; });
  base = await new Promise<string>((found, failed) => {
    let out = '';
    server.stdout!.on('data', (chunk) => {
      out += chunk;
      const match = /listening on (\S+)/.exec(out);
      if (match) found(match[1]!);
    });
    server.once('exit', (code) => failed(new Error(`the server exited with ${code}:\n${log}`)));
  });
}, 180_000);

afterAll(() => {
  server?.kill();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('examples/server', () => {
  it('answers POST /predict with the model\'s output for one input and for a batch', async () => {
    const one = await post(JSON.stringify({ input: probe }));
    expect(one.status).toBe(200);
    expectClose(one.json.output, referencePredict(first, probe));
    const rows = randomInputs(4, 3, 3);
    const batch = await post(JSON.stringify({ inputs: rows }));
    expect(batch.status).toBe(200);
    expect(batch.json.outputs).toHaveLength(4);
    rows.forEach((row, r) => expectClose(batch.json.outputs[r], referencePredict(first, row)));
  });

  it('answers a malformed body with 400 and a JSON error, a too-large one with 413, other routes with 404/405', async () => {
    for (const body of ['{"input": [0.5, -1.25', '{"input": [1, 2]}', '{"input": [1e999, 0, 0]}', '{"input": ["1", 0, 0]}', '{"inputs": []}', '[1, 2, 3]', '{"input": [1, 2, 3], "x": 1}']) {
      const answer = await post(body);
      expect([body, answer.status]).toEqual([body, 400]);
      expect(typeof answer.json.error).toBe('string');
    }
    expect((await post(JSON.stringify({ inputs: Array(MAX_BODY).fill(probe) }))).status).toBe(413);
    expect((await post('{}', '/other')).status).toBe(404);
    const get = await fetch(`${base}/predict`);
    expect([get.status, get.headers.get('allow')]).toEqual([405, 'POST']);
    const health = await (await fetch(`${base}/health`)).json();
    expect(health.model).toMatchObject({ version: 1, inputSize: 3, outputSize: 2 });
  });

  it('survives clients that send half a request and disconnect', async () => {
    const body = JSON.stringify({ input: probe });
    const halves = [
      'POST /predict HTTP/1.1\r\nHost: x\r\nContent-Le',
      `POST /predict HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n${body.slice(0, 9)}`,
      `POST /predict HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n${body}`,
    ];
    const port = Number(new URL(base).port);
    await Promise.all(Array.from({ length: 30 }, (_, i) => new Promise<void>((closed) => {
      const socket = connect(port, '127.0.0.1', () => {
        socket.write(halves[i % halves.length]!);
        setTimeout(() => socket.destroy(), i % 4);
      });
      socket.on('error', () => {});
      socket.on('close', () => closed());
    })));
    expect(server.exitCode).toBeNull();
    expectClose((await post(body)).json.output, referencePredict(first, probe));
    const health = await (await fetch(`${base}/health`)).json();
    expect(health.serverErrors).toBe(0);
  });

  it('reloads the model when the file is replaced, and keeps it when the new file is broken', async () => {
    const body = JSON.stringify({ input: probe });
    deploy(JSON.stringify(second));
    const expected = referencePredict(second, probe);
    await eventually(async () => Math.abs((await post(body)).json.output[0] - expected[0]!) < 1e-9, 'the reload');
    expectClose((await post(body)).json.output, expected);
    deploy(JSON.stringify(first).slice(0, 100));
    await eventually(async () => (await (await fetch(`${base}/health`)).json()).failedReloads === 1, 'the failed reload');
    expectClose((await post(body)).json.output, expected);
    expect(log).toMatch(/model reload failed, keeping version 2/);
  });
});

describe('the /predict body parser', () => {
  const finite = fc.double({ noNaN: true, noDefaultInfinity: true });

  it('accepts any well-formed body and reads exactly its numbers', () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 6 }), fc.boolean(), fc.array(fc.array(finite, { minLength: 6, maxLength: 6 }), { minLength: 1, maxLength: 8 }), (width, batch, table) => {
      const rows = (batch ? table : table.slice(0, 1)).map((row) => row.slice(0, width));
      const text = JSON.stringify(batch ? { inputs: rows } : { input: rows[0] });
      const parsed = parsePredictBody(Buffer.from(text), width);
      expect(parsed.ok).toBe(true);
      if (!parsed.ok) return;
      expect([parsed.batch, parsed.count]).toEqual([batch, rows.length]);
      expect(Array.from(parsed.rows)).toEqual(JSON.parse(JSON.stringify(rows.flat())));
    }), { numRuns: 200 });
  });

  it('never throws on any other text or bytes, and refuses with 400 or 413', () => {
    const limits = { maxBodyBytes: 200, maxRows: 3 };
    const body = fc.oneof(
      fc.string({ maxLength: 300 }),
      fc.uint8Array({ maxLength: 300 }),
      fc.json({ maxDepth: 3 }),
      fc.record({ input: fc.anything() }).map((v) => JSON.stringify(v) ?? ''),
      fc.tuple(finite, finite, fc.constantFrom('1e999', '-1e999', '2e308')).map(([a, b, huge]) => `{"input": [${a}, ${huge}, ${b}]}`),
      fc.record({ inputs: fc.array(fc.array(fc.oneof(finite, fc.string(), fc.constant(null)), { maxLength: 4 }), { maxLength: 5 }) }).map((v) => JSON.stringify(v)),
    );
    fc.assert(fc.property(body, (input) => {
      const parsed = parsePredictBody(input, 3, limits);
      if (parsed.ok) {
        const value = JSON.parse(typeof input === 'string' ? input : new TextDecoder().decode(input));
        const rows: unknown[] = Object.hasOwn(value, 'inputs') ? value.inputs : [value.input];
        expect(rows.length).toBeLessThanOrEqual(limits.maxRows);
        expect(rows.flat()).toEqual(Array.from(parsed.rows));
        expect(Array.from(parsed.rows).every(Number.isFinite)).toBe(true);
      } else {
        expect([400, 413]).toContain(parsed.status);
        expect(parsed.error.length).toBeLessThan(120);
      }
    }), { numRuns: 500 });
  });

  it('refuses bodies over the size limit and batches over the row limit with 413', () => {
    const row = [1, 2];
    expect(parsePredictBody(JSON.stringify({ inputs: Array(DEFAULT_LIMITS.maxRows + 1).fill(row) }), 2)).toMatchObject({ ok: false, status: 413 });
    expect(parsePredictBody(JSON.stringify({ inputs: Array(DEFAULT_LIMITS.maxRows).fill(row) }), 2)).toMatchObject({ ok: true, count: DEFAULT_LIMITS.maxRows });
    expect(parsePredictBody(' '.repeat(101), 2, { maxBodyBytes: 100, maxRows: 1 })).toMatchObject({ ok: false, status: 413 });
  });
});
