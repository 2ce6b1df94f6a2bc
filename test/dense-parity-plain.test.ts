// JS/wasm parity on the plain (non-SIMD) build, the one engines without WebAssembly SIMD load: the loader
// is told SIMD is missing before neurite is imported (each test file runs in its own process).
const validate = WebAssembly.validate;
WebAssembly.validate = () => false;
const { parityTests } = await import('./helpers/parity-suite.js');
const { wasmModule } = await import('../src/backend/wasm.js');
wasmModule();
WebAssembly.validate = validate;

parityTests('plain');

export {};
