// The float64 row kernels the dense and recurrent kernels share: loads and stores, dot products, affine maps and
// axpy. Every dot product sums its even and odd terms in two running sums (the two lanes of an f64x2), adds them,
// then the odd tail, so the SIMD and plain builds and the JS twins give the same bits.

type float = f64;

// @ts-ignore: decorator
@inline export function f(ptr: usize, i: i32): float {
  return load<float>(ptr + (<usize>i << 3));
}

// @ts-ignore: decorator
@inline export function put(ptr: usize, i: i32, value: float): void {
  store<float>(ptr + (<usize>i << 3), value);
}

/** Byte offset of float64 index i. */
// @ts-ignore: decorator
@inline export function bytes(i: i32): usize {
  return <usize>i << 3;
}

/** Σ w[k]·x[k] for k < n: even and odd terms in two sums, then their sum, then the odd tail. */
// @ts-ignore: decorator
@inline export function dot(w: usize, x: usize, n: i32): float {
  let s: float;
  const pairs = n & ~1;
  if (ASC_FEATURE_SIMD) {
    let acc = f64x2.splat(0.0);
    for (let k = 0; k < pairs; k += 2) acc = f64x2.add(acc, f64x2.mul(v128.load(w + bytes(k)), v128.load(x + bytes(k))));
    s = f64x2.extract_lane(acc, 0) + f64x2.extract_lane(acc, 1);
  } else {
    let s0: float = 0.0, s1: float = 0.0;
    for (let k = 0; k < pairs; k += 2) {
      s0 += f(w, k) * f(x, k);
      s1 += f(w, k + 1) * f(x, k + 1);
    }
    s = s0 + s1;
  }
  if (n & 1) s += f(w, n - 1) * f(x, n - 1);
  return s;
}

/**
 * Ends the blocked dot products of weight rows wa and wb against x, for outputs o and o + 1, in the two lanes at
 * once: each accumulator's lane 0 + lane 1, the odd tail, the bias. Lane by lane these are dot()'s operations.
 */
// @ts-ignore: decorator
@inline export function finish2(a: v128, b: v128, wa: usize, wb: usize, x: usize, n: i32, bias: usize, o: i32, out: usize): void {
  let s = f64x2.add(v128.shuffle<f64>(a, b, 0, 2), v128.shuffle<f64>(a, b, 1, 3));
  if (n & 1) {
    const last = bytes(n - 1);
    s = f64x2.add(s, f64x2.mul(v128.load64_lane(wb + last, v128.load64_splat(wa + last), 1), v128.load64_splat(x + last)));
  }
  v128.store(out + bytes(o), f64x2.add(s, v128.load(bias + bytes(o))));
}

/**
 * out[b·stride + o] = dot(w[o], x[b]) + bias[o] for weight rows o in [first, end) (nIn wide) and `count` rows of x.
 * The SIMD build computes 4 weight rows against 2 rows of x per pass (8 running f64x2 sums in registers); every
 * sum keeps dot()'s order, so the blocking changes no result.
 */
// @ts-ignore: decorator
@inline export function affineRows(x: usize, w: usize, bias: usize, out: usize, nIn: i32, first: i32, end: i32, stride: i32, count: i32): void {
  const rowBytes = bytes(nIn);
  const pairs = nIn & ~1;
  let b = 0;
  if (ASC_FEATURE_SIMD) {
    for (; b + 2 <= count; b += 2) {
      const x0 = x + <usize>b * rowBytes, x1 = x0 + rowBytes;
      const o0 = out + bytes(b * stride), o1 = o0 + bytes(stride);
      let o = first;
      for (; o + 4 <= end; o += 4) {
        const w0 = w + <usize>o * rowBytes, w1 = w0 + rowBytes, w2 = w1 + rowBytes, w3 = w2 + rowBytes;
        let a00 = f64x2.splat(0.0), a01 = a00, a02 = a00, a03 = a00;
        let a10 = a00, a11 = a00, a12 = a00, a13 = a00;
        for (let k = 0; k < pairs; k += 2) {
          const kb = bytes(k);
          const xa = v128.load(x0 + kb), xb = v128.load(x1 + kb);
          const v0 = v128.load(w0 + kb), v1 = v128.load(w1 + kb), v2 = v128.load(w2 + kb), v3 = v128.load(w3 + kb);
          a00 = f64x2.add(a00, f64x2.mul(v0, xa)); a10 = f64x2.add(a10, f64x2.mul(v0, xb));
          a01 = f64x2.add(a01, f64x2.mul(v1, xa)); a11 = f64x2.add(a11, f64x2.mul(v1, xb));
          a02 = f64x2.add(a02, f64x2.mul(v2, xa)); a12 = f64x2.add(a12, f64x2.mul(v2, xb));
          a03 = f64x2.add(a03, f64x2.mul(v3, xa)); a13 = f64x2.add(a13, f64x2.mul(v3, xb));
        }
        finish2(a00, a01, w0, w1, x0, nIn, bias, o, o0); finish2(a02, a03, w2, w3, x0, nIn, bias, o + 2, o0);
        finish2(a10, a11, w0, w1, x1, nIn, bias, o, o1); finish2(a12, a13, w2, w3, x1, nIn, bias, o + 2, o1);
      }
      for (; o < end; o++) {
        const wo = w + <usize>o * rowBytes;
        put(o0, o, dot(wo, x0, nIn) + f(bias, o));
        put(o1, o, dot(wo, x1, nIn) + f(bias, o));
      }
    }
  }
  for (; b < count; b++) {
    const xb = x + <usize>b * rowBytes;
    const ob = out + bytes(b * stride);
    let o = first;
    if (ASC_FEATURE_SIMD) {
      // One input row (predict, batch 1): 4 weight rows per pass, each x load serving 4 products.
      for (; o + 4 <= end; o += 4) {
        const w0 = w + <usize>o * rowBytes, w1 = w0 + rowBytes, w2 = w1 + rowBytes, w3 = w2 + rowBytes;
        let a0 = f64x2.splat(0.0), a1 = a0, a2 = a0, a3 = a0;
        for (let k = 0; k < pairs; k += 2) {
          const kb = bytes(k);
          const xv = v128.load(xb + kb);
          a0 = f64x2.add(a0, f64x2.mul(v128.load(w0 + kb), xv));
          a1 = f64x2.add(a1, f64x2.mul(v128.load(w1 + kb), xv));
          a2 = f64x2.add(a2, f64x2.mul(v128.load(w2 + kb), xv));
          a3 = f64x2.add(a3, f64x2.mul(v128.load(w3 + kb), xv));
        }
        finish2(a0, a1, w0, w1, xb, nIn, bias, o, ob);
        finish2(a2, a3, w2, w3, xb, nIn, bias, o + 2, ob);
      }
    }
    for (; o < end; o++) put(ob, o, dot(w + <usize>o * rowBytes, xb, nIn) + f(bias, o));
  }
}

/** y[k] += a·x[k] for k < n (elementwise, so lanes change nothing about the result). */
// @ts-ignore: decorator
@inline export function axpy(y: usize, a: float, x: usize, n: i32): void {
  let k = 0;
  if (ASC_FEATURE_SIMD) {
    const av = f64x2.splat(a);
    for (; k + 2 <= n; k += 2) {
      const kb = bytes(k);
      v128.store(y + kb, f64x2.add(v128.load(y + kb), f64x2.mul(av, v128.load(x + kb))));
    }
  }
  for (; k < n; k++) put(y, k, f(y, k) + a * f(x, k));
}

