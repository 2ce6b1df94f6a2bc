import { readFileSync } from 'node:fs';
import { defineConfig } from 'vitest/config';

// Tests import src/ directly; .wasm imports become their bytes, as tsup's binary loader does in dist/.
export default defineConfig({
  plugins: [
    {
      name: 'wasm-bytes',
      enforce: 'pre',
      load(id) {
        if (!id.endsWith('.wasm')) return null;
        const base64 = readFileSync(id).toString('base64');
        return `export default Uint8Array.from(atob(${JSON.stringify(base64)}), (c) => c.charCodeAt(0));`;
      },
    },
  ],
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    pool: 'forks',
  },
});
