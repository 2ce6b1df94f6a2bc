// Standardization inside the model: inputs and targets are shifted and scaled by figures measured on the first
// fit's training rows and saved in the model, so training sees values near [-1, 1] whatever the data's units.
import type { ScalingJSON } from './types.js';

/** One block's figures: per column, the mean and the standard deviation (1 for a constant column). */
export interface Standardization {
  mean: Float64Array;
  std: Float64Array;
}

/** The figures a network applies: to its inputs, its targets (and so, inverted, its outputs), or neither. */
export interface Scaling {
  inputs?: Standardization;
  targets?: Standardization;
}

/** Per-column mean and standard deviation of a row-major block, in one pass (Welford), in row order. */
export class ColumnStats {
  private readonly mean: Float64Array;
  private readonly squares: Float64Array;
  private count = 0;
  constructor(private readonly width: number) {
    this.mean = new Float64Array(width);
    this.squares = new Float64Array(width);
  }

  /** Adds rows [0, rows) of `values` (row-major, `width` columns). */
  add(values: Float64Array, rows: number): void {
    for (let r = 0; r < rows; r++) {
      this.count++;
      for (let c = 0; c < this.width; c++) {
        const v = values[r * this.width + c]!;
        const delta = v - this.mean[c]!;
        this.mean[c]! += delta / this.count;
        this.squares[c]! += delta * (v - this.mean[c]!);
      }
    }
  }

  /** The figures so far; a column without spread keeps its scale (std 1). */
  finish(): Standardization {
    const std = new Float64Array(this.width);
    for (let c = 0; c < this.width; c++) {
      const s = Math.sqrt(this.squares[c]! / this.count);
      std[c] = s > 0 && Number.isFinite(s) ? s : 1;
    }
    return { mean: this.mean.slice(), std };
  }
}

/** (value − mean) / std of every column of rows [0, rows) of `values`, in place. */
export function standardize(values: Float64Array, rows: number, figures: Standardization): void {
  const width = figures.mean.length;
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < width; c++) values[r * width + c] = (values[r * width + c]! - figures.mean[c]!) / figures.std[c]!;
  }
}

/** value × std + mean of every column of rows [0, rows) of `values`, in place: outputs back in the targets' units. */
export function unstandardize(values: Float64Array, rows: number, figures: Standardization): void {
  const width = figures.mean.length;
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < width; c++) values[r * width + c] = values[r * width + c]! * figures.std[c]! + figures.mean[c]!;
  }
}

/** Training data as two row-major blocks: inputs and targets (a dense network's rows, a recurrent network's steps). */
interface Blocks {
  inputs: Float64Array;
  targets: Float64Array;
}

/** Measures the figures `wanted` on training data whose blocks are `widths` columns wide (null when none is wanted). */
export function measure(data: Blocks, widths: { inputs: number; targets: number }, wanted: { inputs: boolean; targets: boolean }): Scaling | null {
  if (!wanted.inputs && !wanted.targets) return null;
  const scaling: Scaling = {};
  const block = (values: Float64Array, width: number): Standardization => {
    const stats = new ColumnStats(width);
    stats.add(values, values.length / width);
    return stats.finish();
  };
  if (wanted.inputs) scaling.inputs = block(data.inputs, widths.inputs);
  if (wanted.targets) scaling.targets = block(data.targets, widths.targets);
  return scaling;
}

/** `data` as the network trains on it: standardized copies of the blocks it has figures for, else the same arrays. */
export function scaleRows<T extends Blocks>(data: T, scaling: Scaling | null | undefined): T {
  if (!scaling) return data;
  let { inputs, targets } = data;
  if (scaling.inputs) standardize((inputs = inputs.slice()), inputs.length / scaling.inputs.mean.length, scaling.inputs);
  if (scaling.targets) standardize((targets = targets.slice()), targets.length / scaling.targets.mean.length, scaling.targets);
  return { ...data, inputs, targets };
}

/** The figures as saved in a model's JSON. */
export function scalingToJSON(scaling: Scaling): ScalingJSON {
  const block = (s: Standardization) => ({ mean: Array.from(s.mean), std: Array.from(s.std) });
  return {
    ...(scaling.inputs ? { inputs: block(scaling.inputs) } : {}),
    ...(scaling.targets ? { targets: block(scaling.targets) } : {}),
  };
}

/** The figures of a model's (checked) JSON. */
export function scalingFromJSON(json: ScalingJSON): Scaling {
  const block = (s: { mean: number[]; std: number[] }) => ({ mean: Float64Array.from(s.mean), std: Float64Array.from(s.std) });
  return {
    ...(json.inputs ? { inputs: block(json.inputs) } : {}),
    ...(json.targets ? { targets: block(json.targets) } : {}),
  };
}
