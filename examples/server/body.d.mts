// Types of body.mjs, for the TypeScript tests that import it.

/** The limits a request must keep (`maxBodyBytes` default 1 MiB, `maxRows` default 1024). */
export interface Limits {
  maxBodyBytes: number;
  maxRows: number;
}

/** @default { maxBodyBytes: 1 MiB, maxRows: 1024 } */
export const DEFAULT_LIMITS: Readonly<Limits>;

/** The rows to predict (row-major, `count × inputSize`), or the 4xx decision for the body. Never throws. */
export function parsePredictBody(
  body: Uint8Array | string,
  inputSize: number,
  limits?: Limits,
): { ok: true; batch: boolean; count: number; rows: Float64Array } | { ok: false; status: 400 | 413; error: string };
