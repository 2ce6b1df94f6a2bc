// Fuzzing a JSON format: every path into a value, and the same text with one value replaced.

/** `text` parsed, with the value at path number `pick` (modulo their count) replaced by `replacement`. */
export function replaceOne(text: string, pick: number, replacement: unknown): unknown {
  const json = JSON.parse(text) as Record<string, unknown>;
  const all = pathsUnder(json, []);
  const path = all[pick % all.length]!;
  if (path.length === 0) return replacement;
  let target = json as Record<string | number, unknown>;
  for (const key of path.slice(0, -1)) target = target[key] as Record<string | number, unknown>;
  target[path[path.length - 1]!] = replacement;
  return json;
}

/** Every path into `value` from `prefix`, `prefix` itself first; array elements by index. */
export function pathsUnder(value: unknown, prefix: (string | number)[]): (string | number)[][] {
  if (value === null || typeof value !== 'object') return [prefix];
  return [prefix, ...Object.entries(value).flatMap(([key, v]) => pathsUnder(v, [...prefix, Array.isArray(value) ? Number(key) : key]))];
}

/** Sets the value at `path` (non-empty) of `json` to `replacement`, or deletes it when `replacement` is undefined. */
export function replaceAt(json: unknown, path: (string | number)[], replacement: unknown): void {
  let parent = json as Record<string | number, unknown>;
  for (const key of path.slice(0, -1)) parent = parent[key] as Record<string | number, unknown>;
  if (replacement === undefined) delete parent[path.at(-1)!];
  else parent[path.at(-1)!] = replacement;
}
