// TEMPORARY stand-in for neurite's DenseNetwork until it lands: 2 → tanh hidden layers → softmax, cross-entropy, Adam.
interface Options { layers: { size: number; activation?: string }[]; loss: string; optimizer: { type: string; learningRate: number }; seed: number; backend?: string }

export class DenseNetwork {
  readonly backend = 'js';
  private sizes: number[];
  private w: Float64Array[];
  private m: Float64Array[];
  private v: Float64Array[];
  private t = 0;
  private rate: number;
  private out = new Float64Array(0);

  constructor(options: Options) {
    this.sizes = options.layers.map((l) => l.size);
    this.rate = options.optimizer.learningRate;
    let s = options.seed;
    const rnd = () => ((s = (s * 16807) % 2147483647) / 2147483647) * 2 - 1;
    // weights[l] is (out × (in + 1)), bias last.
    this.w = this.sizes.slice(1).map((n, l) => Float64Array.from({ length: n * (this.sizes[l]! + 1) }, () => rnd() * Math.sqrt(6 / (n + this.sizes[l]!))));
    this.m = this.w.map((w) => new Float64Array(w.length));
    this.v = this.w.map((w) => new Float64Array(w.length));
  }

  private forward(x: ArrayLike<number>): Float64Array[] {
    const acts = [Float64Array.from(x)];
    this.w.forEach((w, l) => {
      const inn = this.sizes[l]!, n = this.sizes[l + 1]!, a = acts[l]!, z = new Float64Array(n);
      for (let j = 0; j < n; j++) { let sum = w[j * (inn + 1) + inn]!; for (let i = 0; i < inn; i++) sum += w[j * (inn + 1) + i]! * a[i]!; z[j] = sum; }
      if (l === this.w.length - 1) { const mx = Math.max(...z); let tot = 0; z.forEach((q, j) => (tot += z[j] = Math.exp(q - mx))); z.forEach((q, j) => (z[j] = q / tot)); } else z.forEach((q, j) => (z[j] = Math.tanh(q)));
      acts.push(z);
    });
    return acts;
  }

  predictBatch(inputs: Float64Array, count: number): Float64Array {
    const k = this.sizes.at(-1)!, d = this.sizes[0]!;
    if (this.out.length !== count * k) this.out = new Float64Array(count * k);
    for (let r = 0; r < count; r++) this.out.set(this.forward(inputs.subarray(r * d, r * d + d)).at(-1)!, r * k);
    return this.out;
  }

  trainStep(inputs: Float64Array, targets: Float64Array, count: number): number {
    const d = this.sizes[0]!, k = this.sizes.at(-1)!;
    const grads = this.w.map((w) => new Float64Array(w.length));
    let loss = 0;
    for (let r = 0; r < count; r++) {
      const acts = this.forward(inputs.subarray(r * d, r * d + d));
      const y = targets.subarray(r * k, r * k + k);
      let delta = acts.at(-1)!.map((p, j) => p - y[j]!);
      y.forEach((q, j) => (loss -= q * Math.log(acts.at(-1)![j]! + 1e-12)));
      for (let l = this.w.length - 1; l >= 0; l--) {
        const inn = this.sizes[l]!, a = acts[l]!, w = this.w[l]!, g = grads[l]!, back = new Float64Array(inn);
        delta.forEach((dj, j) => { g[j * (inn + 1) + inn] += dj; for (let i = 0; i < inn; i++) { g[j * (inn + 1) + i] += dj * a[i]!; back[i] += dj * w[j * (inn + 1) + i]!; } });
        delta = back.map((b, i) => b * (1 - a[i]! * a[i]!));
      }
    }
    this.t++;
    this.w.forEach((w, l) => w.forEach((_, i) => {
      const g = grads[l]![i]! / count;
      this.m[l]![i] = 0.9 * this.m[l]![i]! + 0.1 * g;
      this.v[l]![i] = 0.999 * this.v[l]![i]! + 0.001 * g * g;
      w[i] -= (this.rate * this.m[l]![i]! / (1 - 0.9 ** this.t)) / (Math.sqrt(this.v[l]![i]! / (1 - 0.999 ** this.t)) + 1e-8);
    }));
    return loss / count;
  }
}
