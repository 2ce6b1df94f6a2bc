// Two interleaved half-moons, the classic not-linearly-separable toy set, from a fixed seed.
// mulberry32: a tiny seeded PRNG, so every page load starts from the same points.
import { mulberry32 } from '../../scripts/random.mjs';

/** `perClass` points per moon with uniform noise of ±`noise`, scaled to fit in [-1, 1]². */
export function twoMoons(perClass: number, noise: number, seed: number): { x: number; y: number; label: number }[] {
  const next = mulberry32(seed);
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
