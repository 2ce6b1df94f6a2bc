// The Vite-built playground's two pages train in a Web Worker on the wasm backend inside headless Chromium.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { extname, join, normalize } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { build } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const example = new URL('../examples/browser/', import.meta.url).pathname;
const site = join(example, 'dist');
const screenshot = new URL('./artifacts/browser.png', import.meta.url).pathname;
const TYPES: Record<string, string> = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css', '.wasm': 'application/wasm' };
// Without these chromium probes the network, which is closed here, and floods it with refused connections.
const CHROMIUM_FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
// The class colours of examples/browser/draw.ts.
const ORANGE = [224, 112, 26];

function serve(root: string): Promise<Server> {
  const server = createServer((request, response) => {
    const path = normalize(decodeURIComponent(new URL(request.url!, 'http://x').pathname)).replace(/^(\.\.[/\\])+/, '');
    try {
      const body = readFileSync(join(root, path.endsWith('/') ? `${path}index.html` : path));
      response.writeHead(200, { 'content-type': TYPES[extname(path) || '.html'] ?? 'application/octet-stream' }).end(body);
    } catch {
      response.writeHead(404).end();
    }
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

const text = (page: Page, selector: string) => page.locator(selector).textContent();

describe('the browser playground', () => {
  let server: Server;
  let context: BrowserContext;
  let profile: string;
  let page: Page;
  const errors: string[] = [];

  beforeAll(async () => {
    if (!existsSync(new URL('../dist/index.js', import.meta.url))) throw new Error('dist/ is missing: run `npm run build` first (npm test does)');
    await build({ configFile: join(example, 'vite.config.ts'), logLevel: 'error' });
    server = await serve(site);
    profile = mkdtempSync(join(tmpdir(), 'neurite-chromium-'));
    context = await chromium.launchPersistentContext(profile, { executablePath: '/usr/bin/chromium', headless: true, args: CHROMIUM_FLAGS, viewport: { width: 900, height: 540 } });
    page = context.pages()[0] ?? (await context.newPage());
    page.on('pageerror', (error) => errors.push(String(error)));
    page.on('console', (message) => message.type() === 'error' && errors.push(message.text()));
    await page.goto(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
  }, 60_000);

  afterAll(async () => {
    await context?.close();
    server?.close();
    if (profile) rmSync(profile, { recursive: true, force: true });
  });

  it('trains the two moons to 95% accuracy in a worker on the wasm SIMD backend, adds a clicked point, without errors', async () => {
    await page.waitForFunction(() => Number(document.querySelector('#accuracy')?.textContent) >= 0.95, null, { timeout: 90_000 });
    expect(await text(page, '#backend')).toBe('wasm');
    expect(await text(page, '#simd')).toBe('(SIMD)');
    expect(Number(await page.locator('body').getAttribute('data-epoch'))).toBeGreaterThan(0);
    expect(await text(page, '#points')).toBe('200');

    // A shift-click adds a point of the other class (orange) in the empty top-left corner.
    await page.locator('#field').click({ position: { x: 20, y: 20 }, modifiers: ['Shift'] });
    await page.waitForFunction(() => document.querySelector('#points')?.textContent === '201');
    const pixel = async () => page.evaluate(() => Array.from(document.querySelector<HTMLCanvasElement>('#field')!.getContext('2d')!.getImageData(20, 20, 1, 1).data.slice(0, 3)));
    await expect.poll(pixel).toEqual(ORANGE);

    // Let the boundary react to the new point before the picture is taken.
    const epoch = Number(await page.locator('body').getAttribute('data-epoch'));
    await page.waitForFunction((after) => Number(document.body.dataset.epoch) > after + 200, epoch);
    mkdirSync(new URL('./artifacts/', import.meta.url), { recursive: true });
    await page.screenshot({ path: screenshot, fullPage: true });
    expect(errors).toEqual([]);
  }, 120_000);

  it('the series page: an LSTM in a worker on wasm learns the default curve and forecasts its next 60 steps within 0.1', async () => {
    await page.goto(`http://127.0.0.1:${(server.address() as AddressInfo).port}/series.html`);
    await page.waitForFunction(() => Number(document.querySelector('#forecast-error')?.textContent) < 0.1, null, { timeout: 90_000 });
    expect(await text(page, '#backend')).toBe('wasm');
    expect(Number(await page.locator('body').getAttribute('data-epoch'))).toBeGreaterThan(0);
    // The forecast is drawn, dashed orange, in the grey part on the right.
    const orange = await page.evaluate(() => {
      const canvas = document.querySelector<HTMLCanvasElement>('#curve')!;
      const data = canvas.getContext('2d')!.getImageData(canvas.width * 0.7, 0, canvas.width * 0.3, canvas.height).data;
      let count = 0;
      for (let i = 0; i < data.length; i += 4) count += Number(data[i]! > 200 && data[i + 1]! > 90 && data[i + 1]! < 140 && data[i + 2]! < 60);
      return count;
    });
    expect(orange).toBeGreaterThan(50);

    // A stroke drawn with the mouse becomes the new curve: a new network learns it from epoch 0.
    const box = (await page.locator('#curve').boundingBox())!;
    await page.mouse.move(box.x + 5, box.y + 150);
    await page.mouse.down();
    for (let k = 1; k <= 40; k++) await page.mouse.move(box.x + 5 + k * 11, box.y + 150 + 80 * Math.sin(k / 3));
    await page.mouse.up();
    await page.waitForFunction(() => document.querySelector('#forecast-error')?.textContent === '–' && Number(document.body.dataset.epoch) >= 50 && document.querySelector('#loss')?.textContent !== '–');
    mkdirSync(new URL('./artifacts/', import.meta.url), { recursive: true });
    await page.screenshot({ path: screenshot.replace('browser.png', 'browser-series.png'), fullPage: true });
    expect(errors).toEqual([]);
  }, 120_000);
});
