// Arena allocation for the JS facade: every network owns one block of linear memory.
// TLSF (runtime "minimal", see asconfig.json) hands out 16-byte aligned blocks and reuses freed ones.

/** Allocates `bytes` zeroed bytes and returns their address (16-byte aligned). */
export function alloc(bytes: usize): usize {
  const ptr = heap.alloc(bytes);
  memory.fill(ptr, 0, bytes);
  return ptr;
}

/** Returns a block from `alloc` to the allocator. */
export function free(ptr: usize): void {
  heap.free(ptr);
}
