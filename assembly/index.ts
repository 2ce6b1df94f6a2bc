// The module's exports: allocation and the kernels. Kernel files mirror src/backend/js/.
export { alloc, free } from "./memory";
export { forwardSeed, updateSeed } from "./seed";
export { forwardDense, trainDense, evaluateDense, trainEpochsDense } from "./dense";
export { expTable } from "./activations";
export { exp } from "../src/math/exp";
export { findNonFinite } from "./scan";
export { predict32 } from "./predict32";
export { forwardRecurrent, trainRecurrent, evaluateRecurrent, forecastRecurrent } from "./recurrent";
export { task } from "./tasks";
export { setThreads } from "./parallel";
