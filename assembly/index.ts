// The module's exports: allocation and the kernels. Kernel files mirror src/backend/js/.
export { alloc, free } from "./memory";
export { forwardSeed, updateSeed } from "./seed";
export { forwardDense, trainDense, evaluateDense, trainEpochsDense } from "./dense";
export { expTable } from "./activations";
export { exp } from "../src/math/exp";
export { findNonFinite } from "./scan";
export { predict32 } from "./predict32";
export { forwardRecurrent, trainRecurrent, evaluateRecurrent, forecastRecurrent } from "./recurrent";

// STUB (pool helper, until `kernels` lands; drop these lines at merge in favour of kernels' task/setThreads and
// env.parallel): task 99 writes part + 1 into the i32 slots [count·part/parts, count·(part+1)/parts) of `arena`.
// @ts-ignore: decorator
@external("env", "parallel") declare function parallel(kind: i32, arena: usize, count: i32, parts: i32): void;
export function task(kind: i32, arena: usize, count: i32, part: i32, parts: i32): void {
  if (kind != 99) abort("unknown task code");
  const to = count * (part + 1) / parts;
  for (let i = count * part / parts; i < to; i++) store<i32>(arena + (<usize>i << 2), part + 1);
}
let stubThreads: i32 = 1;
export function setThreads(n: i32): void {
  stubThreads = n;
}
export function stubParallel(arena: usize, count: i32): void {
  parallel(99, arena, count, stubThreads);
}
