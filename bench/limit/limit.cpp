// The machine's float64 limit for neurite's two hot products, in plain C++ loops, and its arithmetic peaks;
// compiled by bench/limit.mjs with `g++ -O3 -march=native` (and for 128-bit SIMD); prints one JSON line of GFLOP/s.
#include <chrono>
#include <cstdio>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <immintrin.h>

static const int IN = 784, OUT = 128, BATCH = 32;

// y = W·x, W row-major OUT×IN: the textbook loop (a serial sum, which -O3 may not vectorize without -ffast-math).
static void matvecNaive(const double* W, const double* x, double* y) {
  for (int o = 0; o < OUT; o++) {
    double s = 0;
    for (int i = 0; i < IN; i++) s += W[o * IN + i] * x[i];
    y[o] = s;
  }
}

// y = W·x with 8 rows per pass and 8 independent partial sums per row, so the compiler can vectorize and pipeline
// (the fastest of the row × lane blockings tried on a 2-core EPYC with g++ 12).
static void matvecBlocked(const double* W, const double* x, double* y) {
  for (int o = 0; o < OUT; o += 8) {
    double acc[8][8] = {};
    const double* w0 = W + o * IN;
    for (int i = 0; i < IN; i += 8)
      for (int r = 0; r < 8; r++)
        for (int k = 0; k < 8; k++) acc[r][k] += w0[r * IN + i + k] * x[i + k];
    for (int r = 0; r < 8; r++) {
      double s = 0;
      for (int k = 0; k < 8; k++) s += acc[r][k];
      y[o + r] = s;
    }
  }
}

// Y = X·Wᵀ, X row-major BATCH×IN: one textbook dot product per output.
static void matmulNaive(const double* X, const double* W, double* Y) {
  for (int b = 0; b < BATCH; b++)
    for (int o = 0; o < OUT; o++) {
      double s = 0;
      for (int i = 0; i < IN; i++) s += X[b * IN + i] * W[o * IN + i];
      Y[b * OUT + o] = s;
    }
}

#ifdef __AVX__
// Y = X·Wᵀ in 8×4 output tiles with 4 partial sums each: every loaded row of X and W serves several outputs
// (the fastest of the tilings tried on a 2-core EPYC with g++ 12).
static void matmulBlocked(const double* X, const double* W, double* Y) {
  for (int b = 0; b < BATCH; b += 8)
    for (int o = 0; o < OUT; o += 4) {
      double acc[8][4][4] = {};
      for (int i = 0; i < IN; i += 4)
        for (int r = 0; r < 8; r++)
          for (int c = 0; c < 4; c++)
            for (int k = 0; k < 4; k++) acc[r][c][k] += X[(b + r) * IN + i + k] * W[(o + c) * IN + i + k];
      for (int r = 0; r < 8; r++)
        for (int c = 0; c < 4; c++) {
          double s = 0;
          for (int k = 0; k < 4; k++) s += acc[r][c][k];
          Y[(b + r) * OUT + o + c] = s;
        }
    }
}
#else
// The 128-bit build (no AVX) gets a tile written for 16 SSE registers: 3 rows of W × 4 rows of X, 12 f64x2 sums
// (the fastest of the tiles tried there, 4×2 as in neurite's wasm included). malloc's 16-byte alignment and an
// even IN keep every pair aligned, so the loads fold into the multiplies.
static_assert(IN % 2 == 0 && BATCH % 4 == 0, "the tile assumes whole pairs and whole groups of 4 rows");
template <int R, int C>
static void matmulTile(const double* X, const double* W, double* Y, int b, int o) {
  __m128d acc[C][R];
  for (int c = 0; c < C; c++)
    for (int r = 0; r < R; r++) acc[c][r] = _mm_setzero_pd();
  for (int i = 0; i < IN; i += 2)
    for (int r = 0; r < R; r++) {
      __m128d w = _mm_load_pd(W + (o + r) * IN + i);
      for (int c = 0; c < C; c++) acc[c][r] = _mm_add_pd(acc[c][r], _mm_mul_pd(w, _mm_load_pd(X + (b + c) * IN + i)));
    }
  for (int c = 0; c < C; c++)
    for (int r = 0; r < R; r++) Y[(b + c) * OUT + o + r] = _mm_cvtsd_f64(_mm_add_sd(acc[c][r], _mm_unpackhi_pd(acc[c][r], acc[c][r])));
}

static void matmulBlocked(const double* X, const double* W, double* Y) {
  for (int b = 0; b < BATCH; b += 4) {
    int o = 0;
    for (; o + 3 <= OUT; o += 3) matmulTile<3, 4>(X, W, Y, b, o);
    if constexpr (OUT % 3 != 0) matmulTile<OUT % 3, 4>(X, W, Y, b, o);
  }
}
#endif

// Peak throughput: K independent sums acc += t·t on a value in a register, the shape of a dot product's inner loop
// without its loads. The empty asm hides t's value, so every step's multiply is redone rather than hoisted.
// fp-contract=off keeps the 128-bit step a separate multiply and add even in the FMA build (g++ fuses intrinsics).
template <int K, typename V, typename Step>
__attribute__((optimize("fp-contract=off"))) static double chains(long iterations, V x, Step step) {
  V acc[K] = {};
  for (long n = 0; n < iterations; n++)
    for (int k = 0; k < K; k++) {
      V t = x;
      asm volatile("" : "+x"(t));
      acc[k] = step(acc[k], t);
    }
  double lanes[sizeof(V) / sizeof(double)], sum = 0;
  for (int k = 0; k < K; k++) {
    memcpy(lanes, &acc[k], sizeof(V));
    for (double lane : lanes) sum += lane;
  }
  return sum;
}

static volatile double sink;

// Best GFLOP/s of several timed rounds of `kernel`, each long enough (~50 ms) to dwarf the clock's resolution.
template <typename F>
static double gflops(F kernel, double flopsPerCall, const double* out, int outLength, int rounds) {
  using clock = std::chrono::steady_clock;
  int calls = 1;
  for (;;) {
    auto t0 = clock::now();
    for (int c = 0; c < calls; c++) kernel();
    double s = std::chrono::duration<double>(clock::now() - t0).count();
    if (s > 0.05) break;
    calls *= 2;
  }
  double best = 0;
  for (int r = 0; r < rounds; r++) {
    auto t0 = clock::now();
    for (int c = 0; c < calls; c++) kernel();
    double s = std::chrono::duration<double>(clock::now() - t0).count();
    double g = flopsPerCall * calls / s / 1e9;
    if (g > best) best = g;
  }
  double sum = 0;
  for (int k = 0; k < outLength; k++) sum += out[k];
  sink = sum;  // keeps the compiler from dropping the work
  return best;
}

int main(int argc, char** argv) {
  int rounds = argc > 1 ? atoi(argv[1]) : 5;
  double* W = new double[OUT * IN];
  double* X = new double[BATCH * IN];
  double* y = new double[OUT];
  double* Y = new double[BATCH * OUT];
  unsigned state = 1;
  auto next = [&]() { state = state * 1664525u + 1013904223u; return (state >> 8) / 16777216.0 - 0.5; };
  for (int k = 0; k < OUT * IN; k++) W[k] = next();
  for (int k = 0; k < BATCH * IN; k++) X[k] = next();
  // Both forms must agree before either is timed.
  double y2[OUT], *Y2 = new double[BATCH * OUT];
  matvecNaive(W, X, y);
  matvecBlocked(W, X, y2);
  matmulNaive(X, W, Y);
  matmulBlocked(X, W, Y2);
  for (int k = 0; k < OUT; k++) if (std::abs(y[k] - y2[k]) > 1e-9) { fprintf(stderr, "matvec forms disagree\n"); return 1; }
  for (int k = 0; k < BATCH * OUT; k++) if (std::abs(Y[k] - Y2[k]) > 1e-9) { fprintf(stderr, "matmul forms disagree\n"); return 1; }
  double mv = 2.0 * IN * OUT, mm = 2.0 * IN * OUT * BATCH;
  double mvNaive = gflops([&] { matvecNaive(W, X, y); }, mv, y, OUT, rounds);
  double mvBlocked = gflops([&] { matvecBlocked(W, X, y); }, mv, y, OUT, rounds);
  double mmNaive = gflops([&] { matmulNaive(X, W, Y); }, mm, Y, BATCH * OUT, rounds);
  double mmBlocked = gflops([&] { matmulBlocked(X, W, Y); }, mm, Y, BATCH * OUT, rounds);
  printf("{\"matvecNaive\":%.3f,\"matvecBlocked\":%.3f,\"matmulNaive\":%.3f,\"matmulBlocked\":%.3f", mvNaive, mvBlocked, mmNaive, mmBlocked);

  // A volatile 1 and a running total, so the compiler can neither precompute the sums nor keep only the timing
  // loop's last call.
  volatile double one = 1.0;
  const long steps = 10000;
  double peak = 0;
  // 128-bit, no FMA: 10 sums keep both multiply and both add pipes busy within the 16 SSE registers. 4 flops a step.
  auto step128 = [](__m128d acc, __m128d t) { return _mm_add_pd(acc, _mm_mul_pd(t, t)); };
  printf(",\"peak128\":%.3f", gflops([&] { peak += chains<10>(steps, _mm_set1_pd(one), step128); }, 10.0 * 4 * steps, &peak, 1, rounds));
#ifdef __FMA__
  // 256-bit FMA: 12 sums cover the 2 FMA pipes × 4-cycle latency with room to spare. 8 flops a step.
  auto step256 = [](__m256d acc, __m256d t) { return _mm256_fmadd_pd(t, t, acc); };
  printf(",\"peak256Fma\":%.3f", gflops([&] { peak += chains<12>(steps, _mm256_set1_pd(one), step256); }, 12.0 * 8 * steps, &peak, 1, rounds));
#endif
#ifdef __AVX512F__
  // 512-bit FMA, the width g++ gives the native build's blocked kernels on this machine: 16 flops a step.
  auto step512 = [](__m512d acc, __m512d t) { return _mm512_fmadd_pd(t, t, acc); };
  printf(",\"peak512Fma\":%.3f", gflops([&] { peak += chains<12>(steps, _mm512_set1_pd(one), step512); }, 12.0 * 16 * steps, &peak, 1, rounds));
#endif
  printf("}\n");
  return 0;
}
