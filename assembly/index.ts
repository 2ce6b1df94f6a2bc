// The module's exports: allocation and the kernels. Kernel files mirror src/backend/js/.
export { alloc, free } from "./memory";
export { forwardSeed, updateSeed } from "./seed";
export { forwardDense, trainDense, evaluateDense, trainEpochsDense } from "./dense";
export { exp, expTable } from "./activations";
export { findNonFinite } from "./scan";
