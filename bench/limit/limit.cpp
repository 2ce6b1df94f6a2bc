// The machine's float64 limit for neurite's two hot products, in plain C++ loops
// compiled by bench/run.mjs with `g++ -O3 -march=native`; prints one JSON line of GFLOP/s.
#include <chrono>
#include <cstdio>
#include <cmath>
#include <cstdlib>

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
  printf("{\"matvecNaive\":%.3f,\"matvecBlocked\":%.3f,\"matmulNaive\":%.3f,\"matmulBlocked\":%.3f}\n", mvNaive, mvBlocked, mmNaive, mmBlocked);
  return 0;
}
