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
