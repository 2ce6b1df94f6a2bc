// JS/wasm parity of recurrent networks on the plain (non-SIMD) build: the loader is told SIMD is missing before
// neurite is imported (each test file runs in its own process).
const validate = WebAssembly.validate;
WebAssembly.validate = () => false;
const { recurrentParityTests } = await import('./helpers/recurrent-parity.js');
const { wasmModule } = await import('../src/backend/wasm.js');
wasmModule();
WebAssembly.validate = validate;

recurrentParityTests('plain');

export {};
