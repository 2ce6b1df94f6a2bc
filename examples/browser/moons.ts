// Two interleaved half-moons, the classic not-linearly-separable toy set, from a fixed seed.

// mulberry32: a tiny seeded PRNG, so every page load starts from the same points.
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** `perClass` points per moon with uniform noise of ±`noise`, scaled to fit in [-1, 1]². */
export function twoMoons(perClass: number, noise: number, seed: number): { x: number; y: number; label: number }[] {
  const next = random(seed);
  const points: { x: number; y: number; label: number }[] = [];
  for (let i = 0; i < perClass; i++) {
    const angle = Math.PI * next();
    const jitter = () => (next() * 2 - 1) * noise;
    points.push({ x: (Math.cos(angle) - 0.5) * 0.6 + jitter(), y: (Math.sin(angle) - 0.25) * 0.6 + jitter(), label: 0 });
    const other = Math.PI * next();
    points.push({ x: (1 - Math.cos(other) - 0.5) * 0.6 + jitter(), y: (0.25 - Math.sin(other)) * 0.6 + jitter(), label: 1 });
  }
  return points;
}
