// Float32 predictor parity on the plain (non-SIMD) build: the loader is told SIMD is missing before neurite is
// imported (each test file runs in its own process).
const validate = WebAssembly.validate;
WebAssembly.validate = () => false;
const { predictorParityTests } = await import('./helpers/predictor-suite.js');
const { wasmModule } = await import('../src/backend/wasm.js');
wasmModule();
WebAssembly.validate = validate;

predictorParityTests('plain');

export {};
