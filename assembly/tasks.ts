// The parallel phases' entry point: the host runs part `part` of `parts` of phase `kind` on some instance of this
// module over the same memory (a worker's instance has globals of its own: a part reads what it needs from the arena).
import { slicesTask, gradientsTask, forwardTask } from "./dense";
import { predict32Task } from "./predict32";
import { TASK_SLICES, TASK_GRADIENTS, TASK_GRADIENTS_STEP, TASK_FORWARD, TASK_PREDICT32 } from "../src/header";

/** Runs part `part` (0 <= part < parts) of phase `kind` of the kernel call in progress on `arena` with `count` rows. */
export function task(kind: i32, arena: usize, count: i32, part: i32, parts: i32): void {
  switch (kind) {
    case TASK_SLICES: slicesTask(arena, count, part, parts); break;
    case TASK_GRADIENTS: gradientsTask(arena, count, part, parts, false); break;
    case TASK_GRADIENTS_STEP: gradientsTask(arena, count, part, parts, true); break;
    case TASK_FORWARD: forwardTask(arena, count, part, parts); break;
    case TASK_PREDICT32: predict32Task(arena, count, part, parts); break;
    default: throw new Error("unknown task code");
  }
}
