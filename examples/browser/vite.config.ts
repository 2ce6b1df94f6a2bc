// Builds the playground the way a user's app would: `neurite` resolves through the repo's
// package.json exports to dist/, the worker is bundled as an ES module.
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: './',
  resolve: { alias: { neurite: fileURLToPath(new URL('../..', import.meta.url)) } },
  worker: { format: 'es' },
  build: {
    outDir: 'dist', emptyOutDir: true, target: 'es2022',
    // Two pages: the classification playground and the series page.
    rollupOptions: { input: { index: fileURLToPath(new URL('./index.html', import.meta.url)), series: fileURLToPath(new URL('./series.html', import.meta.url)) } },
  },
  logLevel: 'warn',
});
