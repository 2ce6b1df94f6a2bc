// Kernels split into parts give the same bits, on the plain (non-SIMD) wasm build: the loader is told SIMD is
// missing before neurite is imported (each test file runs in its own process).
const validate = WebAssembly.validate;
WebAssembly.validate = () => false;
const { threadsKernelsTests } = await import('./helpers/threads-suite.js');
const { wasmModule } = await import('../src/backend/wasm.js');
wasmModule();
WebAssembly.validate = validate;

threadsKernelsTests('plain');

export {};
