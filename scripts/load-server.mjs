// Load test of examples/server (not in CI): autocannon at 100 connections against 127.0.0.1 while the model
// file is rewritten (atomically, with another version of the model) every second, 1 request in 100 has a
// malformed body, and raw clients keep sending half a request and disconnecting.
// Pass: no 5xx, no crash and no failed reload; every malformed body answered with 400; every prediction equal
// to one of the model versions' outputs (so none came from a half-loaded model); after the warm-up (the
// first quarter) the WebAssembly memory does not grow and the RSS grows by less than 32 MiB.
//
//   npm run load [-- seconds] [-- --connections N]      (default 60 s, 100 connections)
import autocannon from 'autocannon';
import { fork } from 'node:child_process';
import { mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { importDist, root } from './dist.mjs';
import { rng } from './random.mjs';

const args = process.argv.slice(2);
const flag = (name, fallback) => (args.includes(name) ? Number(args[args.indexOf(name) + 1]) : fallback);
const connections = flag('--connections', 100);
const seconds = Number(args.find((a, i) => /^\d+$/.test(a) && !args[i - 1]?.startsWith('--')) ?? 60);
const { DenseNetwork } = await importDist();
const MiB = 2 ** 20;
const mib = (bytes) => `${(bytes / MiB).toFixed(1)} MiB`;

// ---- model versions: the same network with the first output bias shifted, so each answers differently ----
const random = rng(7);
const base = new DenseNetwork({ layers: [4, { size: 128, activation: 'tanh' }, { size: 3, activation: 'softmax' }], seed: 7 });
const rows = Array.from({ length: 64 }, () => Array.from({ length: 4 }, () => random() * 2 - 1));
base.fit(rows.map((input) => ({ input, output: [0, 1, 2].map((k) => Number(k === (input[0] > 0 ? 0 : input[1] > 0 ? 1 : 2))) })), { epochs: 20 });
const VERSIONS = 16;
const versionTexts = Array.from({ length: VERSIONS }, (_, v) => {
  const model = base.toJSON();
  model.biases[1][0] += 0.01 * v;
  return JSON.stringify(model);
});
base.dispose();
const PROBES = [[0.5, -0.25, 0.125, 1], [-1, 0.75, 0.3, -0.6], [0.05, 0.9, -0.9, 0.2]];
const goodBodies = [...PROBES.map((input) => JSON.stringify({ input })), JSON.stringify({ inputs: PROBES })];
// expected[body] maps each version's exact answer text to the version.
const expected = goodBodies.map(() => new Map());
versionTexts.forEach((text, v) => {
  const net = DenseNetwork.fromJSON(text);
  PROBES.forEach((input, p) => expected[p].set(JSON.stringify({ output: Array.from(net.predict(input)) }), v));
  expected[PROBES.length].set(JSON.stringify({ outputs: PROBES.map((input) => Array.from(net.predict(input))) }), v);
  net.dispose();
});
const MALFORMED = ['not json', '{"input": [0.5, -0.25', '{"input": [0.5, -0.25, 0.125]}', '{"input": [1e999, 0, 0, 0]}', '{"inputs": []}', '[]', 'null',
  '{"input": "0.5,-0.25,0.125,1"}', '{"input": [0.5, -0.25, 0.125, 1], "extra": 1}', '{}', '{"inputs": [[0, 0, 0, 0], [0, 0, "1", 0]]}', '{"__proto__": [0, 0, 0, 0]}'];

// ---- the server, with the memory probe ----
const dir = mkdtempSync(join(tmpdir(), 'neurite-load-'));
const modelPath = join(dir, 'model.json');
writeFileSync(modelPath, versionTexts[0]);
const server = fork(join(root, 'examples/server/server.mjs'), [modelPath, '--port', '0'], {
  execArgv: ['--import', pathToFileURL(join(root, 'scripts/load-server-probe.mjs')).href],
  stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
});
let serverLog = '';
server.stderr.on('data', (chunk) => { serverLog += chunk; });
let crashed = null;
let stopping = false;
server.on('exit', (code, signal) => { if (!stopping) crashed = { code, signal }; });
const url = await new Promise((found, failed) => {
  let out = '';
  server.stdout.on('data', (chunk) => {
    out += chunk;
    const match = /listening on (\S+)/.exec(out);
    if (match) found(match[1]);
  });
  server.once('exit', () => failed(new Error(`the server exited before listening:\n${serverLog}`)));
});
const { port } = new URL(url);
const stats = () => new Promise((answer) => {
  server.once('message', answer);
  server.send('stats');
});

// ---- reloads every second, written to a temporary file and renamed ----
let reloadsWritten = 0;
const reloader = setInterval(() => {
  reloadsWritten++;
  writeFileSync(`${modelPath}.tmp`, versionTexts[reloadsWritten % VERSIONS]);
  renameSync(`${modelPath}.tmp`, modelPath);
}, 1000);

// ---- clients that send part of a request and go away ----
const PARTIAL = [
  'POST /predict HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: appl',
  'POST /predict HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 40\r\n\r\n{"input": [0.5, ',
  `POST /predict HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: ${goodBodies[0].length}\r\n\r\n${goodBodies[0]}`,
];
let disconnects = 0;
let running = true;
async function disconnector() {
  while (running) {
    await new Promise((done) => {
      const socket = connect(Number(port), '127.0.0.1');
      socket.on('error', () => {});
      socket.on('close', done);
      socket.on('connect', () => {
        socket.write(PARTIAL[disconnects % PARTIAL.length]);
        setTimeout(() => { disconnects++; socket.destroy(); }, 1 + (disconnects % 5));
      });
    });
  }
}

// ---- the load ----
const counts = { good: 0, goodWrong: 0, mismatched: 0, malformed: 0, malformedWrong: 0 };
const seen = new Set();
const firstMismatch = [];
const good = (b) => ({
  method: 'POST', path: '/predict', headers: { 'content-type': 'application/json' }, body: goodBodies[b],
  onResponse(status, body) {
    counts.good++;
    if (status !== 200) { counts.goodWrong++; return; }
    const version = expected[b].get(body);
    if (version === undefined) {
      counts.mismatched++;
      if (firstMismatch.length < 3) firstMismatch.push(body.slice(0, 200));
    } else seen.add(version);
  },
});
let nextMalformed = 0;
const malformed = {
  method: 'POST', path: '/predict', headers: { 'content-type': 'application/json' },
  setupRequest: (request) => ({ ...request, body: MALFORMED[nextMalformed++ % MALFORMED.length] }),
  onResponse(status, body) {
    counts.malformed++;
    if (status !== 400 || typeof JSON.parse(body).error !== 'string') counts.malformedWrong++;
  },
};
const requests = Array.from({ length: 100 }, (_, i) => (i === 99 ? malformed : good(i % 10 === 9 ? PROBES.length : i % PROBES.length)));

const samples = [{ at: 0, load: loadavg()[0], ...(await stats()) }];
const started = Date.now();
const sampler = setInterval(async () => samples.push({ at: Math.round((Date.now() - started) / 1000), load: loadavg()[0], ...(await stats()) }), 5000);
const disconnectors = Array.from({ length: 4 }, disconnector);
const result = await autocannon({ url: `http://127.0.0.1:${port}`, connections, duration: seconds, requests });
running = false;
clearInterval(reloader);
clearInterval(sampler);
await Promise.all(disconnectors);
await new Promise((settle) => setTimeout(settle, 300));
samples.push({ at: Math.round((Date.now() - started) / 1000), load: loadavg()[0], ...(await stats()) });
const health = await (await fetch(`http://127.0.0.1:${port}/health`)).json();
stopping = true;
server.kill('SIGTERM');
await new Promise((exited) => (server.exitCode !== null || server.signalCode !== null ? exited() : server.once('exit', exited)));
rmSync(dir, { recursive: true, force: true });

// ---- the figures ----
const status = (from, to) => Object.entries(result.statusCodeStats ?? {}).reduce((n, [code, s]) => n + (Number(code) >= from && Number(code) < to ? s.count : 0), 0);
const warm = samples.find((s) => s.at >= seconds / 4) ?? samples[1];
const last = samples.at(-1);
const failedReloads = (serverLog.match(/reload failed/g) ?? []).length;
const internal = (serverLog.match(/internal error/g) ?? []).length;
console.log(`load test: ${seconds} s, ${connections} connections, ${cpus().length} cores (${cpus()[0]?.model ?? '?'}), node ${process.version}`);
console.log(`requests: ${result.requests.total} (${result.requests.average.toFixed(0)}/s mean), latency p50 ${result.latency.p50} ms, p99 ${result.latency.p99} ms, max ${result.latency.max} ms`);
console.log(`answers: 2xx ${status(200, 300)}, 400 ${status(400, 401)}, other 4xx ${status(401, 500)}, 5xx ${status(500, 600)}; connection errors ${result.errors}, timeouts ${result.timeouts}`);
console.log(`predictions: ${counts.good} checked, ${counts.goodWrong} not 200, ${counts.mismatched} matching no model version; ${seen.size} of ${VERSIONS} versions seen`);
console.log(`malformed bodies: ${counts.malformed}, ${counts.malformedWrong} not answered with a 400 JSON error`);
console.log(`reloads: ${reloadsWritten} files written, server at version ${health.model.version} (${health.model.backend} backend), ${failedReloads} failed; ${internal} internal errors; ${disconnects} half requests dropped`);
console.log(`server: ${crashed ? `exited early (${JSON.stringify(crashed)})` : 'up until stopped'}`);
console.log('memory (s, load average, rss, heap, wasm):');
for (const s of samples) console.log(`  ${String(s.at).padStart(3)} s  load ${s.load.toFixed(2)}  rss ${mib(s.rss)}  heap ${mib(s.heapUsed)}  wasm ${(s.wasm / 1024).toFixed(0)} KiB`);
if (firstMismatch.length) console.log(`first mismatched answers:\n  ${firstMismatch.join('\n  ')}`);
const problems = [
  status(500, 600) && '5xx answers', crashed && 'the server crashed', internal && 'internal errors',
  failedReloads && 'failed reloads', counts.goodWrong && 'predictions not answered 200', counts.mismatched && 'answers from no model version',
  counts.malformedWrong && 'malformed bodies not answered 400', last.wasm > warm.wasm && 'wasm memory grew', last.rss - warm.rss >= 32 * MiB && 'rss grew',
  health.model.version < reloadsWritten / 2 && 'the server missed reloads', counts.malformed === 0 && 'no malformed body was sent',
].filter(Boolean);
console.log(problems.length ? `FAIL: ${problems.join(', ')}` : 'PASS');
process.exit(problems.length ? 1 : 0);
