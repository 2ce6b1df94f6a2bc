// Readers for the arena header written by src/layout.ts (the one description of offsets).
// Header words are i32; offsets are bytes from the arena's start.

// @ts-ignore: decorator
@inline export function word(arena: usize, index: i32): i32 {
  return load<i32>(arena + (<usize>index << 2));
}

// @ts-ignore: decorator
@inline export function at(arena: usize, index: i32): usize {
  return arena + <usize>load<i32>(arena + (<usize>index << 2));
}

/** float64 slot `slot` of the block whose offset is in header word `index` (the dense settings). */
// @ts-ignore: decorator
@inline export function slot(arena: usize, index: i32, slot: i32): f64 {
  return load<f64>(at(arena, index) + (<usize>slot << 3));
}
