import { defineConfig } from 'tsup';

// ESM + CJS + .d.ts for the library; an ESM bundle for the CLI. The .wasm bytes are inlined,
// so the package has no file to locate at run time.
export default defineConfig([
  {
    entry: { index: 'src/index.ts' },
    format: ['esm', 'cjs'],
    // Members marked @internal are for neurite's own modules: left out of the published types.
    dts: { compilerOptions: { stripInternal: true } },
    clean: true,
    target: 'es2022',
    platform: 'neutral',
    loader: { '.wasm': 'binary' },
  },
  {
    entry: { cli: 'src/cli/main.ts' },
    format: ['esm'],
    target: 'es2022',
    platform: 'node',
    loader: { '.wasm': 'binary' },
    // commander, cli-progress and asciichart are bundled in, so they stay dev dependencies.
    noExternal: [/.*/],
    // Bundled CommonJS modules call require() for Node built-ins, which an ES module lacks.
    banner: { js: "import { createRequire as __neuriteCreateRequire } from 'node:module'; const require = __neuriteCreateRequire(import.meta.url);" },
  },
]);
