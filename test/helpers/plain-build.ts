// For the test files that run a suite on the plain (non-SIMD) wasm build (test/*-plain.test.ts). This file imports
// nothing of neurite itself, so that a test file may import it before neurite is loaded.

/**
 * Imports the suite with `load` while WebAssembly SIMD is reported missing, and loads the wasm module then, so the
 * loader picks the plain build. Each test file runs in its own process: call it before anything imports neurite.
 */
export async function withPlainBuild<T>(load: () => Promise<T>): Promise<T> {
  const validate = WebAssembly.validate;
  WebAssembly.validate = () => false;
  try {
    const suite = await load();
    const { wasmModule } = await import('../../src/backend/wasm.js');
    wasmModule();
    return suite;
  } finally {
    WebAssembly.validate = validate;
  }
}
