// Threads in headless Chromium: a page that is not cross-origin isolated gets one thread and the reason (its memory
// unshared, the module patched to match); an isolated page's main thread may not block in Atomics.wait, so it gets
// one thread too; a worker of an isolated page gets a pool of nested Web Workers that run parts of a phase.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { extname, join } from 'node:path';
import { chromium, type BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundle } from './helpers/bundle.js';
import { root } from './helpers/cli.js';

const CHROMIUM_FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const ISOLATION = { 'cross-origin-opener-policy': 'same-origin', 'cross-origin-embedder-policy': 'require-corp' };

// The pool and the wasm module from src/.
const ENTRY = `
export { setThreads, threadInfo, threadRuns } from ${JSON.stringify(join(root, 'src/threads/pool.ts'))};
export { wasmModule, loadWasm } from ${JSON.stringify(join(root, 'src/backend/wasm.ts'))};
export { DenseNetwork, ready } from ${JSON.stringify(join(root, 'src/index.ts'))};
`;

// Runs in the page or in a worker: asks for 3 threads, then a predictBatch large enough to split (784-128-10 × 256
// rows) on the wasm backend, compared bit for bit with the js twin's.
const PROBE = `
import * as m from './bundle.js';
export async function probe() {
  await m.ready();
  const report = await m.setThreads(3);
  const wasm = m.wasmModule();
  const options = { layers: [784, 128, 10], activation: 'relu', outputActivation: 'softmax', seed: 2 };
  const rows = 256, inputs = Float64Array.from({ length: rows * 784 }, (_, i) => ((i * 7919) % 1000) / 1000);
  const net = new m.DenseNetwork({ ...options, backend: 'wasm' }), twin = new m.DenseNetwork({ ...options, backend: 'js' });
  const a = net.predictBatch(inputs, rows), b = twin.predictBatch(inputs, rows);
  const same = a.length === b.length && a.every((v, i) => Object.is(v, b[i]));
  const small = new m.DenseNetwork({ layers: [2, 4, 1], seed: 1 });
  return { report, shared: wasm.shared, isolated: self.crossOriginIsolated, same, runs: m.threadRuns(), out: Array.from(small.predict([0.5, -0.5])) };
}
`;
const PAGE = `<!doctype html><script type="module">
import { probe } from './probe.js';
const inWorker = new URLSearchParams(location.search).has('worker');
window.result = inWorker
  ? new Promise((resolve, reject) => { const w = new Worker('./worker.js', { type: 'module' }); w.onmessage = (e) => resolve(e.data); w.onerror = (e) => reject(e.message); })
  : probe().catch((e) => ({ error: String(e) }));
</script>`;
const WORKER = `import { probe } from './probe.js'; probe().then((r) => postMessage(r), (e) => postMessage({ error: String(e) }));`;

function serve(dir: string, headers: Record<string, string>): Promise<Server> {
  const server = createServer((request, response) => {
    const path = new URL(request.url!, 'http://x').pathname;
    try {
      const body = readFileSync(join(dir, path === '/' ? 'index.html' : path.slice(1)));
      response.writeHead(200, { 'content-type': extname(path) === '.js' ? 'text/javascript' : 'text/html', ...headers }).end(body);
    } catch {
      response.writeHead(404).end();
    }
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

describe('threads in Chromium', () => {
  let dir: string;
  let profile: string;
  let context: BrowserContext;
  const servers: Server[] = [];
  let plain: string;
  let isolated: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'neurite-threads-'));
    await bundle(ENTRY, join(dir, 'bundle.js'));
    writeFileSync(join(dir, 'probe.js'), PROBE);
    writeFileSync(join(dir, 'index.html'), PAGE);
    writeFileSync(join(dir, 'worker.js'), WORKER);
    servers.push(await serve(dir, {}), await serve(dir, ISOLATION));
    [plain, isolated] = servers.map((s) => `http://127.0.0.1:${(s.address() as AddressInfo).port}/`);
    profile = mkdtempSync(join(tmpdir(), 'neurite-chromium-'));
    context = await chromium.launchPersistentContext(profile, { executablePath: '/usr/bin/chromium', headless: true, args: CHROMIUM_FLAGS });
  }, 60_000);

  afterAll(async () => {
    await context?.close();
    servers.forEach((s) => s.close());
    for (const d of [dir, profile]) if (d) rmSync(d, { recursive: true, force: true });
  });

  async function run(url: string): Promise<Record<string, unknown>> {
    const page = await context.newPage();
    try {
      await page.goto(url);
      return await page.evaluate(() => (window as unknown as { result: Promise<Record<string, unknown>> }).result);
    } finally {
      await page.close();
    }
  }

  const expected = [0.352866352140229];

  it('a page that is not cross-origin isolated: one thread, the reason, an unshared memory that still computes', async () => {
    const result = await run(plain);
    expect(result).toMatchObject({ isolated: false, shared: false, same: true, runs: [], out: expected });
    expect(result.report).toEqual({ threads: 1, requested: 3, reason: expect.stringMatching(/not shared: the page is not cross-origin isolated/) });
  }, 60_000);

  it('an isolated page\'s main thread: a shared memory, but one thread, since Atomics.wait may not block there', async () => {
    const result = await run(isolated);
    expect(result).toMatchObject({ isolated: true, shared: true, same: true, runs: [], out: expected });
    expect(result.report).toEqual({ threads: 1, requested: 3, reason: expect.stringMatching(/Atomics\.wait/) });
  }, 60_000);

  it('a worker of an isolated page: three threads, two of them nested Web Workers that ran their parts', async () => {
    const result = await run(`${isolated}?worker`);
    expect(result).toMatchObject({ isolated: true, shared: true, report: { threads: 3, requested: 3 }, same: true, out: expected });
    expect(result.runs, 'every thread ran parts of the batch').toEqual([expect.any(Number), expect.any(Number), expect.any(Number)]);
    expect((result.runs as number[]).every((n) => n > 0)).toBe(true);
  }, 60_000);
});
