#!/usr/bin/env node
// A small HTTP inference service on node:http: POST /predict answers with the model's output, GET /health
// with the model's version and the process's memory, and the model file is reloaded when it changes.
//
//   node examples/server/server.mjs model.json [--port 8080] [--host 127.0.0.1] [--max-body-bytes N] [--max-rows N]
import { watch } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import { basename, dirname, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { DenseNetwork } from 'neurite';
import { DEFAULT_LIMITS, parsePredictBody } from './body.mjs';

/**
 * The answer to a `POST /predict` body for `model`: 200 with `{output}` or `{outputs}`, 400/413 for a
 * malformed body, 422 when the model's output is not finite for that input. Synchronous and never throws
 * for any body, so a model swapped by a reload is never seen half way through a request.
 *
 * @param {DenseNetwork} model
 * @param {Uint8Array | string} body
 * @param {{ maxBodyBytes: number, maxRows: number }} [limits]
 * @returns {{ status: number, payload: object }}
 */
export function predictResponse(model, body, limits = DEFAULT_LIMITS) {
  const request = parsePredictBody(body, model.inputSize, limits);
  if (!request.ok) return { status: request.status, payload: { error: request.error } };
  // predict returns memory the next call reuses (or a fresh array): copy it before encoding either way.
  const flat = Array.from(request.batch ? model.predictBatch(request.rows, request.count) : model.predict(request.rows));
  if (!flat.every(Number.isFinite)) return { status: 422, payload: { error: "the model's output is not finite for this input" } };
  if (!request.batch) return { status: 200, payload: { output: flat } };
  const width = model.outputSize;
  return { status: 200, payload: { outputs: Array.from({ length: request.count }, (_, r) => flat.slice(r * width, (r + 1) * width)) } };
}

/**
 * Which handler a request goes to, or the 404/405 answer for it.
 * @returns {{ handler: 'predict' | 'health' } | { status: 404 | 405, payload: object, headers?: object }}
 */
export function route(method, url) {
  const path = String(url).split('?', 1)[0];
  const routes = { '/predict': ['POST'], '/health': ['GET', 'HEAD'] };
  if (!Object.hasOwn(routes, path)) return { status: 404, payload: { error: 'not found: use POST /predict or GET /health' } };
  if (!routes[path].includes(method)) return { status: 405, payload: { error: `${path} accepts ${routes[path].join(', ')}` }, headers: { Allow: routes[path].join(', ') } };
  return { handler: path === '/predict' ? 'predict' : 'health' };
}

/** Holds the current model and replaces it only with a file that parsed completely. */
class ModelHolder {
  constructor(path, log) {
    this.path = path;
    this.log = log;
    this.model = null;
    this.text = null;
    this.version = 0;
    this.loadedAt = null;
    this.failedReloads = 0;
    this.loading = null;
    this.again = false;
  }

  /** Loads the file; throws if the first load fails, logs and keeps the old model if a later one does. */
  async load() {
    const text = await readFile(this.path, 'utf8');
    if (text === this.text) return;
    const next = DenseNetwork.fromJSON(text);
    const previous = this.model;
    this.model = next;
    this.text = text;
    this.version++;
    this.loadedAt = new Date().toISOString();
    // Requests use the model synchronously (predictResponse), so none holds the old one past this line.
    previous?.dispose();
    if (previous) this.log(`model reloaded from ${this.path} (version ${this.version}, ${next.sizes.join('-')})`);
  }

  /** Reloads once now and once more if the file changed while loading. */
  reload() {
    if (this.loading) {
      this.again = true;
      return this.loading;
    }
    this.loading = (async () => {
      do {
        this.again = false;
        try {
          await this.load();
        } catch (error) {
          this.failedReloads++;
          this.log(`model reload failed, keeping version ${this.version}: ${String(error?.message ?? error).slice(0, 200)}`);
        }
      } while (this.again);
      this.loading = null;
    })();
    return this.loading;
  }

  dispose() {
    this.model?.dispose();
    this.model = null;
  }
}

/** Reads a request body up to `limit` bytes: the bytes, `tooLarge`, or `aborted` when the client went away. */
function readBody(req, limit) {
  return new Promise((done) => {
    if (Number(req.headers['content-length']) > limit) return done({ tooLarge: true });
    const chunks = [];
    let size = 0;
    let finished = false;
    const finish = (result) => {
      if (finished) return;
      finished = true;
      req.removeListener('data', onData);
      done(result);
    };
    const onData = (chunk) => {
      size += chunk.length;
      if (size > limit) finish({ tooLarge: true });
      else chunks.push(chunk);
    };
    req.on('data', onData);
    req.on('end', () => finish({ bytes: Buffer.concat(chunks, size) }));
    req.on('error', () => finish({ aborted: true }));
    req.on('close', () => finish({ aborted: true }));
  });
}

function send(res, status, payload, headers = {}) {
  if (res.destroyed || res.writableEnded) return;
  const body = JSON.stringify(payload);
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body), ...headers });
  res.end(res.req.method === 'HEAD' ? undefined : body);
}

/**
 * Starts the service. Resolves once it listens; rejects if the model file cannot be loaded.
 *
 * @param {object} options
 * @param {string} options.modelPath a DenseNetwork model saved with `toJSON` (or `neurite train --out`)
 * @param {number} [options.port] @default 8080 (0 picks a free port)
 * @param {string} [options.host] @default '127.0.0.1'
 * @param {{ maxBodyBytes: number, maxRows: number }} [options.limits] @default DEFAULT_LIMITS
 * @param {number} [options.reloadDelayMs] how long the file must be quiet before a reload @default 50
 * @param {(line: string) => void} [options.log] @default a timestamped line on stderr
 */
export async function startServer({
  modelPath,
  port = 8080,
  host = '127.0.0.1',
  limits = DEFAULT_LIMITS,
  reloadDelayMs = 50,
  log = (line) => console.error(`${new Date().toISOString()} ${line}`),
}) {
  const holder = new ModelHolder(resolve(modelPath), log);
  await holder.load();
  let serverErrors = 0;

  const server = createServer(async (req, res) => {
    try {
      const target = route(req.method, req.url);
      if (!target.handler) return send(res, target.status, target.payload, target.headers);
      if (target.handler === 'health') return send(res, 200, health());
      const body = await readBody(req, limits.maxBodyBytes);
      if (body.aborted) return;
      if (body.tooLarge) return send(res, 413, { error: `the body is larger than ${limits.maxBodyBytes} bytes` }, { Connection: 'close' });
      const answer = predictResponse(holder.model, body.bytes, limits);
      send(res, answer.status, answer.payload);
    } catch (error) {
      serverErrors++;
      log(`internal error on ${req.method} ${String(req.url).slice(0, 80)}: ${error?.stack ?? error}`);
      send(res, 500, { error: 'internal error' });
    }
  });
  server.headersTimeout = 10_000;
  server.requestTimeout = 30_000;

  const health = () => {
    const memory = process.memoryUsage();
    return {
      status: 'ok',
      model: { version: holder.version, loadedAt: holder.loadedAt, inputSize: holder.model.inputSize, outputSize: holder.model.outputSize, backend: holder.model.backend },
      failedReloads: holder.failedReloads,
      serverErrors,
      memory: { rss: memory.rss, heapUsed: memory.heapUsed, external: memory.external },
    };
  };

  // Watch the directory, not the file: an atomic rename replaces the file the watch would follow.
  let timer = null;
  const watcher = watch(dirname(holder.path), (_event, name) => {
    if (name !== null && name !== basename(holder.path)) return;
    clearTimeout(timer);
    timer = setTimeout(() => holder.reload(), reloadDelayMs);
  });
  watcher.on('error', (error) => log(`watching ${holder.path} failed, reloads stop: ${error.message}`));

  await new Promise((listening, failed) => {
    server.once('error', failed);
    server.listen(port, host, () => {
      server.off('error', failed);
      listening();
    });
  });
  const address = server.address();
  return {
    server,
    port: address.port,
    url: `http://${address.family === 'IPv6' ? `[${address.address}]` : address.address}:${address.port}`,
    reload: () => holder.reload(),
    health,
    async close() {
      clearTimeout(timer);
      watcher.close();
      await new Promise((closed) => {
        server.close(closed);
        server.closeAllConnections();
      });
      await holder.loading;
      holder.dispose();
    },
  };
}

function usage(message) {
  console.error(`${message}\nusage: node examples/server/server.mjs model.json [--port 8080] [--host 127.0.0.1] [--max-body-bytes ${DEFAULT_LIMITS.maxBodyBytes}] [--max-rows ${DEFAULT_LIMITS.maxRows}]`);
  process.exit(2);
}

async function main(args) {
  const options = { port: 8080, host: '127.0.0.1', limits: { ...DEFAULT_LIMITS } };
  const number = (flag, value, min) => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < min) usage(`${flag} must be an integer ≥ ${min}`);
    return n;
  };
  const positional = [];
  for (let i = 0; i < args.length; i++) {
    const flag = args[i];
    if (flag === '--port') options.port = number(flag, args[++i], 0);
    else if (flag === '--host') options.host = args[++i] ?? usage('--host needs a value');
    else if (flag === '--max-body-bytes') options.limits.maxBodyBytes = number(flag, args[++i], 1);
    else if (flag === '--max-rows') options.limits.maxRows = number(flag, args[++i], 1);
    else if (flag.startsWith('--')) usage(`unknown option ${flag.slice(0, 80)}`);
    else positional.push(flag);
  }
  if (positional.length !== 1) usage('give exactly one model file');
  let service;
  try {
    service = await startServer({ ...options, modelPath: positional[0] });
  } catch (error) {
    console.error(`cannot start: ${String(error?.message ?? error).slice(0, 200)}`);
    process.exit(1);
  }
  console.log(`listening on ${service.url}`);
  process.on('SIGHUP', () => service.reload());
  for (const signal of ['SIGINT', 'SIGTERM']) process.once(signal, () => service.close().then(() => process.exit(0)));
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) await main(process.argv.slice(2));
