// Fuzzing a JSON format: the same text with one value, picked by index among every path, replaced.

/** Every path into `value`, the root's empty path first. */
function paths(value: unknown, prefix: string[] = []): string[][] {
  if (value === null || typeof value !== 'object') return [prefix];
  return [prefix, ...Object.keys(value).flatMap((key) => paths((value as Record<string, unknown>)[key], [...prefix, key]))];
}

/** `text` parsed, with the value at path number `pick` (modulo their count) replaced by `replacement`. */
export function replaceOne(text: string, pick: number, replacement: unknown): unknown {
  const json = JSON.parse(text) as Record<string, unknown>;
  const all = paths(json);
  const path = all[pick % all.length]!;
  if (path.length === 0) return replacement;
  let target: Record<string, unknown> = json;
  for (const key of path.slice(0, -1)) target = target[key] as Record<string, unknown>;
  target[path[path.length - 1]!] = replacement;
  return json;
}
